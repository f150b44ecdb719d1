//! A staged rollout of a set (`okg rollout`), shown from its record (`o`), with pause and
//! resume (`p`) after a confirmation; the CLI drives the stages.
pub mod state;
pub mod view;
