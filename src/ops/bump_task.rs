//! The bump flow's I/O: carries out `BumpCmd`s in spawned tasks (so a caller's loop never waits
//! on the API server) and reports `BumpReply`s through the caller's sender. Knows no front end:
//! the TUI wraps replies into its own messages (`From<BumpReply>`).
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc::{self, UnboundedSender};
use tokio::task::JoinHandle;

use crate::cluster::access::{ApiAction, Permission};
use crate::cluster::writer::Writer;
use crate::ops::audit::AuditLog;
use crate::ops::bump::{self, BumpError, FollowOptions, OpsContext};
use crate::ops::bump::{BumpEvent, Step};
use okg_domain::bump_plan::{Plan, SwitchPlan};

/// A set by namespace and name.
pub type SetKey = (String, String);

/// Requests of the dialog to the I/O shell.
#[derive(Clone, Debug, PartialEq)]
pub enum BumpCmd {
    /// Plan a step (reads only). With `rbac`, also ask RBAC about its patches (a POST review,
    /// which the shell skips in a read-only session).
    Plan {
        namespace: String,
        step: Step,
        rbac: bool,
    },
    /// Apply a confirmed plan, then follow its pods.
    Apply {
        namespace: String,
        plan: Box<Plan>,
        step: Step,
    },
    PlanSwitch {
        namespace: String,
        set: String,
        paused: bool,
    },
    ApplySwitch {
        namespace: String,
        plan: SwitchPlan,
    },
    /// Remember the container chosen for a set (saved in choices.json when there is one, and
    /// echoed back as `BumpReply::Remembered` for the console to keep).
    Remember {
        set: SetKey,
        container: String,
    },
}

/// What the tasks report back, through the caller's sender.
#[derive(Debug)]
pub enum BumpReply {
    Planned {
        plan: Result<Plan, String>,
        rbac: Option<Vec<(ApiAction, Permission)>>,
    },
    SwitchPlanned {
        plan: Result<SwitchPlan, String>,
        rbac: Option<Vec<(ApiAction, Permission)>>,
    },
    /// The cluster changed since the plan: nothing was sent; `plan` is the plan made now.
    Conflict {
        message: String,
        plan: Result<Plan, String>,
    },
    Applied,
    /// The apply failed; `message` says exactly what landed.
    ApplyFailed(String),
    Progress(BumpEvent),
    /// The follow ended.
    Followed {
        timed_out: bool,
    },
    SwitchApplied(Result<(), String>),
    /// The clock, for the elapsed time while a rollout is followed.
    Tick,
    /// A container choice was remembered (and saved when there is a choices file).
    Remembered {
        set: SetKey,
        container: String,
    },
}

/// The running bump tasks of one console.
pub struct BumpTasks {
    pub audit_log: PathBuf,
    /// Where remembered container choices go (`None`: memory only, as in tests).
    pub choices: Option<PathBuf>,
    /// The apply and follow of the latest rollout; a new apply replaces (aborts) it.
    follow: Option<JoinHandle<()>>,
    /// Stops that follow (`FollowOptions::cancel`) when the console quits or gets a signal.
    follow_cancel: tokio_util::sync::CancellationToken,
    other: Vec<JoinHandle<()>>,
    /// What the latest apply sent, for a reload chained onto its rollout (`ops::chain`).
    latest: std::sync::Arc<std::sync::Mutex<Option<bump::Applied>>>,
    /// How the follows see the set: the console sets its fleet watches' taps.
    pub feed: bump::FeedSource,
}

impl Default for BumpTasks {
    fn default() -> Self {
        Self {
            audit_log: crate::paths::default_audit_log(),
            choices: None,
            follow: None,
            follow_cancel: Default::default(),
            other: Vec::new(),
            latest: Default::default(),
            feed: Default::default(),
        }
    }
}

/// Where replies go: any message type a `BumpReply` converts into.
pub trait ReplyTo: From<BumpReply> + Send + 'static {}
impl<M: From<BumpReply> + Send + 'static> ReplyTo for M {}

fn reply<M: ReplyTo>(tx: &UnboundedSender<M>, r: BumpReply) {
    let _ = tx.send(M::from(r));
}

