//! The demo API server's HTTP front: authentication, authorization, request accounting, and
//! dispatch to discovery, object reads and writes, watches, exec and the pod proxy.
//!
//! Paths are parsed by hand (`routes`) rather than by a router table because the Kubernetes
//! URL space is irregular (`name:port` proxy targets, optional namespaces, subresources).
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::Method;
use axum::response::Response;
use bytes::Bytes;
use serde_json::{Value, json};

use crate::store::{ApiError, Resource, Store};
use crate::{DemoOptions, DemoStats};

pub mod auth;
pub mod commands;
mod discovery;
mod exec;
pub mod listen;
pub mod logbook;
mod logs;
mod protobuf;
mod proxy;
mod query;
mod respond;
mod rest;
pub mod routes;
pub mod table;
mod tty;
mod watch;

use auth::{Attributes, Identity};
use query::Query;
use routes::Route;

/// Request bodies above this are refused (413); the demo's objects are small.
const MAX_BODY: usize = 16 << 20;

#[derive(Clone)]
struct Ctx {
    store: Store,
    stats: Arc<DemoStats>,
    options: DemoOptions,
    addr: String,
    logbook: logbook::Logbook,
}

pub fn spawn(
    listener: tokio::net::TcpListener,
    store: Store,
    stats: Arc<DemoStats>,
    options: DemoOptions,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    let ctx = Ctx { store, stats, options, addr, logbook: logbook::Logbook::default() };
    let app = Router::new().fallback(handle).with_state(ctx);
    tokio::spawn(async move {
        let serve = listen::serve(listener, app);
        tokio::select! {
            _ = serve => {}
            _ = shutdown.wait_for(|stop| *stop) => {}
        }
    })
}

/// Counts an exec session or proxy call in flight for as long as it lives.
pub struct ReloadGuard(Arc<DemoStats>);

impl ReloadGuard {
    pub fn start(stats: Arc<DemoStats>) -> ReloadGuard {
        let now = stats.reloads_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.reloads_peak.fetch_max(now, Ordering::SeqCst);
        stats.reloads_total.fetch_add(1, Ordering::SeqCst);
        ReloadGuard(stats)
    }
}

