//! Which pods of a set update next: OpenKruise's order, `partition`, `maxUnavailable`, `paused`.

pub use okg_domain::update_order::{self, PriorityRank, max_unavailable};

/// What the update order needs to know about one pod (or a missing ordinal).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub ordinal: u32,
    /// On the update revision already.
    pub updated: bool,
    /// `game.kruise.io/gs-update-priority`, as OpenKruise ranks it.
    pub priority: PriorityRank,
    /// Ready and not in the middle of an update or a deletion.
    pub available: bool,
    /// An update of this pod is already under way (do not start another).
    pub in_flight: bool,
}

/// OpenKruise's update order: pods already updated first, then by update priority (unlabelled
/// first, then the highest), ties to the higher ordinal.
pub fn sort(cands: &mut [Candidate]) {
    let key = |c: &Candidate| update_order::OrderKey {
        updated: c.updated,
        priority: c.priority,
        ordinal: c.ordinal as i64,
    };
    cands.sort_by(|a, b| update_order::compare(key(a), key(b)));
}

/// The ordinals whose update may start now. The first `len - partition` pods in update order
/// are the ones to update; the rest stay on the old revision. A pod that is already unavailable
/// may always start (it costs no availability); an available one only while fewer than
/// `max_unavailable` pods of the set are unavailable.
pub fn to_start(
    cands: &[Candidate],
    partition: i32,
    max_unavailable: i32,
    paused: bool,
) -> Vec<u32> {
    if paused {
        return Vec::new();
    }
    let mut sorted = cands.to_vec();
    sort(&mut sorted);
    let target = (sorted.len() as i64 - partition.max(0) as i64).max(0) as usize;
    let mut unavailable = cands.iter().filter(|c| !c.available).count() as i32;
    let mut out = Vec::new();
    for c in sorted.iter().take(target) {
        if c.updated || c.in_flight {
            continue;
        }
        if !c.available {
            out.push(c.ordinal);
        } else if unavailable < max_unavailable {
            unavailable += 1;
            out.push(c.ordinal);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(ordinal: u32, priority: i64) -> Candidate {
        Candidate {
            ordinal,
            updated: false,
            priority: PriorityRank::Labelled(priority),
            available: true,
            in_flight: false,
        }
    }

    #[test]
    fn order_is_updated_then_priority_then_higher_ordinal() {
        let mut c = vec![ready(0, 0), ready(1, 5), ready(2, 0), ready(3, 5), ready(4, 0)];
        c[4].updated = true;
        sort(&mut c);
        let order: Vec<u32> = c.iter().map(|c| c.ordinal).collect();
        assert_eq!(order, vec![4, 3, 1, 2, 0]);
    }

    #[test]
    fn priorities_rank_by_the_label_as_openkruise_reads_it() {
        let rank = |v| update_order::rank_label(v);
        let mut c: Vec<_> = (0..4).map(|o| ready(o, 5)).collect();
        c[0].priority = rank(Some("-10")); // 10: the sign is dropped
        c[1].priority = rank(None); // unlabelled: first of all
        c[3].priority = rank(Some("abc")); // 0
        sort(&mut c);
        let order: Vec<u32> = c.iter().map(|c| c.ordinal).collect();
        assert_eq!(order, vec![1, 0, 2, 3]);
    }

    #[test]
    fn one_at_a_time_highest_ordinal_first() {
        let c: Vec<_> = (0..6).map(|o| ready(o, 0)).collect();
        assert_eq!(to_start(&c, 0, 1, false), vec![5]);
        assert_eq!(to_start(&c, 0, 3, false), vec![5, 4, 3]);
        assert!(to_start(&c, 0, 3, true).is_empty());
    }

    #[test]
    fn without_rolling_update_labels_are_ignored_highest_ordinal_first() {
        // As set.rs ranks them for a set without rollingUpdate: ordinal 0's 10 is not read.
        let labels = [Some("10"), None, Some("5")];
        let c: Vec<_> = (0..3u32)
            .map(|o| Candidate {
                priority: update_order::set_rank(labels[o as usize], false),
                ..ready(o, 0)
            })
            .collect();
        assert_eq!(to_start(&c, 0, 3, false), vec![2, 1, 0]);
        let ranked: Vec<_> = (0..3u32)
            .map(|o| Candidate {
                priority: update_order::set_rank(labels[o as usize], true),
                ..ready(o, 0)
            })
            .collect();
        assert_eq!(to_start(&ranked, 0, 3, false), vec![1, 0, 2]);
    }

    #[test]
    fn in_flight_pod_uses_the_budget() {
        let mut c: Vec<_> = (0..6).map(|o| ready(o, 0)).collect();
        c[5].in_flight = true;
        c[5].available = false;
        assert!(to_start(&c, 0, 1, false).is_empty());
        assert_eq!(to_start(&c, 0, 2, false), vec![4]);
    }

    #[test]
    fn partition_with_priorities_picks_exactly_the_prioritised() {
        // replicas 6, partition 4: two pods update, the two with high priority.
        let mut c: Vec<_> = (0..6).map(|o| ready(o, 0)).collect();
        c[1].priority = PriorityRank::Labelled(100);
        c[3].priority = PriorityRank::Labelled(100);
        let mut started = to_start(&c, 4, 6, false);
        started.sort();
        assert_eq!(started, vec![1, 3]);
        // Once they are updated nothing else is due.
        c[1].updated = true;
        c[3].updated = true;
        assert!(to_start(&c, 4, 6, false).is_empty());
    }

    #[test]
    fn unavailable_pods_start_without_budget() {
        let mut c: Vec<_> = (0..4).map(|o| ready(o, 0)).collect();
        // ordinal 3 is updated but broken (e.g. ErrImagePull) and holds the budget.
        c[3].updated = true;
        c[3].available = false;
        assert!(to_start(&c, 0, 1, false).is_empty());
        // ordinal 0 is broken too on the old revision: it may go.
        c[0].available = false;
        assert_eq!(to_start(&c, 0, 1, false), vec![0]);
    }
}
