//! The sets' reload default, resolved once for both front ends: `okg reload` without `--exec` /
//! `--http`, and the console's reload dialog (which pre-fills its method with it).
//!
//! Where a default comes from: `[reload.<set>]` in the user's config.toml, else the set's
//! annotation `okg-console.io/reload` (`okg_domain::reload_plan::default_for_set`).
//!
//! **A config.toml that exists but cannot be used** (unreadable, not TOML, a bad `[reload.…]`
//! table) is a [`ConfigError`] naming the file, the problem and the fix. It does *not* fall back
//! to the annotations: the file wins over them, so the default it meant to give is unknown and an
//! annotation's could run a different command than the one the user configured. No default is
//! used until the file is fixed; a method given explicitly (the CLI's flags, or typed into the
//! dialog) still works, with the problem shown next to it. A missing config.toml is no problem:
//! the annotations are used.
use std::path::{Path, PathBuf};

use kube::api::Api;
use okg_domain::fleet::Key;
use okg_domain::reload_plan::{self, ReloadConfig, ReloadDefault, ReloadMethod};
use okg_domain::types::{GameServerSet, annotations};

/// `$XDG_CONFIG_HOME/okg-console/config.toml`.
pub fn config_path() -> PathBuf {
    crate::paths::config_dir().join("config.toml")
}

/// Why the config file cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// It exists but could not be read (a directory, no permission, …).
    Unreadable { path: PathBuf, error: String },
    /// Not TOML, or a `[reload.<set>]` table that names no valid method.
    Invalid { path: PathBuf, error: String },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConfigError::Unreadable { path, error } => write!(
                f,
                "cannot read {}: {error}; no reload default is used until it is readable (fix its \
                 permissions, or move it away)",
                path.display()
            ),
            ConfigError::Invalid { path, error } => write!(
                f,
                "{} is not valid: {error}; no reload default is used until it is fixed (format: \
                 docs/reload.md), or move it away",
                path.display()
            ),
        }
    }
}

/// The config file at `path`: `Ok(None)` when there is none.
pub fn load_config_from(path: &Path) -> Result<Option<ReloadConfig>, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(ConfigError::Unreadable { path: path.into(), error: e.to_string() });
        }
    };
    ReloadConfig::parse(&text)
        .map(Some)
        .map_err(|error| ConfigError::Invalid { path: path.into(), error })
}

/// The user's config file ([`config_path`]).
pub fn load_config() -> Result<Option<ReloadConfig>, ConfigError> {
    load_config_from(&config_path())
}

/// What the sets' defaults add up to.
#[derive(Clone, Debug, PartialEq)]
pub enum SetsDefault {
    /// Every set has this one.
    Shared(ReloadDefault),
    /// The sets that have one share it; `without` have none.
    Partial { default: ReloadDefault, without: Vec<String> },
    /// No set has one.
    Missing,
    /// The sets that have one (these) do not agree.
    Differ(Vec<String>),
}

/// The sets' defaults, with `config` read by [`load_config`]. An error is a broken annotation
/// (a broken default is not silently skipped either).
pub fn resolve<'a>(
    config: Option<&ReloadConfig>,
    sets: impl IntoIterator<Item = &'a GameServerSet>,
) -> Result<SetsDefault, String> {
    let mut with: Vec<(String, ReloadDefault)> = Vec::new();
    let mut without = Vec::new();
    for set in sets {
        let name = set.metadata.name.clone().unwrap_or_default();
        let annotation = set.metadata.annotations.as_ref().and_then(|a| a.get(annotations::RELOAD));
        match reload_plan::default_for_set(config, annotation.map(String::as_str), &name)? {
            Some(d) => with.push((name, d)),
            None => without.push(name),
        }
    }
    let Some((_, first)) = with.first() else { return Ok(SetsDefault::Missing) };
    if with.iter().any(|(_, d)| d != first) {
        return Ok(SetsDefault::Differ(with.into_iter().map(|(name, _)| name).collect()));
    }
    let default = first.clone();
    Ok(if without.is_empty() {
        SetsDefault::Shared(default)
    } else {
        SetsDefault::Partial { default, without }
    })
}

/// The sets' reload default for the console's dialog (`None` fields: no default).
#[derive(Clone, Debug, PartialEq)]
pub struct ReloadDefaults {
    pub method: Option<ReloadMethod>,
    pub container: Option<String>,
    /// Why there is none (sets disagree, a bad annotation…), shown under the form.
    pub note: Option<String>,
    /// A config file that cannot be used ([`ConfigError`]), shown as a warning in the dialog.
    pub warning: Option<String>,
}

impl ReloadDefaults {
    fn none(note: String) -> Self {
        ReloadDefaults { method: None, container: None, note: Some(note), warning: None }
    }
}

