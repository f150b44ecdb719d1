//! The logs screen's feed, in the I/O shell: one task per (pod, container) stream reads its log
//! (`cluster::logs::lines`) and sends each line to the loop as a `Msg::Logs`. One feed at a
//! time: opening another, or stopping, cancels every task of the last one, so a closed logs
//! screen leaves no stream open.
use futures::StreamExt;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

use crate::cluster::client;
use crate::cluster::logs::{self, LogStream, Options};
use crate::tui::app::msg::{LogEvent, Msg};

#[derive(Default)]
pub struct LogsFeed {
    cancel: Option<CancellationToken>,
    /// Where `ctrl-s` saves (default: `saved-logs` in the state directory).
    pub saved_dir: Option<std::path::PathBuf>,
}

impl LogsFeed {
    /// Read `streams` as feed `feed`, replacing the feed open.
    pub fn open(
        &mut self,
        client: &kube::Client,
        feed: u64,
        streams: Vec<LogStream>,
        options: Options,
        tx: &UnboundedSender<Msg>,
    ) {
        self.stop();
        let cancel = CancellationToken::new();
        for (stream, s) in streams.into_iter().enumerate() {
            let (client, options, tx) = (client.clone(), options.clone(), tx.clone());
            let cancel = cancel.clone();
            tokio::spawn(async move {
                tokio::select! {
                    _ = cancel.cancelled() => {}
                    _ = read(client, feed, stream, s, options, tx) => {}
                }
            });
        }
        self.cancel = Some(cancel);
    }

    pub fn stop(&mut self) {
        if let Some(c) = self.cancel.take() {
            c.cancel();
        }
    }

    /// Whether a feed is open (for tests of the shell).
    pub fn is_open(&self) -> bool {
        self.cancel.is_some()
    }

    /// Write `text` to a new private file and say where, or why not, in a note.
    pub fn save(&self, name: &str, text: &str, tx: &UnboundedSender<Msg>) {
        let dir =
            self.saved_dir.clone().unwrap_or_else(|| crate::paths::state_dir().join("saved-logs"));
        let stamp = jiff::Timestamp::now().strftime("%Y%m%dT%H%M%SZ");
        let safe: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '.' { c } else { '_' })
            .collect();
        let path = dir.join(format!("{safe}-{stamp}.log"));
        let written = crate::paths::open_private_append(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        let note = match written {
            Ok(()) => format!("saved {} lines to {}", text.lines().count(), path.display()),
            Err(e) => format!("cannot save the logs to {}: {e}", path.display()),
        };
        let _ = tx.send(Msg::Note(note));
    }
}

impl Drop for LogsFeed {
    fn drop(&mut self) {
        self.stop();
    }
}

/// One stream until it ends; the end is reported with why. A closed channel (the loop is gone)
/// ends it too.
async fn read(
    client: kube::Client,
    feed: u64,
    stream: usize,
    s: LogStream,
    o: Options,
    tx: UnboundedSender<Msg>,
) {
    let ended = |why: String| Msg::Logs(LogEvent::Ended { feed, stream, why });
    let mut lines = match logs::lines(&client, &s, &o).await {
        Ok(l) => Box::pin(l),
        Err(e) => {
            let _ = tx.send(ended(client::describe(&e)));
            return;
        }
    };
    while let Some(line) = lines.next().await {
        let msg = match line {
            Ok(line) => {
                let at_ms = jiff::Timestamp::now().as_millisecond();
                let (written_ms, text) = split_timestamp(line);
                Msg::Logs(LogEvent::Line { feed, stream, at_ms, written_ms, text })
            }
            Err(e) => {
                let _ = tx.send(ended(format!("the log stream broke: {e}")));
                return;
            }
        };
        if tx.send(msg).is_err() {
            return;
        }
    }
    let why = if o.previous { "end of the previous container's log" } else { "log ended" };
    let _ = tx.send(ended(why.to_string()));
}

/// A line read with `timestamps=true` starts with the kubelet's RFC 3339 time and a space: the
/// time apart (for the line rate), the text as the container wrote it. A line without one is
/// kept whole.
pub fn split_timestamp(line: String) -> (Option<i64>, String) {
    let parsed = line
        .split_once(' ')
        .and_then(|(ts, rest)| Some((ts.parse::<jiff::Timestamp>().ok()?.as_millisecond(), rest)));
    match parsed {
        Some((ms, rest)) => (Some(ms), rest.to_string()),
        None => (None, line),
    }
}

#[cfg(test)]
mod tests {
    use super::split_timestamp;

    #[test]
    fn the_kubelet_timestamp_is_taken_off_the_line() {
        let (ms, text) = split_timestamp("2026-12-03T17:30:10.123456789Z INFO reload ok".into());
        assert_eq!(ms, Some(1_796_319_010_123));
        assert_eq!(text, "INFO reload ok");
        assert_eq!(split_timestamp("INFO no time".into()), (None, "INFO no time".into()));
        assert_eq!(split_timestamp("".into()), (None, "".into()));
    }
}
