//! The OKG domain, pure: no I/O here.
pub mod reload_plan;
pub mod types;
