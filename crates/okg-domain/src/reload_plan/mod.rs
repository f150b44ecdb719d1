//! The reload plan, pure: what to run (`ReloadMethod`), where (`ReloadTarget`), within which limits
//! (`Limits`), how each pod ended (`PodResult`), and the scheduler's decisions (`Scheduler`,
//! `classify`, `backoff`). The async executor in `ops::reload` only carries these decisions out,
//! so everything that decides "start, wait, pause, stop or retry" is tested here without I/O.
//!
//! The per-set default reload (annotation `okg-console.io/reload` or `[reload.<set>]` in
//! `config.toml`) is parsed here too; its format is documented in docs/reload.md.
mod attempt;
mod defaults;
mod limits;
mod method;
mod result;
mod schedule;
#[cfg(test)]
mod tests;

pub use attempt::*;
pub use defaults::*;
pub use limits::*;
pub use method::*;
pub use result::*;
pub use schedule::*;
