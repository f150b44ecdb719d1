//! `--stages 1,10%,50%,100%`: what was typed, and the server counts it means.
use std::fmt;

use serde::{Deserialize, Serialize};

/// One stage as typed: an absolute count or a share of the servers the rollout may update.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StageSize {
    Count(i32),
    Percent(u8),
}

impl fmt::Display for StageSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StageSize::Count(n) => write!(f, "{n}"),
            StageSize::Percent(p) => write!(f, "{p}%"),
        }
    }
}

/// Parse a comma-separated list of counts and percentages.
pub fn parse_stages(text: &str) -> Result<Vec<StageSize>, String> {
    let words: Vec<&str> = text.split(',').map(str::trim).collect();
    if words.iter().all(|w| w.is_empty()) {
        return Err("--stages is empty: give counts or percentages, e.g. 1,10%,50%,100%".into());
    }
    words
        .iter()
        .map(|w| {
            let bad = || format!("--stages: {w:?} is neither a count (3) nor a percentage (10%)");
            match w.strip_suffix('%') {
                Some(p) => match p.trim().parse::<u8>() {
                    Ok(p) if (1..=100).contains(&p) => Ok(StageSize::Percent(p)),
                    Ok(_) => Err(format!("--stages: {w:?}: a percentage is from 1% to 100%")),
                    Err(_) => Err(bad()),
                },
                None => match w.parse::<i32>() {
                    Ok(n) if n >= 1 => Ok(StageSize::Count(n)),
                    Ok(_) => Err(format!("--stages: {w:?}: a stage updates at least 1 server")),
                    Err(_) => Err(bad()),
                },
            }
        })
        .collect()
}

/// The servers each stage leaves updated, out of `eligible`. A percentage rounds up, so 10% of
/// 19 is 2 and no stage is empty. The counts must grow from stage to stage and the last must be
/// every eligible server: a run that should stop part way is paused, not planned short.
pub fn resolve_stages(stages: &[StageSize], eligible: i32) -> Result<Vec<i32>, String> {
    if eligible < 1 {
        return Err("no server can be updated (every one is left out)".into());
    }
    let counts: Vec<i32> = stages
        .iter()
        .map(|s| match *s {
            StageSize::Count(n) => n,
            StageSize::Percent(p) => ((i64::from(eligible) * i64::from(p) + 99) / 100) as i32,
        })
        .collect();
    for (i, (s, n)) in stages.iter().zip(&counts).enumerate() {
        if *n > eligible {
            return Err(format!(
                "stage {} ({s}) is more than the {eligible} server(s) the rollout may update",
                i + 1
            ));
        }
        if i > 0 && *n <= counts[i - 1] {
            return Err(format!(
                "stage {} ({s} = {n} server(s)) does not grow on stage {} ({} = {}): each stage must update more servers than the one before",
                i + 1,
                i,
                stages[i - 1],
                counts[i - 1]
            ));
        }
    }
    if counts.last() != Some(&eligible) {
        return Err(format!(
            "the last stage must be 100% (all {eligible} server(s) the rollout may update); to stop part way, pause the rollout"
        ));
    }
    Ok(counts)
}
