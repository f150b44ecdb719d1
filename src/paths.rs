//! Where okg-console keeps files, following the XDG base directory convention.
use std::path::PathBuf;

fn xdg_dir(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => {
            let home =
                std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
            home.join(fallback)
        }
    }
}

/// `$XDG_STATE_HOME/okg-console` (logs, the audit log, remembered choices).
pub fn state_dir() -> PathBuf {
    xdg_dir("XDG_STATE_HOME", ".local/state").join("okg-console")
}

/// `$XDG_CONFIG_HOME/okg-console` (user themes, config).
pub fn config_dir() -> PathBuf {
    xdg_dir("XDG_CONFIG_HOME", ".config").join("okg-console")
}

pub fn default_log_file() -> PathBuf {
    state_dir().join("okg.log")
}

pub fn default_audit_log() -> PathBuf {
    state_dir().join("audit.jsonl")
}
