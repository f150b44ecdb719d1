//! A staged rollout of a set (`okg rollout`, or the bump dialog's "staged" scope): the start
//! form, the pre-flight, and the run's timeline from its record (`o`), driven, paused, resumed
//! or undone from the console after a confirmation.
pub mod form;
pub mod state;
pub mod view;
