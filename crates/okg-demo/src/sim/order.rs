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
    /// Counted against `maxUnavailable` as OpenKruise counts (`update_order::unavailable`).
    pub unavailable: bool,
    /// Its update is refused (`InPlaceOnly` with more than images changed).
    pub refused: bool,
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

/// The ordinals the rolling update reaches now, as OpenKruise walks them
/// ([`update_order::walk`]): the first `len - partition` pods in update order are the ones to
/// update; pods already updated are passed over; an unavailable pod may always be reached, an
/// available one only while fewer than `max_unavailable` pods of the set are unavailable, and
/// the first that may not ends the walk. A refused update ends it too: OpenKruise's
/// `inPlaceUpdatePod` returns an error there, and the walk returns with it.
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
    sorted.truncate(target);
    let slots: Vec<update_order::Slot> = sorted
        .iter()
        .map(|c| update_order::Slot { updated: c.updated, unavailable: c.unavailable })
        .collect();
    let unavailable = cands.iter().filter(|c| c.unavailable).count();
    let turns = update_order::walk(&slots, unavailable, max_unavailable);
    sorted
        .iter()
        .zip(turns)
        .take_while(|(c, t)| !(c.refused && *t == update_order::Turn::Start))
        .filter(|(_, t)| *t == update_order::Turn::Start)
        .map(|(c, _)| c.ordinal)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ready(ordinal: u32, priority: i64) -> Candidate {
        Candidate {
            ordinal,
            updated: false,
            priority: PriorityRank::Labelled(priority),
            unavailable: false,
            refused: false,
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
        c[5].updated = true;
        c[5].unavailable = true;
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
        c[3].unavailable = true;
        assert!(to_start(&c, 0, 1, false).is_empty());
        // ordinal 2 is broken too on the old revision, and first in the walk: it may go.
        c[2].unavailable = true;
        assert_eq!(to_start(&c, 0, 1, false), vec![2]);
    }

    #[test]
    fn the_walk_stops_at_the_first_pod_it_may_not_update() {
        // ordinal 3 is updated but broken and holds the only slot; ordinal 0 is broken on the
        // old revision but behind ordinal 2, which is available: OpenKruise returns at 2, so
        // 0 is not reached either.
        let mut c: Vec<_> = (0..4).map(|o| ready(o, 0)).collect();
        c[3].updated = true;
        c[3].unavailable = true;
        c[0].unavailable = true;
        assert!(to_start(&c, 0, 1, false).is_empty());
    }

    #[test]
    fn a_refused_update_ends_the_walk() {
        let mut c: Vec<_> = (0..4).map(|o| ready(o, 0)).collect();
        c[2].refused = true;
        assert_eq!(to_start(&c, 0, 4, false), vec![3]);
    }
}
