//! `okg logs`: container logs of pods or GameServers, one or many, as `kubectl logs` prints
//! them; with several pods and `--follow`, one stream merged in arrival order (as stern does).
//! A read: allowed in read-only mode.
use std::time::Duration;

use clap::Args;
use futures::StreamExt;
use tokio::sync::mpsc;

use crate::cli::GlobalArgs;
use crate::cluster::client::{describe, within};
use crate::cluster::logs::{self, Containers, LogStream, Options, SelectError, Selection};
use crate::commands::{exit, preflight};
use crate::signals::Shutdown;

/// With `--set` or `-l` and no `--tail`, the last lines of each container only, as kubectl.
const SELECTION_TAIL: i64 = 10;

#[derive(Args, Debug, Clone)]
pub struct LogsArgs {
    /// Pods or GameServers (a GameServer's pod has its name).
    pub targets: Vec<String>,
    /// Every pod of this GameServerSet.
    #[arg(long)]
    pub set: Option<String>,
    /// Pods matching this label selector.
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// The container (default: the pod's default container, else its first).
    #[arg(short = 'c', long, conflicts_with = "all_containers")]
    pub container: Option<String>,
    /// Every container of each pod.
    #[arg(long)]
    pub all_containers: bool,
    /// Keep printing new lines until the containers stop or Ctrl-C.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// The container before its last restart.
    #[arg(short = 'p', long)]
    pub previous: bool,
    /// The last N lines of each container (default: all; 10 with --set or -l; -1 for all).
    #[arg(long, allow_hyphen_values = true)]
    pub tail: Option<i64>,
    /// Only lines newer than this (5s, 2m, 1h).
    #[arg(long, value_parser = humantime::parse_duration)]
    pub since: Option<Duration>,
    /// Begin each line with the time it was written (RFC 3339).
    #[arg(long)]
    pub timestamps: bool,
    /// Begin each line with `[pod/NAME/CONTAINER]` (on by default for more than one stream).
    #[arg(long)]
    pub prefix: bool,
}

fn usage(msg: &str) -> u8 {
    crate::errln!("okg logs: {msg}");
    exit::USAGE
}

pub async fn run(global: &GlobalArgs, args: LogsArgs) -> u8 {
    if global.all_namespaces {
        return usage("logs reads one namespace: use -n NAMESPACE instead of -A");
    }
    if args.targets.is_empty() && args.set.is_none() && args.selector.is_none() {
        return usage("name pods or GameServers, or select them with --set SET or -l SELECTOR");
    }
    let checked = preflight::names("a pod or GameServer name", &args.targets)
        .and_then(|()| preflight::names("--set", &args.set))
        .and_then(|()| preflight::names("--container", &args.container))
        .and_then(|()| args.selector.as_deref().map_or(Ok(()), preflight::selector));
    if let Err(why) = checked {
        return usage(&why);
    }
    if args.tail.is_some_and(|t| t < -1) {
        return usage("--tail takes a number of lines, or -1 for all");
    }
    let since_seconds = match args.since {
        Some(d) if d.as_secs() == 0 => return usage("--since must be at least 1s"),
        Some(d) => Some(d.as_secs() as i64),
        None => None,
    };
    let session = match crate::commands::open_session(global).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let conn = &session.connection;
    let namespace = conn.default_namespace.clone();
    let sel = Selection {
        names: args.targets.clone(),
        set: args.set.clone(),
        selector: args.selector.clone(),
    };
    let which = match (&args.container, args.all_containers) {
        (Some(c), _) => Containers::Named(c.clone()),
        (None, true) => Containers::All,
        (None, false) => Containers::Main,
    };
    let chosen = match within(conn.request_timeout, logs::pods(&conn.client, &namespace, &sel))
        .await
    {
        Some(Ok(pods)) => logs::streams(&namespace, &pods, &which),
        Some(Err(e)) => Err(e),
        None => {
            crate::errln!("okg logs: {} did not answer in time (--request-timeout)", conn.server);
            return exit::UNREACHABLE;
        }
    };
    let streams = match chosen {
        Ok(s) => s,
        Err(SelectError::Api(e)) => {
            crate::errln!("okg logs: cannot list pods in {namespace}: {}", describe(&e));
            return exit::for_api_error(&e);
        }
        Err(e) => return usage(&e.to_string()),
    };
    let by_selection = args.set.is_some() || args.selector.is_some();
    let opts = Options {
        follow: args.follow,
        previous: args.previous,
        timestamps: args.timestamps,
        tail: match args.tail {
            Some(-1) => None,
            Some(n) => Some(n),
            None if by_selection => Some(SELECTION_TAIL),
            None => None,
        },
        since_seconds,
    };
    let prefixed = args.prefix || streams.len() > 1;
    let code = if args.follow {
        follow(&conn.client, streams, &opts, prefixed).await
    } else {
        one_by_one(&conn.client, &streams, &opts, prefixed).await
    };
    if let Some(demo) = session.demo {
        demo.shutdown().await;
    }
    code
}

fn print(s: &LogStream, line: &str, prefixed: bool) {
    if prefixed {
        crate::outln!("{}{line}", logs::prefix(s));
    } else {
        crate::outln!("{line}");
    }
}

fn failed(s: &LogStream, e: &str) {
    crate::errln!("okg logs: {}/{}: {e}", s.pod, s.container);
}

/// Without `--follow`: each container's log whole, one after the other, as kubectl prints them.
async fn one_by_one(client: &kube::Client, streams: &[LogStream], o: &Options, p: bool) -> u8 {
    let mut code = exit::OK;
    for s in streams {
        match logs::lines(client, s, o).await {
            Ok(mut lines) => {
                while let Some(line) = lines.next().await {
                    match line {
                        Ok(l) => print(s, &l, p),
                        Err(e) => {
                            failed(s, &e.to_string());
                            code = exit::FAILED;
                            break;
                        }
                    }
                }
            }
            Err(e) => {
                failed(s, &describe(&e));
                code = exit::FAILED;
            }
        }
    }
    code
}

/// With `--follow`: every stream at once, lines printed as they arrive, until all end or a
/// signal.
async fn follow(client: &kube::Client, streams: Vec<LogStream>, o: &Options, p: bool) -> u8 {
    let shutdown = Shutdown::install(|| {});
    let (tx, mut rx) = mpsc::channel::<(usize, Result<String, String>)>(1024);
    let mut tasks = Vec::new();
    for (i, s) in streams.iter().enumerate() {
        let (client, s, o, tx) = (client.clone(), s.clone(), o.clone(), tx.clone());
        tasks.push(tokio::spawn(async move {
            match logs::lines(&client, &s, &o).await {
                Ok(mut lines) => {
                    while let Some(line) = lines.next().await {
                        let item = line.map_err(|e| e.to_string());
                        let stop = item.is_err();
                        if tx.send((i, item)).await.is_err() || stop {
                            return;
                        }
                    }
                }
                Err(e) => {
                    let _ = tx.send((i, Err(describe(&e)))).await;
                }
            }
        }));
    }
    drop(tx);
    let mut code = exit::OK;
    loop {
        tokio::select! {
            got = rx.recv() => match got {
                Some((i, Ok(line))) => print(&streams[i], &line, p),
                Some((i, Err(e))) => {
                    failed(&streams[i], &e);
                    code = exit::FAILED;
                }
                None => break,
            },
            _ = shutdown.cancelled() => break,
        }
    }
    for t in tasks {
        t.abort();
    }
    shutdown.exit_code(code)
}
