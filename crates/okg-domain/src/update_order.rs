//! OpenKruise's rollout rules that both the console's predictions (`bump_plan`) and the demo's
//! simulated controller follow, kept in one place so they cannot drift apart.
use std::cmp::Ordering;
use std::fmt;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;

use crate::types::labels;

mod availability;
pub use availability::{Slot, Turn, Unavailable, inplace_update_completed, unavailable, walk};

/// Where OpenKruise puts a pod by its `game.kruise.io/gs-update-priority` label.
///
/// OKG gives the Advanced StatefulSet one `orderPriority` term on that label
/// (`GetNewAstsFromGss`, kruise-game `pkg/util/gameserver.go`). OpenKruise's
/// `getPodOrderPriority` (`pkg/util/updatesort/priority_sort.go`) puts a pod without the label on
/// a level of its own that sorts before every labelled pod, and reads a present value with
/// `getIntFromStringSuffix`: only the trailing ASCII digits count. So `-10` ranks as 10, `v2` as
/// 2, and `abc`, `10a`, an empty value or digits beyond an i64 as 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
pub enum PriorityRank {
    /// No label: updated before every labelled pod.
    Unlabelled,
    /// The number OpenKruise reads from the label (never negative).
    Labelled(i64),
}

impl PriorityRank {
    /// The number read from the label, if there is one.
    pub fn value(self) -> Option<i64> {
        match self {
            PriorityRank::Unlabelled => None,
            PriorityRank::Labelled(n) => Some(n),
        }
    }
}

/// Greater means updated earlier: an unlabelled pod above any labelled one, then by number.
impl Ord for PriorityRank {
    fn cmp(&self, other: &Self) -> Ordering {
        use PriorityRank::*;
        match (self, other) {
            (Unlabelled, Unlabelled) => Ordering::Equal,
            (Unlabelled, Labelled(_)) => Ordering::Greater,
            (Labelled(_), Unlabelled) => Ordering::Less,
            (Labelled(a), Labelled(b)) => a.cmp(b),
        }
    }
}

impl PartialOrd for PriorityRank {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for PriorityRank {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PriorityRank::Unlabelled => f.pad("none"),
            PriorityRank::Labelled(n) => f.pad(&n.to_string()),
        }
    }
}

/// How OpenKruise ranks a pod whose update-priority label is `value` (`None`: no label).
pub fn rank_label(value: Option<&str>) -> PriorityRank {
    let Some(v) = value else { return PriorityRank::Unlabelled };
    let digits = v.len() - v.bytes().rev().take_while(u8::is_ascii_digit).count();
    PriorityRank::Labelled(v[digits..].parse().unwrap_or(0))
}

/// How OpenKruise ranks a pod labelled `value` in a set that has (`ranked`) or lacks
/// `spec.updateStrategy.rollingUpdate`.
///
/// OKG gives the Advanced StatefulSet its `unorderedUpdate.priorityStrategy` only inside
/// `rollingUpdate` (kruise-game `GetNewAstsFromGss`). Without it OpenKruise's `sortPodsToUpdate`
/// (kruise `pkg/controller/statefulset/stateful_update_utils.go`) walks the ordinals from the
/// highest down and never reads the label: every pod ranks the same and the ordinal tie-break of
/// [`compare`] is the whole order. (That path also skips "updated first", which changes nothing:
/// without `rollingUpdate` there is no partition, and updated pods are passed over either way.)
pub fn set_rank(value: Option<&str>, ranked: bool) -> PriorityRank {
    if ranked { rank_label(value) } else { PriorityRank::Unlabelled }
}

/// [`set_rank`] of this pod's `game.kruise.io/gs-update-priority` label, the only thing read.
pub fn pod_rank(pod: &Pod, ranked: bool) -> PriorityRank {
    set_rank(
        pod.metadata
            .labels
            .as_ref()
            .and_then(|l| l.get(labels::GS_UPDATE_PRIORITY))
            .map(String::as_str),
        ranked,
    )
}

/// A label value OpenKruise reads as written: plain decimal digits that fit an i64. Anything
/// else (a sign, letters, empty) ranks differently from what it looks like.
pub fn ranks_as_written(value: &str) -> bool {
    !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) && value.parse::<i64>().is_ok()
}

/// A value the API server accepts for a label: at most 63 characters, alphanumerics, `-`, `_`
/// and `.`, beginning and ending with an alphanumeric (or empty). kruise-game copies a
/// GameServer's `spec.updatePriority` to its pod's label, so `-10` is refused there and the pod
/// keeps its old label.
pub fn is_label_value(value: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    value.is_empty()
        || (value.len() <= 63
            && value.starts_with(alnum)
            && value.ends_with(alnum)
            && value.chars().all(|c| alnum(c) || matches!(c, '-' | '_' | '.')))
}

/// What the update order looks at for one pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderKey {
    /// Already on the update revision.
    pub updated: bool,
    /// `game.kruise.io/gs-update-priority`, as OpenKruise reads it.
    pub priority: PriorityRank,
    pub ordinal: i64,
}

/// OpenKruise's update order: pods already updated first, then by update priority (unlabelled
/// first, then the highest number), ties to the higher ordinal.
pub fn compare(a: OrderKey, b: OrderKey) -> Ordering {
    b.updated.cmp(&a.updated).then(b.priority.cmp(&a.priority)).then(b.ordinal.cmp(&a.ordinal))
}

