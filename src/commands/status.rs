//! `okg status`: the joined GameServer ⋈ Pod view, once (list, not watch), as a table or JSON.
//! The JSON shape is documented in docs/status-json.md and kept stable (`apiVersion: okg-console/v1`).
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Pod;
use std::collections::BTreeMap;

use kube::ResourceExt;
use kube::api::{Api, DynamicObject, ListParams};
use serde::Serialize;

use crate::cli::{GlobalArgs, StatusArgs, StatusFormat};
use crate::cluster::client::{describe, within};
use crate::commands::{exit, preflight};
use okg_domain::columns;
use okg_domain::fleet::{self, GroupHeader, Row};
use okg_domain::image;
use okg_domain::types::{GameServer, GameServerSet, labels};

pub async fn run(global: &GlobalArgs, args: StatusArgs) -> u8 {
    let checked = preflight::names("a GameServerSet name", &args.sets)
        .and_then(|()| args.selector.as_deref().map_or(Ok(()), preflight::selector));
    if let Err(e) = checked {
        crate::errln!("okg status: {e}");
        return exit::USAGE;
    }
    let session = match crate::commands::open_session(global).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let conn = &session.connection;
    let listing = list(&conn.client, conn.namespace.as_deref(), args.selector.as_deref());
    let Listing { groups, written } = match within(conn.request_timeout, listing).await {
        Some(Ok(l)) => l,
        Some(Err(e)) => {
            crate::errln!(
                "okg status: context \"{}\" ({}): cannot list: {}",
                conn.context,
                conn.server,
                describe(&e)
            );
            return exit::for_api_error(&e);
        }
        None => {
            crate::errln!(
                "okg status: {} did not answer the list in time (--request-timeout)",
                conn.server
            );
            return exit::UNREACHABLE;
        }
    };
    // An empty answer from a namespace that does not exist would look like an empty fleet.
    if groups.is_empty()
        && let Some(ns) = conn.namespace.as_deref()
        && let Some(why) = preflight::missing_namespace(&conn.client, ns).await
    {
        crate::errln!("okg status: context \"{}\": {why}", conn.context);
        return exit::USAGE;
    }
    let groups: Vec<_> = groups
        .into_iter()
        .filter(|(h, rows)| {
            (args.sets.is_empty() || args.sets.contains(&h.name))
                && (args.selector.is_none() || !rows.is_empty())
        })
        .collect();
    let unknown: Vec<&String> =
        args.sets.iter().filter(|s| !groups.iter().any(|(h, _)| &h.name == *s)).collect();
    let now = Timestamp::now();
    match args.output {
        StatusFormat::Table => crate::out!("{}", table(&groups, now, false)),
        StatusFormat::Wide => crate::out!("{}", table(&groups, now, true)),
        StatusFormat::Name => crate::out!("{}", names(&groups)),
        StatusFormat::Json | StatusFormat::Yaml => {
            let doc = document(&conn.context, conn.namespace.as_deref(), &groups, &written, now);
            crate::commands::print::document(&doc, args.output == StatusFormat::Yaml);
        }
    }
    if let Some(demo) = session.demo {
        demo.shutdown().await;
    }
    if unknown.is_empty() {
        exit::OK
    } else {
        let names: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        crate::errln!("okg status: no GameServerSet named {}", names.join(", "));
        exit::USAGE
    }
}

/// What `okg status` lists: the joined groups, and what OKG wrote on each GameServer that the
/// JSON document carries as the API spells it (`Written`), by (namespace, name).
pub struct Listing {
    pub groups: Vec<(GroupHeader, Vec<Row>)>,
    pub written: BTreeMap<(String, String), Written>,
}

/// Parts of a GameServer's `status` as OKG wrote them, kept raw: the typed view the join reads
/// keeps only what the console draws, and a script wants every field (`networkType`,
/// `desiredNetworkState`, probe results…).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Written {
    pub network_status: Option<serde_json::Value>,
    pub conditions: Vec<serde_json::Value>,
    pub service_qualities_conditions: Vec<serde_json::Value>,
}

