//! pods/exec through the real API server to a kubelet endpoint (kwok), and `okg reload --exec`.

use crate::support::*;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;

async fn exec_in(
    client: &kube::Client,
    ns: &str,
    pod: &str,
    command: Vec<String>,
) -> kube::Result<(String, Option<String>)> {
    use kube::api::AttachParams;
    use tokio::io::AsyncReadExt;
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let params = AttachParams::default().container("main").stdout(true).stderr(true);
    let mut proc = api.exec(pod, command, &params).await?;
    let mut stdout = proc.stdout().expect("stdout requested");
    let status = proc.take_status().expect("status channel");
    let mut out = String::new();
    stdout.read_to_string(&mut out).await.expect("read stdout");
    let status = status.await.and_then(|s| s.status);
    let _ = proc.join().await;
    Ok((out, status))
}

/// pods/exec through the real API server reaches a kubelet endpoint (kwok) and runs the
/// command; the view-only user is refused (403) before anything runs.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn pods_exec_goes_through_the_real_api_server_to_a_kubelet_endpoint() {
    let test = "pods_exec_goes_through_the_real_api_server_to_a_kubelet_endpoint";
    let Some(env) = env_or_skip(test) else { return };
    let Some(exec_dir) = exec_dir_or_skip(test) else { return };
    let admin = client(&env.admin_kubeconfig).await;
    let viewer = client(&env.viewer_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-exec").await;
    create_fleet(&admin, &ns, "gss-exec", 3).await;
    let marker = format!("reloads-{ns}.log");

    for i in 0..3 {
        let pod = format!("gss-exec-{i}");
        // kwok runs the argv as a local process in its work dir; $0 is the pod name.
        let argv = vec![
            "sh".to_string(),
            "-c".into(),
            format!("echo \"$0\" >> {marker}; echo reloaded \"$0\""),
            pod.clone(),
        ];
        let (out, status) = exec_in(&admin, &ns, &pod, argv).await.expect("exec as admin");
        assert_eq!(out.trim(), format!("reloaded {pod}"));
        assert_eq!(status.as_deref(), Some("Success"));
    }
    let lines = std::fs::read_to_string(exec_dir.join(&marker)).unwrap();
    assert_eq!(lines.lines().collect::<Vec<_>>(), ["gss-exec-0", "gss-exec-1", "gss-exec-2"]);

    // A failing command reports failure, not success.
    let (_, status) =
        exec_in(&admin, &ns, "gss-exec-0", vec!["sh".into(), "-c".into(), "exit 3".into()])
            .await
            .expect("exec as admin");
    assert_eq!(status.as_deref(), Some("Failure"));

    let denied = exec_in(&viewer, &ns, "gss-exec-0", vec!["true".into()]).await;
    assert_eq!(api_code(&denied), Some(403), "viewer exec: {:?}", denied.map(|r| r.0));
    let lines = std::fs::read_to_string(exec_dir.join(&marker)).unwrap();
    assert_eq!(lines.lines().count(), 3, "nothing ran for the viewer");
}

/// `okg reload --exec` against the real API server and kwok: every pod reloaded once.
#[tokio::test]
#[ignore = "real kube-apiserver tier: run scripts/e2e-real.sh"]
async fn okg_reload_exec_reloads_every_pod_once() {
    let test = "okg_reload_exec_reloads_every_pod_once";
    let Some(env) = env_or_skip(test) else { return };
    let Some(exec_dir) = exec_dir_or_skip(test) else { return };
    let admin = client(&env.admin_kubeconfig).await;
    let ns = fresh_namespace(&admin, "e2e-reload").await;
    create_fleet(&admin, &ns, "gss-reload", 4).await;
    let marker = format!("okg-reload-{ns}.log");
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(okg_bin(&env))
        .arg("--kubeconfig")
        .arg(&env.admin_kubeconfig)
        .arg("--log-file")
        .arg(dir.path().join("okg.log"))
        .arg("--audit-log")
        .arg(dir.path().join("audit.jsonl"))
        .args(["-n", &ns, "reload", "gss-reload", "--container", "main", "--parallel", "2", "-y"])
        // --exec takes every word after it.
        .args(["--exec", "sh", "-c", &format!("echo reload >> {marker}")])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "okg reload: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(exec_dir.join(&marker)).unwrap();
    assert_eq!(lines.lines().count(), 4);
}