impl Drop for ReloadGuard {
    fn drop(&mut self) {
        self.0.reloads_in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn handle(State(ctx): State<Ctx>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let route = routes::parse(parts.uri.path());
    match route {
        Route::Healthz => return respond::text(200, "ok".into()),
        Route::Version => return respond::json(200, &discovery::version()),
        _ => {}
    }
    let Some(who) = Identity::from_headers(&parts.headers) else {
        return respond::error(&ApiError::new(401, "Unauthorized", "Unauthorized"));
    };
    let slot = match who {
        Identity::Admin => 0,
        Identity::Viewer => 1,
        Identity::Controller => 2,
    };
    ctx.stats.requests[slot].fetch_add(1, Ordering::SeqCst);
    let body = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => {
            return respond::error(&ApiError::new(
                413,
                "RequestEntityTooLarge",
                "the request body is too large",
            ));
        }
    };
    let q = Query::parse(parts.uri.query());
    // A self review's body carries nothing the answer depends on, so its encoding does not
    // matter (`kubectl auth whoami` sends protobuf).
    if let Some(e) = unsupported_body(&parts)
        .filter(|_| route != Route::SelfReview && route != Route::AccessReview)
    {
        return respond::error(&e);
    }
    if let Some(attrs) = attributes(&route, &parts.method, &q) {
        count(&ctx.stats, who, &route, &parts.method);
        if !who.allowed(&attrs.verb, &attrs.subresource) {
            return respond::error(&ApiError::new(403, "Forbidden", attrs.forbidden_message(who)));
        }
    }
    match dispatch(&ctx, who, route, parts, q, body).await {
        Ok(r) => r,
        Err(e) => respond::error(&e),
    }
}

/// POST and PUT bodies must be JSON. kubectl sends protobuf for built-in types (for example
/// `kubectl auth can-i`); the demo does not speak it and says so the way the API server does.
fn unsupported_body(parts: &axum::http::request::Parts) -> Option<ApiError> {
    if !matches!(parts.method, Method::POST | Method::PUT) {
        return None;
    }
    let ct = parts.headers.get(axum::http::header::CONTENT_TYPE)?.to_str().unwrap_or("");
    let base = ct.split(';').next().unwrap_or("").trim();
    (!base.is_empty() && base != "application/json" && base != "*/*" && !base.starts_with("text/")).then(|| {
        ApiError::new(
            415,
            "UnsupportedMediaType",
            format!("the body of the request was in an unknown format - accepted media types include: application/json (got {base})"),
        )
    })
}

/// The RBAC attributes of a request; `None` for requests every authenticated user may make
/// (discovery, reviews of oneself).
fn attributes(route: &Route, method: &Method, q: &Query) -> Option<Attributes> {
    let verb = |named: bool| match *method {
        Method::GET | Method::HEAD if q.flag("watch") => "watch",
        Method::GET | Method::HEAD if named => "get",
        Method::GET | Method::HEAD => "list",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if named => "delete",
        Method::DELETE => "deletecollection",
        _ => "unknown",
    };
    match route {
        Route::Object { resource, namespace, name, sub } => {
            let sub = sub.clone().unwrap_or_default();
            let verb = if sub == "exec" { "create" } else { verb(name.is_some()) };
            Some(Attributes {
                verb: verb.into(),
                group: resource.group().into(),
                resource: resource.plural().into(),
                subresource: sub,
                namespace: namespace.clone().unwrap_or_default(),
                name: name.clone().unwrap_or_default(),
            })
        }
        Route::PodLog { namespace, name } => Some(Attributes {
            verb: verb(true).into(),
            resource: "pods".into(),
            subresource: "log".into(),
            namespace: namespace.clone(),
            name: name.clone(),
            ..Default::default()
        }),
        Route::PodProxy { namespace, name, .. } => Some(Attributes {
            verb: verb(true).into(),
            resource: "pods".into(),
            subresource: "proxy".into(),
            namespace: namespace.clone(),
            name: name.clone(),
            ..Default::default()
        }),
        Route::Namespaces { name } => Some(Attributes {
            verb: verb(name.is_some()).into(),
            resource: "namespaces".into(),
            name: name.clone().unwrap_or_default(),
            ..Default::default()
        }),
        _ => None,
    }
}

/// Tally non-read requests per identity: writes, exec sessions and proxy calls.
fn count(stats: &DemoStats, who: Identity, route: &Route, method: &Method) {
    let is_read = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let exec_or_proxy = matches!(route, Route::PodProxy { .. })
        || matches!(route, Route::Object { sub: Some(s), .. } if s == "exec");
    if !is_read || exec_or_proxy {
        let counter = if who == Identity::Controller {
            &stats.controller_mutations
        } else {
            &stats.client_mutations
        };
        counter.fetch_add(1, Ordering::SeqCst);
    }
}

async fn dispatch(
    ctx: &Ctx,
    who: Identity,
    route: Route,
    parts: axum::http::request::Parts,
    q: Query,
    body: Bytes,
) -> Result<Response, ApiError> {
    let method = parts.method.clone();
    let is_get = method == Method::GET || method == Method::HEAD;
    let latency = ctx.options.exec_latency;
    match route {
        Route::Healthz | Route::Version => Ok(respond::json(200, &discovery::version())),
        Route::CoreVersions if is_get => {
            Ok(respond::json(200, &discovery::core_versions(&ctx.addr)))
        }
        Route::Groups if is_get => Ok(respond::json(200, &discovery::groups())),
        Route::GroupVersion { group, version } if is_get => {
            Ok(respond::json(200, &discovery::group_version(&group, &version)))
        }
        Route::AccessReview if method == Method::POST => access_review(who, &body),
        Route::SelfReview if method == Method::POST => Ok(self_review(who)),
        Route::Namespaces { name } if is_get => namespaces(ctx, name.as_deref()),
        Route::PodLog { namespace, name } if is_get => {
            logs::logs(&ctx.store, &ctx.logbook, &namespace, &name, &q).await
        }
        Route::PodProxy { namespace, name, port, path } => {
            proxy::proxy(
                &ctx.store,
                &ctx.logbook,
                ctx.stats.clone(),
                latency,
                &namespace,
                &name,
                port.as_deref(),
                &path,
                &method,
            )
            .await
        }
        Route::Object {
            resource: Resource::Pods,
            namespace: Some(ns),
            name: Some(name),
            sub: Some(sub),
        } if sub == "exec" => {
            if !(method == Method::GET || method == Method::POST) {
                return Err(rest::method_not_allowed(&method));
            }
            exec::exec(&ctx.store, &ctx.logbook, ctx.stats.clone(), latency, &ns, &name, &q, parts)
                .await
        }
        Route::Object { resource, namespace, name: None, sub: None } => match method {
            Method::GET | Method::HEAD if q.flag("watch") => {
                if q.flag("sendInitialEvents") && !ctx.options.watch_list {
                    return Err(ApiError::invalid(
                        "sendInitialEvents is forbidden for watch unless the WatchList feature gate is enabled",
                    ));
                }
                let accept = parts.headers.get(axum::http::header::ACCEPT);
                let accept = accept.and_then(|v| v.to_str().ok()).unwrap_or("");
                watch::watch(&ctx.store, resource, namespace.as_deref(), &q, table::wanted(accept))
            }
            Method::GET | Method::HEAD => {
                rest::list(&ctx.store, resource, namespace.as_deref(), &q, &parts.headers)
            }
            Method::POST => match namespace {
                Some(ns) => rest::create(&ctx.store, resource, &ns, &q, &parts.headers, &body),
                None if !resource.namespaced() => {
                    rest::create(&ctx.store, resource, "", &q, &parts.headers, &body)
                }
                None => Err(rest::method_not_allowed(&method)),
            },
            _ => Err(rest::method_not_allowed(&method)),
        },
        // `routes` gives a named object a namespace exactly when its kind is namespaced.
        Route::Object { resource, namespace, name: Some(name), sub } => rest::named(
            &ctx.store,
            &method,
            resource,
            namespace.as_deref().unwrap_or(""),
            &name,
            sub.as_deref(),
            &q,
            &parts.headers,
            &body,
        ),
        Route::Unknown { group, resource } => Err(ApiError::new(
            404,
            "NotFound",
            if resource.is_empty() {
                "the server could not find the requested resource".to_string()
            } else {
                format!(
                    "the server could not find the requested resource ({resource}{})",
                    if group.is_empty() { String::new() } else { format!(".{group}") }
                )
            },
        )),
        _ => Err(rest::method_not_allowed(&method)),
    }
}

/// SelfSubjectAccessReview: the same rules that guard requests.
fn access_review(who: Identity, body: &[u8]) -> Result<Response, ApiError> {
    // kubectl sends reviews as protobuf; kube-rs and curl as JSON.
    let mut review: Value = match protobuf::access_review(body) {
        Some(review) => review,
        None => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("the request body is not valid JSON: {e}"))
        })?,
    };
    if !review.is_object() {
        return Err(ApiError::bad_request("the request body is not a JSON object"));
    }
    let allowed = match review.pointer("/spec/resourceAttributes") {
        Some(a) => {
            let s = |k: &str| a.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            who.allowed(&s("verb"), &s("subresource"))
        }
        // Non-resource URLs (/healthz, /version, discovery) are open to every user.
        None => true,
    };
    review["apiVersion"] = json!("authorization.k8s.io/v1");
    review["kind"] = json!("SelfSubjectAccessReview");
    review["metadata"] = json!({"creationTimestamp": null});
    review["status"] = if allowed {
        json!({"allowed": true, "reason": format!("RBAC: allowed for user \"{}\"", who.username())})
    } else {
        json!({"allowed": false})
    };
    Ok(respond::json(201, &review))
}

