//! Operations on chosen GameServers (`okg set opsstate|update-priority|deletion-priority|
//! network-disabled`), pure: the value checked as OKG's GameServer spec types it, the selection,
//! and one JSON Patch per GameServer guarded by a `test` op on the value it was planned against,
//! so a change made by someone else in between is refused by the API server as a conflict.
use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;
use serde_json::{Value, json};

use crate::bump_plan::{ObjectKind, ObjectPatch};
use crate::label_selector::LabelSelector;
use crate::types::GameServer;

/// The opsState values OKG acts on (`apis/v1alpha1` `OpsState`); the CRD takes any string, but
/// the controllers only know these.
pub const OPS_STATES: [&str; 5] = ["None", "Maintaining", "WaitToBeDeleted", "Allocated", "Kill"];

/// Which field an operation sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Field {
    OpsState,
    UpdatePriority,
    DeletionPriority,
    NetworkDisabled,
}

impl Field {
    /// The `okg set` word for it.
    pub fn command(self) -> &'static str {
        match self {
            Field::OpsState => "opsstate",
            Field::UpdatePriority => "update-priority",
            Field::DeletionPriority => "deletion-priority",
            Field::NetworkDisabled => "network-disabled",
        }
    }
    fn spec_key(self) -> &'static str {
        match self {
            Field::OpsState => "opsState",
            Field::UpdatePriority => "updatePriority",
            Field::DeletionPriority => "deletionPriority",
            Field::NetworkDisabled => "networkDisabled",
        }
    }
}

/// A checked operation: the field and the value it gets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GsOp {
    pub field: Field,
    /// The value as written into `spec` (a string, an integer or a boolean).
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OpError {
    #[error("{value:?} is not an opsState: use one of {} (the names are case-sensitive)", OPS_STATES.join(", "))]
    OpsState { value: String },
    #[error(
        "{field} must be a whole number from -2147483648 to 2147483647 (OKG orders pods by it as an integer), not {value:?}"
    )]
    Priority { field: &'static str, value: String },
    #[error("network-disabled takes true or false, not {value:?}")]
    Bool { value: String },
}

impl GsOp {
    /// Check `value` for `field`. Nothing loose: "maintaining", "1.5" or "yes" are refused so a
    /// typo never reaches the cluster as a string OKG ignores.
    pub fn parse(field: Field, value: &str) -> Result<GsOp, OpError> {
        let value = match field {
            Field::OpsState => match OPS_STATES.iter().find(|s| **s == value) {
                Some(s) => json!(s),
                None => return Err(OpError::OpsState { value: value.into() }),
            },
            Field::UpdatePriority | Field::DeletionPriority => match value.parse::<i32>() {
                Ok(n) => json!(n),
                Err(_) => {
                    return Err(OpError::Priority { field: field.spec_key(), value: value.into() });
                }
            },
            Field::NetworkDisabled => match value {
                "true" => json!(true),
                "false" => json!(false),
                _ => return Err(OpError::Bool { value: value.into() }),
            },
        };
        Ok(GsOp { field, value })
    }

    /// The value now in the GameServer's spec as it reads in JSON; `None` when absent.
    fn current(&self, gs: &GameServer) -> Option<Value> {
        let intstr = |v: &IntOrString| match v {
            IntOrString::Int(i) => json!(i),
            IntOrString::String(s) => json!(s),
        };
        match self.field {
            Field::OpsState => gs.spec.ops_state.as_ref().map(|s| json!(s)),
            Field::UpdatePriority => gs.spec.update_priority.as_ref().map(intstr),
            Field::DeletionPriority => gs.spec.deletion_priority.as_ref().map(intstr),
            Field::NetworkDisabled => gs.spec.network_disabled.map(|b| json!(b)),
        }
    }

    /// What an absent field means to OKG, so that "already that value" is judged as OKG does.
    fn effective(&self, current: Option<&Value>) -> Value {
        match (current, self.field) {
            (Some(v), Field::UpdatePriority | Field::DeletionPriority) => {
                // OKG reads "5" and 5 alike (strconv.Atoi on the pod label).
                match v.as_str().and_then(|s| s.trim().parse::<i64>().ok()) {
                    Some(n) => json!(n),
                    None => v.clone(),
                }
            }
            (Some(v), _) => v.clone(),
            (None, Field::OpsState) => json!("None"),
            (None, Field::UpdatePriority | Field::DeletionPriority) => json!(0),
            (None, Field::NetworkDisabled) => json!(false),
        }
    }

