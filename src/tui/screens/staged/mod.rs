//! A staged rollout of a set (`okg rollout`), shown from its record: only a view, no state of
//! its own (the overlay holds the set and the scroll).
pub mod view;
