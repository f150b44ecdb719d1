//! Defaults from the user's config file, `$XDG_CONFIG_HOME/okg-console/config.toml` (the file
//! that also holds `[reload.SET]`, read by `ops::reload_defaults`). Precedence: a flag, then the
//! environment (`OKG_CONTEXT`, `OKG_NAMESPACE`, `OKG_THEME`, `OKG_READ_ONLY`), then this file.
//! clap already resolves flag over environment, so this only fills what neither gave.
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::cli::GlobalArgs;

/// The `[defaults]` table; other tables are for other readers.
#[derive(Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Defaults {
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub theme: Option<String>,
    pub read_only: Option<bool>,
    /// `false`: as `--no-mouse`.
    pub mouse: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
struct File {
    #[serde(default)]
    defaults: Defaults,
}

pub fn path() -> PathBuf {
    crate::paths::config_dir().join("config.toml")
}

/// The `[defaults]` of the file at `path`; none when there is no file.
pub fn load_from(path: &Path) -> Result<Defaults, String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Defaults::default()),
        Err(e) => {
            return Err(format!(
                "cannot read {}: {e}; fix its permissions, or move it away",
                path.display()
            ));
        }
    };
    parse(&text).map_err(|e| {
        format!(
            "{} is not valid: {e}; fix it (format: docs/config.md), or move it away",
            path.display()
        )
    })
}

fn parse(text: &str) -> Result<Defaults, String> {
    toml::from_str::<File>(text).map(|f| f.defaults).map_err(|e| e.message().to_string())
}

/// `global` with what the flags and the environment left unset taken from `defaults`.
/// `read_only_env`: whether `OKG_READ_ONLY` was set (then it decided, even to `false`).
pub fn apply(mut global: GlobalArgs, defaults: Defaults, read_only_env: bool) -> GlobalArgs {
    global.context = global.context.or(defaults.context);
    if !global.all_namespaces {
        global.namespace = global.namespace.or(defaults.namespace);
    }
    global.theme = global.theme.or(defaults.theme);
    global.no_mouse = global.no_mouse || defaults.mouse == Some(false);
    if !global.read_only && !read_only_env {
        global.read_only = defaults.read_only.unwrap_or(false);
    }
    global
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_environment_win_over_the_file() {
        let d = parse("[defaults]\ncontext = \"prod\"\nnamespace = \"games\"\nread-only = true\n\n[reload.gss]\nexec = [\"x\"]\n").unwrap();
        let flags = GlobalArgs { namespace: Some("other".into()), ..Default::default() };
        let g = apply(flags, d, false);
        assert_eq!((g.context.as_deref(), g.namespace.as_deref()), (Some("prod"), Some("other")));
        assert!(g.read_only);
        let d = parse("[defaults]\nread-only = true\n").unwrap();
        assert!(!apply(GlobalArgs::default(), d, true).read_only, "OKG_READ_ONLY=false decides");
        let d = parse("[defaults]\nnamespace = \"games\"\n").unwrap();
        let all = GlobalArgs { all_namespaces: true, ..Default::default() };
        assert_eq!(apply(all, d, false).namespace, None);
    }

    #[test]
    fn mouse_false_is_no_mouse_and_the_flag_cannot_be_undone_by_the_file() {
        let off = || parse("[defaults]\nmouse = false\n").unwrap();
        assert!(apply(GlobalArgs::default(), off(), false).no_mouse);
        let on = parse("[defaults]\nmouse = true\n").unwrap();
        let flag = GlobalArgs { no_mouse: true, ..Default::default() };
        assert!(apply(flag, on, false).no_mouse);
        assert!(!apply(GlobalArgs::default(), Defaults::default(), false).no_mouse);
    }

    #[test]
    fn an_unknown_key_is_named() {
        let e = parse("[defaults]\nnamspace = \"games\"\n").unwrap_err();
        assert!(e.contains("namspace"), "{e}");
        assert!(parse("").unwrap() == Defaults::default());
    }
}