    /// The patch for one GameServer, or `None` when it already has the value.
    pub fn patch_for(&self, gs: &GameServer) -> Option<ObjectPatch> {
        let current = self.current(gs);
        if self.effective(current.as_ref()) == self.value {
            return None;
        }
        let path = format!("/spec/{}", self.field.spec_key());
        let ops = match &current {
            Some(cur) => vec![
                json!({"op": "test", "path": path, "value": cur}),
                json!({"op": "replace", "path": path, "value": self.value}),
            ],
            // JSON Patch cannot test that a field is absent; OKG writes all four when it
            // creates a GameServer, so this is the rare hand-made one.
            None => vec![json!({"op": "add", "path": path, "value": self.value})],
        };
        let from = current.map_or_else(|| "unset".to_string(), |v| v.to_string());
        Some(ObjectPatch {
            kind: ObjectKind::GameServer,
            name: gs.metadata.name.clone().unwrap_or_default(),
            patch: Value::Array(ops),
            summary: format!("{}: {from} → {}", self.field.spec_key(), self.value),
        })
    }

    /// What OKG will do beyond changing the field, for the pre-flight.
    pub fn consequence(&self) -> Option<&'static str> {
        match (self.field, self.value.as_str()) {
            (Field::OpsState, Some("Kill")) => Some(
                "Kill: OKG deletes these GameServers' pods and lowers the set's replicas by as many",
            ),
            (Field::OpsState, Some("WaitToBeDeleted")) => {
                Some("WaitToBeDeleted: these are the first to go when the set scales down")
            }
            (Field::OpsState, Some("Allocated")) => Some(
                "Allocated: OKG treats these as serving players (kept on scale-down, left for last by idle-first canaries)",
            ),
            (Field::NetworkDisabled, Some(_)) | (Field::NetworkDisabled, None)
                if self.value == json!(true) =>
            {
                Some("networkDisabled true: OKG takes these servers' network out of service")
            }
            _ => None,
        }
    }
}

/// Which GameServers: by name, or by set, label selector and current state (all that are given
/// must hold).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    pub names: Vec<String>,
    pub set: Option<String>,
    pub selector: Option<String>,
    /// `status.currentState` values (Ready, NotReady, …).
    pub states: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectError {
    #[error("name GameServers or select them with --set, -l or --state, not both")]
    NamesAndFilters,
    #[error("no GameServers chosen: name them, or select them with --set, -l or --state")]
    Nothing,
    #[error("bad label selector {selector:?}: {why}")]
    Selector { selector: String, why: String },
    #[error("no GameServer {} in namespace {namespace}", names.join(", "))]
    Unknown { names: Vec<String>, namespace: String },
    #[error("no GameServer in namespace {namespace} matches {what}")]
    NoMatch { what: String, namespace: String },
}

