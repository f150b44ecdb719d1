//! The shell (`s`): refused in read-only with nothing sent; the console's exec with a TTY
//! against the demo (sizes at start and on resize, typed keys, the exit status), falling back
//! from `bash` to `sh`, audited with its outcome.
use std::time::Duration;

use crossterm::event::KeyCode;
use okg_console::cluster::exec::{self, TtyEnds};
use okg_console::cluster::writer::Writer;
use okg_console::ops::audit::AuditLog;
use okg_console::tui::app::state::TableLine;
use okg_domain::fleet::Key;
use okg_domain::reload_plan::Attempt;
use tokio::sync::mpsc;

use super::support::{Harness, NS, demo};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s_in_a_read_only_session_says_why_and_sends_nothing() {
    let mut c = Harness::start(true).await;
    c.run_until("gss-2048-5", Duration::from_secs(15)).await;
    let row = TableLine::Row(Key { namespace: NS.into(), name: "gss-2048-1".into() });
    let pos = c.state.position_of(&row).unwrap();
    c.state.set_cursor_pos(pos);
    c.press(KeyCode::Char('s'));
    let s = c.run_until("shell unavailable", Duration::from_secs(5)).await;
    assert!(s.contains("read-only"), "{s}");
    assert_eq!(c.demo.stats.client_mutations(), 0);
    c.demo.shutdown().await;
}

type Collected = TtyEnds<std::io::Cursor<Vec<u8>>>;

/// Typed input and terminal sizes in, the pod's terminal output collected.
fn ends() -> (mpsc::Sender<Vec<u8>>, mpsc::Sender<(u16, u16)>, Collected) {
    let (typed_tx, typed) = mpsc::channel(8);
    let (size_tx, sizes) = mpsc::channel(8);
    (
        typed_tx,
        size_tx,
        TtyEnds { typed, sizes, output: std::io::Cursor::new(Vec::new()), size: None },
    )
}

fn text(ends: &Collected) -> String {
    String::from_utf8_lossy(ends.output.get_ref()).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tty_exec_gets_the_sizes_the_keys_and_the_exit_status() {
    let d = demo().await;
    let writer = Writer::new(d.client());
    let (typed, sizes, mut ends) = ends();
    sizes.send((120, 40)).await.unwrap();
    let session = tokio::spawn(async move {
        let argv = vec!["sh".to_string()];
        let got = exec::shell(&writer, NS, "gss-2048-0", "app-2048", &argv, &mut ends).await;
        (got, ends)
    });
    // Typed after the prompt, as a person does: kube-rs may send a key queued with the first
    // size before the size.
    tokio::time::sleep(Duration::from_millis(300)).await;
    typed.send(b"stty size\r".to_vec()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    sizes.send((90, 30)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    typed.send(b"stty size; hostname\rexit 5\r".to_vec()).await.unwrap();
    let ((attempt, wrote), ends) =
        tokio::time::timeout(Duration::from_secs(10), session).await.unwrap().unwrap();
    let out = text(&ends);
    assert!(wrote);
    assert_eq!(attempt, Attempt::Exited(5), "{out}");
    assert!(out.contains("stty size\r\n40 120\r\n"), "{out:?}");
    assert!(out.contains("30 90\r\ngss-2048-0\r\n"), "{out:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_falls_back_to_sh_and_is_audited_with_its_outcome() {
    let d = demo().await;
    let writer = Writer::new(d.client());
    let (typed, sizes, mut ends) = ends();
    // The one size sent goes to `bash`'s session; `sh` must start with it too.
    sizes.send((100, 30)).await.unwrap();
    // Typed once `sh` runs: what is typed while `bash` is being refused is lost, as with kubectl.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(800)).await;
        typed.send(b"echo hi; stty size; exit 2\r".to_vec()).await.unwrap();
    });
    let target = okg_console::ops::shell::ShellTarget {
        client: d.client(),
        context: "okg-demo".into(),
        namespace: NS.into(),
        pod: "gss-2048-3".into(),
        container: "sidecar".into(),
    };
    let audit = AuditLog::new(&d.audit);
    let run = okg_console::ops::shell::run(&writer, &target, &audit, &mut ends);
    let outcome = tokio::time::timeout(Duration::from_secs(10), run).await.unwrap();
    assert_eq!(outcome, "exit 2", "{}", text(&ends));
    assert!(text(&ends).contains("hi\r\n30 100\r\n"), "{:?}", text(&ends));
    let records = AuditLog::read_all(&d.audit).unwrap();
    assert_eq!(records.len(), 1, "{records:?}");
    let r = &records[0];
    assert_eq!(r["action"], "shell");
    assert_eq!(r["target"], "pod/gss-2048-3");
    assert_eq!(r["outcome"], "exit 2");
    assert_eq!(r["request"]["tried"], serde_json::json!(["bash", "sh"]));
    assert_eq!(r["request"]["container"], "sidecar");
}
