//! Progress of a reload in words: one line per event, for the CLI's output and the console's
//! rollout screens alike.
use super::{OutputStream, PodResult, ReloadEvent, StopReason};

/// The line for one event; `None` for events only a report needs (queued, started).
pub fn event_line(event: &ReloadEvent, unicode: bool) -> Option<String> {
    match event {
        ReloadEvent::Output { pod, stream, line } => {
            let mark = if *stream == OutputStream::Stdout { '|' } else { '!' };
            Some(format!("{pod} {mark} {line}"))
        }
        ReloadEvent::Finished { pod, result } => {
            let time = result
                .duration()
                .map(|d| format!(" ({:.2}s)", d.as_secs_f64()))
                .unwrap_or_default();
            let attempts = match result {
                PodResult::Succeeded { attempts, .. } | PodResult::Failed { attempts, .. }
                    if *attempts > 1 =>
                {
                    format!(", {attempts} attempts")
                }
                _ => String::new(),
            };
            Some(format!("{pod} = {}{time}{attempts}", result.short(unicode)))
        }
        ReloadEvent::Retrying { pod, attempt, reason, delay_ms } => {
            Some(format!("{pod} ~ retrying (attempt {attempt}) in {delay_ms}ms: {reason}"))
        }
        ReloadEvent::BatchDone { index, succeeded, failed } => {
            let name = if *index == 0 {
                "canary batch".to_string()
            } else {
                format!("batch {}", index + 1)
            };
            Some(format!("-- {name} done: {succeeded} succeeded, {failed} failed"))
        }
        ReloadEvent::Pausing { ms } => Some(format!("-- pausing {ms}ms")),
        ReloadEvent::Stopping { reason: StopReason::Cancelled } => {
            Some("-- cancelled: running reloads are aborted, pending ones skipped".into())
        }
        ReloadEvent::Stopping { reason } => {
            Some(format!("-- stopping: {}; pending pods are skipped", reason.skip_reason()))
        }
        ReloadEvent::Summary { summary } => Some(summary.to_string()),
        ReloadEvent::Queued { .. } | ReloadEvent::Started { .. } => None,
    }
}
