//! Building responses: JSON bodies and Status errors.
use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;

use crate::store::ApiError;

pub fn json_bytes(code: u16, body: Bytes) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    res
}

pub fn json(code: u16, value: &Value) -> Response {
    json_bytes(code, Bytes::from(serde_json::to_vec(value).unwrap_or_default()))
}

pub fn error(e: &ApiError) -> Response {
    json(e.code, &e.status())
}

pub fn text(code: u16, body: String) -> Response {
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    res
}
