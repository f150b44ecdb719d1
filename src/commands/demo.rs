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
    };
    let started = std::time::Instant::now();
    let demo = match DemoCluster::start(args.listen, options).await {
        Ok(d) => d,
        Err(e) => {
            eprintln!("okg demo: cannot start: {e:#}");
            return exit::FAILED;
        }
    };
    println!("okg demo: serving {} (ready in {:.0?})", demo.url(), started.elapsed());
    if let Some(path) = &args.write_kubeconfig {
        match write_kubeconfig(&demo, path) {
            Ok(()) => {
                println!("kubeconfig written to {}", path.display());
                println!("try: kubectl --kubeconfig {} get gss,gs,pods", path.display());
                println!("     okg --kubeconfig {}", path.display());
            }
            Err(e) => {
                eprintln!("okg demo: cannot write the kubeconfig {}: {e}", path.display());
                demo.shutdown().await;
                return exit::FAILED;
            }
        }
    }
    wait_for_signal().await;
    println!("okg demo: stopping");
    demo.shutdown().await;
    exit::OK
}

fn write_kubeconfig(demo: &DemoCluster, path: &std::path::Path) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    // JSON is valid YAML, and kubectl reads it.
    let text = serde_json::to_string_pretty(&demo.kubeconfig()).map_err(std::io::Error::other)?;
    std::fs::write(path, text)
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
