//! Helpers shared by the integration tests: console states loaded with the fixtures.
use okg_console::tui::app::msg::{ClusterEvent, Msg};
use okg_console::tui::app::state::{Access, State};
use okg_domain::fixtures as fake;

/// A console state at `width`×`height` with `fake::small_fleet` loaded, as the snapshot tests
/// draw it.
pub fn loaded_state(width: u16, height: u16, access: Access) -> State {
    let mut s = State::new(
        "okg-demo",
        "http://127.0.0.1:6443",
        Some("default".into()),
        access,
        fake::now(),
    );
    let (sets, gss, pods) = fake::small_fleet();
    s.update(Msg::Resize { width, height });
    s.update(Msg::Cluster(ClusterEvent::SetsReplaced(sets)));
    s.update(Msg::Cluster(ClusterEvent::GameServersReplaced(gss)));
    s.update(Msg::Cluster(ClusterEvent::PodsReplaced(fake::infos(&pods))));
    s
}
