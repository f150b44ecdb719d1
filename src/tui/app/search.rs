//! The search the logs screen and the YAML / describe screen share: every match of a typed
//! text in a line, case-insensitive (ASCII folding, so byte offsets stay those of the line),
//! every match of a page, and the step `n` / `N` take round them.

/// Byte ranges of `query`'s matches in `text`; none for no query or an empty one.
pub fn matches(query: Option<&str>, text: &str) -> Vec<(usize, usize)> {
    let Some(q) = query.filter(|q| !q.is_empty()) else { return vec![] };
    let (hay, needle) = (text.to_ascii_lowercase(), q.to_ascii_lowercase());
    hay.match_indices(&needle).map(|(i, m)| (i, i + m.len())).collect()
}

/// Every match of `query` in `lines`, as (the line's key, nth match in the line), in order.
pub fn all_matches<K: Copy, S: AsRef<str>>(
    query: Option<&str>,
    lines: impl IntoIterator<Item = (K, S)>,
) -> Vec<(K, usize)> {
    if query.is_none_or(str::is_empty) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (key, line) in lines {
        out.extend((0..matches(query, line.as_ref()).len()).map(|n| (key, n)));
    }
    out
}

/// Where `n` (`forward`) or `N` goes among `len` matches from the one `at`, round the ends;
/// from none, the first or the last.
pub fn step(len: usize, at: Option<usize>, forward: bool) -> usize {
    match (at, forward) {
        _ if len == 0 => 0,
        (None, true) => 0,
        (None, false) => len - 1,
        (Some(p), true) => (p + 1) % len,
        (Some(p), false) => (p + len - 1) % len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_of_a_page_and_the_steps_round_them() {
        let lines = ["Ready ready", "none", "READY"];
        let all = all_matches(Some("ready"), lines.iter().enumerate());
        assert_eq!(all, [(0, 0), (0, 1), (2, 0)]);
        assert!(all_matches(Some(""), lines.iter().enumerate()).is_empty());
        assert_eq!(step(3, None, true), 0);
        assert_eq!(step(3, None, false), 2);
        assert_eq!(step(3, Some(2), true), 0, "round the end");
        assert_eq!(step(3, Some(0), false), 2, "and back");
        assert_eq!(step(3, Some(1), true), 2);
    }
}
