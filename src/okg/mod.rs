//! The OKG domain, pure: no I/O here.
pub mod types;
