//! OpenKruise's rollout rules that both the console's predictions (`bump_plan`) and the demo's
//! simulated controller follow, kept in one place so they cannot drift apart.
use std::cmp::Ordering;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// What the update order looks at for one pod.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderKey {
    /// Already on the update revision.
    pub updated: bool,
    /// `game.kruise.io/gs-update-priority`.
    pub priority: i64,
    pub ordinal: i64,
}

/// OpenKruise's update order: pods already updated first, then by update priority (highest
/// first), ties to the higher ordinal.
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

    #[test]
    fn updated_first_then_priority_then_higher_ordinal() {
        let k = |updated, priority, ordinal| OrderKey { updated, priority, ordinal };
        let mut keys = vec![k(false, 0, 1), k(false, 10, 0), k(true, 0, 0), k(false, 0, 2)];
        keys.sort_by(|a, b| compare(*a, *b));
        assert_eq!(keys, vec![k(true, 0, 0), k(false, 10, 0), k(false, 0, 2), k(false, 0, 1)]);
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