impl BumpTasks {
    /// The latest applied bump (none before the first apply, or while one is being sent).
    pub fn latest_applied(&self) -> Option<bump::Applied> {
        self.latest.lock().ok()?.clone()
    }

    pub fn handle<M: ReplyTo>(
        &mut self,
        cmd: BumpCmd,
        client: &kube::Client,
        writer: Option<Writer>,
        context: &str,
        tx: &UnboundedSender<M>,
    ) {
        self.other.retain(|t| !t.is_finished());
        let (client, tx) = (client.clone(), tx.clone());
        match cmd {
            BumpCmd::Remember { set, container } => {
                if let Some(path) = self.choices.clone() {
                    let (set, container) = (set.clone(), container.clone());
                    self.other.push(tokio::task::spawn_blocking(move || {
                        if let Err(e) = save_choice(&path, &set, &container) {
                            tracing::warn!("cannot save {}: {e}", path.display());
                        }
                    }));
                }
                reply(&tx, BumpReply::Remembered { set, container });
            }
            BumpCmd::Plan { namespace, step, rbac } => {
                // The RBAC review is a POST: a read-only session (no writer) never sends it.
                let ask = rbac && writer.is_some();
                self.other.push(tokio::spawn(async move {
                    let plan = bump::plan(&client, &namespace, &step).await;
                    let rbac = match (&plan, ask) {
                        (Ok(p), true) => {
                            Some(bump::preflight(&client, &namespace, &p.patches).await)
                        }
                        _ => None,
                    };
                    reply(&tx, BumpReply::Planned { plan: plan.map_err(|e| e.to_string()), rbac });
                }));
            }
            BumpCmd::PlanSwitch { namespace, set, paused } => {
                let ask = writer.is_some();
                self.other.push(tokio::spawn(async move {
                    let plan = bump::plan_switch(&client, &namespace, &set, paused).await;
                    let rbac = match (&plan, ask) {
                        (Ok(p), true) => {
                            Some(bump::preflight(&client, &namespace, &p.patches).await)
                        }
                        _ => None,
                    };
                    let plan = plan.map_err(|e| e.to_string());
                    reply(&tx, BumpReply::SwitchPlanned { plan, rbac });
                }));
            }
            BumpCmd::ApplySwitch { namespace, plan } => {
                let ctx = self.ops(client, writer, namespace, context);
                self.other.push(tokio::spawn(async move {
                    let (ptx, _prx) = mpsc::channel(64);
                    let r = bump::apply_switch(&ctx, &plan, &ptx).await;
                    reply(&tx, BumpReply::SwitchApplied(r.map_err(|e| e.to_string())));
                }));
            }
            BumpCmd::Apply { namespace, plan, step } => {
                let mut ctx = self.ops(client, writer, namespace, context);
                if let Some(t) = self.follow.take() {
                    t.abort();
                }
                if let Ok(mut l) = self.latest.lock() {
                    *l = None;
                }
                let latest = self.latest.clone();
                self.follow_cancel = Default::default();
                // Quitting while a canary waits for its priorities takes them back (ops::bump).
                ctx.cancel = self.follow_cancel.clone();
                let options = FollowOptions {
                    cancel: self.follow_cancel.clone(),
                    feed: self.feed.clone(),
                    ..Default::default()
                };
                self.follow =
                    Some(tokio::spawn(apply_and_follow(ctx, *plan, step, options, tx, latest)));
            }
        }
    }

    fn ops(
        &self,
        client: kube::Client,
        writer: Option<Writer>,
        namespace: String,
        context: &str,
    ) -> OpsContext {
        OpsContext {
            client,
            writer,
            namespace,
            context: context.to_string(),
            audit: AuditLog::new(self.audit_log.clone()),
            cancel: Default::default(),
            feed: self.feed.clone(),
        }
    }
}

/// "namespace/set" → container, as kept in choices.json.
fn choice_key(set: &SetKey) -> String {
    format!("{}/{}", set.0, set.1)
}

