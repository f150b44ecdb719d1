//! The simulated kubelet: starts new pods, restarts a container whose image changed in the
//! spec, pulls images (tags ending in `-missing` fail), and keeps the pod's phase and Ready /
//! ContainersReady conditions consistent with its containers and readiness gates.
//!
//! Reactions to a spec change (killing the old container) happen at once; the slow parts
//! (scheduling a new pod, pulling, backing off) each take one step, allowed when `can_step`.

use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, PodStatus};

use super::draft::Draft;
use super::events::EventSpec;
use super::{pods, revision};

pub struct Outcome {
    pub events: Vec<EventSpec>,
    /// A slow step was taken: the pod waits a tick before the next one.
    pub stepped: bool,
}

fn waiting_reason(cs: &ContainerStatus) -> Option<&str> {
    cs.state.as_ref()?.waiting.as_ref()?.reason.as_deref()
}

fn waiting_message(cs: &ContainerStatus) -> &str {
    cs.state.as_ref().and_then(|s| s.waiting.as_ref()?.message.as_deref()).unwrap_or_default()
}

/// Pulls `image` for a waiting container and starts it, or records the failed pull.
/// A started container is a new one: a new container ID and, if an earlier one had run (a
/// `lastState`), restart count + 1. A failed pull changes nothing but the waiting state: the
/// image, imageID and restart count stay those of the last container that ran (a container
/// that never ran shows the spec image and no imageID).
fn pull_and_start(
    d: &mut Draft,
    pod_name: &str,
    name: &str,
    image: &str,
    now: jiff::Timestamp,
    events: &mut Vec<EventSpec>,
) {
    let pod = d.get().clone();
    let c = current_mut(d, name);
    let has_run = c.last_state.as_ref().is_some_and(|s| s.terminated.is_some());
    if revision::image_exists(image) {
        let restarts = c.restart_count + i32::from(has_run);
        let last = c.last_state.clone();
        *c = pods::running(pod_name, name, image, now, restarts, None);
        c.last_state = last;
        events.push(
            EventSpec::on_pod(
                &pod,
                "Pulled",
                format!(
                    "Successfully pulled image \"{image}\" in 1.204s (1.204s including waiting)"
                ),
            )
            .container(name),
        );
        events.push(
            EventSpec::on_pod(&pod, "Created", format!("Created container: {name}"))
                .container(name),
        );
        events.push(
            EventSpec::on_pod(&pod, "Started", format!("Started container {name}")).container(name),
        );
    } else {
        let msg = pods::pull_error_message(image);
        if !has_run {
            c.image = image.to_string();
            c.image_id = String::new();
        }
        c.state = Some(pods::waiting("ErrImagePull", Some(msg.clone())));
        events.push(
            EventSpec::on_pod(&pod, "Failed", format!("Failed to pull image \"{image}\": {msg}"))
                .container(name)
                .warning(),
        );
        events.push(
            EventSpec::on_pod(&pod, "Failed", "Error: ErrImagePull".into())
                .container(name)
                .warning(),
        );
    }
}

fn is_running(cs: &ContainerStatus) -> bool {
    cs.state.as_ref().is_some_and(|s| s.running.is_some())
}

