//! The bump operation, shared by the TUI and `okg bump`: read → plan → (the caller confirms) →
//! apply → follow. Progress goes out on an mpsc channel as [`BumpEvent`]s, so the same code
//! drives a progress bar or printed lines.
//!
//! The TUI calls, in order:
//! - [`plan`] (or [`plan_switch`] for pause / resume) and [`preflight`] for RBAC, then shows the
//!   plan and asks;
//! - [`apply`] (or [`apply_switch`]), which re-reads and refuses with [`BumpError::Conflict`] when
//!   the cluster no longer matches the plan; nothing is retried behind the user's back;
//! - [`follow`] with the returned [`Applied`] until every targeted pod has a final verdict.
mod apply;
mod follow;
mod plan;
mod types;

pub use apply::{Applied, apply, apply_switch};
pub use follow::{FollowOptions, FollowReport, follow};
pub use plan::{Snapshot, plan, plan_switch, preflight, read_set};
pub use types::{BumpError, BumpEvent, OpsContext, Step};
