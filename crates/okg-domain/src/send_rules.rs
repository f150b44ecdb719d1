//! Whether a planned change may be sent, for both front ends: the bump screen's pre-flight page
//! and `okg bump`. Pure: the caller brings the facts it has (read-only or not, what RBAC said,
//! what the user gave to allow a re-creation) and gets the first reason not to send, worded for
//! people. Asking RBAC and prompting on a terminal stay with the callers.
use std::fmt;

use crate::bump_plan::{Plan, Policy};

/// What is about to be sent.
#[derive(Clone, Copy, Debug)]
pub enum Change<'a> {
    /// A bump, continue or rollback step.
    Step(&'a Plan),
    /// Pausing or resuming a set's rollout: no pods are touched, only the RBAC rules apply.
    PauseOrResume,
}

/// An RBAC answer that forbids one of the writes, in words: `patch gameserversets`, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Denial {
    pub action: String,
    pub reason: String,
}

/// What the user gave to allow pods to be re-created.
#[derive(Clone, Copy, Debug)]
pub enum Consent<'a> {
    /// The bump screen: the text typed on the pre-flight page, which must be the set's name.
    TypedSetName(&'a str),
    /// `okg bump`: whether `--allow-recreate` was given. The terminal prompt (or `--yes`)
    /// comes after these rules: see [`confirmed`].
    AllowRecreateFlag(bool),
}

/// The facts the rules read besides the plan.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub read_only: bool,
    /// The RBAC denials, in the order the writes are sent; empty when all were allowed or the
    /// review was not made (yet).
    pub denied: &'a [Denial],
    pub consent: Consent<'a>,
}

/// Why a change is not sent. `Display` gives the message both front ends show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The pod update policy forbids this change (e.g. `InPlaceOnly` and a re-creating change).
    Policy(String),
    NothingToSend,
    ReadOnly,
    RbacDenied(Denial),
    /// `okg bump` would re-create pods and `--allow-recreate` was not given.
    RecreateNotAllowed {
        pods: usize,
        set: String,
        /// What happens to their GameServers (reclaim policy, what is lost).
        resets: Option<String>,
    },
    /// The bump screen would re-create pods and the set's name was not typed.
    RecreateNotTyped {
        set: String,
    },
    /// `okg bump` without `--yes` and no terminal to ask on.
    NobodyToConfirm,
    /// `okg bump`: the answer on the terminal was not a yes (or not the set's name).
    NotConfirmed,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Policy(why) => write!(f, "refused: {why}"),
            Refusal::NothingToSend => write!(f, "nothing to send"),
            Refusal::ReadOnly => write!(f, "read-only session (--read-only): nothing was sent"),
            Refusal::RbacDenied(d) => write!(f, "RBAC denies {}: {}", d.action, d.reason),
            Refusal::RecreateNotAllowed { pods, set, resets } => write!(
                f,
                "this bump RE-CREATES {pods} pod(s) of {set} (new pod, restarted game process, maybe a new IP{}). Nothing was sent; pass --allow-recreate if that is what you want",
                resets.as_ref().map(|r| format!("; {r}")).unwrap_or_default()
            ),
            Refusal::RecreateNotTyped { set } => {
                write!(f, "pods would be RE-CREATED: type {set} to confirm")
            }
            Refusal::NobodyToConfirm => write!(
                f,
                "stdin is not a terminal, so nobody can confirm: pass --yes to bump without asking. Nothing was sent"
            ),
            Refusal::NotConfirmed => write!(f, "not confirmed: nothing was sent"),
        }
    }
}

impl Refusal {
    /// Whether the message already says that nothing was sent (`okg bump` adds it otherwise).
    pub fn says_nothing_was_sent(&self) -> bool {
        !matches!(self, Refusal::Policy(_) | Refusal::RbacDenied(_) | Refusal::NothingToSend)
    }
}

/// The first reason the change may not be sent, or `None`.
///
/// The order: what the plan itself forbids; then `--allow-recreate`, which is given before
/// anything is asked (so `okg bump` refuses without sending an RBAC review, a POST); then
/// read-only and RBAC; last the typed set name, the last thing done on the pre-flight page,
/// asked for only when nothing else stands in the way.
pub fn refusal(change: Change, facts: &Facts) -> Option<Refusal> {
    let plan = match change {
        Change::Step(plan) => Some(plan),
        Change::PauseOrResume => None,
    };
    if let Some(plan) = plan {
        if let Policy::Refused(why) = &plan.policy {
            return Some(Refusal::Policy(why.clone()));
        }
        if plan.patches.is_empty() {
            return Some(Refusal::NothingToSend);
        }
        if plan.recreates() && matches!(facts.consent, Consent::AllowRecreateFlag(false)) {
            let set = plan.set.clone();
            let resets = plan.resets.as_ref().map(ToString::to_string);
            return Some(Refusal::RecreateNotAllowed { pods: plan.targets().len(), set, resets });
        }
    }
    if facts.read_only {
        return Some(Refusal::ReadOnly);
    }
    if let Some(d) = facts.denied.first() {
        return Some(Refusal::RbacDenied(d.clone()));
    }
    if let (Some(plan), Consent::TypedSetName(typed)) = (plan, facts.consent)
        && needs_set_name(plan)
        && typed != plan.set
    {
        return Some(Refusal::RecreateNotTyped { set: plan.set.clone() });
    }
    None
}

/// Re-creating pods is confirmed by typing the set's name, not by a yes.
pub fn needs_set_name(plan: &Plan) -> bool {
    plan.recreates()
}

/// Whether an answer on the terminal confirms the plan: the set's name when pods would be
/// re-created, else `y` or `yes`.
pub fn confirmed(plan: &Plan, answer: &str) -> bool {
    if needs_set_name(plan) { answer == plan.set } else { matches!(answer, "y" | "Y" | "yes") }
}

#[cfg(test)]
#[path = "send_rules/tests.rs"]
mod tests;
