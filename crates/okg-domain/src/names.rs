//! Member names of a GameServerSet. OKG names each GameServer (and its pod) `<set>-<ordinal>`,
//! the ordinal in decimal without sign or leading zeros (Go's `%d`), so a name is a member of a
//! set exactly when it is what [`member`] builds for some ordinal. One parser for the whole
//! workspace: the bump plan, the reload order and the demo cluster read names the same way.

/// The name OKG gives the set's member with this ordinal: `gss-2048` and 3 → `gss-2048-3`.
pub fn member(set: &str, ordinal: u32) -> String {
    format!("{set}-{ordinal}")
}

/// The ordinal of `name` as a member of `set`: `gss-2048-12` → 12. `None` when the name is not
/// one OKG would give a member of that set (another set, `gss-2048-x`, `gss-2048-01`, an
/// ordinal beyond `u32`).
pub fn ordinal(set: &str, name: &str) -> Option<u32> {
    split(name).filter(|(s, _)| *s == set).map(|(_, n)| n)
}

/// A member name split into its set and ordinal, when the set is not known: the ordinal is the
/// text after the last '-' (set names may contain '-', ordinals cannot). `gss-a-2` → (`gss-a`, 2).
pub fn split(name: &str) -> Option<(&str, u32)> {
    let (set, digits) = name.rsplit_once('-')?;
    // `str::parse` would also take `+1`; leading zeros are not what OKG writes either.
    let canonical = !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if set.is_empty() || !canonical {
        return None;
    }
    Some((set, digits.parse().ok()?))
}

/// OpenKruise's set events say "pod NAME …" / "Pod NAME …": the word after "pod" is the name,
/// so `gss-1` does not match a message about `gss-10`.
pub fn names_pod(message: &str, pod: &str) -> bool {
    let words: Vec<&str> = message.split_whitespace().collect();
    words.windows(2).any(|w| w[0].eq_ignore_ascii_case("pod") && w[1] == pod)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_parse_back_to_their_ordinal() {
        for n in [0, 1, 9, 10, 12, 4_294_967_295] {
            assert_eq!(ordinal("gss-2048", &member("gss-2048", n)), Some(n), "{n}");
        }
        assert_eq!(member("gss-2048", 3), "gss-2048-3");
    }

    #[test]
    fn names_of_other_sets_are_not_members() {
        assert_eq!(ordinal("gss", "gss-2048-1"), None);
        assert_eq!(ordinal("gss-2048", "gss-2048x-1"), None);
        assert_eq!(ordinal("set", "other-1"), None);
        // `a-b-1` is member 1 of `a-b`, not a member of `a`.
        assert_eq!(ordinal("a", "a-b-1"), None);
        assert_eq!(ordinal("a-b", "a-b-1"), Some(1));
    }

    #[test]
    fn only_plain_decimal_is_an_ordinal() {
        for bad in ["set-", "set-x", "set-1x", "set-+1", "set--1", "set-01", "set-00", "set- 1"] {
            assert_eq!(ordinal("set", bad), None, "{bad}");
        }
        assert_eq!(ordinal("set", "set"), None);
        assert_eq!(ordinal("set", "set-0"), Some(0));
    }

    #[test]
    fn ordinals_beyond_u32_are_not_members() {
        assert_eq!(ordinal("set", "set-4294967296"), None);
        assert_eq!(ordinal("set", "set-99999999999999999999999"), None);
    }

    #[test]
    fn split_finds_the_set_at_the_last_dash() {
        assert_eq!(split("gss-a-2"), Some(("gss-a", 2)));
        assert_eq!(split("gss-2048-12"), Some(("gss-2048", 12)));
        assert_eq!(split("weird"), None);
        assert_eq!(split("-1"), None);
        assert_eq!(split("gss-a-x"), None);
    }
}
