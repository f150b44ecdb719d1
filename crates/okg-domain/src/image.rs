//! Container image references: `[registry/]repository[:tag][@algo:hex]`, validated with the
//! grammar of the distribution reference library (what the kubelet and registries accept), so a
//! typo is caught before a bump is sent instead of as an `InvalidImageName` on every pod.
//!
//! The grammar is ASCII throughout: every class below is spelled out (`[A-Za-z0-9_]`), never
//! `\w`, which in the regex crate matches any Unicode letter (so `:v2.0é` once passed).
use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

/// A parsed image reference. `Display` gives back the reference as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageRef {
    /// `registry.example.com:5000`, when the first component names a host.
    pub registry: Option<String>,
    /// `team/app`.
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:…`.
    pub digest: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("the image reference is empty: give one like registry.example.com/team/app:v1.2")]
    Empty,
    #[error(
        "the image reference {reference:?} contains {ch:?} (U+{code:04X}) at character {at}: image references are ASCII only (letters, digits and . _ - : / @)",
        code = *ch as u32
    )]
    NonAscii { reference: String, ch: char, at: usize },
    #[error("the image reference {0:?} contains whitespace")]
    Whitespace(String),
    #[error("the tag is empty in {0:?}: write a tag after the ':' (e.g. :v1.2) or remove the ':'")]
    EmptyTag(String),
    #[error(
        "the tag {tag:?} is not valid: a tag is 1 to 128 characters of letters, digits, '_', '.' and '-', and cannot start with '.' or '-'"
    )]
    BadTag { tag: String },
    #[error("the digest is empty in {0:?}: write algo:hex after the '@' (e.g. @sha256:…)")]
    EmptyDigest(String),
    #[error(
        "the digest {digest:?} is not valid: expected algo:hex such as sha256 followed by 64 lowercase hex digits (sha384: 96, sha512: 128; another algorithm: at least 32 hex digits)"
    )]
    BadDigest { digest: String },
    #[error("the registry {registry:?} is not a valid host[:port]")]
    BadRegistry { registry: String },
    #[error(
        "the repository component {component:?} is not valid: use lowercase letters and digits, separated by '.', '_', '__' or '-'"
    )]
    BadComponent { component: String },
    #[error(
        "{0:?} is an image ID (64 hex digits), not a reference: give a repository such as app@sha256:{0}"
    )]
    ImageId(String),
    #[error("the repository name is {len} characters long; at most 255 are allowed")]
    TooLong { len: usize },
}

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$").unwrap());
static COMPONENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$").unwrap());
static ALGORITHM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*$").unwrap());
static HEX: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^[0-9a-fA-F]{32,}$").unwrap());
/// A domain name or a bracketed IPv6 literal, then an optional port.
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$",
    )
    .unwrap()
});

impl ImageRef {
    /// Parse and validate a reference.
    pub fn parse(s: &str) -> Result<ImageRef, ImageError> {
        if s.is_empty() {
            return Err(ImageError::Empty);
        }
        if let Some((at, ch)) = s.chars().enumerate().find(|(_, c)| !c.is_ascii()) {
            return Err(ImageError::NonAscii { reference: s.to_string(), ch, at: at + 1 });
        }
        if s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(ImageError::ImageId(s.to_string()));
        }
        if s.chars().any(char::is_whitespace) {
            return Err(ImageError::Whitespace(s.to_string()));
        }
        let parts = ImageRef::split(s);
        if let Some(d) = &parts.digest {
            parse_digest(s, d)?;
        }
        if let Some(tag) = &parts.tag {
            if tag.is_empty() {
                return Err(ImageError::EmptyTag(s.to_string()));
            }
            if !TAG.is_match(tag) {
                return Err(ImageError::BadTag { tag: tag.clone() });
            }
        }
        // The name is what comes before the tag: `registry/repository`.
        let name_len = parts.registry.as_ref().map_or(0, |r| r.len() + 1) + parts.repository.len();
        if name_len == 0 {
            return Err(ImageError::Empty);
        }
        if let Some(r) = &parts.registry
            && !HOST.is_match(r)
        {
            return Err(ImageError::BadRegistry { registry: r.clone() });
        }
        for component in parts.repository.split('/') {
            if !COMPONENT.is_match(component) {
                return Err(ImageError::BadComponent { component: component.to_string() });
            }
        }
        if name_len > 255 {
            return Err(ImageError::TooLong { len: name_len });
        }
        Ok(parts)
    }

    /// The parts of a reference as written, without validating them: for showing images the
    /// cluster already runs, which need a short form even when they would not parse. `parse`
    /// splits the same way, then checks every part.
    pub fn split(s: &str) -> ImageRef {
        let (rest, digest) = match s.split_once('@') {
            Some((rest, d)) => (rest, Some(d.to_string())),
            None => (s, None),
        };
        // A ':' after the last '/' starts the tag; one before it is a registry port.
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(i) => (&rest[..last_slash + i], Some(rest[last_slash + i + 1..].to_string())),
            None => (rest, None),
        };
        let (registry, repository) = split_registry(name);
        ImageRef {
            registry: registry.map(str::to_string),
            repository: repository.to_string(),
            tag,
            digest,
        }
    }

    /// The part people talk about: the tag, else the digest shortened, else "latest" (implied).
    pub fn version(&self) -> String {
        match (&self.tag, &self.digest) {
            (Some(t), _) => t.clone(),
            (None, Some(d)) => short_digest(d),
            (None, None) => "latest".into(),
        }
    }

    /// The short form tables show for an image the cluster runs: the digest when there is one
    /// (the runtime pulls by digest, whatever the tag says), as `@` and its first 8 hex digits;
    /// else the tag; else `latest` (implied). `app@sha256:0123456789…` → `@01234567`.
    pub fn short_version(&self) -> String {
        match (&self.digest, &self.tag) {
            (Some(d), _) => {
                let hex = d.split_once(':').map_or(d.as_str(), |(_, h)| h);
                format!("@{}", hex.chars().take(8).collect::<String>())
            }
            (None, Some(t)) => t.clone(),
            (None, None) => "latest".into(),
        }
    }

    /// The repository's last component: `registry.example.com/team/app-2048:v1` → `app-2048`.
    pub fn name(&self) -> &str {
        self.repository.rsplit('/').next().unwrap_or(&self.repository)
    }

    /// The reference without registry and path, tag and digest as written:
    /// `registry.example.com/team/2048-sidecar:v2.0` → `2048-sidecar:v2.0`.
    pub fn short_name(&self) -> String {
        let mut out = self.name().to_string();
        if let Some(t) = &self.tag {
            out.push(':');
            out.push_str(t);
        }
        if let Some(d) = &self.digest {
            out.push('@');
            out.push_str(d);
        }
        out
    }

    /// Whether the reference pins a tag or a digest (without one, `:latest` is implied).
    pub fn is_pinned(&self) -> bool {
        self.tag.is_some() || self.digest.is_some()
    }
}

fn parse_digest(whole: &str, d: &str) -> Result<String, ImageError> {
    if d.is_empty() {
        return Err(ImageError::EmptyDigest(whole.to_string()));
    }
    let bad = || ImageError::BadDigest { digest: d.to_string() };
    let (algo, hex) = d.split_once(':').ok_or_else(bad)?;
    if !ALGORITHM.is_match(algo) || !HEX.is_match(hex) {
        return Err(bad());
    }
    // The registered algorithms have a fixed length and lowercase hex.
    let fixed = match algo {
        "sha256" => Some(64),
        "sha384" => Some(96),
        "sha512" => Some(128),
        _ => None,
    };
    if let Some(len) = fixed
        && (hex.len() != len || hex.chars().any(|c| c.is_ascii_uppercase()))
    {
        return Err(bad());
    }
    Ok(d.to_string())
}

/// Docker's rule: the first component is a registry when it contains '.' or ':' or is
/// "localhost" (or has uppercase letters, which repositories never have).
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains('.')
                || first.contains(':')
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((algo, hex)) => format!("{algo}:{}", &hex[..hex.len().min(12)]),
        None => d.to_string(),
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(r) = &self.registry {
            write!(f, "{r}/")?;
        }
        write!(f, "{}", self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

/// The short form of an image the cluster runs, for tables and for telling a running image from
/// the spec's: [`ImageRef::short_version`] of the reference as written, valid or not.
pub fn short_image(image: &str) -> String {
    ImageRef::split(image).short_version()
}

/// The short version label of an image string, for tables ("v2.0"); the raw text when it does
/// not parse.
pub fn version_of(image: &str) -> String {
    ImageRef::parse(image).map(|r| r.version()).unwrap_or_else(|_| image.to_string())
}

/// Whether two references name the same image, as the kubelet reports the one it started
/// (`status.containerStatuses[].image`) against the spec's. OpenKruise compares them as written,
/// adding `:latest` to a spec image without a tag (`defaultCheckContainersInPlaceUpdateCompleted`);
/// container runtimes may also report Docker Hub references in full (`docker.io/library/…`), so
/// those defaults are filled in on both sides too.
pub fn same_image(a: &str, b: &str) -> bool {
    a == b || canonical(a) == canonical(b)
}

/// A reference with Docker's defaults written out: registry `docker.io`, `library/` for a
/// one-component Docker Hub repository, tag `latest` when neither tag nor digest is given.
fn canonical(image: &str) -> ImageRef {
    let mut r = ImageRef::split(image);
    let registry = r.registry.get_or_insert_with(|| "docker.io".into());
    if registry == "index.docker.io" {
        *registry = "docker.io".into();
    }
    if r.registry.as_deref() == Some("docker.io") && !r.repository.contains('/') {
        r.repository = format!("library/{}", r.repository);
    }
    if r.tag.is_none() && r.digest.is_none() {
        r.tag = Some("latest".into());
    }
    r
}

#[cfg(test)]
mod props;

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_registry_repository_and_tag() {
        let r = ImageRef::parse("registry.example.com:5000/team/sidecar:v2.0").unwrap();
        assert_eq!(r.registry.as_deref(), Some("registry.example.com:5000"));
        assert_eq!(r.repository, "team/sidecar");
        assert_eq!(r.tag.as_deref(), Some("v2.0"));
        assert_eq!(r.digest, None);
        assert_eq!(r.to_string(), "registry.example.com:5000/team/sidecar:v2.0");
    }

    #[test]
    fn a_first_component_without_dot_or_port_is_a_repository() {
        let r = ImageRef::parse("okg/2048-sidecar:v1.0").unwrap();
        assert_eq!(r.registry, None);
        assert_eq!(r.repository, "okg/2048-sidecar");
        let r = ImageRef::parse("localhost/app:1").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost"));
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!((r.repository.as_str(), r.tag.clone(), r.is_pinned()), ("nginx", None, false));
        assert_eq!(r.version(), "latest");
    }

    #[test]
    fn a_port_is_not_a_tag() {
        let r = ImageRef::parse("localhost:5000/app").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.tag, None);
    }

    #[test]
    fn parses_digests_with_and_without_tag() {
        let r = ImageRef::parse(&format!("docker.io/library/nginx@{SHA}")).unwrap();
        assert_eq!(r.digest.as_deref(), Some(SHA));
        assert_eq!(r.tag, None);
        assert_eq!(r.version(), "sha256:0123456789ab");
        let r = ImageRef::parse(&format!("nginx:1.27@{SHA}")).unwrap();
        assert_eq!((r.tag.as_deref(), r.digest.as_deref()), (Some("1.27"), Some(SHA)));
        assert_eq!(r.to_string(), format!("nginx:1.27@{SHA}"));
    }

    #[test]
    fn tag_grammar() {
        for ok in ["v1", "_x", "1.0-rc.1", "A_b-C.d", &"a".repeat(128)] {
            assert!(ImageRef::parse(&format!("app:{ok}")).is_ok(), "{ok}");
        }
        for bad in [".v1", "-v1", "v1+meta", "v/1", &"a".repeat(129)] {
            let err = ImageRef::parse(&format!("app:{bad}")).unwrap_err();
            // "v/1" splits at the slash: "app:v" then reads as a registry with a bad port.
            assert!(
                matches!(
                    err,
                    ImageError::BadTag { .. }
                        | ImageError::BadComponent { .. }
                        | ImageError::BadRegistry { .. }
                ),
                "{bad}: {err:?}"
            );
        }
    }

    #[test]
    fn empty_tag_and_digest_are_named() {
        assert_eq!(ImageRef::parse("app:"), Err(ImageError::EmptyTag("app:".into())));
        assert_eq!(ImageRef::parse("app@"), Err(ImageError::EmptyDigest("app@".into())));
        assert!(ImageRef::parse("app:").unwrap_err().to_string().contains("tag is empty"));
    }

    #[test]
    fn bad_digests() {
        for bad in [
            "sha256",
            "sha256:xyz",
            "sha256:0123",                             // too short for any digest
            &format!("{}0", SHA),                      // 65 hex digits
            &SHA.to_uppercase().replace("SHA", "sha"), // uppercase hex
            "1sha:0123456789abcdef0123456789abcdef",
        ] {
            let err = ImageRef::parse(&format!("app@{bad}")).unwrap_err();
            assert!(matches!(err, ImageError::BadDigest { .. }), "{bad}: {err:?}");
        }
        // Unregistered algorithms only need 32+ hex digits.
        assert!(ImageRef::parse("app@blake3:0123456789abcdef0123456789abcdef").is_ok());
    }

    #[test]
    fn bad_names() {
        assert!(matches!(ImageRef::parse("App:v1"), Err(ImageError::BadComponent { .. })));
        assert!(matches!(ImageRef::parse("team//app"), Err(ImageError::BadComponent { .. })));
        assert!(matches!(ImageRef::parse("team/app-:v1"), Err(ImageError::BadComponent { .. })));
        assert!(matches!(ImageRef::parse("-bad.io/app"), Err(ImageError::BadRegistry { .. })));
        assert_eq!(ImageRef::parse(""), Err(ImageError::Empty));
        assert_eq!(ImageRef::parse(":v1"), Err(ImageError::Empty));
        assert!(matches!(ImageRef::parse("app :v1"), Err(ImageError::Whitespace(_))));
        let long = format!("{}:v1", "a".repeat(256));
        assert_eq!(ImageRef::parse(&long), Err(ImageError::TooLong { len: 256 }));
    }

    #[test]
    fn same_image_fills_in_docker_defaults() {
        assert!(same_image("okg/sidecar:v1", "okg/sidecar:v1"));
        assert!(same_image("docker.io/okg/sidecar:v1", "okg/sidecar:v1"));
        assert!(same_image("docker.io/library/nginx:latest", "nginx"));
        assert!(same_image("nginx:latest", "nginx"));
        assert!(same_image("r.example.com:5000/a/b:v1", "r.example.com:5000/a/b:v1"));
        assert!(!same_image("okg/sidecar:v1", "okg/sidecar:v2"));
        assert!(!same_image("r.example.com/okg/sidecar:v1", "okg/sidecar:v1"));
        assert!(!same_image("okg/sidecar:v1-retag", "okg/sidecar:v1"));
    }

    #[test]
    fn short_forms() {
        let r = ImageRef::split("registry.example.com:5000/team/2048-sidecar:v2.0");
        assert_eq!(
            (r.name(), r.short_name(), r.short_version()),
            ("2048-sidecar", "2048-sidecar:v2.0".into(), "v2.0".into())
        );
        // A digest wins over the tag: it is what the runtime pulled.
        let r = ImageRef::split(&format!("r/app:v1@{SHA}"));
        assert_eq!(r.short_version(), "@01234567");
        assert_eq!(r.short_name(), format!("app:v1@{SHA}"));
        assert_eq!(ImageRef::split("localhost:5000/app").short_version(), "latest");
        assert_eq!(short_image("app@sha256:0123456789abcdef"), "@01234567");
    }

    #[test]
    fn split_takes_references_that_do_not_parse() {
        for raw in ["App:V1", "team//app", "", "app:", "app@"] {
            assert!(ImageRef::parse(raw).is_err(), "{raw}");
            assert_eq!(ImageRef::split(raw).to_string(), raw);
        }
        assert_eq!(ImageRef::split("App:V1").short_version(), "V1");
        assert_eq!(ImageRef::split("").short_version(), "latest");
        assert_eq!(short_image("reg.io/app:a:b"), "b");
    }

    #[test]
    fn separators_in_components() {
        for ok in ["a.b", "a_b", "a__b", "a-b", "a---b"] {
            assert!(ImageRef::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["a___b", "a..b", "_a", "a."] {
            assert!(ImageRef::parse(bad).is_err(), "{bad}");
        }
    }
}
