//! Reads and writes of stored objects: list (with selectors, paging and Tables), get, create,
//! replace, patch, delete.
use axum::http::{HeaderMap, Method, header};
use axum::response::Response;
use bytes::{BufMut, Bytes, BytesMut};
use serde_json::{Value, json};
use std::sync::Arc;

use super::query::Query;
use super::{respond, table};
use crate::store::selector::{FieldSelector, LabelSelector};
use crate::store::{ApiError, PatchType, Resource, Store, Stored, Target, patch};

pub struct Selectors {
    pub labels: LabelSelector,
    pub fields: FieldSelector,
}

impl Selectors {
    pub fn parse(q: &Query, r: Resource) -> Result<Selectors, ApiError> {
        let labels = LabelSelector::parse(q.get("labelSelector").unwrap_or(""))
            .map_err(|e| ApiError::bad_request(format!("unable to parse requirement: {e}")))?;
        let fields =
            FieldSelector::parse(q.get("fieldSelector").unwrap_or(""), r.selectable_fields())
                .map_err(|e| {
                    ApiError::bad_request(format!("unable to parse field selector: {e}"))
                })?;
        Ok(Selectors { labels, fields })
    }

    pub fn matches(&self, o: &Stored) -> bool {
        self.labels.matches(&o.value) && self.fields.matches(&o.value)
    }
}

fn accept(headers: &HeaderMap) -> &str {
    headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// Continue tokens are the hex of "namespace/name" of the last item served: opaque to clients,
/// and valid even when objects come and go between pages.
fn continue_token(o: &Stored) -> String {
    format!("{}/{}", o.namespace(), o.name()).bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_continue(token: &str) -> Result<(String, String), ApiError> {
    let bad = || ApiError::bad_request("continue key is not valid");
    if !token.len().is_multiple_of(2) || !token.is_ascii() {
        return Err(bad());
    }
    let bytes: Vec<u8> = (0..token.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&token[i..i + 2], 16))
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let s = String::from_utf8(bytes).map_err(|_| bad())?;
    let (ns, name) = s.split_once('/').ok_or_else(bad)?;
    Ok((ns.to_string(), name.to_string()))
}

pub fn list(
    store: &Store,
    r: Resource,
    ns: Option<&str>,
    q: &Query,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let sel = Selectors::parse(q, r)?;
    let after = q.get("continue").filter(|c| !c.is_empty()).map(decode_continue).transpose()?;
    let limit = q.get("limit").and_then(|l| l.parse::<usize>().ok()).filter(|l| *l > 0);
    let after_key = after.as_ref().map(|(n, name)| (n.as_str(), name.as_str()));
    let (items, rest, rv) =
        store.page(r, ns, after_key, limit.unwrap_or(usize::MAX), |o| sel.matches(o));
    let mut cont = None;
    // Objects after the page, counted before filtering: an upper bound, as the real server's
    // remainingItemCount is an estimate too. A page that ends the scope has no continue.
    let remaining = rest;
    if limit.is_some() && rest > 0 {
        cont = items.last().map(|o| continue_token(o));
    }
    if table::wanted(accept(headers)) {
        let include = table::Include::parse(q.get("includeObject"));
        return Ok(respond::json(200, &table::table(r, &items, rv, include, cont.as_deref())));
    }
    // Concatenate the stored bytes: no re-serialisation of 10,000 objects.
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if let Some(c) = &cont {
        meta["continue"] = json!(c);
        meta["remainingItemCount"] = json!(remaining);
    }
    let head = format!(
        "{{\"kind\":\"{}\",\"apiVersion\":\"{}\",\"metadata\":{},\"items\":[",
        r.list_kind(),
        r.api_version(),
        meta
    );
    let size = head.len() + items.iter().map(|o| o.json.len() + 1).sum::<usize>() + 2;
    let mut buf = BytesMut::with_capacity(size);
    buf.put_slice(head.as_bytes());
    for (i, o) in items.iter().enumerate() {
        if i > 0 {
            buf.put_u8(b',');
        }
        buf.put_slice(&o.json);
    }
    buf.put_slice(b"]}");
    Ok(respond::json_bytes(200, buf.freeze()))
}

fn one(r: Resource, o: &Stored, code: u16, q: &Query, headers: &HeaderMap) -> Response {
    if table::wanted(accept(headers)) {
        let include = table::Include::parse(q.get("includeObject"));
        let t = table::table(
            r,
            &[Arc::new(Stored { value: o.value.clone(), json: Bytes::new(), rv: o.rv })],
            o.rv,
            include,
            None,
        );
        return respond::json(code, &t);
    }
    respond::json_bytes(code, o.json.clone())
}

fn parse_body(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(format!("the request body is not valid JSON: {e}")))
}

fn target(r: Resource, sub: Option<&str>, name: &str) -> Result<Target, ApiError> {
    match sub {
        None => Ok(Target::Main),
        Some("status") if r.has_status() => Ok(Target::Status),
        Some(other) => Err(ApiError::not_found(r, &format!("{name}/{other}"))),
    }
}

/// A request on one named object (or its status).
#[allow(clippy::too_many_arguments)]
pub fn named(
    store: &Store,
    method: &Method,
    r: Resource,
    ns: &str,
    name: &str,
    sub: Option<&str>,
    q: &Query,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let target = target(r, sub, name)?;
    let dry_run = q.get("dryRun").is_some_and(|d| !d.is_empty());
    match *method {
        Method::GET => Ok(one(r, &*store.get(r, ns, name)?, 200, q, headers)),
        Method::PUT => {
            if dry_run {
                return Ok(one(r, &*store.get(r, ns, name)?, 200, q, headers));
            }
            let o = store.replace(r, ns, name, target, parse_body(body)?)?;
            Ok(one(r, &o, 200, q, headers))
        }
        Method::PATCH => {
            let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let pt = PatchType::from_content_type(ct)
                .ok_or_else(|| patch::unsupported_media_type(ct))?;
            if dry_run {
                let current = store.get(r, ns, name)?;
                patch::apply(r, pt, &current.value, body)?;
                return Ok(one(r, &current, 200, q, headers));
            }
            let o = store.patch(r, ns, name, target, pt, body)?;
            Ok(one(r, &o, 200, q, headers))
        }
        Method::DELETE if target == Target::Main => {
            let opts: Value = if body.is_empty() { Value::Null } else { parse_body(body)? };
            let pre_uid = opts.pointer("/preconditions/uid").and_then(Value::as_str);
            let pre_rv = opts.pointer("/preconditions/resourceVersion").and_then(Value::as_str);
            let o = store.delete(r, ns, name, pre_uid, pre_rv)?;
            Ok(one(r, &o, 200, q, headers))
        }
        _ => Err(method_not_allowed(method)),
    }
}

pub fn create(
    store: &Store,
    r: Resource,
    ns: &str,
    q: &Query,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let o = store.create(r, ns, parse_body(body)?)?;
    Ok(one(r, &o, 201, q, headers))
}

pub fn method_not_allowed(method: &Method) -> ApiError {
    ApiError::new(
        405,
        "MethodNotAllowed",
        format!("the server does not allow this method on the requested resource ({method})"),
    )
}
