//! The search the logs screen and the YAML / describe screen share: every match of a typed
//! text in a line, case-insensitive (ASCII folding, so byte offsets stay those of the line).

/// Byte ranges of `query`'s matches in `text`; none for no query or an empty one.
pub fn matches(query: Option<&str>, text: &str) -> Vec<(usize, usize)> {
    let Some(q) = query.filter(|q| !q.is_empty()) else { return vec![] };
    let (hay, needle) = (text.to_ascii_lowercase(), q.to_ascii_lowercase());
    hay.match_indices(&needle).map(|(i, m)| (i, i + m.len())).collect()
}
