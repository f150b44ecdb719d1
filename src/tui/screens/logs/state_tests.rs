//! The logs state's tests: merge order and cap, pause, rates, search, scrolling.
use super::*;

fn two() -> Logs {
    Logs::new(&[("gss-0".into(), "app".into()), ("gss-1".into(), "app".into())], Pick::Main, false)
}

#[test]
fn merged_in_arrival_order_and_capped_per_stream() {
    let mut l = two();
    l.push(0, 1, None, "a0".into());
    l.push(1, 2, None, "b0".into());
    l.push(0, 3, None, "a1".into());
    let texts: Vec<&str> = l.merged().iter().map(|s| s.line.text.as_str()).collect();
    assert_eq!(texts, ["a0", "b0", "a1"]);
    for i in 0..STREAM_CAP + 7 {
        l.push(1, 10 + i as i64, None, format!("b{i}"));
    }
    assert_eq!(l.streams[1].len(), STREAM_CAP);
    assert_eq!(l.streams[1].dropped, 8);
    assert_eq!(l.streams[0].len(), 2, "one stream's flood does not evict another's lines");
}

#[test]
fn pause_freezes_the_view_but_keeps_lines() {
    let mut l = two();
    l.push(0, 1, None, "before".into());
    l.toggle_pause();
    l.push(0, 2, None, "during".into());
    assert_eq!(l.merged().len(), 1);
    assert_eq!(l.streams[0].len(), 2);
    l.toggle_pause();
    assert_eq!(l.merged().len(), 2);
}

#[test]
fn rate_and_silent_pods() {
    let mut l = two();
    assert!(l.silent(0).is_empty(), "nobody wrote: nobody stands out");
    for t in 0..20 {
        l.push(0, 20_000 + t * 500, None, "x".into());
    }
    assert_eq!(l.streams[0].rate(29_999), 2.0);
    assert_eq!(l.streams[0].rate(30_000), 1.9, "the first line is 10 s old: out");
    assert_eq!(l.silent(30_000), [1]);
    // Old lines leave the window.
    assert_eq!(l.streams[0].rate(60_000), 0.0);
}

#[test]
fn search_matches_and_export() {
    let mut l = two();
    l.push(0, 1, None, "INFO reload: loaded scripts version v2".into());
    l.push(1, 2, None, "ERROR Reload failed".into());
    l.search = Some("reload".into());
    assert_eq!(l.matches("ERROR Reload failed"), [(6, 12)]);
    assert!(l.matches("tick").is_empty());
    assert_eq!(
        l.export(),
        "gss-0/app INFO reload: loaded scripts version v2\ngss-1/app ERROR Reload failed\n"
    );
    assert_eq!(Pick::Main.next().next().next(), Pick::Main);
    assert!(!Logs::new(&[], Pick::All, true).follow, "previous logs are not followed");
}

#[test]
fn scrolling_back_freezes_the_view_and_the_end_follows_again() {
    let mut l = two();
    for i in 0..5 {
        l.push(0, i, None, format!("a{i}"));
    }
    l.scroll_up(2);
    assert!(l.paused && !l.follow);
    assert_eq!(l.scroll, 2);
    l.push(0, 9, None, "late".into());
    assert_eq!(l.merged().len(), 5, "a line arriving does not move the view");
    l.scroll_up(100);
    assert_eq!(l.scroll, 4, "not past the first line");
    l.scroll_down(1);
    assert_eq!(l.scroll, 3);
    l.to_end();
    assert!(!l.paused && l.follow && l.scroll == 0);
    assert_eq!(l.merged().len(), 6);
}

#[test]
fn the_opening_burst_counts_when_written_not_when_it_arrived() {
    let mut l = two();
    // Both pods dump a 200-line tail written a minute ago, within 10 ms of opening.
    for i in 0..200 {
        l.push(0, 100_000 + i / 20, Some(40_000 + i * 10), "old".into());
        l.push(1, 100_000 + i / 20, Some(40_000 + i * 10), "old".into());
    }
    assert_eq!(l.streams[0].rate(100_500), 0.0, "a dumped tail is not a rate");
    // Then pod 1 writes live lines; pod 0 stays quiet and reads as the silent one.
    for t in 0..10 {
        l.push(1, 102_000 + t * 100, Some(102_000 + t * 100 - 40), "live".into());
    }
    assert_eq!(l.streams[1].rate(103_000), 1.0);
    assert_eq!(l.silent(103_000), [0]);
}

#[test]
fn a_node_clock_behind_ours_does_not_make_live_pods_silent() {
    let mut l = two();
    let skew = 30_000;
    l.push(0, 100_000, Some(100_000 - skew - 5_000), "tail".into());
    for t in 0..20 {
        let at = 101_000 + t * 500;
        l.push(0, at, Some(at - skew - 20), "live".into());
    }
    // The first live line's lag (30 s) is learnt: the later ones count.
    assert!(l.streams[0].rate(111_000) >= 1.8, "{}", l.streams[0].rate(111_000));
}

#[test]
fn the_merged_order_is_kept_as_lines_come_and_forgets_dropped_lines() {
    let mut l = two();
    l.push(1, 0, None, "b-first".into());
    for i in 0..3 * STREAM_CAP {
        l.push(0, 1 + i as i64, None, format!("a{i}"));
    }
    l.push(1, 9_000, None, "b-last".into());
    let merged = l.merged();
    assert_eq!(merged.len(), STREAM_CAP + 2);
    assert_eq!(merged[0].line.text, "b-first", "the quiet stream's old line is still first");
    assert_eq!(merged[1].line.text, format!("a{}", 2 * STREAM_CAP));
    assert_eq!(merged.last().unwrap().line.text, "b-last");
    assert!(merged.windows(2).all(|w| w[0].line.seq < w[1].line.seq), "arrival order");
    assert!(l.order.len() <= 2 * l.kept + 64, "{} entries for {} lines", l.order.len(), l.kept);
    assert_eq!(l.shown().rev().nth(1).unwrap().line.text, format!("a{}", 3 * STREAM_CAP - 1));
}

#[test]
fn n_and_shift_n_bring_a_match_off_screen_into_view() {
    let mut l = two();
    for i in 0..100 {
        l.push(i % 2, i as i64, None, if i == 20 { "ERROR x".into() } else { format!("l{i}") });
    }
    assert!(!l.next_match(false, 10), "nothing searched");
    l.set_search("error");
    assert!(l.next_match(false, 10));
    assert_eq!(l.current, Some((21, 0)));
    // Line 20 is 79 lines above the newest: the view moves to it, two lines under it.
    assert_eq!(l.scroll, 77);
    let bottom = l.shown().rev().nth(l.scroll).unwrap();
    assert_eq!(bottom.line.text, "l22");
    assert!(l.next_match(true, 10), "round the end, the only match again");
    assert_eq!(l.found, Some((1, 1)));
}