impl Selection {
    /// The selection in words, for messages.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.names.is_empty() {
            parts.push(self.names.join(", "));
        }
        if let Some(s) = &self.set {
            parts.push(format!("--set {s}"));
        }
        if let Some(l) = &self.selector {
            parts.push(format!("-l {l}"));
        }
        if !self.states.is_empty() {
            parts.push(format!("--state {}", self.states.join(",")));
        }
        parts.join(" ")
    }

    /// Check the selection's shape before anything is read.
    pub fn check(&self) -> Result<Option<LabelSelector>, SelectError> {
        let filters = self.set.is_some() || self.selector.is_some() || !self.states.is_empty();
        if !self.names.is_empty() && filters {
            return Err(SelectError::NamesAndFilters);
        }
        if self.names.is_empty() && !filters {
            return Err(SelectError::Nothing);
        }
        self.selector
            .as_deref()
            .map(|s| {
                LabelSelector::parse(s)
                    .map_err(|why| SelectError::Selector { selector: s.into(), why })
            })
            .transpose()
    }

    /// The chosen GameServers, in the order given (names) or by name.
    pub fn pick<'a>(
        &self,
        all: &'a [GameServer],
        namespace: &str,
    ) -> Result<Vec<&'a GameServer>, SelectError> {
        let selector = self.check()?;
        let name = |gs: &GameServer| gs.metadata.name.clone().unwrap_or_default();
        if !self.names.is_empty() {
            let unknown: Vec<String> = self
                .names
                .iter()
                .filter(|n| !all.iter().any(|g| &name(g) == *n))
                .cloned()
                .collect();
            if !unknown.is_empty() {
                return Err(SelectError::Unknown { names: unknown, namespace: namespace.into() });
            }
            let mut out: Vec<&GameServer> = Vec::new();
            for n in &self.names {
                if let Some(g) = all.iter().find(|g| &name(g) == n)
                    && !out.iter().any(|o| name(o) == *n)
                {
                    out.push(g);
                }
            }
            return Ok(out);
        }
        let mut out: Vec<&GameServer> = all
            .iter()
            .filter(|g| self.set.as_deref().is_none_or(|s| g.owner_set() == Some(s)))
            .filter(|g| {
                selector.as_ref().is_none_or(|sel| {
                    sel.matches_labels(&g.metadata.labels.clone().unwrap_or_default())
                })
            })
            .filter(|g| {
                self.states.is_empty() || self.states.iter().any(|s| s == g.current_state())
            })
            .collect();
        if out.is_empty() {
            return Err(SelectError::NoMatch {
                what: self.describe(),
                namespace: namespace.into(),
            });
        }
        // By set, then ordinal: gss-2 before gss-10.
        out.sort_by_key(|g| {
            let n = name(g);
            match crate::names::split(&n) {
                Some((set, i)) => (set.to_string(), i, String::new()),
                None => (n.clone(), 0, n),
            }
        });
        Ok(out)
    }
}

/// Counts of the chosen GameServers by `status.currentState` and by `spec.opsState`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateCounts {
    pub state: BTreeMap<String, usize>,
    pub ops_state: BTreeMap<String, usize>,
}

impl StateCounts {
    pub fn of(chosen: &[&GameServer]) -> Self {
        let mut c = StateCounts::default();
        for g in chosen {
            *c.state.entry(g.current_state().to_string()).or_default() += 1;
            *c.ops_state.entry(g.ops_state().to_string()).or_default() += 1;
        }
        c
    }
}

impl fmt::Display for StateCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |m: &BTreeMap<String, usize>| {
            m.iter().map(|(k, v)| format!("{v} {k}")).collect::<Vec<_>>().join(", ")
        };
        write!(f, "state: {}; opsState: {}", join(&self.state), join(&self.ops_state))
    }
}

/// What `okg set` will send: a patch per GameServer that changes, and the ones already there.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpsPlan {
    pub op: GsOp,
    pub chosen: Vec<String>,
    pub patches: Vec<ObjectPatch>,
    /// Chosen, but already at the value: nothing is sent for them.
    pub unchanged: Vec<String>,
    pub counts: StateCounts,
    /// What the pre-flight must say before anyone confirms.
    pub warnings: Vec<String>,
}

/// Plan `op` on the chosen GameServers.
pub fn plan(
    op: &GsOp,
    selection: &Selection,
    all: &[GameServer],
    namespace: &str,
) -> Result<OpsPlan, SelectError> {
    let chosen = selection.pick(all, namespace)?;
    let mut patches = Vec::new();
    let mut unchanged = Vec::new();
    let mut allocated = Vec::new();
    for g in &chosen {
        let name = g.metadata.name.clone().unwrap_or_default();
        match op.patch_for(g) {
            Some(p) => {
                if g.ops_state() == "Allocated" {
                    allocated.push(name);
                }
                patches.push(p)
            }
            None => unchanged.push(name),
        }
    }
    let mut warnings: Vec<String> = op.consequence().map(str::to_string).into_iter().collect();
    // A selection by state or label sweeps up servers in a match as easily as idle ones.
    if !allocated.is_empty() {
        warnings.push(format!(
            "{} of these {} Allocated (players in a match): {}",
            allocated.len(),
            if allocated.len() == 1 { "is" } else { "are" },
            allocated.join(", ")
        ));
    }
    Ok(OpsPlan {
        warnings,
        op: op.clone(),
        chosen: chosen.iter().map(|g| g.metadata.name.clone().unwrap_or_default()).collect(),
        patches,
        unchanged,
        counts: StateCounts::of(&chosen),
    })
}

#[cfg(test)]
mod tests;