/// The dialog's defaults from the config read and the sets. The dialog only pre-fills the
/// method, which the user sees and may change, so sets without a default do not stop the others'
/// from being used (the CLI, which runs without showing the method, refuses that case).
pub fn for_dialog<'a>(
    config: Result<Option<ReloadConfig>, ConfigError>,
    sets: impl IntoIterator<Item = &'a GameServerSet>,
) -> ReloadDefaults {
    let config = match config {
        Ok(c) => c,
        Err(e) => {
            let mut d = ReloadDefaults::none("no default method: type one".into());
            d.warning = Some(e.to_string());
            return d;
        }
    };
    match resolve(config.as_ref(), sets) {
        Err(e) => ReloadDefaults::none(e),
        Ok(SetsDefault::Shared(d) | SetsDefault::Partial { default: d, .. }) => match d.method() {
            Ok(m) => ReloadDefaults {
                method: Some(m),
                container: d.container.clone(),
                note: None,
                warning: None,
            },
            Err(e) => ReloadDefaults::none(e),
        },
        Ok(SetsDefault::Missing) => ReloadDefaults::none(format!(
            "no reload default on the set (annotation {} or config.toml)",
            annotations::RELOAD
        )),
        Ok(SetsDefault::Differ(_)) => {
            ReloadDefaults::none("the sets have different reload defaults: type the method".into())
        }
    }
}

/// Read the config file and the sets (read-only requests; a set that cannot be read has no
/// default) and resolve the dialog's defaults.
pub async fn lookup_for_dialog(client: &kube::Client, sets: &[Key]) -> ReloadDefaults {
    let config = load_config();
    let mut found = Vec::new();
    for Key { namespace, name } in sets {
        if let Ok(set) = Api::<GameServerSet>::namespaced(client.clone(), namespace).get(name).await
        {
            found.push(set);
        }
    }
    for_dialog(config, &found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(name: &str, annotation: Option<&str>) -> GameServerSet {
        let mut s = GameServerSet::new(name, Default::default());
        if let Some(a) = annotation {
            s.metadata.annotations =
                Some([(annotations::RELOAD.to_string(), a.to_string())].into());
        }
        s
    }

    const EXEC: &str = r#"{"exec":["nginx","-s","reload"],"container":"app"}"#;
    const HTTP: &str = r#"{"http":"3000/reload"}"#;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("okg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_missing_config_file_is_no_config() {
        let dir = temp_dir("config-missing");
        assert_eq!(load_config_from(&dir.join("config.toml")).unwrap().map(|c| c.reload), None);
    }

    #[test]
    fn an_unreadable_or_invalid_config_file_is_an_error_naming_it() {
        let dir = temp_dir("config-broken");
        // A directory where the file should be: unreadable even for root (tests may run as root,
        // for whom permissions are no obstacle).
        let path = dir.join("config.toml");
        std::fs::create_dir(&path).unwrap();
        let e = load_config_from(&path).unwrap_err();
        assert!(matches!(e, ConfigError::Unreadable { .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.contains(&path.display().to_string()) && text.contains("move it"), "{text}");

        let path = dir.join("invalid.toml");
        std::fs::write(&path, "[reload.gss-2048]\nexec = \"not a list\"\n").unwrap();
        let e = load_config_from(&path).unwrap_err();
        assert!(matches!(e, ConfigError::Invalid { .. }), "{e:?}");
        let text = e.to_string();
        assert!(text.contains(&path.display().to_string()) && text.contains("fixed"), "{text}");

        let path = dir.join("bad-table.toml");
        std::fs::write(&path, "[reload.gss-2048]\ncontainer = \"app\"\n").unwrap();
        let text = load_config_from(&path).unwrap_err().to_string();
        assert!(text.contains("[reload.gss-2048]"), "{text}");
    }

    #[test]
    fn defaults_add_up_per_set() {
        let (a, b, c) = (set("a", Some(EXEC)), set("b", Some(EXEC)), set("c", None));
        assert!(matches!(resolve(None, [&a, &b]), Ok(SetsDefault::Shared(_))));
        assert!(matches!(
            resolve(None, [&a, &c]),
            Ok(SetsDefault::Partial { without, .. }) if without == ["c"]
        ));
        assert_eq!(resolve(None, [&c]), Ok(SetsDefault::Missing));
        let h = set("h", Some(HTTP));
        assert_eq!(resolve(None, [&a, &h]), Ok(SetsDefault::Differ(vec!["a".into(), "h".into()])));
        let broken = set("x", Some("{"));
        assert!(resolve(None, [&a, &broken]).unwrap_err().contains("GameServerSet x"));
        // The config file wins over the annotation.
        let config =
            ReloadConfig::parse("[reload.h]\nexec = [\"nginx\", \"-s\", \"reload\"]\n").unwrap();
        let Ok(SetsDefault::Shared(d)) = resolve(Some(&config), [&h]) else { panic!() };
        assert!(d.method().unwrap().is_exec());
    }

    #[test]
    fn the_dialog_shows_a_broken_config_and_uses_no_default() {
        let a = set("a", Some(EXEC));
        let error = ConfigError::Invalid { path: "/x/config.toml".into(), error: "bad".into() };
        let d = for_dialog(Err(error.clone()), [&a]);
        assert_eq!(d.method, None, "the annotation is not used in the file's place");
        assert_eq!(d.warning, Some(error.to_string()));
        let d = for_dialog(Ok(None), [&a, &set("c", None)]);
        assert!(d.method.unwrap().is_exec());
        assert_eq!((d.container.as_deref(), d.warning), (Some("app"), None));
    }
}
