//! The rollout view's state: one applied plan and what `ops::bump::follow` reported about its
//! pods since. Pure: fed with `BumpEvent`s and clock readings, read by `screens::rollout::view`.
use jiff::Timestamp;

use crate::ops::bump::BumpEvent;
use okg_domain::bump_plan::{Plan, PodAction, Scope};
use okg_domain::image::ImageRef;
use okg_domain::rollout::{Comparison, Counts, Verdict};

/// One pod of the rollout, in the plan's predicted update order.
#[derive(Clone, Debug, PartialEq)]
pub struct PodRow {
    pub name: String,
    /// The latest verdict; `None` until the follow reports one.
    pub verdict: Option<Verdict>,
    pub detail: Option<Comparison>,
    /// Why the plan leaves this pod alone (overridden, not targeted, already updated).
    pub aside: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Rollout {
    pub plan: Plan,
    /// The bump this rollout belongs to: `u` rolls it back. A canary's continue keeps the bump
    /// it continues (its own plan only lowers the partition).
    pub origin: Plan,
    pub started: Timestamp,
    pub now: Timestamp,
    pub pods: Vec<PodRow>,
    pub counts: Counts,
    pub targets: usize,
    /// Warning events of failed pods: (pod, reason, message), newest last.
    pub events: Vec<(String, String, String)>,
    /// The latest notes of the operation (sending, sent, waiting for OKG…).
    pub notes: Vec<String>,
    /// Set when the follow ended (every target final, or the timeout).
    pub finished: Option<String>,
    pub paused: bool,
    /// Lines of the list (pods, events, notes) scrolled off the top; the counts stay.
    pub scroll: usize,
}

const MAX_NOTES: usize = 3;
const MAX_EVENTS: usize = 6;

impl Rollout {
    pub fn new(plan: Plan, now: Timestamp) -> Rollout {
        let pods = plan
            .pods
            .iter()
            .map(|p| {
                let (verdict, aside) = match &p.action {
                    PodAction::Waiting(r) => (Some(Verdict::Waiting(r.clone())), None),
                    PodAction::UpdateNow => (None, None),
                    PodAction::AlreadyUpdated => (None, Some("already on the new image".into())),
                    PodAction::Overridden(img) => (None, Some(format!("overridden: keeps {img}"))),
                    PodAction::NotTargeted => (None, Some("not in this bump".into())),
                };
                PodRow { name: p.name.clone(), verdict, detail: None, aside }
            })
            .collect();
        let targets = plan.targets().len();
        Rollout {
            paused: plan.paused,
            origin: plan.clone(),
            plan,
            started: now,
            now,
            pods,
            counts: Counts::default(),
            targets,
            events: Vec::new(),
            notes: Vec::new(),
            finished: None,
            scroll: 0,
        }
    }

    /// The lines under the counts and column titles, as drawn: a pod each, the events (with
    /// their title), the notes, the outcome.
    pub fn list_lines(&self) -> usize {
        let events = if self.events.is_empty() { 0 } else { self.events.len() + 1 };
        self.pods.len() + events + self.notes.len() + usize::from(self.finished.is_some())
    }