/// `maxUnavailable` as a pod count: an int, or a percentage of replicas rounded down; never less
/// than 1 (OpenKruise never stalls a rollout on a zero). Defaults to 1.
pub fn max_unavailable(value: Option<&IntOrString>, replicas: i32) -> i32 {
    let n = match value {
        None => 1,
        Some(IntOrString::Int(i)) => *i,
        Some(IntOrString::String(s)) => match s.trim().strip_suffix('%') {
            Some(p) => {
                p.trim().parse::<i64>().map(|p| (p * replicas as i64 / 100) as i32).unwrap_or(1)
            }
            None => s.trim().parse().unwrap_or(1),
        },
    };
    n.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use PriorityRank::{Labelled, Unlabelled};

    #[test]
    fn without_rolling_update_the_label_is_not_read() {
        assert_eq!(set_rank(Some("10"), true), Labelled(10));
        assert_eq!(set_rank(Some("10"), false), Unlabelled);
        assert_eq!(set_rank(None, false), Unlabelled);
        let mut pod = Pod::default();
        pod.metadata.labels =
            Some([(labels::GS_UPDATE_PRIORITY.to_string(), "-3".to_string())].into());
        assert_eq!(pod_rank(&pod, true), Labelled(3));
        assert_eq!(pod_rank(&pod, false), Unlabelled);
    }

    #[test]
    fn updated_first_then_priority_then_higher_ordinal() {
        let k = |updated, priority, ordinal| OrderKey { updated, priority, ordinal };
        let mut keys = vec![
            k(false, Labelled(0), 1),
            k(false, Labelled(10), 0),
            k(true, Labelled(0), 0),
            k(false, Labelled(0), 2),
        ];
        keys.sort_by(|a, b| compare(*a, *b));
        assert_eq!(
            keys,
            vec![
                k(true, Labelled(0), 0),
                k(false, Labelled(10), 0),
                k(false, Labelled(0), 2),
                k(false, Labelled(0), 1)
            ]
        );
    }

    #[test]
    fn plain_numbers_rank_as_written() {
        assert_eq!(rank_label(Some("0")), Labelled(0));
        assert_eq!(rank_label(Some("10")), Labelled(10));
        assert_eq!(rank_label(Some("007")), Labelled(7));
        assert!(ranks_as_written("10") && ranks_as_written("007"));
    }

    #[test]
    fn a_sign_is_dropped() {
        assert_eq!(rank_label(Some("-10")), Labelled(10));
        assert_eq!(rank_label(Some("+3")), Labelled(3));
        assert!(!ranks_as_written("-10"));
    }

    #[test]
    fn only_trailing_digits_count() {
        assert_eq!(rank_label(Some("v2")), Labelled(2));
        assert_eq!(rank_label(Some("1a2")), Labelled(2));
        assert_eq!(rank_label(Some("10a")), Labelled(0));
        assert_eq!(rank_label(Some("abc")), Labelled(0));
        assert_eq!(rank_label(Some("")), Labelled(0));
        assert_eq!(rank_label(Some("-")), Labelled(0));
        assert!(!ranks_as_written("abc") && !ranks_as_written(""));
    }

    #[test]
    fn digits_beyond_an_i64_rank_as_zero() {
        // strconv.ParseInt fails, and OpenKruise falls back to 0.
        assert_eq!(rank_label(Some("99999999999999999999")), Labelled(0));
        assert_eq!(rank_label(Some("9223372036854775807")), Labelled(i64::MAX));
        assert!(!ranks_as_written("99999999999999999999"));
    }

    #[test]
    fn a_pod_without_the_label_sorts_first() {
        assert_eq!(rank_label(None), Unlabelled);
        assert!(Unlabelled > Labelled(i64::MAX));
        let k = |priority, ordinal| OrderKey { updated: false, priority, ordinal };
        let mut keys = vec![k(Labelled(100), 5), k(Unlabelled, 0), k(rank_label(Some("-10")), 3)];
        keys.sort_by(|a, b| compare(*a, *b));
        assert_eq!(keys, vec![k(Unlabelled, 0), k(Labelled(100), 5), k(Labelled(10), 3)]);
        // Two unlabelled pods tie: the higher ordinal goes first.
        let mut keys = vec![k(Unlabelled, 1), k(Unlabelled, 4)];
        keys.sort_by(|a, b| compare(*a, *b));
        assert_eq!(keys, vec![k(Unlabelled, 4), k(Unlabelled, 1)]);
    }

    #[test]
    fn label_values_the_api_server_accepts() {
        assert!(is_label_value("10") && is_label_value("") && is_label_value("a-b.c_d"));
        assert!(!is_label_value("-10") && !is_label_value("10-") && !is_label_value("a b"));
        assert!(!is_label_value(&"1".repeat(64)));
    }

    #[test]
    fn ranks_print_as_numbers_or_none() {
        assert_eq!(format!("{:<4}|", Labelled(7)), "7   |");
        assert_eq!(format!("{}", Unlabelled), "none");
        assert_eq!(serde_json::to_value(Labelled(7)).unwrap(), serde_json::json!(7));
        assert_eq!(serde_json::to_value(Unlabelled).unwrap(), serde_json::Value::Null);
    }

    #[test]
    fn max_unavailable_forms() {
        assert_eq!(max_unavailable(None, 10), 1);
        assert_eq!(max_unavailable(Some(&IntOrString::Int(3)), 10), 3);
        assert_eq!(max_unavailable(Some(&IntOrString::String("50%".into())), 6), 3);
        assert_eq!(max_unavailable(Some(&IntOrString::String("10%".into())), 6), 1);
        assert_eq!(max_unavailable(Some(&IntOrString::Int(0)), 6), 1);
    }
}
