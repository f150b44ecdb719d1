//! The OKG domain, pure: no I/O here.
pub mod asts;
pub mod bump_plan;
pub mod columns;
#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
pub mod fleet;
pub mod format;
pub mod gs_ops;
pub mod image;
pub mod label_selector;
pub mod lifecycle;
pub mod names;
pub mod pod_status;
pub mod reload_plan;
pub mod rollout;
pub mod safe_text;
pub mod send_rules;
pub mod service_quality;
pub mod staged_rollout;
pub mod types;
pub mod update_order;
