//! The live rollout view: every pod of a bump with its verdict, as the rollout goes on.
pub mod state;
pub mod view;
