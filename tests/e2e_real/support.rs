//! What every e2e test needs: the environment scripts/e2e-real.sh provides (or a loud skip),
//! clients per identity, a fresh namespace with a small OKG fleet in it, and the API server's
//! audit log.
use std::io::Write;
use std::path::PathBuf;

use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use kube::api::{Api, Patch, PatchParams, PostParams};
use okg_console::okg::types::{GameServer, GameServerSet};
use serde_json::{Value, json};

/// The files and commands scripts/e2e-real.sh hands the tests.
pub struct Env {
    pub admin_kubeconfig: PathBuf,
    pub viewer_kubeconfig: PathBuf,
    pub audit_log: PathBuf,
    /// Restarts kube-apiserver with the same flags and waits until it is ready.
    pub restart_apiserver: Option<PathBuf>,
    /// The `okg` binary the script built.
    pub okg_bin: Option<PathBuf>,
}

/// Write to the real stderr: libtest captures `eprintln!` of passing tests, and a skip must be
/// seen even when the test "passes".
pub fn loud(msg: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{msg}");
    let _ = err.flush();
}

/// The environment, or `None` after printing loudly why this test did not run.
pub fn env_or_skip(test: &str) -> Option<Env> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    match (var("OKG_E2E_KUBECONFIG_ADMIN"), var("OKG_E2E_KUBECONFIG_VIEWER")) {
        (Some(admin), Some(viewer)) => Some(Env {
            admin_kubeconfig: admin,
            viewer_kubeconfig: viewer,
            audit_log: var("OKG_E2E_AUDIT_LOG").unwrap_or_default(),
            restart_apiserver: var("OKG_E2E_RESTART_APISERVER"),
            okg_bin: var("OKG_E2E_OKG_BIN"),
        }),
        _ => {
            loud(&format!(
                "\n*** E2E-REAL SKIPPED: {test} did NOT run: OKG_E2E_KUBECONFIG_ADMIN / \
                 OKG_E2E_KUBECONFIG_VIEWER are unset. This tier needs a real kube-apiserver; \
                 run scripts/e2e-real.sh. ***\n"
            ));
            if std::env::var_os("OKG_E2E_REQUIRED").is_some() {
                panic!("OKG_E2E_REQUIRED is set but the e2e environment is missing");
            }
            None
        }
    }
}

pub async fn client(kubeconfig: &PathBuf) -> kube::Client {
    let kc = kube::config::Kubeconfig::read_from(kubeconfig).expect("read kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .expect("kubeconfig to config");
    kube::Client::try_from(config).expect("client")
}

/// A namespace of its own per test, so tests do not see each other's objects. Its "default"
/// ServiceAccount is created here because no kube-controller-manager runs in this tier and the
/// ServiceAccount admission plugin refuses pods without it.
pub async fn fresh_namespace(admin: &kube::Client, prefix: &str) -> String {
    let suffix =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()
            % 1_000_000;
    let name = format!("{prefix}-{suffix}");
    let ns: Namespace = serde_json::from_value(json!({"metadata": {"name": name}})).unwrap();
    Api::<Namespace>::all(admin.clone()).create(&PostParams::default(), &ns).await.unwrap();
    let sa: ServiceAccount =
        serde_json::from_value(json!({"metadata": {"name": "default"}})).unwrap();
    Api::<ServiceAccount>::namespaced(admin.clone(), &name)
        .create(&PostParams::default(), &sa)
        .await
        .unwrap();
    name
}

pub const MAIN_IMAGE: &str = "registry.example/game/2048:v1.0";
pub const SIDECAR_IMAGE: &str = "registry.example/game/hot-update:v1.0";

fn image_id(image: &str) -> String {
    // A stable fake digest per image, like a kubelet would report after a pull.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in image.bytes() {
        h = (h ^ b as u64).wrapping_mul(0x100000001b3);
    }
    format!("{image}@sha256:{h:016x}{h:016x}{h:016x}{h:016x}")
}

/// A GameServerSet with `replicas` GameServers and pods, as OKG and a kubelet would have left
/// them: everything Ready, statuses written through the status subresources (a real server
/// drops `status` on create). Returns the set's name.
pub async fn create_fleet(admin: &kube::Client, ns: &str, name: &str, replicas: i32) {
    let gss: GameServerSet = serde_json::from_value(json!({
        "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServerSet",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "replicas": replicas,
            "gameServerTemplate": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [
                    {"name": "main", "image": MAIN_IMAGE},
                    {"name": "hot-update", "image": SIDECAR_IMAGE}
                ]}
            },
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {
                "podUpdatePolicy": "InPlaceIfPossible", "maxUnavailable": 1}}
        }
    }))
    .unwrap();
    let gss_api: Api<GameServerSet> = Api::namespaced(admin.clone(), ns);
    gss_api.create(&PostParams::default(), &gss).await.expect("create GameServerSet");
    gss_api
        .patch_status(
            name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {
                "observedGeneration": 1, "replicas": replicas, "readyReplicas": replicas,
                "availableReplicas": replicas, "currentReplicas": replicas,
                "updatedReplicas": replicas, "updatedReadyReplicas": replicas,
                "labelSelector": format!("game.kruise.io/owner-gss={name}")
            }})),
        )
        .await
        .expect("GameServerSet status");

    use futures::StreamExt;
    let results = futures::stream::iter(0..replicas)
        .map(|i| create_member(admin, ns, name, i))
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    for r in results {
        r.expect("create GameServer and pod");
    }
}