/// One kubelet pass over a pod. `new_ip` hands out an address when the pod is first started.
pub fn step(
    d: &mut Draft,
    now: jiff::Timestamp,
    can_step: bool,
    new_ip: &mut dyn FnMut() -> String,
) -> Outcome {
    let mut out = Outcome { events: Vec::new(), stepped: false };
    if d.get().metadata.deletion_timestamp.is_some() {
        return out;
    }
    let started = d.get().status.as_ref().is_some_and(|s| s.pod_ip.is_some());
    // Fast path for the steady state: every container runs the image its spec names.
    if started && !containers_need_work(d.get()) {
        refresh_conditions(d, now);
        return out;
    }
    let pod_name = d.get().metadata.name.clone().unwrap_or_default();
    let specs: Vec<(String, String)> = d
        .get()
        .spec
        .iter()
        .flat_map(|s| s.containers.iter())
        .map(|c| (c.name.clone(), c.image.clone().unwrap_or_default()))
        .collect();

    if !started {
        if !can_step {
            return out;
        }
        // Scheduled and sandbox up: the node is already in the spec, the IP comes now.
        let node = d.get().spec.as_ref().and_then(|s| s.node_name.clone()).unwrap_or_default();
        let host_ip = pods::NODES
            .iter()
            .find(|(n, _)| *n == node)
            .map(|(_, ip)| ip.to_string())
            .unwrap_or_else(|| "172.18.0.11".into());
        let ip = new_ip();
        let ns = d.get().metadata.namespace.clone().unwrap_or_default();
        out.events.push(
            EventSpec::on_pod(
                d.get(),
                "Scheduled",
                format!("Successfully assigned {ns}/{pod_name} to {node}"),
            )
            .component("default-scheduler"),
        );
        let status = PodStatus {
            phase: Some("Pending".into()),
            host_ip: Some(host_ip.clone()),
            host_ips: Some(vec![k8s_openapi::api::core::v1::HostIP { ip: host_ip }]),
            pod_ip: Some(ip.clone()),
            pod_ips: Some(vec![k8s_openapi::api::core::v1::PodIP { ip }]),
            start_time: Some(pods::time(now)),
            qos_class: Some("BestEffort".into()),
            conditions: Some(vec![
                pods::condition("PodScheduled", true, None, now),
                pods::condition("Initialized", true, None, now),
                pods::condition("PodReadyToStartContainers", true, None, now),
            ]),
            container_statuses: Some(
                specs
                    .iter()
                    .map(|(name, image)| ContainerStatus {
                        name: name.clone(),
                        image: image.clone(),
                        state: Some(pods::waiting("ContainerCreating", None)),
                        ..Default::default()
                    })
                    .collect(),
            ),
            ..Default::default()
        };
        for (name, image) in &specs {
            out.events.push(
                EventSpec::on_pod(d.get(), "Pulling", format!("Pulling image \"{image}\""))
                    .container(name),
            );
        }
        d.edit().status = Some(status);
        out.stepped = true;
        refresh_conditions(d, now);
        return out;
    }

    // Per container: react to a changed image at once; pull / back off one step at a time.
    let mut slow = false;
    for (name, image) in &specs {
        let Some(cs) = current(d, name) else { continue };
        // A running container whose spec image changed is killed at once. Until the new one
        // runs, the status keeps the old container's image, imageID, ID and restart count, as
        // the real kubelet's does (so OpenKruise does not see the update as done).
        if is_running(&cs) && cs.image != *image {
            let pod = d.get().clone();
            let c = current_mut(d, name);
            let restart = c.restart_count;
            c.last_state = Some(ContainerState {
                terminated: Some(pods::terminated(&pod_name, name, &c.image, restart, now)),
                ..Default::default()
            });
            c.ready = false;
            c.started = Some(false);
            c.state = Some(pods::waiting("ContainerCreating", None));
            out.events.push(
                EventSpec::on_pod(
                    &pod,
                    "Killing",
                    format!("Container {name} definition changed, will be restarted"),
                )
                .container(name),
            );
            out.events.push(
                EventSpec::on_pod(&pod, "Pulling", format!("Pulling image \"{image}\""))
                    .container(name),
            );
            out.stepped = true;
            continue;
        }
        if !can_step {
            continue;
        }
        let pull = match waiting_reason(&cs) {
            Some("ContainerCreating") => true,
            Some("ErrImagePull") => {
                let pod = d.get().clone();
                let c = current_mut(d, name);
                c.state = Some(pods::waiting(
                    "ImagePullBackOff",
                    // Recent kubelets keep the pull error in the back-off message.
                    Some(format!(
                        "Back-off pulling image \"{image}\": ErrImagePull: {}",
                        pods::pull_error_message(image)
                    )),
                ));
                out.events.push(
                    EventSpec::on_pod(
                        &pod,
                        "BackOff",
                        format!("Back-off pulling image \"{image}\""),
                    )
                    .container(name),
                );
                out.events.push(
                    EventSpec::on_pod(&pod, "Failed", "Error: ImagePullBackOff".into())
                        .container(name)
                        .warning(),
                );
                slow = true;
                false
            }
            // Backing off from another image: the spec changed (a rollback), so the kubelet
            // tries the new one at once. The same image stays in back-off.
            Some("ImagePullBackOff") => !waiting_message(&cs).contains(&format!("\"{image}\"")),
            _ => false,
        };
        if pull {
            pull_and_start(d, &pod_name, name, image, now, &mut out.events);
            slow = true;
        }
    }
    out.stepped |= slow;
    refresh_conditions(d, now);
    out
}

