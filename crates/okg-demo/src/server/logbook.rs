//! What the simulated containers write to their logs.
//!
//! Background lines (the sidecar's sync, the game's tick) are a pure function of the container
//! instance and the clock, so no task runs per pod: a request computes the lines of the time it
//! covers. Only what happens to a container (a reload through exec or the proxy) is recorded, in
//! `Logbook`, keyed by the container ID so that a restarted container starts a fresh log and
//! `previous` still finds the old one's.
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::Value;

/// Lines kept per container instance, as the kubelet's log rotation bounds what it serves.
pub const CAP: usize = 1000;
/// Container instances whose recorded lines are kept; the oldest recorded is forgotten first.
const MAX_INSTANCES: usize = 4096;
/// How often the sidecar reports its sync and the game its tick.
const SIDECAR_EVERY_MS: i64 = 15_000;
const GAME_EVERY_MS: i64 = 5_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Sidecar,
    Game,
}

/// One run of one container: what its log is about.
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    pub pod: String,
    pub container: String,
    pub role: Role,
    pub id: String,
    /// Its image tag, when known (the status does not keep a previous container's image).
    pub tag: Option<String>,
    /// The sidecar's tag: the scripts the game loads at start.
    pub scripts: Option<String>,
    pub started_ms: i64,
    /// When it stopped; `None` while it runs.
    pub ended_ms: Option<i64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub at_ms: i64,
    pub text: String,
}

/// A recorded line; `seq` lets a follower pick up exactly the ones it has not sent.
#[derive(Clone, Debug, PartialEq)]
struct Recorded {
    seq: u64,
    line: Line,
}

#[derive(Default)]
struct Book {
    by_id: HashMap<String, VecDeque<Recorded>>,
    order: VecDeque<String>,
    seq: u64,
}

/// The recorded lines of every container, shared by the server's handlers.
#[derive(Clone, Default)]
pub struct Logbook(Arc<Mutex<Book>>);

impl Logbook {
    fn book(&self) -> std::sync::MutexGuard<'_, Book> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Append a line to a container's log, stamped now.
    pub fn record(&self, container_id: &str, text: String) {
        let mut b = self.book();
        b.seq += 1;
        let seq = b.seq;
        let at_ms = now_ms();
        if !b.by_id.contains_key(container_id) {
            b.order.push_back(container_id.to_string());
            while b.order.len() > MAX_INSTANCES {
                if let Some(old) = b.order.pop_front() {
                    b.by_id.remove(&old);
                }
            }
        }
        let lines = b.by_id.entry(container_id.to_string()).or_default();
        lines.push_back(Recorded { seq, line: Line { at_ms, text } });
        while lines.len() > CAP {
            lines.pop_front();
        }
    }

    /// The recorded lines of a container after `after_seq`, and the last sequence number given
    /// out (to pass as `after_seq` next time).
    pub fn since(&self, container_id: &str, after_seq: u64) -> (Vec<Line>, u64) {
        let b = self.book();
        let lines = b
            .by_id
            .get(container_id)
            .map(|l| l.iter().filter(|r| r.seq > after_seq).map(|r| r.line.clone()).collect())
            .unwrap_or_default();
        (lines, b.seq)
    }
}

pub fn now_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

fn parse_ms(v: Option<&Value>) -> Option<i64> {
    v?.as_str()?.parse::<jiff::Timestamp>().ok().map(|t| t.as_millisecond())
}

/// The container the pod's app runs in: the first one that is not the sidecar.
pub fn main_container(pod: &Value) -> Option<String> {
    let names = container_names(pod);
    let sidecar = sidecar_name(&names);
    names.into_iter().find(|n| Some(n) != sidecar.as_ref())
}

pub fn container_names(pod: &Value) -> Vec<String> {
    pod.pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c.get("name").and_then(Value::as_str))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The container named `sidecar`, else the second one (as `PodFacts` reads it).
fn sidecar_name(names: &[String]) -> Option<String> {
    names.iter().find(|n| *n == "sidecar").or_else(|| names.get(1)).cloned()
}

/// Why a container has no log to serve.
#[derive(Debug, PartialEq)]
pub enum NoLog {
    /// It has not run yet: the waiting reason (`ContainerCreating`, `ImagePullBackOff`…).
    Waiting(String),
    /// `previous` asked, and it never restarted.
    NoPrevious,
}

