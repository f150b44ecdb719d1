//! The demo serves its nodes and the OKG CRDs as cluster-scoped objects: discovery, list, get,
//! watch and Tables, through kube-rs and kubectl (what k9s and `kubectl get nodes,crd` ask for).
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Node;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, ListParams, Patch, PatchParams, WatchEvent, WatchParams};
use serde_json::json;

use crate::support::{bare_fleet, kubectl};

#[tokio::test]
async fn nodes_and_crds_are_discovered_listed_got_and_watched() {
    let demo = bare_fleet(6, 5).await;
    let client = demo.client().unwrap();

    let core = client.list_core_api_resources("v1").await.unwrap();
    let nodes = core.resources.iter().find(|r| r.name == "nodes").expect("nodes in /api/v1");
    assert!(!nodes.namespaced);
    assert_eq!(nodes.short_names.as_deref(), Some(&["no".to_string()][..]));
    let groups = client.list_api_groups().await.unwrap();
    assert!(groups.groups.iter().any(|g| g.name == "apiextensions.k8s.io"));
    let ext = client.list_api_group_resources("apiextensions.k8s.io/v1").await.unwrap();
    let crds = ext.resources.iter().find(|r| r.name == "customresourcedefinitions").unwrap();
    assert!(!crds.namespaced);

    let node_api: Api<Node> = Api::all(client.clone());
    let list = node_api.list(&ListParams::default()).await.unwrap();
    let names: Vec<_> = list.items.iter().filter_map(|n| n.metadata.name.as_deref()).collect();
    assert_eq!(names, ["demo-node-1", "demo-node-2", "demo-node-3"]);
    let node = node_api.get("demo-node-2").await.unwrap();
    let status = node.status.unwrap();
    let ready = status.conditions.unwrap().into_iter().find(|c| c.type_ == "Ready").unwrap();
    assert_eq!(ready.status, "True");
    assert_eq!(
        node.metadata.labels.unwrap().get("kubernetes.io/hostname").map(String::as_str),
        Some("demo-node-2")
    );
    assert_eq!(status.node_info.unwrap().kubelet_version, "v1.32.0");
    assert!(status.allocatable.unwrap().contains_key("pods"));
    // Every pod's node exists.
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::all(client.clone());
    for p in pods.list(&ListParams::default()).await.unwrap() {
        let on = p.spec.unwrap().node_name.unwrap();
        assert!(names.contains(&on.as_str()), "{on}");
    }
    let paged = node_api.list(&ListParams::default().limit(2)).await.unwrap();
    assert_eq!(paged.items.len(), 2);
    let token = paged.metadata.continue_.unwrap();
    let rest = node_api.list(&ListParams::default().continue_token(&token)).await.unwrap();
    assert_eq!(rest.items.len(), 1);

    let rv = list.metadata.resource_version.unwrap();
    let mut events =
        node_api.watch(&WatchParams::default().timeout(10), &rv).await.unwrap().boxed();
    // `kubectl cordon` is this patch.
    let cordon = json!({"spec": {"unschedulable": true}});
    node_api
        .patch("demo-node-1", &PatchParams::default(), &Patch::Strategic(&cordon))
        .await
        .unwrap();
    let ev =
        tokio::time::timeout(Duration::from_secs(5), events.try_next()).await.unwrap().unwrap();
    match ev {
        Some(WatchEvent::Modified(n)) => {
            assert_eq!(n.metadata.name.as_deref(), Some("demo-node-1"));
            assert_eq!(n.spec.unwrap().unschedulable, Some(true));
        }
        other => panic!("expected MODIFIED, got {other:?}"),
    }

    let crd_api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let crds = crd_api.list(&ListParams::default()).await.unwrap();
    let names: Vec<_> = crds.items.iter().filter_map(|c| c.metadata.name.as_deref()).collect();
    assert_eq!(
        names,
        [
            "gameservers.game.kruise.io",
            "gameserversets.game.kruise.io",
            "statefulsets.apps.kruise.io"
        ]
    );
    let gss = crd_api.get("gameserversets.game.kruise.io").await.unwrap();
    assert_eq!(gss.spec.group, "game.kruise.io");
    assert_eq!(gss.spec.scope, "Namespaced");
    assert_eq!(gss.spec.names.kind, "GameServerSet");
    assert_eq!(gss.spec.names.short_names.as_deref(), Some(&["gss".to_string()][..]));
    let v = &gss.spec.versions[0];
    assert!(v.served && v.storage && v.name == "v1alpha1");
    let established = gss.status.unwrap().conditions.unwrap();
    assert!(established.iter().any(|c| c.type_ == "Established" && c.status == "True"));

    // Cluster-scoped kinds are not under a namespace, and namespaced ones need one for a name.
    let raw = |path: &str| {
        let client = client.clone();
        let path = path.to_string();
        async move { client.request_text(http::Request::get(path).body(Vec::new()).unwrap()).await }
    };
    for path in ["/api/v1/namespaces/default/nodes", "/api/v1/pods/gss-2048-0"] {
        match raw(path).await {
            Err(kube::Error::Api(s)) => assert_eq!(s.code, 404, "{path}"),
            other => panic!("{path}: expected 404, got {other:?}"),
        }
    }
    demo.shutdown().await;
}

#[tokio::test]
async fn kubectl_gets_nodes_and_crds() {
    let demo = bare_fleet(3, 5).await;
    let Some(run) = kubectl(&demo) else { return };
    let (both, wide, crd) = tokio::task::spawn_blocking(move || {
        (
            run(&["get", "nodes,crd"]),
            run(&["get", "no", "-o", "wide"]),
            run(&[
                "get",
                "crd",
                "gameserversets.game.kruise.io",
                "-o",
                "jsonpath={.spec.names.shortNames}",
            ]),
        )
    })
    .await
    .unwrap();
    let node_row = both
        .lines()
        .find(|l| l.starts_with("node/demo-node-1"))
        .unwrap_or_else(|| panic!("{both}"));
    let cells: Vec<&str> = node_row.split_whitespace().collect();
    assert_eq!((cells[1], cells[4]), ("Ready", "v1.32.0"), "{both}");
    assert!(
        both.contains("customresourcedefinition.apiextensions.k8s.io/gameservers.game.kruise.io"),
        "{both}"
    );
    let header: Vec<&str> = wide.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(
        header,
        [
            "NAME",
            "STATUS",
            "ROLES",
            "AGE",
            "VERSION",
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME"
        ]
    );
    assert!(wide.contains("172.18.0.12"), "{wide}");
    assert_eq!(crd, r#"["gss"]"#);
    demo.shutdown().await;
}