/// The remembered containers; an unreadable or missing file is no choices.
pub fn load_choices(path: &Path) -> BTreeMap<SetKey, String> {
    let Ok(text) = std::fs::read_to_string(path) else { return BTreeMap::new() };
    let map: BTreeMap<String, String> = serde_json::from_str(&text).unwrap_or_default();
    map.into_iter()
        .filter_map(|(k, v)| {
            let (ns, set) = k.split_once('/')?;
            Some(((ns.to_string(), set.to_string()), v))
        })
        .collect()
}

fn save_choice(path: &Path, set: &SetKey, container: &str) -> std::io::Result<()> {
    let mut map: BTreeMap<String, String> = std::fs::read_to_string(path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default();
    map.insert(choice_key(set), container.to_string());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Write then rename, so a crash never leaves half a file.
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_string_pretty(&map)?)?;
    std::fs::rename(tmp, path)
}

impl BumpTasks {
    /// Whether the latest rollout is still being applied or followed.
    pub fn following(&self) -> bool {
        self.follow.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stop following the latest rollout (patches being sent still land and are audited) and
    /// wait for it, at most `grace`. The rollout itself goes on in the cluster. Returns whether
    /// one was still going.
    pub async fn stop(&mut self, grace: Duration) -> bool {
        self.follow_cancel.cancel();
        let Some(t) = self.follow.take().filter(|t| !t.is_finished()) else { return false };
        if tokio::time::timeout(grace, t).await.is_err() {
            tracing::warn!("the bump task did not stop within {grace:?}");
        }
        true
    }
}

impl Drop for BumpTasks {
    fn drop(&mut self) {
        for t in self.follow.take().into_iter().chain(self.other.drain(..)) {
            t.abort();
        }
    }
}

async fn apply_and_follow<M: ReplyTo>(
    ctx: OpsContext,
    plan: Plan,
    step: bump::Step,
    options: FollowOptions,
    tx: UnboundedSender<M>,
    latest: std::sync::Arc<std::sync::Mutex<Option<bump::Applied>>>,
) {
    let (ptx, mut prx) = mpsc::channel(256);
    // Progress events become dialog messages as they come.
    let fwd_tx = tx.clone();
    let forward = tokio::spawn(async move {
        while let Some(ev) = prx.recv().await {
            reply(&fwd_tx, BumpReply::Progress(ev));
        }
    });
    let applied = match bump::apply(&ctx, &plan, &step, &ptx).await {
        Ok(a) => a,
        Err(BumpError::Conflict { target, detail, applied, .. }) if applied.is_empty() => {
            // Nothing landed: plan again and let the user confirm the new plan.
            let message = format!(
                "changed by someone else since the plan ({target}: {detail}); nothing was sent"
            );
            let fresh = bump::plan(&ctx.client, &ctx.namespace, &step).await;
            drop(ptx);
            let _ = forward.await;
            reply(&tx, BumpReply::Conflict { message, plan: fresh.map_err(|e| e.to_string()) });
            return;
        }
        Err(e) => {
            drop(ptx);
            let _ = forward.await;
            reply(&tx, BumpReply::ApplyFailed(e.to_string()));
            return;
        }
    };
    if let Ok(mut l) = latest.lock() {
        *l = Some(applied.clone());
    }
    // Applied before the progress of the follow, so the dialog has the rollout to feed.
    reply(&tx, BumpReply::Applied);
    let tick_tx = tx.clone();
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(1));
        loop {
            every.tick().await;
            reply(&tick_tx, BumpReply::Tick);
        }
    });
    let report = bump::follow(&ctx.client, &applied, &options, &ptx).await;
    ticker.abort();
    drop(ptx);
    let _ = forward.await;
    reply(&tx, BumpReply::Followed { timed_out: report.timed_out });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/choices.json");
        assert!(load_choices(&path).is_empty());
        let set = ("default".to_string(), "gss-2048".to_string());
        save_choice(&path, &set, "scripts").unwrap();
        save_choice(&path, &("ns2".into(), "other".into()), "sidecar").unwrap();
        let loaded = load_choices(&path);
        assert_eq!(loaded.get(&set).map(String::as_str), Some("scripts"));
        assert_eq!(loaded.len(), 2);
        std::fs::write(&path, "not json").unwrap();
        assert!(load_choices(&path).is_empty());
    }
}
