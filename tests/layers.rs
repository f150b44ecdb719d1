//! The layer rules of docs/architecture.md, checked by reading the sources: a forbidden import
//! anywhere fails this test with the file, the line and the rule it breaks.
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// One rule: in the files under `dirs` (relative to the repository root, a file or a folder),
/// no code line may contain any of `forbidden`.
struct Rule {
    why: &'static str,
    dirs: &'static [&'static str],
    /// Files (by path suffix) the rule skips, with the reason in a comment at the rule.
    except: &'static [&'static str],
    forbidden: &'static [&'static str],
}

const RULES: &[Rule] = &[
    Rule {
        why: "the domain imports no I/O",
        dirs: &["crates/okg-domain/src"],
        except: &[],
        forbidden: &[
            "tokio",
            "hyper",
            "std::fs",
            "std::net",
            "std::process",
            "kube::Client",
            "kube::Api",
            "kube::api",
            "kube::runtime",
            "kube::config",
            "crossterm",
            "ratatui",
            "okg_console",
            "okg_demo",
        ],
    },
    Rule {
        why: "cluster/ and ops/ never import the TUI, the CLI or the front ends",
        dirs: &["src/cluster", "src/ops"],
        except: &[],
        forbidden: &[
            "crate::tui",
            "crate::commands",
            "crate::cli",
            "okg_console::tui",
            "ratatui",
            "crossterm",
        ],
    },
    Rule {
        why: "the state machine never imports drawing",
        dirs: &["src/tui/app", "src/tui/screens"],
        // A screen's view is drawing; only its state is the state machine's.
        except: &["/view.rs"],
        forbidden: &[
            "tui::view",
            "::view::",
            "ratatui::widgets",
            "ratatui::Frame",
            "ratatui::buffer",
            "ratatui::layout",
            "ratatui::text",
        ],
    },
    Rule {
        why: "drawing never mutates state",
        dirs: &["src/tui/view"],
        except: &[],
        forbidden: &["&mut State", "&mut Overlay", ".update(", "crate::tui::app::update"],
    },
    Rule {
        why: "a screen's view reads its state and never changes it",
        dirs: &["src/tui/screens"],
        except: &["/state.rs", "/run.rs", "/tests.rs", "/mod.rs"],
        forbidden: &[
            "&mut BumpDialog",
            "&mut ReloadDialog",
            "&mut Rollout",
            "&mut ReloadView",
            "&mut State",
        ],
    },
    Rule {
        why: "the CLI and the TUI reach the cluster through the same operations, not each other",
        dirs: &["src/commands"],
        except: &[],
        forbidden: &["crate::tui", "ratatui", "crossterm"],
    },
    Rule {
        why: "front ends never patch or exec themselves: the one write path is cluster/writer \
              and cluster/exec, called from ops/",
        dirs: &["src/commands", "src/tui"],
        except: &[],
        forbidden: &[".patch_game_server", ".patch_pod", "exec::exec", "exec::proxy", "Api::patch"],
    },
    Rule {
        why: "the console reaches the demo only through the session (the demo is an optional feature)",
        dirs: &["src/cluster", "src/ops", "src/tui", "src/cli.rs"],
        except: &[],
        forbidden: &["okg_demo"],
    },
    Rule {
        why: "no `dyn Any` in the console's state machine: screens are a closed enum",
        dirs: &["src/tui", "src/ops", "src/cluster"],
        except: &[],
        forbidden: &["dyn Any", "dyn std::any::Any", "downcast"],
    },
];

fn rust_files(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "rs") {
            out.push(path.to_path_buf());
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(path) else { return };
    for e in entries.flatten() {
        rust_files(&e.path(), out);
    }
}

/// The code of a line: comments (`//`, `///`, `//!`) are not imports.
fn code(line: &str) -> &str {
    match line.find("//") {
        Some(i) => &line[..i],
        None => line,
    }
}

/// Every breach of `rule` under `root`: (file, line number, the forbidden text).
fn breaches(root: &Path, rule: &Rule) -> Vec<String> {
    let mut files = Vec::new();
    for dir in rule.dirs {
        rust_files(&root.join(dir), &mut files);
    }
    let mut out = Vec::new();
    for f in files {
        let shown = f.strip_prefix(root).unwrap_or(&f).display().to_string();
        if rule.except.iter().any(|e| shown.ends_with(e)) {
            continue;
        }
        let text = std::fs::read_to_string(&f).unwrap();
        for (n, line) in text.lines().enumerate() {
            for bad in rule.forbidden {
                if code(line).contains(bad) {
                    out.push(format!("{shown}:{}: `{bad}` ({})", n + 1, rule.why));
                }
            }
        }
    }
    out
}

#[test]
fn every_layer_rule_holds() {
    let root = Path::new(ROOT);
    for rule in RULES {
        for dir in rule.dirs {
            assert!(root.join(dir).exists(), "rule '{}' names {dir}: gone?", rule.why);
        }
    }
    let all: Vec<String> = RULES.iter().flat_map(|r| breaches(root, r)).collect();
    assert!(all.is_empty(), "layer rules broken:\n{}", all.join("\n"));
}

#[test]
fn the_domain_crate_depends_on_no_io_crate() {
    let manifest =
        std::fs::read_to_string(Path::new(ROOT).join("crates/okg-domain/Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).unwrap_or("");
    let deps = deps.split("\n[").next().unwrap_or("");
    for bad in ["tokio", "hyper", "axum", "rustls", "reqwest", "crossterm", "ratatui", "okg-demo"] {
        let named = deps.lines().any(|l| l.trim_start().starts_with(bad));
        assert!(!named, "crates/okg-domain depends on {bad}: the domain imports no I/O");
    }
    // kube only for its derive and types: no client, no runtime.
    let kube = deps.lines().find(|l| l.trim_start().starts_with("kube")).unwrap_or("");
    for feature in ["client", "runtime", "rustls", "ws"] {
        assert!(!kube.contains(feature), "okg-domain's kube has the '{feature}' feature: {kube}");
    }
}

/// The checker itself: a rule does find a forbidden import in a file that has one.
#[test]
fn a_forbidden_import_is_found() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("src/ops")).unwrap();
    std::fs::write(
        dir.path().join("src/ops/x.rs"),
        "// use crate::tui::app; is only a comment here\nuse crate::tui::app::msg::Msg;\n",
    )
    .unwrap();
    let found = breaches(dir.path(), &RULES[1]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].starts_with("src/ops/x.rs:2:"), "{found:?}");
}
