//! The OKG domain, pure: no I/O here.
pub mod fleet;
pub mod types;