impl Written {
    fn of(status: &serde_json::Value) -> Written {
        let list = |k: &str| status.get(k).and_then(|v| v.as_array()).cloned().unwrap_or_default();
        Written {
            network_status: status.get("networkStatus").filter(|v| !v.is_null()).cloned(),
            conditions: list("conditions"),
            service_qualities_conditions: list("serviceQualitiesConditions"),
        }
    }
}

pub async fn list(
    client: &kube::Client,
    namespace: Option<&str>,
    selector: Option<&str>,
) -> kube::Result<Listing> {
    fn api<K>(c: &kube::Client, ns: Option<&str>) -> Api<K>
    where
        K: kube::Resource<Scope = kube::core::NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        match ns {
            Some(ns) => Api::namespaced(c.clone(), ns),
            None => Api::all(c.clone()),
        }
    }
    let mut gs_params = ListParams::default();
    if let Some(s) = selector {
        gs_params = gs_params.labels(s);
    }
    // GameServers are listed untyped once, then read typed from the same objects: the raw
    // status keeps every field OKG wrote.
    let gs_resource = kube::api::ApiResource::erase::<GameServer>(&());
    let gs_api: Api<DynamicObject> = match namespace {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &gs_resource),
        None => Api::all_with(client.clone(), &gs_resource),
    };
    let (sets_api, pod_api) =
        (api::<GameServerSet>(client, namespace), api::<Pod>(client, namespace));
    let all = ListParams::default();
    let owned = ListParams::default().labels(labels::OWNER_GSS);
    let (sets, raw, pods) =
        futures::try_join!(sets_api.list(&all), gs_api.list(&gs_params), pod_api.list(&owned))?;
    let mut gss = Vec::with_capacity(raw.items.len());
    let mut written = BTreeMap::new();
    for o in raw.items {
        let v = serde_json::to_value(&o).map_err(kube::Error::SerdeError)?;
        let key = (o.metadata.namespace.clone().unwrap_or_default(), o.name_any());
        written.insert(key, Written::of(&v["status"]));
        gss.push(serde_json::from_value::<GameServer>(v).map_err(kube::Error::SerdeError)?);
    }
    Ok(Listing { groups: fleet::build(&sets.items, &gss, &pods.items), written })
}

/// `-o name`: the GameServers as kubectl names them.
pub fn names(groups: &[(GroupHeader, Vec<Row>)]) -> String {
    groups
        .iter()
        .flat_map(|(_, rows)| rows)
        .map(|r| format!("gameserver.game.kruise.io/{}\n", r.key.name))
        .collect()
}

