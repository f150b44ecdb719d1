//! Text forms of times and counts, kubectl-style.
use jiff::{SignedDuration, Timestamp};

/// `33s`, `8m55s`, `45m`, `3h4m`, `5d`: like kubectl's AGE.
pub fn age(now: Timestamp, then: Timestamp) -> String {
    let secs = (now - then).get_seconds().max(0);
    human(SignedDuration::from_secs(secs))
}

pub fn human(d: SignedDuration) -> String {
    let s = d.as_secs().max(0);
    let (m, h, days) = (s / 60, s / 3600, s / 86400);
    if s < 120 {
        format!("{s}s")
    } else if m < 10 {
        format!("{m}m{}s", s % 60)
    } else if h < 3 {
        format!("{m}m")
    } else if h < 8 {
        format!("{h}h{}m", m % 60)
    } else if days < 2 {
        format!("{h}h")
    } else if days < 8 {
        format!("{days}d{}h", h % 24)
    } else {
        format!("{days}d")
    }
}

/// `3 (33s ago)` or `0`.
pub fn restarts(count: i32, last: Option<Timestamp>, now: Timestamp) -> String {
    match last {
        Some(t) if count > 0 => format!("{count} ({} ago)", age(now, t)),
        _ => count.to_string(),
    }
}

/// Cut `s` to `width` columns, with an ellipsis when cut.
pub fn fit(s: &str, width: usize) -> String {
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
        assert_eq!(d(5 * 86400), "5d0h");
        assert_eq!(d(20 * 86400), "20d");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("ab", 4), "ab");
    }
}