/// The instance of `container` whose log is asked for: the current one, or with `previous` the
/// one before the last restart.
pub fn instance(pod: &Value, container: &str, previous: bool) -> Result<Instance, NoLog> {
    let names = container_names(pod);
    let role =
        if sidecar_name(&names).as_deref() == Some(container) { Role::Sidecar } else { Role::Game };
    let spec = pod.pointer("/spec/containers").and_then(Value::as_array).and_then(|cs| {
        cs.iter().find(|c| c.get("name").and_then(Value::as_str) == Some(container))
    });
    let scripts = sidecar_name(&names).and_then(|s| {
        pod.pointer("/spec/containers")?
            .as_array()?
            .iter()
            .find(|c| c.get("name").and_then(Value::as_str) == Some(s.as_str()))?
            .get("image")?
            .as_str()
            .map(super::commands::image_tag)
    });
    let status =
        pod.pointer("/status/containerStatuses").and_then(Value::as_array).and_then(|cs| {
            cs.iter().find(|c| c.get("name").and_then(Value::as_str) == Some(container))
        });
    let pod_name = pod.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("").to_string();
    let pod_start = parse_ms(pod.pointer("/status/startTime"))
        .or_else(|| parse_ms(pod.pointer("/metadata/creationTimestamp")))
        .unwrap_or_else(now_ms);
    let base = Instance {
        pod: pod_name,
        container: container.to_string(),
        role,
        id: String::new(),
        tag: None,
        scripts: None,
        started_ms: pod_start,
        ended_ms: None,
    };
    let waiting = |s: Option<&Value>| {
        let reason = s
            .and_then(|s| s.pointer("/state/waiting/reason"))
            .and_then(Value::as_str)
            .unwrap_or("ContainerCreating");
        NoLog::Waiting(reason.to_string())
    };
    if previous {
        let last = status.and_then(|s| s.pointer("/lastState/terminated"));
        let id = last.and_then(|t| t.get("containerID")).and_then(Value::as_str);
        let (Some(last), Some(id)) = (last, id) else { return Err(NoLog::NoPrevious) };
        return Ok(Instance {
            id: id.to_string(),
            started_ms: parse_ms(last.get("startedAt")).unwrap_or(pod_start),
            ended_ms: Some(parse_ms(last.get("finishedAt")).unwrap_or_else(now_ms)),
            ..base
        });
    }
    let Some(s) = status else { return Err(waiting(None)) };
    let state = s.get("state");
    let (started, ended) = if let Some(r) = state.and_then(|st| st.get("running")) {
        (parse_ms(r.get("startedAt")), None)
    } else if let Some(t) = state.and_then(|st| st.get("terminated")) {
        (parse_ms(t.get("startedAt")), Some(parse_ms(t.get("finishedAt")).unwrap_or_else(now_ms)))
    } else {
        return Err(waiting(Some(s)));
    };
    // A running container always has an ID from a real kubelet; objects written by hand (test
    // fixtures) may lack it, and still have a log per restart.
    let id = match s.get("containerID").and_then(Value::as_str) {
        Some(id) => id.to_string(),
        None => {
            let restarts = s.get("restartCount").and_then(Value::as_i64).unwrap_or(0);
            format!("{}/{container}/{restarts}", base.pod)
        }
    };
    Ok(Instance {
        id,
        tag: spec
            .and_then(|c| c.get("image"))
            .and_then(Value::as_str)
            .map(super::commands::image_tag),
        scripts,
        started_ms: started.unwrap_or(pod_start),
        ended_ms: ended,
        ..base
    })
}

