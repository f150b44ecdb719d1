//! The limits a run keeps within.
use std::time::Duration;

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Limits {
    /// Reloads running at once (at least 1).
    pub parallel: usize,
    /// Batch size; `None` = one batch of everything (no canary).
    pub batch: Option<usize>,
    /// Pause between batches.
    #[serde(with = "duration_ms", rename = "pauseMs")]
    pub pause: Duration,
    /// Stop starting pods once this many have failed; `None` = never stop.
    pub max_failures: Option<usize>,
    /// Per pod, for all attempts together.
    #[serde(with = "duration_ms", rename = "timeoutMs")]
    pub timeout: Duration,
    /// Extra attempts after a transient API error (never after the command ran).
    pub retries: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            parallel: 10,
            batch: None,
            pause: Duration::ZERO,
            max_failures: None,
            timeout: Duration::from_secs(30),
            retries: 3,
        }
    }
}

impl Limits {
    /// Reject limits that cannot work, with a message naming the flag.
    pub fn validate(&self) -> Result<(), String> {
        if self.parallel == 0 {
            return Err("--parallel must be at least 1".into());
        }
        if self.batch == Some(0) {
            return Err("--batch must be at least 1".into());
        }
        if self.max_failures == Some(0) {
            return Err("--max-failures must be at least 1".into());
        }
        if self.timeout.is_zero() {
            return Err("--timeout must be more than 0".into());
        }
        Ok(())
    }

    /// "parallel 4 · batch 4, pause 5s · stop after 2 failures · timeout 30s"
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("parallel {}", self.parallel)];
        if let Some(b) = self.batch {
            parts.push(format!(
                "batch {b} (first is the canary), pause {}",
                humantime::format_duration(self.pause)
            ));
        }
        match self.max_failures {
            Some(n) => {
                parts.push(format!("stop after {n} failure{}", if n == 1 { "" } else { "s" }))
            }
            None => parts.push("no failure limit".into()),
        }
        parts.push(format!("timeout {}", humantime::format_duration(self.timeout)));
        parts.join(" · ")
    }
}

pub(super) mod duration_ms {
    pub fn serialize<S: serde::Serializer>(
        d: &std::time::Duration,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}
