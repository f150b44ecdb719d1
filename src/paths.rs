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

/// Open `path` for appending, creating it (and its directory) readable by the owner only: the
/// audit log and the log file name users, pods and commands, and nothing else on a shared jump
/// host should read them. An existing file keeps its mode (the owner may have chosen it).
pub fn open_private_append(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Write `bytes` to `path`, which ends up readable by the owner only even when it existed: for
/// a file holding a credential (the demo's kubeconfig and its admin token), as kubectl does.
pub fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.create(true).write(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    // The mode above applies only to a file this call creates.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn private_files_are_created_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("a/b/okg.log");
        open_private_append(&log).unwrap();
        assert_eq!(mode(&log), 0o600);
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(&kubeconfig, "old").unwrap();
        std::fs::set_permissions(&kubeconfig, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&kubeconfig, b"new").unwrap();
        assert_eq!(
            (mode(&kubeconfig), std::fs::read_to_string(&kubeconfig).unwrap()),
            (0o600, "new".into())
        );
    }
}
