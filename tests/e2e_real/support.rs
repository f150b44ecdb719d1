//! What every e2e test needs: the environment scripts/e2e-real.sh provides (or a loud skip),
//! clients per identity, a fresh namespace with a small OKG fleet in it, and the API server's
//! audit log.
use std::io::Write;
use std::path::PathBuf;

use k8s_openapi::api::core::v1::{Namespace, Pod, ServiceAccount};
use kube::api::{Api, ListParams, PostParams};
use okg_domain::types::{GameServer, GameServerSet};
use serde_json::{Value, json};
use std::time::Duration;

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

/// A GameServerSet of `replicas` (containers `main` and `hot-update`, InPlaceIfPossible), and
/// what OKG makes of it: the simulated controller started by the script (OKG + OpenKruise +
/// kubelet, talking to this API server through kube::Client) creates the GameServers and pods.
/// Returns once every GameServer is Ready and every pod Running and ready.
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
    let timeout = Duration::from_secs(60 + replicas as u64 / 10);
    wait_fleet_ready(admin, ns, name, replicas, timeout).await;
}

/// Wait until the set's status, its GameServers and pods all say `replicas` are ready.
pub async fn wait_fleet_ready(
    admin: &kube::Client,
    ns: &str,
    name: &str,
    replicas: i32,
    timeout: Duration,
) {
    let lp = ListParams::default().labels(&format!("game.kruise.io/owner-gss={name}"));
    let gss_api: Api<GameServerSet> = Api::namespaced(admin.clone(), ns);
    let gs_api: Api<GameServer> = Api::namespaced(admin.clone(), ns);
    let pod_api: Api<Pod> = Api::namespaced(admin.clone(), ns);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let gss = gss_api.get(name).await.unwrap();
        let gs = gs_api.list(&lp).await.unwrap().items;
        let pods = pod_api.list(&lp).await.unwrap().items;
        let gs_ready = gs.iter().filter(|g| g.current_state() == "Ready").count();
        let pods_ready =
            pods.iter()
                .filter(|p| {
                    p.metadata.deletion_timestamp.is_none()
                        && p.status.as_ref().and_then(|s| s.conditions.as_ref()).is_some_and(|c| {
                            c.iter().any(|c| c.type_ == "Ready" && c.status == "True")
                        })
                })
                .count();
        let status_ready = gss.status.as_ref().map(|s| s.ready_replicas).unwrap_or(0);
        let n = replicas as usize;
        if gs.len() == n
            && gs_ready == n
            && pods.len() == n
            && pods_ready == n
            && status_ready == replicas
        {
            return;
        }
        let last = format!(
            "{} GameServers ({gs_ready} Ready), {} pods ({pods_ready} ready), status.readyReplicas {status_ready}",
            gs.len(),
            pods.len()
        );
        if tokio::time::Instant::now() > deadline {
            panic!(
                "{ns}/{name}: the simulated controller did not bring {replicas} replicas up within \
                 {timeout:?}: {last} (is e2e_sim (crates/okg-tools) running? see sim.log)"
            );
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
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

pub const ADMIN: &str = "okg-e2e-admin";
pub const VIEWER: &str = "okg-e2e-viewer";

pub fn api_code<T: std::fmt::Debug>(r: &kube::Result<T>) -> Option<u16> {
    match r {
        Err(kube::Error::Api(s)) => Some(s.code),
        _ => None,
    }
}

pub fn kubectl(kubeconfig: &std::path::Path, args: &[&str]) -> String {
    let out = std::process::Command::new("kubectl")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .expect("run kubectl");
    assert!(
        out.status.success(),
        "kubectl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn json_patch(v: Value) -> json_patch::Patch {
    serde_json::from_value(v).expect("valid JSON Patch")
}

/// The okg process exited with `code`; otherwise fail showing what it printed.
pub fn assert_exit(out: &std::process::Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

pub fn okg_bin(env: &Env) -> std::path::PathBuf {
    env.okg_bin.clone().unwrap_or_else(|| env!("CARGO_BIN_EXE_okg").into())
}

/// Where kwok runs "container" commands (set by the script when kwok serves the nodes' kubelet
/// API), or `None` after saying loudly why the exec tests cannot run.
pub fn exec_dir_or_skip(test: &str) -> Option<std::path::PathBuf> {
    match std::env::var_os("OKG_E2E_EXEC_DIR").filter(|v| !v.is_empty()) {
        Some(d) => Some(d.into()),
        None => {
            loud(&format!(
                "\n*** E2E-REAL SKIPPED: {test} did NOT run: no kubelet endpoint (kwok) serves \
                 pods/exec in this run (OKG_E2E_EXEC_DIR unset); see the script's log. ***\n"
            ));
            None
        }
    }
}