async fn create_member(admin: &kube::Client, ns: &str, set: &str, i: i32) -> kube::Result<()> {
    let name = format!("{set}-{i}");
    let revision = format!("{set}-7d9f8c6b5");
    let gs: GameServer = serde_json::from_value(json!({
        "apiVersion": "game.kruise.io/v1alpha1", "kind": "GameServer",
        "metadata": {"name": name, "namespace": ns,
            "labels": {"game.kruise.io/owner-gss": set, "app": set}},
        "spec": {"opsState": "None", "updatePriority": 0, "deletionPriority": 0}
    }))
    .unwrap();
    let gs_api: Api<GameServer> = Api::namespaced(admin.clone(), ns);
    gs_api.create(&PostParams::default(), &gs).await?;
    gs_api
        .patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {
                "desiredState": "Ready", "currentState": "Ready",
                "updatePriority": 0, "deletionPriority": 0
            }})),
        )
        .await?;

    let pod: Pod = serde_json::from_value(json!({
        "metadata": {"name": name, "namespace": ns, "labels": {
            "app": set,
            "game.kruise.io/owner-gss": set,
            "game.kruise.io/gs-state": "Ready",
            "game.kruise.io/gs-opsState": "None",
            "game.kruise.io/gs-update-priority": "0",
            "game.kruise.io/gs-delete-priority": "0",
            "controller-revision-hash": revision,
            "statefulset.kubernetes.io/pod-name": name,
            "lifecycle.apps.kruise.io/state": "Normal"
        }},
        "spec": {
            // No scheduler runs here; a pod may name its node on create.
            "nodeName": format!("okg-e2e-node-{}", i % 4),
            "containers": [
                {"name": "main", "image": MAIN_IMAGE},
                {"name": "hot-update", "image": SIDECAR_IMAGE}
            ]
        }
    }))
    .unwrap();
    let pod_api: Api<Pod> = Api::namespaced(admin.clone(), ns);
    pod_api.create(&PostParams::default(), &pod).await?;
    let now = jiff::Timestamp::now().to_string();
    let cs = |cname: &str, image: &str| {
        json!({"name": cname, "image": image, "imageID": image_id(image), "ready": true,
               "started": true, "restartCount": 0,
               "state": {"running": {"startedAt": now}}})
    };
    pod_api
        .patch_status(
            &name,
            &PatchParams::default(),
            &Patch::Merge(json!({"status": {
                "phase": "Running",
                "podIP": format!("10.244.{}.{}", i / 250, i % 250 + 2),
                "hostIP": format!("192.0.2.{}", i % 4 + 10),
                "startTime": now,
                "conditions": [
                    {"type": "Ready", "status": "True", "lastTransitionTime": now},
                    {"type": "ContainersReady", "status": "True", "lastTransitionTime": now},
                    {"type": "PodScheduled", "status": "True", "lastTransitionTime": now}
                ],
                "containerStatuses": [cs("main", MAIN_IMAGE), cs("hot-update", SIDECAR_IMAGE)]
            }})),
        )
        .await?;
    Ok(())
}

/// Every audit event the API server has written so far (JSON lines, `--audit-log-mode=blocking`
/// so a request's event is on disk before its response is sent).
pub fn audit_events(env: &Env) -> Vec<Value> {
    let text = std::fs::read_to_string(&env.audit_log).expect("read the audit log");
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Audit events of `user` whose verb writes something, except the two review resources the
/// console creates to ask questions (they store nothing).
pub fn writes_by(events: &[Value], user: &str, since: jiff::Timestamp) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e["user"]["username"] == user)
        .filter(|e| {
            e["stageTimestamp"].as_str().and_then(|t| t.parse::<jiff::Timestamp>().ok())
                >= Some(since)
        })
        .filter(|e| {
            matches!(
                e["verb"].as_str().unwrap_or(""),
                "create" | "update" | "patch" | "delete" | "deletecollection"
            )
        })
        .filter(|e| {
            !matches!(
                e["objectRef"]["resource"].as_str().unwrap_or(""),
                "selfsubjectaccessreviews" | "selfsubjectreviews" | "selfsubjectrulesreviews"
            )
        })
        .cloned()
        .collect()
}
