//! Choosing a proxy as kubectl (Go's net/http) does. kube-rs reads HTTPS_PROXY itself but tests
//! NO_PROXY against the proxy's address instead of the server's, and ignores HTTP_PROXY, so the
//! choice is made here and handed to kube as `Config::proxy_url`.
use std::net::IpAddr;

/// The proxy variables, upper case first as Go reads them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyEnv {
    pub https: Option<String>,
    pub http: Option<String>,
    pub no_proxy: Option<String>,
}

impl ProxyEnv {
    pub fn from_env() -> Self {
        let get = |upper: &str, lower: &str| {
            [upper, lower]
                .iter()
                .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        };
        ProxyEnv {
            https: get("HTTPS_PROXY", "https_proxy"),
            http: get("HTTP_PROXY", "http_proxy"),
            no_proxy: get("NO_PROXY", "no_proxy"),
        }
    }
}

/// The proxy for `server`: the kubeconfig cluster's `proxy-url` when it has one (kubectl applies
/// no NO_PROXY to it), else HTTPS_PROXY or HTTP_PROXY by the server's scheme, unless the server
/// is loopback or NO_PROXY covers it. `Err` says what is wrong with the proxy address.
pub fn choose(
    server: &http::Uri,
    kubeconfig_proxy: Option<&str>,
    env: &ProxyEnv,
) -> Result<Option<http::Uri>, String> {
    if let Some(p) = kubeconfig_proxy.filter(|p| !p.trim().is_empty()) {
        return parse_proxy(p, "the kubeconfig's proxy-url").map(Some);
    }
    let host = server.host().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let host = host.to_ascii_lowercase();
    if host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback()) {
        return Ok(None);
    }
    let https = server.scheme_str() != Some("http");
    let port = server.port_u16().unwrap_or(if https { 443 } else { 80 });
    if env.no_proxy.as_deref().is_some_and(|list| no_proxy_covers(list, &host, port)) {
        return Ok(None);
    }
    let (value, name) = if https { (&env.https, "HTTPS_PROXY") } else { (&env.http, "HTTP_PROXY") };
    value.as_deref().map(|v| parse_proxy(v, name)).transpose()
}

/// A proxy address as Go accepts it: a bare `host:port` means `http://host:port`.
fn parse_proxy(value: &str, source: &str) -> Result<http::Uri, String> {
    let value = value.trim();
    let full = if value.contains("://") { value.to_string() } else { format!("http://{value}") };
    let uri: http::Uri =
        full.parse().map_err(|e| format!("{source} \"{value}\" is not a URL ({e})"))?;
    match uri.scheme_str() {
        Some("http" | "https" | "socks5") => Ok(uri),
        other => Err(format!(
            "{source} \"{value}\" uses the scheme {:?}: use http://, https:// or socks5://",
            other.unwrap_or("")
        )),
    }
}

/// Whether a NO_PROXY list covers `host:port`. Entries are `*`, IP addresses, CIDR ranges, or
/// domain names (with an optional `:port`); `example.com` covers itself and its subdomains,
/// `.example.com` and `*.example.com` only the subdomains.
pub fn no_proxy_covers(list: &str, host: &str, port: u16) -> bool {
    let host_ip = host.parse::<IpAddr>().ok();
    list.split(',').map(|e| e.trim().to_ascii_lowercase()).filter(|e| !e.is_empty()).any(|entry| {
        if entry == "*" {
            return true;
        }
        if let Some((net, bits)) = entry.split_once('/') {
            return match (net.parse::<IpAddr>(), bits.parse::<u8>(), host_ip) {
                (Ok(net), Ok(bits), Some(ip)) => in_cidr(ip, net, bits),
                _ => false,
            };
        }
        let (name, entry_port) = split_port(&entry);
        if entry_port.is_some_and(|p| p != port) {
            return false;
        }
        if let Ok(ip) = name.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
            return host_ip == Some(ip);
        }
        let name = name.strip_prefix('*').unwrap_or(name);
        match name.strip_prefix('.') {
            Some(_) => host.ends_with(name),
            None => host == name || host.ends_with(&format!(".{name}")),
        }
    })
}

/// `name:port` into its parts; an IPv6 address without brackets keeps its colons.
fn split_port(entry: &str) -> (&str, Option<u16>) {
    if let Some(rest) = entry.strip_prefix('[')
        && let Some((ip, tail)) = rest.split_once(']')
    {
        return (ip, tail.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match entry.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(p) => (name, Some(p)),
            Err(_) => (entry, None),
        },
        _ => (entry, None),
    }
}

