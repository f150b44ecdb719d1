//! What the bump dialog offers first: the container a bump most likely means, and the images of
//! the same repository seen in the cluster (`tab` on the image).
use std::collections::BTreeSet;

use crate::tui::app::store::FleetStore;
use okg_domain::image::ImageRef;

/// The container a bump most likely means: `sidecar`, else the one that is not the game (the
/// first container), else the only one.
pub fn default_container(containers: &[(String, String)]) -> usize {
    containers.iter().position(|(n, _)| n == "sidecar").unwrap_or(if containers.len() > 1 {
        1
    } else {
        0
    })
}

/// Every image of `image`'s repository seen in the fleet (templates and pods), sorted.
pub(super) fn known_images(fleet: &FleetStore, image: &str) -> Vec<String> {
    let Ok(me) = ImageRef::parse(image) else { return vec![image.to_string()] };
    let same_repo = |i: &str| {
        ImageRef::parse(i).is_ok_and(|r| r.registry == me.registry && r.repository == me.repository)
    };
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let templates = fleet.headers.values().flat_map(|h| h.template.iter().map(|(_, i)| i));
    let pods = fleet.pods.values().flat_map(|p| p.containers.iter().map(|(_, i)| i));
    for i in templates.chain(pods) {
        if !seen.contains(i) && same_repo(i) {
            seen.insert(i.clone());
        }
    }
    seen.insert(image.to_string());
    seen.into_iter().collect()
}
