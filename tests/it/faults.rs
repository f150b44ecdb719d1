//! Fault injection: a loopback TCP proxy between the console's client and the demo that drops,
//! delays, resets and answers 500 or 429 on a fixed schedule. A whole-set bump (apply, follow)
//! and a reload run through it; the verdicts and the reload results end correct, and the audit
//! log has an outcome for every record it opened.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use okg_console::cluster::client::{self, Target};
use okg_console::cluster::writer::Writer;
use okg_console::ops::audit::{self, AuditLog};
use okg_console::ops::bump::{self, BumpError, OpsContext, Step};
use okg_console::ops::reload::{self, AuditContext, KubeTransport, ReloadPlan};
use okg_domain::bump_plan::{BumpRequest, Scope};
use okg_domain::reload_plan::{Limits, PodResult, ReloadMethod, ReloadTarget};
use okg_domain::rollout::Verdict;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::support::{Demo, NS, demo, follow_options, template_image, with_tag};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Fault {
    Pass,
    /// Close without an answer.
    Drop,
    /// Close with a TCP reset (SO_LINGER 0).
    Reset,
    /// Wait, then pass.
    Delay(u64),
    /// Answer this status with a Kubernetes Status body.
    Status(u16),
}

/// The schedule, by connection number (every request gets its own connection: the proxy asks
/// the server to close after each answer). Reads get everything; writes and exec sessions get
/// the faults a client is expected to ride out without risking a second effect (429, delays),
/// because a dropped PATCH or exec may already have acted.
fn fault(n: usize, read: bool) -> Fault {
    const READS: [Fault; 10] = [
        Fault::Pass,
        Fault::Status(500),
        Fault::Pass,
        Fault::Drop,
        Fault::Pass,
        Fault::Status(429),
        Fault::Pass,
        Fault::Reset,
        Fault::Pass,
        Fault::Delay(700),
    ];
    const WRITES: [Fault; 4] = [Fault::Pass, Fault::Status(429), Fault::Pass, Fault::Delay(500)];
    if read { READS[n % READS.len()] } else { WRITES[n % WRITES.len()] }
}

/// The demo's port (it speaks TLS and plain HTTP).
pub fn demo_port(d: &Demo) -> u16 {
    d.cluster.url().rsplit(':').next().unwrap().parse().unwrap()
}

/// The demo's kubeconfig pointed at a proxy on `port`, over plain HTTP.
pub fn through(d: &Demo, port: u16) -> kube::config::Kubeconfig {
    let mut kubeconfig = d.cluster.kubeconfig();
    for c in &mut kubeconfig.clusters {
        let cluster = c.cluster.as_mut().unwrap();
        cluster.server = Some(format!("http://127.0.0.1:{port}"));
        cluster.certificate_authority_data = None;
    }
    kubeconfig
}

struct Proxy {
    port: u16,
    /// Faults only once armed (the connection's first probe goes through clean).
    armed: Arc<AtomicBool>,
    injected: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start(upstream: u16) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let armed = Arc::new(AtomicBool::new(false));
        let injected = Arc::new(AtomicUsize::new(0));
        let (a, inj) = (armed.clone(), injected.clone());
        tokio::spawn(async move {
            let mut n = 0usize;
            while let Ok((conn, _)) = listener.accept().await {
                n += 1;
                let (armed, injected) = (a.load(Ordering::SeqCst), inj.clone());
                tokio::spawn(async move {
                    let _ = handle(conn, upstream, n, armed, injected).await;
                });
            }
        });
        Proxy { port, armed, injected }
    }
}

