//! Progress of a bump in words, for the CLI's output and the console's rollout screens alike.
use std::collections::BTreeMap;

use super::BumpEvent;
use okg_domain::rollout::Verdict;

/// Lines for a stream of events, without the ones that only say a FAILING pod's clock ticked.
#[derive(Debug, Default)]
pub struct EventLines {
    /// The last verdict given a line, per pod.
    printed: BTreeMap<String, Verdict>,
}

impl EventLines {
    pub fn line(&mut self, e: BumpEvent) -> Option<String> {
        if let BumpEvent::Verdict { pod, verdict, .. } = &e {
            if self.printed.get(pod).is_some_and(|p| p.same_but_clock(verdict)) {
                return None;
            }
            self.printed.insert(pod.clone(), verdict.clone());
        }
        Some(event_line(e))
    }
}

/// One text line for a bump event.
pub fn event_line(e: BumpEvent) -> String {
    match e {
        BumpEvent::Sending { target, summary } => format!("→ {target}: {summary}"),
        BumpEvent::Sent { target } => format!("✓ {target} accepted"),
        BumpEvent::Note { message } => message,
        BumpEvent::Verdict { pod, verdict, detail } => match detail {
            Some(d) if verdict.is_final() => {
                format!("  {pod:<20} {verdict}  ({})", d.summary())
            }
            _ => format!("  {pod:<20} {verdict}"),
        },
        BumpEvent::Counts { counts, targets } => format!(
            "  [{}/{targets}] in place {} · re-created {} · failing {} · failed {} · updating {} · waiting {}",
            counts.done(),
            counts.in_place,
            counts.re_created,
            counts.failing,
            counts.failed,
            counts.updating,
            counts.waiting
        ),
        BumpEvent::PodEvent { pod, reason, message } => {
            format!("  {pod}: event {reason}: {message}")
        }
    }
}