    /// ↑/↓ (and the wheel): no further than the last line at the top.
    pub fn scroll_by(&mut self, delta: isize) {
        let max = self.list_lines().saturating_sub(1);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    pub fn on_event(&mut self, ev: BumpEvent) {
        match ev {
            BumpEvent::Sending { target, summary } => {
                self.note(format!("sending {target}: {summary}"))
            }
            BumpEvent::Sent { target } => self.note(format!("sent {target}")),
            BumpEvent::Note { message } => self.note(message),
            BumpEvent::Verdict { pod, verdict, detail } => {
                match self.pods.iter_mut().find(|r| r.name == pod) {
                    Some(row) => {
                        row.verdict = Some(verdict);
                        if detail.is_some() {
                            row.detail = detail;
                        }
                    }
                    None => self.pods.push(PodRow {
                        name: pod,
                        verdict: Some(verdict),
                        detail,
                        aside: None,
                    }),
                }
            }
            BumpEvent::Counts { counts, targets } => {
                self.counts = counts;
                self.targets = targets;
            }
            BumpEvent::PodEvent { pod, reason, message } => {
                let ev = (pod, reason, message);
                if !self.events.contains(&ev) {
                    self.events.push(ev);
                }
                if self.events.len() > MAX_EVENTS {
                    self.events.remove(0);
                }
            }
        }
    }

    fn note(&mut self, text: String) {
        self.notes.push(text);
        if self.notes.len() > MAX_NOTES {
            self.notes.remove(0);
        }
    }

    /// "00:42" since the apply.
    pub fn elapsed(&self) -> String {
        let secs = self.now.duration_since(self.started).as_secs().max(0);
        format!("{:02}:{:02}", secs / 60, secs % 60)
    }

    /// "canary 2 of 6", "whole set of 6", "2 GameServers".
    pub fn scope_words(&self) -> String {
        match &self.plan.scope {
            Scope::WholeSet => format!("whole set of {}", self.plan.replicas),
            Scope::Canary(n) => format!("canary {n} of {}", self.plan.replicas),
            Scope::GameServers(g) => format!("{} GameServers", g.len()),
            Scope::States(s) => format!("opsState {}", s.join(",")),
        }
    }

    /// `Rollout gss-2048 · sidecar → 2048-sidecar:v2.0 · canary 2 of 6 · 00:42`
    pub fn title(&self) -> String {
        let verb = match self.plan.kind {
            okg_domain::bump_plan::PlanKind::Rollback => "Rollback",
            _ => "Rollout",
        };
        format!(
            "{verb} {} · {} → {} · {} · {}",
            self.plan.set,
            self.plan.container,
            ImageRef::split(&self.plan.to_image).short_name(),
            self.scope_words(),
            self.elapsed()
        )
    }

    /// Pods with a final verdict, for the progress bar.
    pub fn done(&self) -> usize {
        self.counts.done()
    }

    /// Still following (no final report yet).
    pub fn running(&self) -> bool {
        self.finished.is_none()
    }

    /// Nothing left to do: the follow ended and the plan left no partition to continue. A
    /// finished canary is not over; it waits for continue or rollback.
    pub fn over(&self) -> bool {
        !self.running() && self.plan.partition_after == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use okg_domain::bump_plan::{PlanKind, PodPlan, Policy};
    use okg_domain::rollout::WaitReason;

    pub(crate) fn plan() -> Plan {
        let pod = |i: i64, action: PodAction| PodPlan {
            name: format!("gss-2048-{i}"),
            ordinal: i,
            update_priority: okg_domain::update_order::PriorityRank::Labelled(0),
            image: "r/2048-sidecar:v1.0".into(),
            action,
            to_image: Some("r/2048-sidecar:v2.0".into()),
        };
        Plan {
            kind: PlanKind::Bump,
            namespace: "default".into(),
            set: "gss-2048".into(),
            container: "sidecar".into(),
            from_image: "r/2048-sidecar:v1.0".into(),
            to_image: "r/2048-sidecar:v2.0".into(),
            scope: Scope::Canary(2),
            replicas: 3,
            partition_before: 0,
            partition_after: 1,
            max_unavailable: 1,
            paused: false,
            policy: Policy::InPlace,
            patches: Vec::new(),
            pods: vec![
                pod(2, PodAction::UpdateNow),
                pod(1, PodAction::Waiting(WaitReason::PriorityOrder { ahead: 1 })),
                pod(0, PodAction::Waiting(WaitReason::Partition { holds: 1 })),
            ],
            warnings: Vec::new(),
            resets: None,
        }
    }

    #[test]
    fn events_update_rows_counts_and_title() {
        let t0: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut r = Rollout::new(plan(), t0);
        assert_eq!(r.pods[0].verdict, None);
        assert!(matches!(r.pods[2].verdict, Some(Verdict::Waiting(_))));
        r.on_event(BumpEvent::Verdict {
            pod: "gss-2048-2".into(),
            verdict: Verdict::InPlace,
            detail: None,
        });
        r.on_event(BumpEvent::Counts {
            counts: Counts { in_place: 1, waiting: 1, ..Default::default() },
            targets: 2,
        });
        r.now = "2026-01-01T00:00:42Z".parse().unwrap();
        assert_eq!(r.pods[0].verdict, Some(Verdict::InPlace));
        assert_eq!(r.done(), 1);
        assert_eq!(
            r.title(),
            "Rollout gss-2048 · sidecar → 2048-sidecar:v2.0 · canary 2 of 3 · 00:42"
        );
    }

    #[test]
    fn pod_events_are_kept_once_and_capped() {
        let mut r = Rollout::new(plan(), Timestamp::UNIX_EPOCH);
        for i in 0..10 {
            let ev = BumpEvent::PodEvent {
                pod: "p".into(),
                reason: "Failed".into(),
                message: format!("m{i}"),
            };
            r.on_event(ev.clone());
            r.on_event(ev);
        }
        assert_eq!(r.events.len(), MAX_EVENTS);
        assert_eq!(r.events.last().unwrap().2, "m9");
    }
}