/// A number from the instance and a step, for lines that vary but never change on rereading.
fn mix(id: &str, k: i64) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in id.bytes().chain(k.to_le_bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// The lines the container writes as it starts.
fn startup(inst: &Instance) -> Vec<Line> {
    let at = |d: i64, text: String| Line { at_ms: inst.started_ms + d, text };
    let tag = inst.tag.as_deref().unwrap_or("unknown");
    match inst.role {
        Role::Sidecar => vec![
            at(0, format!("INFO sidecar {tag} starting, serving scripts to /app/scripts")),
            at(40, format!("INFO sync: copied scripts {tag} to the shared volume")),
        ],
        Role::Game => {
            let mut v = vec![at(0, format!("INFO {} {tag} starting", inst.container))];
            v.push(at(
                120,
                match &inst.scripts {
                    Some(s) => format!("INFO loaded scripts version {s}"),
                    None => "INFO loaded scripts from the shared volume".to_string(),
                },
            ));
            v.push(at(150, "INFO listening on :80, reload endpoint on :3000".to_string()));
            v
        }
    }
}

fn period(role: Role) -> i64 {
    match role {
        Role::Sidecar => SIDECAR_EVERY_MS,
        Role::Game => GAME_EVERY_MS,
    }
}

/// Where the periodic lines start: off the second the container started by a per-instance
/// amount, so that pods started together do not all write in the same millisecond.
fn phase(inst: &Instance) -> i64 {
    inst.started_ms + (mix(&inst.id, -1) % period(inst.role) as u64) as i64
}

fn periodic(inst: &Instance, k: i64) -> Line {
    let at_ms = phase(inst) + k * period(inst.role);
    let r = mix(&inst.id, k);
    let text = match inst.role {
        Role::Sidecar => match &inst.tag {
            Some(tag) => format!("INFO sync: scripts {tag} up to date ({} files)", 10 + r % 5),
            None => format!("INFO sync: scripts up to date ({} files)", 10 + r % 5),
        },
        Role::Game => {
            format!("INFO tick: {} players online, {} rooms", r % 40, 1 + r % 7)
        }
    };
    Line { at_ms, text }
}

/// The background lines with `from_ms < at <= to_ms` (startup ones too when the interval covers
/// them), at most the last `CAP`, in time order.
pub fn background(inst: &Instance, from_ms: i64, to_ms: i64) -> Vec<Line> {
    let to_ms = inst.ended_ms.map_or(to_ms, |e| e.min(to_ms));
    let mut out: Vec<Line> =
        startup(inst).into_iter().filter(|l| l.at_ms > from_ms && l.at_ms <= to_ms).collect();
    let p = period(inst.role);
    let base = phase(inst);
    let last = (to_ms - base).div_euclid(p);
    let first = (from_ms.saturating_sub(base).div_euclid(p) + 1).max(1);
    let first = first.max(last - CAP as i64 + 1);
    out.extend((first..=last).map(|k| periodic(inst, k)));
    out
}

/// Merge background and recorded lines in time order (a recorded line after a background one
/// of the same millisecond) and keep the last `CAP`.
pub fn merge(mut lines: Vec<Line>, recorded: Vec<Line>) -> Vec<Line> {
    lines.extend(recorded);
    lines.sort_by_key(|l| l.at_ms);
    if lines.len() > CAP {
        lines.drain(..lines.len() - CAP);
    }
    lines
}

/// What the game writes when a reload succeeds or fails.
pub fn reload_line(outcome: &Result<String, String>, scripts: &str) -> String {
    match outcome {
        Ok(_) => format!("INFO reload: loaded scripts version {scripts}"),
        Err(why) => format!("ERROR {why}; still running the scripts loaded before"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod() -> Value {
        json!({
            "metadata": {"name": "gss-0", "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "app", "image": "game:1.2"},
                                    {"name": "sidecar", "image": "hot:v2"}]},
            "status": {"startTime": "2026-01-01T00:00:00Z", "containerStatuses": [
                {"name": "app", "containerID": "containerd://a0", "restartCount": 0,
                 "state": {"running": {"startedAt": "2026-01-01T00:00:01Z"}}},
                {"name": "sidecar", "containerID": "containerd://s1", "restartCount": 1,
                 "state": {"running": {"startedAt": "2026-01-01T00:10:00Z"}},
                 "lastState": {"terminated": {"containerID": "containerd://s0",
                                              "finishedAt": "2026-01-01T00:09:59Z"}}},
            ]}
        })
    }

    fn ms(s: &str) -> i64 {
        s.parse::<jiff::Timestamp>().unwrap().as_millisecond()
    }

    #[test]
    fn current_and_previous_instances() {
        let app = instance(&pod(), "app", false).unwrap();
        assert_eq!((app.role, app.id.as_str()), (Role::Game, "containerd://a0"));
        assert_eq!(app.scripts.as_deref(), Some("v2"));
        assert_eq!(app.started_ms, ms("2026-01-01T00:00:01Z"));
        let side = instance(&pod(), "sidecar", false).unwrap();
        assert_eq!((side.role, side.tag.as_deref()), (Role::Sidecar, Some("v2")));
        let prev = instance(&pod(), "sidecar", true).unwrap();
        assert_eq!(prev.id, "containerd://s0");
        assert_eq!(prev.ended_ms, Some(ms("2026-01-01T00:09:59Z")));
        assert_eq!(prev.started_ms, ms("2026-01-01T00:00:00Z"));
        assert_eq!(instance(&pod(), "app", true), Err(NoLog::NoPrevious));
        let mut waiting = pod();
        waiting["status"]["containerStatuses"][0] =
            json!({"name": "app", "state": {"waiting": {"reason": "ImagePullBackOff"}}});
        assert_eq!(
            instance(&waiting, "app", false),
            Err(NoLog::Waiting("ImagePullBackOff".into()))
        );
    }

    #[test]
    fn lines_begin_at_the_start_and_stop_at_the_end() {
        let app = instance(&pod(), "app", false).unwrap();
        let start = app.started_ms;
        let lines = background(&app, i64::MIN, phase(&app) + 10_000);
        assert_eq!(lines[0].at_ms, start);
        assert_eq!(lines[0].text, "INFO app 1.2 starting");
        assert_eq!(lines[1].text, "INFO loaded scripts version v2");
        // Startup (3) and two ticks, 5 s and 10 s after the phase.
        assert_eq!(lines.len(), 5);
        assert!(lines.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        // An interval picks up exactly what is new in it: no repeat, no gap.
        let phase = phase(&app) - start;
        assert!((0..GAME_EVERY_MS).contains(&phase));
        assert_eq!(lines[3].at_ms, start + phase + 5_000);
        let (a, b) = (start + phase + 11_000, start + phase + 21_000);
        let later = background(&app, a, b);
        assert_eq!(
            later.iter().map(|l| l.at_ms).collect::<Vec<_>>(),
            [start + phase + 15_000, start + phase + 20_000]
        );
        // Split anywhere, two intervals give what one does.
        let mut split = background(&app, a, a + 4_321);
        split.extend(background(&app, a + 4_321, b));
        assert_eq!(split, later);
        // Rereading gives the same lines.
        assert_eq!(background(&app, i64::MIN, start + phase + 10_000), lines);
        let prev = instance(&pod(), "sidecar", true).unwrap();
        let end = prev.ended_ms.unwrap();
        let all = background(&prev, i64::MIN, end + 3_600_000);
        assert!(all.last().unwrap().at_ms <= end);
        assert!(all.iter().all(|l| !l.text.contains("v2")), "the old image is not known");
    }

    #[test]
    fn capped_per_container() {
        let app = instance(&pod(), "app", false).unwrap();
        let day = background(&app, i64::MIN, app.started_ms + 86_400_000);
        assert!(day.len() <= CAP + 3);
        let merged =
            merge(day, vec![Line { at_ms: app.started_ms + 86_400_000, text: "x".into() }]);
        assert_eq!(merged.len(), CAP);
        assert_eq!(merged.last().unwrap().text, "x");
    }

    #[test]
    fn logbook_records_per_container_and_follows_by_sequence() {
        let book = Logbook::default();
        book.record("a", "one".into());
        let (_, seen) = book.since("a", 0);
        book.record("b", "other".into());
        book.record("a", "two".into());
        let (new, _) = book.since("a", seen);
        assert_eq!(new.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(), ["two"]);
        for i in 0..CAP + 5 {
            book.record("a", i.to_string());
        }
        let (all, _) = book.since("a", 0);
        assert_eq!(all.len(), CAP);
        assert_eq!(all[0].text, "5");
    }

    #[test]
    fn reload_lines_name_the_version_or_the_error() {
        assert_eq!(reload_line(&Ok("x".into()), "v3"), "INFO reload: loaded scripts version v3");
        assert!(
            reload_line(&Err("reload failed: disk full".into()), "v3")
                .starts_with("ERROR reload failed: disk full")
        );
        assert_eq!(main_container(&pod()).as_deref(), Some("app"));
    }
}
