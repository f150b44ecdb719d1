//! Which kubeconfig to read, by kubectl's rules: `--kubeconfig` names one file, which must exist;
//! else every file listed in KUBECONFIG is read and merged (the first file to set a key wins,
//! missing files are skipped); else ~/.kube/config; else, in a pod, its service account.
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use kube::config::Kubeconfig;

use super::incluster;
use crate::cluster::client::ConnectError;

/// A kubeconfig and where it came from, for messages.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub kubeconfig: Kubeconfig,
    /// The files merged, in order; empty for the in-cluster configuration.
    pub files: Vec<PathBuf>,
}

impl Loaded {
    /// "the kubeconfig a.yaml" or "the kubeconfigs a.yaml, b.yaml", for messages.
    pub fn describe(&self) -> String {
        match self.files.as_slice() {
            [] => "the in-cluster configuration".into(),
            [one] => format!("the kubeconfig {}", one.display()),
            many => format!(
                "the kubeconfigs {}",
                many.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
}

/// Read the kubeconfig as the flag and the environment say.
pub fn load(flag: Option<&Path>) -> Result<Loaded, ConnectError> {
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    load_from(flag, std::env::var_os("KUBECONFIG"), &home.join(".kube").join("config"), || {
        incluster::from_env()
    })
}

/// `load` with its inputs spelled out, for tests.
pub fn load_from(
    flag: Option<&Path>,
    env: Option<OsString>,
    default: &Path,
    in_cluster: impl FnOnce() -> Option<Result<Kubeconfig, ConnectError>>,
) -> Result<Loaded, ConnectError> {
    if let Some(path) = flag {
        if !path.exists() {
            return Err(ConnectError::MissingKubeconfig { path: path.to_path_buf() });
        }
        return merge(&[path.to_path_buf()]);
    }
    let listed: Vec<PathBuf> = env
        .as_ref()
        .map(|v| std::env::split_paths(v).filter(|p| !p.as_os_str().is_empty()).collect())
        .unwrap_or_default();
    let candidates = if listed.is_empty() { vec![default.to_path_buf()] } else { listed };
    let present: Vec<PathBuf> = candidates.iter().filter(|p| p.exists()).cloned().collect();
    if !present.is_empty() {
        return merge(&present);
    }
    match in_cluster() {
        Some(Ok(kubeconfig)) => Ok(Loaded { kubeconfig, files: Vec::new() }),
        Some(Err(e)) => Err(e),
        None => Err(ConnectError::NoKubeconfig {
            tried: candidates
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }),
    }
}

/// kube-rs reads each file (making its relative paths absolute) and merges first-wins.
fn merge(files: &[PathBuf]) -> Result<Loaded, ConnectError> {
    let mut merged = Kubeconfig::default();
    for path in files {
        let one = Kubeconfig::read_from(path).map_err(|e| ConnectError::BadKubeconfig {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        merged = merged.merge(one).map_err(|e| ConnectError::BadKubeconfig {
            path: path.clone(),
            reason: format!("cannot merge it with the files before it: {e}"),
        })?;
    }
    Ok(Loaded { kubeconfig: merged, files: files.to_vec() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, context: &str, current: Option<&str>) -> PathBuf {
        let current = current.map(|c| format!("current-context: {c}\n")).unwrap_or_default();
        let text = format!(
            "apiVersion: v1\nkind: Config\n{current}clusters:\n- name: {context}\n  cluster:\n    server: https://{context}.example:6443\ncontexts:\n- name: {context}\n  context:\n    cluster: {context}\n    user: {context}\nusers:\n- name: {context}\n  user:\n    token: t-{context}\n"
        );
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn no_pod() -> Option<Result<Kubeconfig, ConnectError>> {
        None
    }

    #[test]
    fn every_listed_file_is_merged_and_the_first_current_context_wins() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a", "alpha", Some("alpha"));
        let b = write(dir.path(), "b", "beta", Some("beta"));
        let missing = dir.path().join("missing");
        let env = std::env::join_paths([&a, &missing, &b]).unwrap();
        let loaded = load_from(None, Some(env), &dir.path().join("default"), no_pod).unwrap();
        let names: Vec<_> = loaded.kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["alpha", "beta"]);
        assert_eq!(loaded.kubeconfig.current_context.as_deref(), Some("alpha"));
        assert_eq!(loaded.files, [a, b]);
    }

    #[test]
    fn the_flag_names_one_file_that_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = load_from(Some(&missing), None, &missing, no_pod).unwrap_err();
        assert!(matches!(err, ConnectError::MissingKubeconfig { .. }), "{err}");
    }

    #[test]
    fn without_any_file_the_pods_service_account_is_used_or_the_paths_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let default = dir.path().join("config");
        let pod = || {
            Some(Ok(Kubeconfig {
                current_context: Some("in-cluster".into()),
                ..Default::default()
            }))
        };
        let loaded = load_from(None, None, &default, pod).unwrap();
        assert!(loaded.files.is_empty());
        let err = load_from(None, None, &default, no_pod).unwrap_err().to_string();
        assert!(err.contains(&default.display().to_string()), "{err}");
    }

    #[test]
    fn a_broken_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad");
        std::fs::write(&bad, "clusters: [ {").unwrap();
        let err = load_from(Some(&bad), None, &bad, no_pod).unwrap_err().to_string();
        assert!(err.contains(&bad.display().to_string()), "{err}");
    }
}
