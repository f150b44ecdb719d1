//! `okg demo`: serve the demo cluster until Ctrl-C or SIGTERM.
use crate::cli::DemoArgs;
use crate::commands::exit;
use okg_demo::{DemoCluster, DemoOptions};

pub async fn run(args: DemoArgs) -> u8 {
    let options = DemoOptions {
        namespace: args.namespace.clone(),
        replicas: args.replicas,
        tick: args.tick,
        exec_latency: args.exec_latency,
        watch_list: !args.no_watch_list,
    };
    let started = std::time::Instant::now();
    let demo = match DemoCluster::start(args.listen, options).await {
        Ok(d) => d,
        Err(e) => {
            crate::errln!("okg demo: cannot start: {e:#}");
            return exit::FAILED;
        }
    };
    let (serving, warning) = listen_notice(demo.addr, &demo.url());
    crate::outln!("okg demo: {serving} (ready in {:.0?})", started.elapsed());
    if let Some(w) = warning {
        crate::errln!("okg demo: warning: {w}");
    }
    if let Some(path) = &args.write_kubeconfig {
        match write_kubeconfig(&demo, path) {
            Ok(()) => {
                crate::outln!("kubeconfig written to {}", path.display());
                crate::outln!("try: kubectl --kubeconfig {} get gss,gs,pods", path.display());
                crate::outln!("     okg --kubeconfig {}", path.display());
            }
            Err(e) => {
                crate::errln!("okg demo: cannot write the kubeconfig {}: {e}", path.display());
                demo.shutdown().await;
                return exit::FAILED;
            }
        }
    }
    wait_for_signal().await;
    crate::outln!("okg demo: stopping");
    demo.shutdown().await;
    exit::OK
}

fn write_kubeconfig(demo: &DemoCluster, path: &std::path::Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // JSON is valid YAML, and kubectl reads it.
    let text = serde_json::to_string_pretty(&demo.kubeconfig()).map_err(std::io::Error::other)?;
    // It holds the admin token.
    crate::paths::write_private(path, text.as_bytes())
}

/// What `okg demo` says about where it listens: the address it really bound (the port chosen
/// for `:0`, every interface for `0.0.0.0`), the URL to use from this machine when that differs,
/// and a warning when other machines can reach it: the demo serves anyone who has its token,
/// and the token is in every kubeconfig it writes.
fn listen_notice(bound: std::net::SocketAddr, url: &str) -> (String, Option<String>) {
    let ip = bound.ip();
    let scheme_addr = format!("https://{bound}");
    let serving = if scheme_addr == url {
        format!("serving {url}")
    } else {
        format!("serving {scheme_addr} (from this machine: {url})")
    };
    let warning = (!ip.is_loopback()).then(|| {
        let reach = if ip.is_unspecified() {
            "every network interface".to_string()
        } else {
            format!("{ip}, which is not loopback")
        };
        format!(
            "listening on {reach}: other machines can reach this demo cluster and change it              with its admin token; use --listen 127.0.0.1:PORT to keep it on this machine"
        )
    });
    (serving, warning)
}

async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = ctrl_c => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = ctrl_c.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[cfg(test)]
mod tests {
    use super::listen_notice;

    #[test]
    fn loopback_is_quiet_and_names_the_real_port() {
        let (serving, warning) =
            listen_notice("127.0.0.1:41234".parse().unwrap(), "https://127.0.0.1:41234");
        assert_eq!((serving.as_str(), warning), ("serving https://127.0.0.1:41234", None));
        let (_, warning) = listen_notice("[::1]:5".parse().unwrap(), "https://[::1]:5");
        assert_eq!(warning, None);
    }

    #[test]
    fn every_interface_or_another_address_is_named_and_warned_about() {
        let (serving, warning) =
            listen_notice("0.0.0.0:41234".parse().unwrap(), "https://127.0.0.1:41234");
        assert_eq!(
            serving,
            "serving https://0.0.0.0:41234 (from this machine: https://127.0.0.1:41234)"
        );
        assert!(warning.unwrap().contains("every network interface"));
        let (serving, warning) =
            listen_notice("10.1.2.3:8443".parse().unwrap(), "https://10.1.2.3:8443");
        assert_eq!(serving, "serving https://10.1.2.3:8443");
        assert!(warning.unwrap().contains("10.1.2.3, which is not loopback"));
        let (_, warning) = listen_notice("[::]:1".parse().unwrap(), "https://127.0.0.1:1");
        assert!(warning.unwrap().contains("every network interface"));
    }
}
