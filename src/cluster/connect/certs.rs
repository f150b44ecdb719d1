//! Client certificates checked before they reach rustls, which reports every problem with the
//! certificate or the key as "invalid private key". The common `openssl x509 -req` recipe without
//! extensions makes an X.509 v1 certificate, which rustls (webpki) cannot use; encrypted or
//! OpenSSH keys, DER files and swapped cert/key paths are the other usual mistakes.
use base64::Engine;
use kube::config::AuthInfo;
use secrecy::ExposeSecret;

/// Where a PEM came from, for messages: "client-certificate /path" or "client-key-data".
struct Source {
    what: String,
    bytes: Vec<u8>,
}

fn load(file: Option<&str>, data: Option<&str>, name: &str) -> Result<Option<Source>, String> {
    if let Some(data) = data.filter(|d| !d.is_empty()) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data.trim())
            .map_err(|e| format!("{name}-data is not base64 ({e})"))?;
        return Ok(Some(Source { what: format!("{name}-data"), bytes }));
    }
    match file.filter(|f| !f.is_empty()) {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {name} {path}: {e}"))?;
            Ok(Some(Source { what: format!("{name} {path}"), bytes }))
        }
        None => Ok(None),
    }
}

/// `Err` names the file and says what to do when the user's client certificate or key cannot work.
pub fn check(auth: &AuthInfo) -> Result<(), String> {
    let cert = load(
        auth.client_certificate.as_deref(),
        auth.client_certificate_data.as_deref(),
        "client-certificate",
    )?;
    let key_data = auth.client_key_data.as_ref().map(|k| k.expose_secret().to_string());
    let key = load(auth.client_key.as_deref(), key_data.as_deref(), "client-key")?;
    match (cert, key) {
        (None, None) => Ok(()),
        (Some(c), None) => Err(format!(
            "the user has {} but no client-key: add the key that belongs to it",
            c.what
        )),
        (None, Some(k)) => Err(format!(
            "the user has {} but no client-certificate: add the certificate that belongs to it",
            k.what
        )),
        (Some(c), Some(k)) => {
            check_cert(&c)?;
            check_key(&k)
        }
    }
}

fn blocks(s: &Source) -> Result<Vec<pem::Pem>, String> {
    let blocks = pem::parse_many(&s.bytes).unwrap_or_default();
    if blocks.is_empty() {
        return Err(format!(
            "{} is not PEM (no \"-----BEGIN ...-----\" line); if it is DER, convert it with `openssl x509 -inform der -in FILE -out FILE.pem` (a key: `openssl pkey -inform der ...`)",
            s.what
        ));
    }
    Ok(blocks)
}

fn check_cert(s: &Source) -> Result<(), String> {
    let blocks = blocks(s)?;
    let Some(first) = blocks.iter().find(|b| b.tag() == "CERTIFICATE") else {
        let tags: Vec<&str> = blocks.iter().map(|b| b.tag()).collect();
        let hint = if tags.iter().any(|t| t.contains("PRIVATE KEY")) {
            ": it holds a private key, so client-certificate and client-key look swapped"
        } else {
            ""
        };
        return Err(format!("{} holds no certificate (found {}){hint}", s.what, tags.join(", ")));
    };
    match x509_version(first.contents()) {
        Some(3) => Ok(()),
        Some(v) => Err(format!(
            "{} is an X.509 v{v} certificate (`openssl x509 -req` without extensions makes one); okg's TLS library accepts only v3: sign it again with extensions, e.g. `openssl x509 -req ... -extfile <(printf 'extendedKeyUsage=clientAuth')`",
            s.what
        )),
        None => Err(format!(
            "{} holds a CERTIFICATE block that is not a valid X.509 certificate",
            s.what
        )),
    }
}

