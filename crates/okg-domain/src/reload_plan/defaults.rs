//! Per-set defaults: the annotation `okg-console.io/reload` and `[reload.<set>]` in config.toml.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::*;

/// A set's default reload, from the GameServerSet annotation `okg-console.io/reload` (JSON) or
/// `[reload.<set>]` in config.toml. Exactly one of `exec` / `http`.
///
/// ```json
/// {"exec": ["nginx", "-s", "reload"], "container": "app-2048"}
/// {"http": "3000/reload"}
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReloadDefault {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exec: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http: Option<String>,
}

impl ReloadDefault {
    /// Parse the annotation value.
    pub fn from_annotation(value: &str) -> Result<Self, String> {
        let d: ReloadDefault = serde_json::from_str(value)
            .map_err(|e| format!("annotation {}: {e}", crate::types::annotations::RELOAD))?;
        d.method().map(|_| d.clone())
    }

    /// The method this default names.
    pub fn method(&self) -> Result<ReloadMethod, String> {
        match (&self.exec, &self.http) {
            (Some(argv), None) => ReloadMethod::exec(argv.clone()),
            (None, Some(http)) => ReloadMethod::parse_http(http),
            (Some(_), Some(_)) => Err("a reload default has both \"exec\" and \"http\"".into()),
            (None, None) => Err("a reload default needs \"exec\" or \"http\"".into()),
        }
    }
}

/// `config.toml`'s `[reload.<set>]` tables.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ReloadConfig {
    #[serde(default)]
    pub reload: BTreeMap<String, ReloadDefault>,
}

impl ReloadConfig {
    pub fn parse(text: &str) -> Result<Self, String> {
        let c: ReloadConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        for (set, d) in &c.reload {
            d.method().map_err(|e| format!("[reload.{set}]: {e}"))?;
        }
        Ok(c)
    }
}

/// The default for one set: the user's config file wins over the set's annotation (a local,
/// explicit choice), and a broken annotation is an error rather than silently ignored.
pub fn default_for_set(
    config: Option<&ReloadConfig>,
    annotation: Option<&str>,
    set: &str,
) -> Result<Option<ReloadDefault>, String> {
    if let Some(d) = config.and_then(|c| c.reload.get(set)) {
        return Ok(Some(d.clone()));
    }
    match annotation {
        Some(a) => ReloadDefault::from_annotation(a)
            .map(Some)
            .map_err(|e| format!("GameServerSet {set}: {e}")),
        None => Ok(None),
    }
}
