//! The keymap against itself and against docs/keys.md.
use super::*;
use crossterm::event::KeyEvent;

/// docs/keys.md carries the generated table; `OKG_WRITE_DOCS=1 cargo test keys_doc` rewrites it.
#[test]
fn keys_doc_matches_the_keymap() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/keys.md");
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    let marker = "<!-- generated from src/tui/app/keymap/ -->\n";
    let head = doc.split(marker).next().unwrap_or("").to_string();
    let want = format!("{head}{marker}{}", markdown());
    if std::env::var_os("OKG_WRITE_DOCS").is_some() {
        std::fs::write(path, &want).unwrap();
    }
    assert_eq!(doc, want, "docs/keys.md is stale: OKG_WRITE_DOCS=1 cargo test keys_doc");
}

#[test]
fn every_action_is_reachable_and_described() {
    use Action::*;
    for a in [
        Up,
        Down,
        PageUp,
        PageDown,
        Top,
        Bottom,
        ToggleMark,
        MarkGroup,
        Visual,
        MarkMatching,
        ClearMarks,
        ToggleFold,
        FoldAll,
        Detail,
        Filter,
        ClearFilter,
        Logs,
        PreviousLogs,
        Command,
        Help,
        Bump,
        Rollout,
        Reload,
        Shell,
        Back,
        Quit,
    ] {
        let b = BINDINGS.iter().find(|b| b.action == a).expect("bound");
        assert!(!b.help.is_empty());
        let (code, mods) = b.keys[0];
        let ctx = b.contexts[0];
        assert_eq!(lookup(ctx, &KeyEvent::new(code, mods)), Some(a), "{a:?}");
    }
}

#[test]
fn every_binding_answers_its_keys_in_each_of_its_contexts() {
    for b in all() {
        assert!(!b.help.is_empty());
        for ctx in b.contexts {
            for (code, mods) in b.keys {
                let got = lookup(*ctx, &KeyEvent::new(*code, *mods));
                assert_eq!(got, Some(b.action), "{code:?} in {ctx:?}");
            }
        }
    }
}

#[test]
fn no_key_means_two_things_in_one_context() {
    for ctx in Context::ALL {
        let mut seen = Vec::new();
        for b in all().filter(|b| b.contexts.contains(&ctx)) {
            for k in b.keys {
                assert!(!seen.contains(k), "{k:?} twice in {ctx:?}");
                seen.push(*k);
            }
        }
    }
}