fn check_key(s: &Source) -> Result<(), String> {
    let blocks = blocks(s)?;
    let Some(key) = blocks.iter().find(|b| b.tag().contains("PRIVATE KEY")) else {
        let swapped = blocks.iter().any(|b| b.tag() == "CERTIFICATE");
        let hint = if swapped {
            ": it holds a certificate, so client-certificate and client-key look swapped"
        } else {
            ""
        };
        return Err(format!("{} holds no private key{hint}", s.what));
    };
    let encrypted = key.headers().get("Proc-Type").is_some_and(|v| v.contains("ENCRYPTED"));
    match key.tag() {
        "ENCRYPTED PRIVATE KEY" => Err(format!(
            "{} is encrypted with a passphrase, which kubectl and okg cannot ask for: decrypt it with `openssl pkey -in KEY -out KEY.plain`",
            s.what
        )),
        _ if encrypted => Err(format!(
            "{} is encrypted with a passphrase (Proc-Type: ENCRYPTED): decrypt it with `openssl pkey -in KEY -out KEY.plain`",
            s.what
        )),
        "PRIVATE KEY" | "RSA PRIVATE KEY" | "EC PRIVATE KEY" => Ok(()),
        "OPENSSH PRIVATE KEY" => Err(format!(
            "{} is an OpenSSH key, not a TLS client key: use the key the certificate was issued for",
            s.what
        )),
        other => Err(format!(
            "{} is a \"{other}\", which is not supported: use an RSA, ECDSA or Ed25519 key in PKCS#8 (`openssl pkey -in KEY -out KEY.pk8`)",
            s.what
        )),
    }
}

/// The version of a DER certificate: `Certificate ::= SEQUENCE { tbs SEQUENCE { [0] version
/// DEFAULT v1, ... } ... }`, so a missing `[0]` is v1.
fn x509_version(der: &[u8]) -> Option<u8> {
    let (_, cert) = der_sequence(der)?;
    let (_, tbs) = der_sequence(cert)?;
    match tbs.first()? {
        0xA0 => {
            // [0] { INTEGER v }: A0 len 02 01 v
            let (len, rest) = der_len(&tbs[1..])?;
            let inner = rest.get(..len)?;
            match inner {
                [0x02, 0x01, v] => Some(v + 1),
                _ => None,
            }
        }
        _ => Some(1),
    }
}

/// The content of the SEQUENCE at the start of `der`, and what follows it.
fn der_sequence(der: &[u8]) -> Option<(&[u8], &[u8])> {
    if *der.first()? != 0x30 {
        return None;
    }
    let (len, rest) = der_len(&der[1..])?;
    Some((rest.get(len..)?, rest.get(..len)?))
}

fn der_len(b: &[u8]) -> Option<(usize, &[u8])> {
    let first = *b.first()?;
    if first < 0x80 {
        return Some((first as usize, &b[1..]));
    }
    let n = (first & 0x7f) as usize;
    if n == 0 || n > 4 {
        return None;
    }
    let len = b.get(1..1 + n)?.iter().fold(0usize, |acc, x| (acc << 8) | *x as usize);
    Some((len, &b[1 + n..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/fixtures/certs");

    fn user(cert: &str, key: &str) -> AuthInfo {
        AuthInfo {
            client_certificate: Some(format!("{FIXTURES}/{cert}")),
            client_key: Some(format!("{FIXTURES}/{key}")),
            ..Default::default()
        }
    }

    #[test]
    fn a_v3_certificate_and_its_key_pass() {
        check(&user("client-v3.crt", "client.key")).unwrap();
    }

    #[test]
    fn a_v1_certificate_is_named_as_such() {
        let err = check(&user("client-v1.crt", "client.key")).unwrap_err();
        assert!(err.contains("X.509 v1") && err.contains("client-v1.crt"), "{err}");
        assert!(!err.contains("invalid private key"), "{err}");
    }

    #[test]
    fn swapped_paths_and_encrypted_keys_are_explained() {
        let err = check(&user("client.key", "client-v3.crt")).unwrap_err();
        assert!(err.contains("swapped"), "{err}");
        let err = check(&user("client-v3.crt", "client-encrypted.key")).unwrap_err();
        assert!(err.contains("passphrase"), "{err}");
    }

    #[test]
    fn a_der_file_is_told_apart_from_pem() {
        let err = check(&user("client-v3.der", "client.key")).unwrap_err();
        assert!(err.contains("not PEM") && err.contains("-inform der"), "{err}");
    }
}