fn self_review(who: Identity) -> Response {
    respond::json(
        201,
        &json!({
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "SelfSubjectReview",
            "metadata": {"creationTimestamp": null},
            "status": {"userInfo": {"username": who.username(), "groups": who.groups()}}
        }),
    )
}

/// Namespaces are not stored: they are the ones objects live in, plus the usual ones.
fn namespaces(ctx: &Ctx, name: Option<&str>) -> Result<Response, ApiError> {
    let mut names: BTreeSet<String> = ["default", "kube-system", ctx.options.namespace.as_str()]
        .into_iter()
        .map(String::from)
        .collect();
    for r in [Resource::GameServerSets, Resource::Pods] {
        names.extend(ctx.store.list(r, None).0.iter().map(|o| o.namespace().to_string()));
    }
    let ns = |n: &str| {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n},
               "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
    };
    match name {
        Some(n) if names.contains(n) => Ok(respond::json(200, &ns(n))),
        Some(n) => Err(ApiError::new(404, "NotFound", format!("namespaces \"{n}\" not found"))),
        None => Ok(respond::json(
            200,
            &json!({"apiVersion": "v1", "kind": "NamespaceList",
                    "metadata": {"resourceVersion": ctx.store.current_rv().to_string()},
                    "items": names.iter().map(|n| ns(n)).collect::<Vec<_>>()}),
        )),
    }
}
