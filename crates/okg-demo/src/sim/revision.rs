//! Revision names and image IDs, both derived deterministically so that the seed, the controller
//! and the tests agree without shared state.

use k8s_openapi::api::core::v1::PodTemplateSpec;

use super::sha256;

/// Characters Kubernetes uses for generated names (no vowels, no look-alikes).
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// `<set>-<hash>`: the `controller-revision-hash` value for a template, as a ControllerRevision
/// name would look. Any change to the template (images included) gives a new revision.
pub fn revision_name(set: &str, template: &PodTemplateSpec) -> String {
    let json = serde_json::to_vec(template).unwrap_or_default();
    let digest = sha256::digest(&json);
    let hash: String =
        digest[..10].iter().map(|b| SAFE[*b as usize % SAFE.len()] as char).collect();
    format!("{set}-{hash}")
}

/// The repository part of an image reference (tag and digest removed).
pub fn repository(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    // A ':' after the last '/' starts the tag; one before it belongs to a registry port.
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[..i],
        _ => no_digest,
    }
}

/// The suffix of a tag that the simulated registry holds as a re-tag: `T-retag` points at the
/// same image as `T` (one digest under two tags), as a registry does after `crane tag` or a
/// promotion that pushes the same build under a new name.
const RETAG_SUFFIX: &str = "-retag";

/// The tag of a reference (`latest` when it has none).
fn tag_of(image: &str) -> &str {
    let no_digest = image.split('@').next().unwrap_or(image);
    match no_digest.rfind(':') {
        Some(i) if !no_digest[i..].contains('/') => &no_digest[i + 1..],
        _ => "latest",
    }
}

/// The reference whose digest `image` has: itself, or for a re-tag the tag it was made from.
fn digest_source(image: &str) -> &str {
    if image.contains('@') || !tag_of(image).ends_with(RETAG_SUFFIX) {
        return image;
    }
    &image[..image.len() - RETAG_SUFFIX.len()]
}

/// What the container runtime reports as `imageID` for an image: `<repo>@sha256:<digest>`,
/// the digest being the SHA-256 of the reference so each tag has its own stable ID, except a
/// re-tag (`T-retag`), which has the digest of `T`.
pub fn image_id(image: &str) -> String {
    // Memoised: a seed of 10,000 pods asks for the same few images over and over.
    thread_local! {
        static CACHE: std::cell::RefCell<std::collections::HashMap<String, String>> = Default::default();
    }
    CACHE.with(|c| {
        c.borrow_mut()
            .entry(image.to_string())
            .or_insert_with(|| {
                let source = digest_source(image);
                format!("{}@sha256:{}", repository(image), sha256::hex(source.as_bytes()))
            })
            .clone()
    })
}

/// Tags ending in `-missing` do not exist in the simulated registry.
pub fn image_exists(image: &str) -> bool {
    !tag_of(digest_source(image)).ends_with("-missing")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_strips_tag_not_port() {
        assert_eq!(
            repository("registry.cn-beijing.aliyuncs.com/acs/2048:v1.0"),
            "registry.cn-beijing.aliyuncs.com/acs/2048"
        );
        assert_eq!(repository("localhost:5000/game/battle"), "localhost:5000/game/battle");
        assert_eq!(repository("localhost:5000/game/battle:v2"), "localhost:5000/game/battle");
        assert_eq!(repository("nginx@sha256:abc"), "nginx");
    }

    #[test]
    fn a_retag_has_the_digest_of_its_source_tag() {
        let source = image_id("r.example.com/x:v1.0");
        let retag = image_id("r.example.com/x:v1.0-retag");
        assert_eq!(retag, source, "one digest under two tags");
        assert_ne!(image_id("r.example.com/x:v1.1"), source);
        // Only the tag's suffix counts, and a missing source stays missing.
        assert_ne!(image_id("r.example.com/x-retag:v1.0"), source);
        assert!(!image_exists("r.example.com/x:v1.0-missing-retag"));
        assert!(image_exists("r.example.com/x:v1.0-retag"));
    }

    #[test]
    fn image_ids_differ_by_tag_and_are_stable() {
        let a = image_id("r.example.com/x:v1.0");
        let b = image_id("r.example.com/x:v2.0");
        assert_ne!(a, b);
        assert_eq!(a, image_id("r.example.com/x:v1.0"));
        assert!(a.starts_with("r.example.com/x@sha256:"));
        assert_eq!(a.len(), "r.example.com/x@sha256:".len() + 64);
    }

    #[test]
    fn missing_tags() {
        assert!(!image_exists("r.example.com/x:v2.0-missing"));
        assert!(image_exists("r.example.com/x:v2.0"));
        assert!(image_exists("localhost:5000/x-missing"));
    }

    #[test]
    fn revision_follows_template() {
        let mut t: PodTemplateSpec = serde_json::from_value(serde_json::json!({
            "spec": {"containers": [{"name": "a", "image": "x:1"}]}
        }))
        .unwrap();
        let r1 = revision_name("gss", &t);
        assert!(r1.starts_with("gss-") && r1.len() == 14);
        assert_eq!(r1, revision_name("gss", &t));
        t.spec.as_mut().unwrap().containers[0].image = Some("x:2".into());
        assert_ne!(r1, revision_name("gss", &t));
    }
}
