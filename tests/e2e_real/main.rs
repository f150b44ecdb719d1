//! The real-API-server tier: these tests talk to a real kube-apiserver + etcd started by
//! scripts/e2e-real.sh, for the API semantics no double can promise (patch content types,
//! conflicts, watch resumption across a server restart, RBAC, the audit trail).
//!
//! Every test is `#[ignore]`d so a plain `cargo test` lists them as ignored, never as passed;
//! the script runs them with `--include-ignored`. Run that way without the script's environment,
//! each test prints "E2E-REAL SKIPPED" to the real stderr (not captured by libtest) and returns;
//! set OKG_E2E_REQUIRED=1 to make that a failure instead.
//!
//! Each test works in a namespace of its own. Run with `--test-threads=1`: one test restarts
//! kube-apiserver.
mod support;

mod crds;
mod exec;
mod okg_cli;
mod viewer;
mod watch;
mod writes;