fn in_cidr(ip: IpAddr, net: IpAddr, bits: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) if bits <= 32 => {
            let mask = if bits == 0 { 0 } else { u32::MAX << (32 - bits) };
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) if bits <= 128 => {
            let mask = if bits == 0 { 0 } else { u128::MAX << (128 - bits) };
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(https: Option<&str>, http: Option<&str>, no: Option<&str>) -> ProxyEnv {
        ProxyEnv {
            https: https.map(String::from),
            http: http.map(String::from),
            no_proxy: no.map(String::from),
        }
    }

    fn pick(server: &str, kubeconfig: Option<&str>, e: &ProxyEnv) -> Option<String> {
        choose(&server.parse().unwrap(), kubeconfig, e).unwrap().map(|u| u.to_string())
    }

    #[test]
    fn the_servers_scheme_picks_the_variable() {
        let e = env(Some("http://s:1"), Some("http://p:2"), None);
        assert_eq!(pick("https://k8s.example:6443", None, &e).as_deref(), Some("http://s:1/"));
        assert_eq!(pick("http://k8s.example:8080", None, &e).as_deref(), Some("http://p:2/"));
        assert_eq!(pick("https://k8s.example", None, &env(None, Some("p:2"), None)), None);
    }

    #[test]
    fn a_bare_host_port_is_http_and_other_schemes_are_refused() {
        assert_eq!(
            pick("https://k8s.example", None, &env(Some("proxy:3128"), None, None)).as_deref(),
            Some("http://proxy:3128/")
        );
        let e = env(Some("ftp://proxy:21"), None, None);
        let err = choose(&"https://k8s.example".parse().unwrap(), None, &e).unwrap_err();
        assert!(err.contains("HTTPS_PROXY") && err.contains("socks5://"), "{err}");
    }

    #[test]
    fn loopback_servers_never_use_the_environments_proxy() {
        let e = env(Some("http://s:1"), None, None);
        assert_eq!(pick("https://127.0.0.1:6443", None, &e), None);
        assert_eq!(pick("https://[::1]:6443", None, &e), None);
        assert_eq!(pick("https://localhost:6443", None, &e), None);
        assert!(pick("https://0.0.0.0:6443", None, &e).is_some());
    }

    #[test]
    fn the_kubeconfigs_proxy_url_wins_and_ignores_no_proxy() {
        let e = env(Some("http://s:1"), None, Some("*"));
        assert_eq!(
            pick("https://k8s.example", Some("socks5://sock:1080"), &e).as_deref(),
            Some("socks5://sock:1080/")
        );
    }

    #[test]
    fn no_proxy_entries_match_as_go_does() {
        assert!(no_proxy_covers("*", "anything", 443));
        assert!(no_proxy_covers("example.com", "example.com", 443));
        assert!(no_proxy_covers("example.com", "k8s.example.com", 443));
        assert!(!no_proxy_covers("example.com", "notexample.com", 443));
        assert!(!no_proxy_covers(".example.com", "example.com", 443));
        assert!(no_proxy_covers(".example.com", "a.example.com", 443));
        assert!(no_proxy_covers("*.example.com", "a.example.com", 443));
        assert!(no_proxy_covers("example.com:6443", "example.com", 6443));
        assert!(!no_proxy_covers("example.com:6443", "example.com", 443));
        assert!(no_proxy_covers("10.0.0.0/8", "10.1.2.3", 443));
        assert!(!no_proxy_covers("10.0.0.0/8", "11.1.2.3", 443));
        assert!(no_proxy_covers("10.1.2.3", "10.1.2.3", 443));
        assert!(no_proxy_covers("fd00::/8", "fd00::1", 443));
        assert!(no_proxy_covers(" other.org , EXAMPLE.com ", "example.com", 443));
        assert!(!no_proxy_covers("", "example.com", 443));
    }

    #[test]
    fn no_proxy_covering_the_server_bypasses_the_proxy() {
        let e = env(Some("http://s:1"), None, Some("k8s.example"));
        assert_eq!(pick("https://k8s.example:6443", None, &e), None);
        assert!(pick("https://other.example:6443", None, &e).is_some());
    }
}
