//! Console benchmark (not a timed test): 10,000 GameServers and 10,000 pods.
//!
//! `cargo run --release -p okg-tools --bin console_bench` prints:
//! (a) the time to apply one watch event and draw one frame (median and p99 over many events),
//! (c) resident memory after loading the fleet,
//! (d) bytes written to the terminal per minute while idle at 120×40 (one age tick a second).
//! (b), start to first full screen against the demo cluster, is measured by
//! `scripts/bench-console.sh`. Method and figures: docs/performance-console.md.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::time::Instant;

use okg_console::tui::app::msg::{ClusterEvent, Msg};
use okg_console::tui::app::state::{Access, State};
use okg_console::tui::view::{self, theme::Theme};
use okg_domain::fixtures as fake;
use okg_domain::fleet::PodInfo;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use okg_tools::{Sink, rss_kib};

fn main() {
    sizes();
    let rss0 = rss_kib();
    let (sets, gss, pods) = fake::big_fleet_infos(100, 100);
    let access = Access { read_only: true, caps: None };
    let mut state =
        State::new("bench", "http://bench", Some("default".into()), access, fake::now());
    state.update(Msg::Resize { width: 120, height: 40 });
    let t0 = Instant::now();
    // The pages and synced events a real first list arrives as.
    for ev in ClusterEvent::fleet_listed(sets, gss, pods) {
        state.update(Msg::Cluster(ev));
    }
    let load = t0.elapsed();
    let rss1 = rss_kib();

    let sink = Sink::default();
    let mut term = Terminal::with_options(
        CrosstermBackend::new(sink.clone()),
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(ratatui::layout::Rect::new(0, 0, 120, 40)),
        },
    )
    .unwrap();
    let theme = Theme::builtin("dark");
    term.draw(|f| view::draw(f, &state, &theme)).unwrap();
    let first_frame = *sink.0.lock().unwrap();

    // (a) one pod event (a restart of a pod in view, and one far out of view), then one frame.
    let (median, p99, n) = events(&mut state, &mut term, &theme);
    // The same sorted by RESTARTS, which these events change: the worst case, as rows move
    // and the view is rebuilt (every set sorted) whenever one leaves its neighbours' order.
    let t = Instant::now();
    let shift_t = KeyEvent::new(KeyCode::Char('T'), KeyModifiers::SHIFT);
    state.update(Msg::Key(shift_t));
    term.draw(|f| view::draw(f, &state, &theme)).unwrap();
    let sort_press = t.elapsed();
    let (sorted_median, sorted_p99, _) = events(&mut state, &mut term, &theme);

    // (d) idle minute: one tick per second, drawn once each. Twice: a young fleet (ages under
    // 10 minutes show seconds, so every visible AGE cell changes each second: the worst case)
    // and a fleet two hours old (ages change once a minute).
    let idle = idle_minute(&mut state, &mut term, &theme, &sink, fake::now());
    let later = fake::now() + jiff::SignedDuration::from_hours(2);
    let idle_old = idle_minute(&mut state, &mut term, &theme, &sink, later);

    println!(
        "fleet: {} GameServers, {} pods, {} sets",
        state.fleet.gameservers.len(),
        state.fleet.pods.len(),
        state.fleet.headers.len()
    );
    println!("load of the three lists into the state: {load:?}");
    println!("first frame: {first_frame} bytes");
    println!(
        "(a) apply one watch event + draw one frame: median {median:?}, p99 {p99:?} ({n} samples)"
    );
    println!(
        "(a) sorted by RESTARTS (the events change it): median {sorted_median:?}, p99 \
         {sorted_p99:?}; the key press that sorts 10,000 rows, with its frame: {sort_press:?}"
    );
    println!(
        "(c) resident memory: {:.1} MiB after loading (process start {:.1} MiB)",
        rss1 as f64 / 1024.0,
        rss0 as f64 / 1024.0
    );
    println!(
        "(d) idle at 120x40, young fleet: {idle} bytes per minute ({:.1} B/s)",
        idle as f64 / 60.0
    );
    println!(
        "(d) idle at 120x40, fleet 2h old: {idle_old} bytes per minute ({:.1} B/s)",
        idle_old as f64 / 60.0
    );
}

/// 2000 pod events, each applied and drawn: (median, p99, samples).
fn events(
    state: &mut State,
    term: &mut Terminal<CrosstermBackend<Sink>>,
    theme: &Theme,
) -> (std::time::Duration, std::time::Duration, usize) {
    let mut samples = Vec::new();
    for i in 0..2000usize {
        let set = if i % 2 == 0 { "gss-000" } else { "gss-077" };
        let ordinal = i % 30;
        let images = [
            ("app", "registry.example.com/games/app:v1.0"),
            ("sidecar", "registry.example.com/games/sidecar:v2.0"),
        ];
        let pod = fake::pod("default", set, ordinal, &images, (i % 7) as i32, 10 + (i % 50) as i64);
        let t = Instant::now();
        state.update(Msg::Cluster(ClusterEvent::PodApplied(PodInfo::from_pod(&pod))));
        term.draw(|f| view::draw(f, state, theme)).unwrap();
        samples.push(t.elapsed());
    }
    samples.sort();
    (samples[samples.len() / 2], samples[samples.len() * 99 / 100], samples.len())
}

fn idle_minute(
    state: &mut State,
    term: &mut Terminal<CrosstermBackend<Sink>>,
    theme: &Theme,
    sink: &Sink,
    start: jiff::Timestamp,
) -> usize {
    let before = *sink.0.lock().unwrap();
    let mut now = start;
    for _ in 0..60 {
        now += jiff::SignedDuration::from_secs(1);
        state.update(Msg::Tick(now));
        if state.dirty {
            term.draw(|f| view::draw(f, state, theme)).unwrap();
            state.dirty = false;
        }
    }
    *sink.0.lock().unwrap() - before
}

fn sizes() {
    use std::mem::size_of;
    println!(
        "sizes: Pod {} PodSpec {} PodStatus {} Container {} ContainerStatus {} GameServer {} \
         Row {} kept per GameServer: GsInfo {} PodInfo {} ContainerInfo {}",
        size_of::<k8s_openapi::api::core::v1::Pod>(),
        size_of::<k8s_openapi::api::core::v1::PodSpec>(),
        size_of::<k8s_openapi::api::core::v1::PodStatus>(),
        size_of::<k8s_openapi::api::core::v1::Container>(),
        size_of::<k8s_openapi::api::core::v1::ContainerStatus>(),
        size_of::<okg_domain::types::GameServer>(),
        size_of::<okg_domain::fleet::Row>(),
        size_of::<okg_domain::fleet::GsInfo>(),
        size_of::<okg_domain::fleet::PodInfo>(),
        size_of::<okg_domain::fleet::ContainerInfo>(),
    );
}