async fn handle(
    mut conn: TcpStream,
    upstream: u16,
    n: usize,
    armed: bool,
    injected: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    // The request head (and whatever of the body came with it).
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        let got = conn.read(&mut chunk).await?;
        if got == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..got]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_string();
    let lower = head.to_ascii_lowercase();
    let upgrade = lower.contains("\r\nupgrade:");
    let read = head.starts_with("GET ") && !upgrade;
    let watch = read && head.split_whitespace().nth(1).is_some_and(|p| p.contains("watch=true"));
    let f = if armed { fault(n, read) } else { Fault::Pass };
    if f != Fault::Pass {
        injected.fetch_add(1, Ordering::SeqCst);
    }
    match f {
        Fault::Drop => return Ok(()),
        Fault::Reset => {
            // A zero linger does not block on close: the reset goes out at once.
            #[allow(deprecated)]
            conn.set_linger(Some(Duration::ZERO))?;
            return Ok(());
        }
        Fault::Status(code) => {
            let body = format!(
                r#"{{"kind":"Status","apiVersion":"v1","status":"Failure","message":"injected {code}","code":{code}}}"#
            );
            let reason = if code == 429 { "Too Many Requests" } else { "Internal Server Error" };
            let answer = format!(
                "HTTP/1.1 {code} {reason}\r\ncontent-type: application/json\r\nretry-after: 1\r\n\
                 content-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            conn.write_all(answer.as_bytes()).await?;
            return conn.shutdown().await;
        }
        Fault::Delay(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
        Fault::Pass => {}
    }
    let mut up = TcpStream::connect(("127.0.0.1", upstream)).await?;
    if upgrade {
        up.write_all(&buf).await?;
    } else {
        // One request per connection, so that every request meets the schedule.
        let mut out = buf[..end].to_vec();
        out.extend_from_slice(b"\r\nconnection: close");
        out.extend_from_slice(&buf[end..]);
        up.write_all(&out).await?;
    }
    let copy = tokio::io::copy_bidirectional(&mut conn, &mut up);
    if watch {
        // Watches are cut after a while, as a flaky network cuts long-lived connections.
        let _ = tokio::time::timeout(Duration::from_millis(1500), copy).await;
    } else {
        let _ = copy.await;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bump_and_a_reload_through_a_faulty_network_end_correct_and_audited() {
    let d = demo().await;
    let clean = d.client();
    let proxy = Proxy::start(demo_port(&d)).await;
    let kubeconfig = through(&d, proxy.port);
    let conn = client::connect_with(kubeconfig, &Target::default()).await.unwrap();
    proxy.armed.store(true, Ordering::SeqCst);
    let writer = Writer::new(conn.client.clone()).with_call_client(conn.call_client.clone());
    let ctx = OpsContext {
        client: conn.client.clone(),
        writer: Some(writer.clone()),
        namespace: NS.into(),
        context: "okg-demo".into(),
        audit: AuditLog::new(&d.audit),
        cancel: Default::default(),
        feed: Default::default(),
    };

    // The bump: planned on a clean connection (the operator's screen), applied and followed
    // through the proxy. A read the apply needs may fail with nothing sent: the operator tries
    // again, as the console offers.
    let old = template_image(&clean, "gss-2048", "sidecar").await;
    let new = with_tag(&old, "v2.0");
    let step = Step::Bump {
        set: "gss-2048".into(),
        request: BumpRequest {
            container: "sidecar".into(),
            image: new.clone(),
            scope: Scope::WholeSet,
            canary_allocated: false,
        },
    };
    let plan = bump::plan(&clean, NS, &step).await.unwrap();
    let (tx, mut rx) = mpsc::channel(4096);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let mut tries = 0;
    let applied = loop {
        tries += 1;
        match bump::apply(&ctx, &plan, &step, &tx).await {
            Ok(a) => break a,
            Err(e @ (BumpError::Read { .. } | BumpError::Write { .. }))
                if e.applied().is_empty() && tries < 10 =>
            {
                eprintln!("apply try {tries}: {e}");
            }
            Err(e) => panic!("apply through the proxy: {e}"),
        }
    };
    let report = bump::follow(&conn.client, &applied, &follow_options(), &tx).await;
    assert!(!report.timed_out && !report.cancelled, "{report:?}");
    assert_eq!(report.verdicts.len(), 6, "{report:?}");
    assert!(report.verdicts.values().all(|v| *v == Verdict::InPlace), "{report:?}");
    assert_eq!(template_image(&clean, "gss-2048", "sidecar").await, new);

    // The reload of the same pods through the proxy: exec sessions meet 429s and delays.
    let targets: Vec<ReloadTarget> = (0..6)
        .map(|i| {
            let mut t = ReloadTarget::new(NS, format!("gss-2048-{i}"));
            t.set = Some("gss-2048".into());
            t.container = Some("sidecar".into());
            t
        })
        .collect();
    let plan = ReloadPlan {
        method: ReloadMethod::exec(["nginx", "-s", "reload"]).unwrap(),
        limits: Limits { parallel: 3, retries: 5, ..Limits::default() },
    };
    let audit_ctx = AuditContext {
        log: AuditLog::new(&d.audit),
        user: applied.user.clone(),
        context: "okg-demo".into(),
        namespace: NS.into(),
    };
    let (rtx, mut rrx) = mpsc::channel(4096);
    let rdrain = tokio::spawn(async move { while rrx.recv().await.is_some() {} });
    let reloaded = reload::run(
        Arc::new(KubeTransport::new(&writer)),
        plan,
        targets.into(),
        rtx,
        CancellationToken::new(),
        Some(audit_ctx),
    )
    .await;
    rdrain.await.unwrap();
    for r in &reloaded.results {
        assert!(
            matches!(r.result, PodResult::Succeeded { .. }),
            "{}: {:?}",
            r.target.pod,
            r.result
        );
    }
    assert_eq!(reloaded.summary.succeeded, 6, "{:?}", reloaded.summary);
    assert_eq!(d.cluster.stats.reloads_total.load(Ordering::SeqCst), 6, "each pod reloaded once");

    drop(tx);
    drain.await.unwrap();
    let injected = proxy.injected.load(Ordering::SeqCst);
    eprintln!("faults injected: {injected}; apply tries: {tries}");
    assert!(injected >= 10, "the schedule injected faults");
    let records = AuditLog::read_all(&d.audit).unwrap();
    assert!(records.iter().any(|r| r["action"] == "bump"), "{records:#?}");
    assert_eq!(audit::unfinished(&records), Vec::<String>::new(), "{records:#?}");
    d.cluster.shutdown().await;
}
