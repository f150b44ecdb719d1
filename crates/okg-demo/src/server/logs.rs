//! pods/log, as the API server proxies it from the kubelet: plain text, one line per write;
//! `follow` keeps the response open until the container stops or the client leaves.
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use bytes::Bytes;
use tokio::sync::mpsc;

use super::exec::choose_container;
use super::logbook::{self, Instance, Line, Logbook, NoLog};
use super::query::Query;
use super::respond;
use crate::store::{ApiError, Resource, Store};

/// How often a follower looks for new lines: background lines are due every few seconds, and a
/// recorded reload shows within this.
const FOLLOW_POLL: Duration = Duration::from_millis(200);

struct Options {
    follow: bool,
    previous: bool,
    timestamps: bool,
    tail: Option<usize>,
    since_secs: Option<i64>,
}

fn invalid(field: &str, value: &str, why: &str) -> ApiError {
    ApiError::invalid(format!(
        "PodLogOptions \"\" is invalid: {field}: Invalid value: {value}: {why}"
    ))
}

fn options(q: &Query) -> Result<Options, ApiError> {
    let tail = match q.get("tailLines") {
        None => None,
        Some(t) => match t.parse::<i64>() {
            Ok(n) if n >= 0 => Some(n as usize),
            // kubectl sends -1 for "all".
            Ok(-1) => None,
            _ => return Err(invalid("tailLines", t, "must be greater than or equal to 0")),
        },
    };
    let since_secs = match q.get("sinceSeconds") {
        None => None,
        Some(s) => match s.parse::<i64>() {
            Ok(n) if n > 0 => Some(n),
            _ => return Err(invalid("sinceSeconds", s, "must be greater than 0")),
        },
    };
    Ok(Options {
        follow: q.flag("follow"),
        previous: q.flag("previous"),
        timestamps: q.flag("timestamps"),
        tail,
        since_secs,
    })
}

fn render(lines: &[Line], timestamps: bool) -> Bytes {
    let mut out = String::new();
    for l in lines {
        if timestamps {
            // RFC 3339 with the fraction trimmed, as the kubelet's RFC3339Nano.
            match jiff::Timestamp::from_millisecond(l.at_ms) {
                Ok(t) => out.push_str(&t.to_string()),
                Err(_) => out.push('-'),
            }
            out.push(' ');
        }
        out.push_str(&l.text);
        out.push('\n');
    }
    Bytes::from(out)
}

pub async fn logs(
    store: &Store,
    book: &Logbook,
    ns: &str,
    name: &str,
    q: &Query,
) -> Result<Response, ApiError> {
    let pod = store.get(Resource::Pods, ns, name)?;
    let opts = options(q)?;
    let container = choose_container(&pod.value, name, q.get("container"))?;
    let inst = logbook::instance(&pod.value, &container, opts.previous).map_err(|e| match e {
        NoLog::Waiting(reason) => ApiError::bad_request(format!(
            "container \"{container}\" in pod \"{name}\" is waiting to start: {reason}"
        )),
        NoLog::NoPrevious => ApiError::bad_request(format!(
            "previous terminated container \"{container}\" in pod \"{name}\" not found"
        )),
    })?;
    let now = logbook::now_ms();
    let (recorded, seen) = book.since(&inst.id, 0);
    let mut lines = logbook::merge(logbook::background(&inst, i64::MIN, now), recorded);
    if let Some(s) = opts.since_secs {
        let from = now - s * 1000;
        lines.retain(|l| l.at_ms >= from);
    }
    if let Some(n) = opts.tail {
        lines.drain(..lines.len().saturating_sub(n));
    }
    let first = render(&lines, opts.timestamps);
    if !opts.follow || inst.ended_ms.is_some() {
        let mut res = respond::text(200, String::new());
        *res.body_mut() = Body::from(first);
        return Ok(res);
    }
    let (tx, mut rx) = mpsc::channel::<Bytes>(64);
    let _ = tx.try_send(first);
    let follower =
        Follower { store: store.clone(), book: book.clone(), ns: ns.to_string(), inst, seen, now };
    tokio::spawn(follower.run(opts.timestamps, tx));
    let stream = futures::stream::poll_fn(move |cx| {
        rx.poll_recv(cx).map(|o| o.map(Ok::<_, std::convert::Infallible>))
    });
    let mut res = Response::new(Body::from_stream(stream));
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    Ok(res)
}

struct Follower {
    store: Store,
    book: Logbook,
    ns: String,
    inst: Instance,
    /// The last recorded line's sequence number sent, and the time background lines are sent up to.
    seen: u64,
    now: i64,
}

impl Follower {
    /// Send new lines until the client leaves, the pod goes, or the container is replaced (the
    /// kubelet's stream ends with the container it reads).
    async fn run(mut self, timestamps: bool, tx: mpsc::Sender<Bytes>) {
        loop {
            tokio::time::sleep(FOLLOW_POLL).await;
            if tx.is_closed() {
                return;
            }
            let Ok(pod) = self.store.get(Resource::Pods, &self.ns, &self.inst.pod) else { return };
            let same = logbook::instance(&pod.value, &self.inst.container, false)
                .is_ok_and(|i| i.id == self.inst.id && i.ended_ms.is_none());
            if !same {
                return;
            }
            let now = logbook::now_ms();
            let (recorded, seen) = self.book.since(&self.inst.id, self.seen);
            let lines = logbook::merge(logbook::background(&self.inst, self.now, now), recorded);
            (self.seen, self.now) = (seen, now);
            if !lines.is_empty() && tx.send(render(&lines, timestamps)).await.is_err() {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_checked() {
        let o = options(&Query::parse(Some("follow=true&tailLines=5&sinceSeconds=60"))).unwrap();
        assert!(o.follow && !o.previous && !o.timestamps);
        assert_eq!((o.tail, o.since_secs), (Some(5), Some(60)));
        assert_eq!(options(&Query::parse(Some("tailLines=-1"))).unwrap().tail, None);
        let e = options(&Query::parse(Some("tailLines=x"))).err().unwrap();
        assert_eq!(e.code, 422);
        assert!(options(&Query::parse(Some("sinceSeconds=0"))).is_err());
    }

    #[test]
    fn timestamps_prefix_each_line() {
        let lines = [Line { at_ms: 1_767_225_601_120, text: "hi".into() }];
        assert_eq!(render(&lines, true), "2026-01-01T00:00:01.12Z hi\n");
        assert_eq!(render(&lines, false), "hi\n");
    }
}
