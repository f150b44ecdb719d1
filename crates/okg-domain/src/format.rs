//! Text forms of times and counts, kubectl-style.
use jiff::{SignedDuration, Timestamp};

/// `33s`, `8m55s`, `45m`, `3h4m`, `5d`: like kubectl's AGE.
pub fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = (now - then).get_seconds().max(0);
    human(SignedDuration::from_secs(secs))
}

pub fn human(d: SignedDuration) -> String {
    human_secs(d.as_secs())
}

/// A duration of `secs` seconds as kubectl prints ages (apimachinery's `HumanDuration`): seconds
/// up to 2m, then minutes with seconds up to 10m, minutes up to 3h, hours with minutes up to 8h,
/// hours up to 2d, days with hours up to 8d, days up to 2y, years with days up to 8y, then years.
/// A zero second part is left out (`3h`, not `3h0m`). Below -1s: `<invalid>`, as kubectl says.
pub fn human_secs(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    let s = secs.max(0);
    let (m, h) = (s / 60, s / 3600);
    let with = |big: i64, unit: &str, small: i64, small_unit: &str| {
        if small == 0 { format!("{big}{unit}") } else { format!("{big}{unit}{small}{small_unit}") }
    };
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        with(m, "m", s % 60, "s")
    } else if m < 180 {
        format!("{m}m")
    } else if h < 8 {
        with(h, "h", m % 60, "m")
    } else if h < 48 {
        format!("{h}h")
    } else if h < 24 * 8 {
        with(h / 24, "d", h % 24, "h")
    } else if h < 24 * 365 * 2 {
        format!("{}d", h / 24)
    } else if h < 24 * 365 * 8 {
        with(h / 24 / 365, "y", (h / 24) % 365, "d")
    } else {
        format!("{}y", h / 24 / 365)
    }
}

/// `3 (33s ago)` or `0`.
pub fn restarts(count: i32, last: Option<Timestamp>, now: Timestamp) -> String {
    match last {
        Some(t) if count > 0 => format!("{count} ({} ago)", age(now, t)),
        _ => count.to_string(),
    }
}

/// Cut `s` to `width` columns, with an ellipsis when cut. What is fitted into a cell is often
/// the cluster's text, so it is made safe first ([`crate::safe_text::one_line`]).
pub fn fit(s: &str, width: usize) -> String {
    let s = crate::safe_text::one_line(s);
    let s = s.as_ref();
    let n = s.chars().count();
    if n <= width {
        s.to_string()
    } else if width == 0 {
        String::new()
    } else {
        let mut out: String = s.chars().take(width - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_like_kubectl() {
        let d = |s| human(SignedDuration::from_secs(s));
        assert_eq!(d(33), "33s");
        assert_eq!(d(535), "8m55s");
        assert_eq!(d(45 * 60), "45m");
        assert_eq!(d(3 * 3600 + 240), "3h4m");
        // kubectl leaves a zero part out: 3h, not 3h0m (beside 179m just before).
        assert_eq!(d(3 * 3600), "3h");
        assert_eq!(d(3 * 3600 - 60), "179m");
        assert_eq!(d(5 * 60), "5m");
        assert_eq!(d(5 * 86400), "5d");
        assert_eq!(d(5 * 86400 + 3 * 3600), "5d3h");
        assert_eq!(d(20 * 86400), "20d");
        assert_eq!(d(20 * 3600), "20h");
        assert_eq!(d(3 * 365 * 86400 + 40 * 86400), "3y40d");
        assert_eq!(d(4 * 365 * 86400), "4y");
        assert_eq!(d(9 * 365 * 86400), "9y");
        assert_eq!(human_secs(-1), "0s");
        assert_eq!(human_secs(-5), "<invalid>");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("ab", 4), "ab");
    }
}
