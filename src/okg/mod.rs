//! The OKG domain, pure: no I/O here.
pub mod bump_plan;
pub mod fleet;
pub mod image;
pub mod rollout;
pub mod types;