/// The table: one header line per set, then its GameServers (`okg_domain::columns`, with the
/// console's table). Without `wide`, the pod's IP and node are left out, as kubectl does.
pub fn table(groups: &[(GroupHeader, Vec<Row>)], now: Timestamp, wide: bool) -> String {
    let shown: Vec<columns::Column> = columns::ALL
        .into_iter()
        .filter(|c| wide || !matches!(c, columns::Column::Ip | columns::Column::Node))
        .collect();
    let mut out = String::new();
    for (i, (h, rows)) in groups.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let images: Vec<String> =
            h.template.iter().map(|(c, img)| format!("{c}={}", image::short_image(img))).collect();
        out.push_str(&format!(
            "GSS {}/{}  desired {} current {} updated {} ready {}  {}  partition {}{}  {}\n",
            h.namespace,
            h.name,
            h.desired,
            h.current,
            h.updated,
            h.ready,
            h.policy,
            h.partition,
            if h.paused { "  PAUSED" } else { "" },
            images.join(" ")
        ));
        let mut lines: Vec<Vec<String>> =
            vec![shown.iter().map(|c| c.header().to_string()).collect()];
        lines.extend(rows.iter().map(|r| shown.iter().map(|c| c.text(r, now)).collect()));
        let widths: Vec<usize> = (0..lines[0].len())
            .map(|c| lines.iter().map(|l| l[c].chars().count()).max().unwrap_or(0))
            .collect();
        for l in &lines {
            let mut s = String::new();
            for (c, cell) in l.iter().enumerate() {
                s.push_str(cell);
                if c + 1 < l.len() {
                    s.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
                }
            }
            out.push_str(s.trim_end());
            out.push('\n');
        }
    }
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDoc {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub generated_at: String,
    pub context: String,
    /// `null`: all namespaces.
    pub namespace: Option<String>,
    pub sets: Vec<SetDoc>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SetDoc {
    pub namespace: String,
    pub name: String,
    pub desired: i32,
    pub current: i32,
    pub updated: i32,
    pub ready: i32,
    pub pod_update_policy: String,
    pub partition: i32,
    pub paused: bool,
    pub template: Vec<ContainerImage>,
    pub game_servers: Vec<GameServerDoc>,
}

#[derive(Serialize)]
pub struct ContainerImage {
    pub container: String,
    pub image: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GameServerDoc {
    pub name: String,
    pub state: String,
    pub ops_state: String,
    /// The pod's STATUS as `kubectl get pod` prints it; `-` without a pod.
    pub pod_status: String,
    pub deletion_priority: i64,
    pub update_priority: i64,
    pub ready_containers: u32,
    pub containers: u32,
    pub restarts: i32,
    pub last_restart: Option<String>,
    pub created: Option<String>,
    pub has_pod: bool,
    pub ip: Option<String>,
    pub node: Option<String>,
    /// Where players reach it, as the NETWORK column shows it (`fleet::network::cell`);
    /// `null` when no network plugin reports one.
    pub network: Option<String>,
    pub images: Vec<ImageDoc>,
    /// `status.networkStatus` as OKG's network plugin wrote it; `null` without one.
    pub network_status: Option<serde_json::Value>,
    /// `status.conditions`, kruise-game's GameServer conditions; `[]` when none.
    pub conditions: Vec<serde_json::Value>,
    /// `status.serviceQualitiesConditions`: what each probe last said; `[]` when none.
    pub service_qualities_conditions: Vec<serde_json::Value>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageDoc {
    pub container: String,
    pub image: String,
    pub tag: String,
    pub differs_from_template: bool,
    pub updating: bool,
}

pub fn document(
    context: &str,
    namespace: Option<&str>,
    groups: &[(GroupHeader, Vec<Row>)],
    written: &BTreeMap<(String, String), Written>,
    now: Timestamp,
) -> StatusDoc {
    let none = Written::default();
    StatusDoc {
        api_version: crate::commands::API_VERSION,
        kind: "Status",
        generated_at: now.to_string(),
        context: context.into(),
        namespace: namespace.map(String::from),
        sets: groups
            .iter()
            .map(|(h, rows)| SetDoc {
                namespace: h.namespace.clone(),
                name: h.name.clone(),
                desired: h.desired,
                current: h.current,
                updated: h.updated,
                ready: h.ready,
                pod_update_policy: h.policy.clone(),
                partition: h.partition,
                paused: h.paused,
                template: h
                    .template
                    .iter()
                    .map(|(c, i)| ContainerImage { container: c.clone(), image: i.clone() })
                    .collect(),
                game_servers: rows
                    .iter()
                    .map(|r| (r, written.get(&(r.key.namespace.clone(), r.key.name.clone()))))
                    .map(|(r, w)| (r, w.unwrap_or(&none).clone()))
                    .map(|(r, w)| GameServerDoc {
                        name: r.key.name.clone(),
                        state: r.state.clone(),
                        ops_state: r.ops_state.clone(),
                        pod_status: r.status.to_string(),
                        deletion_priority: r.deletion_priority,
                        update_priority: r.update_priority,
                        ready_containers: r.ready,
                        containers: r.containers,
                        restarts: r.restarts,
                        last_restart: r.last_restart.map(|t| t.to_string()),
                        created: r.created.map(|t| t.to_string()),
                        has_pod: r.has_pod,
                        ip: r.ip.clone(),
                        node: r.node.clone(),
                        network: r.network.as_deref().map(String::from),
                        images: r
                            .images
                            .iter()
                            .map(|i| ImageDoc {
                                container: i.container.clone(),
                                image: i.image.clone(),
                                tag: i.tag.clone(),
                                differs_from_template: i.differs,
                                updating: i.updating,
                            })
                            .collect(),
                        network_status: w.network_status,
                        conditions: w.conditions,
                        service_qualities_conditions: w.service_qualities_conditions,
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use okg_domain::fixtures as fake;

    #[test]
    fn table_and_json_of_the_small_fleet() {
        let (s, mut g, p) = fake::small_fleet();
        let st = g[0].status.get_or_insert_with(Default::default);
        st.conditions = vec![serde_json::json!({"type": "PodNormal", "status": "True"})];
        st.service_qualities_conditions =
            vec![serde_json::json!({"name": "healthy", "status": "false", "result": "down"})];
        let groups = fleet::build(&s, &g, &p);
        let written: BTreeMap<_, _> = g
            .iter()
            .map(|gs| {
                let key = (gs.namespace().unwrap_or_default(), gs.name_any());
                (key, Written::of(&serde_json::to_value(gs).unwrap()["status"]))
            })
            .collect();
        let t = table(&groups, fake::now(), false);
        assert!(!t.contains("NODE"), "{t}");
        assert!(table(&groups, fake::now(), true).contains("NODE"));
        assert!(names(&groups).starts_with("gameserver.game.kruise.io/gss-2048-0\n"));
        assert!(t.contains("GSS default/gss-2048  desired 6"), "{t}");
        assert!(
            t.lines().any(|l| l.starts_with("gss-2048-1") && l.contains("sidecar=v2.0→")),
            "{t}"
        );
        assert!(t.lines().any(|l| l.starts_with("gss-2048-0") && l.contains("1 (33s ago)")), "{t}");
        let doc =
            serde_json::to_value(document("demo", Some("default"), &groups, &written, fake::now()))
                .unwrap();
        assert_eq!(doc["apiVersion"], "okg-console/v1");
        assert_eq!(doc["sets"][0]["gameServers"][5]["images"][1]["differsFromTemplate"], true);
        assert_eq!(doc["sets"][1]["podUpdatePolicy"], "ReCreate");
        assert_eq!(doc["sets"][0]["gameServers"][0]["network"], "203.0.113.11:8000");
        // Present on every GameServer (a string, or null without a network plugin).
        let all = doc["sets"].as_array().unwrap().iter().flat_map(|s| {
            s["gameServers"].as_array().unwrap().iter().map(|g| g.get("network").cloned())
        });
        assert!(all.into_iter().all(|n| n.is_some_and(|n| n.is_string() || n.is_null())));
        // What OKG wrote, as the API spells it (issue 11 item 11).
        let gs0 = &doc["sets"][0]["gameServers"][0];
        assert_eq!(gs0["networkStatus"]["externalAddresses"][0]["ip"], "203.0.113.11", "{gs0}");
        assert_eq!(gs0["conditions"][0]["type"], "PodNormal");
        assert_eq!(gs0["serviceQualitiesConditions"][0]["result"], "down");
        let gs1 = &doc["sets"][0]["gameServers"][1];
        assert_eq!(gs1["conditions"], serde_json::json!([]), "present, empty: {gs1}");
        assert_eq!(gs1["serviceQualitiesConditions"], serde_json::json!([]));
    }
}