/// Whether some container's status lags its spec (another image, or not running).
fn containers_need_work(pod: &k8s_openapi::api::core::v1::Pod) -> bool {
    let statuses = pod.status.as_ref().and_then(|s| s.container_statuses.as_deref()).unwrap_or(&[]);
    pod.spec.iter().flat_map(|s| s.containers.iter()).any(|c| {
        match statuses.iter().find(|cs| cs.name == c.name) {
            Some(cs) => Some(cs.image.as_str()) != c.image.as_deref() || !is_running(cs),
            None => true,
        }
    })
}

fn current(d: &Draft, name: &str) -> Option<ContainerStatus> {
    d.get().status.as_ref()?.container_statuses.as_ref()?.iter().find(|c| c.name == name).cloned()
}

fn current_mut<'p>(d: &'p mut Draft, name: &str) -> &'p mut ContainerStatus {
    let statuses = d
        .edit()
        .status
        .get_or_insert_with(Default::default)
        .container_statuses
        .get_or_insert_with(Vec::new);
    let i = match statuses.iter().position(|c| c.name == name) {
        Some(i) => i,
        None => {
            statuses.push(ContainerStatus { name: name.into(), ..Default::default() });
            statuses.len() - 1
        }
    };
    &mut statuses[i]
}

/// Phase, ContainersReady and Ready as the kubelet derives them (Ready also needs every
/// readiness gate, here InPlaceUpdateReady, to be True). Touches the pod only if they differ.
pub fn refresh_conditions(d: &mut Draft, now: jiff::Timestamp) {
    let pod = d.get();
    let Some(status) = pod.status.as_ref() else { return };
    let statuses = status.container_statuses.as_deref().unwrap_or(&[]);
    let containers_ready = !statuses.is_empty() && statuses.iter().all(|c| c.ready);
    let gates_ok = pod
        .spec
        .as_ref()
        .and_then(|s| s.readiness_gates.as_ref())
        .into_iter()
        .flatten()
        .all(|g| pods::condition_status(pod, &g.condition_type) == Some("True"));
    let ready = containers_ready && gates_ok;
    let has_run = statuses
        .iter()
        .any(|c| is_running(c) || c.last_state.as_ref().is_some_and(|s| s.terminated.is_some()));
    let phase = if has_run { "Running" } else { "Pending" };
    let want = |t: &str, ok: bool| {
        pods::condition_status(pod, t) == Some(if ok { "True" } else { "False" })
    };
    if want("Ready", ready)
        && want("ContainersReady", containers_ready)
        && status.phase.as_deref() == Some(phase)
    {
        return;
    }
    let st = d.edit().status.get_or_insert_with(Default::default);
    st.phase = Some(phase.into());
    let conds = st.conditions.get_or_insert_with(Vec::new);
    let reason = |ok: bool, r: &'static str| if ok { None } else { Some(r) };
    pods::set_condition(
        conds,
        pods::condition(
            "ContainersReady",
            containers_ready,
            reason(containers_ready, "ContainersNotReady"),
            now,
        ),
    );
    let ready_reason =
        if !containers_ready { "ContainersNotReady" } else { "ReadinessGatesNotReady" };
    pods::set_condition(conds, pods::condition("Ready", ready, reason(ready, ready_reason), now));
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::Pod;
    use serde_json::json;

    fn running_pod(image: &str) -> Pod {
        let t = jiff::Timestamp::UNIX_EPOCH;
        let cs = pods::running("p", "sidecar", "s:1", t, 0, None);
        serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "ns", "uid": "u1"},
            "spec": {"containers": [{"name": "sidecar", "image": image}],
                     "readinessGates": [{"conditionType": "InPlaceUpdateReady"}], "nodeName": "demo-node-1"},
            "status": {"phase": "Running", "podIP": "10.244.0.2",
                "conditions": [{"type": "InPlaceUpdateReady", "status": "True"},
                               {"type": "Ready", "status": "True"}, {"type": "ContainersReady", "status": "True"}],
                "containerStatuses": [cs]}
        }))
        .unwrap()
    }

    fn no_ip() -> String {
        unreachable!("pod already has an IP")
    }

    #[test]
    fn steady_pod_is_untouched() {
        let pod = running_pod("s:1");
        let mut d = Draft::new(&pod);
        let out = step(&mut d, jiff::Timestamp::UNIX_EPOCH, true, &mut no_ip);
        assert!(d.edited().is_none());
        assert!(out.events.is_empty());
    }

    #[test]
    fn image_change_restarts_the_container_then_pulls() {
        let t = jiff::Timestamp::UNIX_EPOCH;
        let pod = running_pod("s:2");
        let mut d = Draft::new(&pod);
        let out = step(&mut d, t, false, &mut no_ip);
        let p1 = d.edited().unwrap().clone();
        let cs = &p1.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0];
        // Killed, the new one not yet started: the old container's image and count.
        assert_eq!(cs.restart_count, 0);
        assert_eq!(cs.image, "s:1");
        assert_eq!(cs.image_id, revision::image_id("s:1"));
        assert!(!cs.ready);
        assert!(out.events.iter().any(|e| e.reason == "Killing"));
        assert_eq!(pods::condition_status(&p1, "Ready"), Some("False"));

        let mut d = Draft::new(&p1);
        step(&mut d, t, true, &mut no_ip);
        let p2 = d.edited().unwrap();
        let cs = &p2.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0];
        assert_eq!(cs.image_id, revision::image_id("s:2"));
        assert_eq!(cs.restart_count, 1);
        assert_ne!(
            cs.container_id,
            running_pod("s:1").status.unwrap().container_statuses.unwrap()[0].container_id
        );
        assert!(cs.last_state.as_ref().unwrap().terminated.is_some());
        assert!(cs.ready);
        assert_eq!(pods::condition_status(p2, "Ready"), Some("True"));
    }

    #[test]
    fn missing_image_fails_then_backs_off() {
        let t = jiff::Timestamp::UNIX_EPOCH;
        let pod = running_pod("s:2-missing");
        let mut d = Draft::new(&pod);
        step(&mut d, t, true, &mut no_ip);
        let p1 = d.edited().unwrap().clone();
        let mut d = Draft::new(&p1);
        step(&mut d, t, true, &mut no_ip);
        let p2 = d.edited().unwrap().clone();
        let reason = |p: &Pod| {
            waiting_reason(&p.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0])
                .map(str::to_string)
        };
        assert_eq!(reason(&p2).as_deref(), Some("ErrImagePull"));
        let mut d = Draft::new(&p2);
        let out = step(&mut d, t, true, &mut no_ip);
        let p3 = d.edited().unwrap();
        assert_eq!(reason(p3).as_deref(), Some("ImagePullBackOff"));
        let cs = &p3.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0];
        let msg = cs.state.as_ref().unwrap().waiting.as_ref().unwrap().message.clone().unwrap();
        assert!(msg.contains("not found") && msg.contains("s:2-missing"), "{msg}");
        assert!(out.events.iter().any(|e| e.reason == "BackOff"));
        assert_eq!(pods::condition_status(p3, "Ready"), Some("False"));
        assert_eq!(p3.status.as_ref().unwrap().phase.as_deref(), Some("Running"));
        // As the real kubelet: the last container's image, imageID and restart count stay.
        assert_eq!((cs.image.as_str(), cs.restart_count), ("s:1", 0));
        assert_eq!(cs.image_id, revision::image_id("s:1"));

        // Rolled back to the old tag: pulled at once, a new container on the old image.
        let mut back = p3.clone();
        back.spec.as_mut().unwrap().containers[0].image = Some("s:1".into());
        let mut d = Draft::new(&back);
        step(&mut d, t, true, &mut no_ip);
        let p4 = d.edited().unwrap();
        let cs = &p4.status.as_ref().unwrap().container_statuses.as_ref().unwrap()[0];
        assert!(is_running(cs));
        assert_eq!((cs.image.as_str(), cs.restart_count), ("s:1", 1));
        assert_eq!(cs.image_id, revision::image_id("s:1"));
        assert_eq!(pods::condition_status(p4, "Ready"), Some("True"));
    }
}
