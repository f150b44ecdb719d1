//! The NETWORK cell: where players reach a GameServer, from `status.networkStatus` as OKG's
//! network plugins write it (`externalAddresses[].ip` or `.endPoint`, with `ports[].port` or
//! `portRange`), and `currentNetworkState` when it is not Ready.
use serde_json::Value;

use crate::types::NetworkStatus;

/// One address as `ip:port,port`; `None` when it names neither an IP nor an endpoint.
fn address(a: &Value) -> Option<String> {
    let host = a
        .get("ip")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .or_else(|| a.get("endPoint").and_then(Value::as_str).filter(|s| !s.is_empty()))?;
    // `port` is an int-or-string.
    let ports: Vec<String> = a
        .get("ports")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|p| match p.get("port")? {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        })
        .collect();
    let range = a.get("portRange").and_then(|r| r.get("portRange")).and_then(Value::as_str);
    Some(match (ports.is_empty(), range) {
        (false, _) => format!("{host}:{}", ports.join(",")),
        (true, Some(r)) => format!("{host}:{r}"),
        (true, None) => host.to_string(),
    })
}

/// Every external address as `ip:port,port`, in the order OKG lists them: what players
/// connect to, which an in-place update must keep.
pub fn external_addresses(status: Option<&NetworkStatus>) -> Vec<String> {
    status.map(|st| st.external_addresses.iter().filter_map(address).collect()).unwrap_or_default()
}

/// The cell's text, kept on the row (a few bytes; the status itself is not kept):
/// `203.0.113.11:8002`, `+N` when there are more addresses, the state first when it is not
/// Ready (`Waiting`, `NotReady 203.0.113.11:8002`). `None` when the GameServer reports no
/// network at all (no network plugin), shown as `-`.
pub fn cell(status: Option<&NetworkStatus>) -> Option<Box<str>> {
    let st = status?;
    let addrs: Vec<String> = st.external_addresses.iter().filter_map(address).collect();
    let state = st.current_network_state.as_deref().filter(|s| !s.is_empty() && *s != "Ready");
    let mut text = match addrs.split_first() {
        Some((first, [])) => first.clone(),
        Some((first, rest)) => format!("{first} +{}", rest.len()),
        None => String::new(),
    };
    if let Some(state) = state {
        text = if text.is_empty() { state.to_string() } else { format!("{state} {text}") };
    }
    (!text.is_empty()).then(|| text.into_boxed_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(v: Value) -> NetworkStatus {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn the_external_address_with_its_ports() {
        let st = status(json!({"currentNetworkState": "Ready", "externalAddresses": [
            {"ip": "203.0.113.11", "ports": [{"name": "game", "port": 8002}, {"name": "q", "port": "8003"}]}
        ], "internalAddresses": [{"ip": "10.244.0.2", "ports": [{"name": "game", "port": 7777}]}]}));
        assert_eq!(cell(Some(&st)).as_deref(), Some("203.0.113.11:8002,8003"));
    }

    #[test]
    fn endpoints_ranges_more_addresses_and_states() {
        let st = status(json!({"externalAddresses": [
            {"ip": "", "endPoint": "lb.example.com", "portRange": {"portRange": "9000-9009"}},
            {"ip": "198.51.100.7"}
        ]}));
        assert_eq!(cell(Some(&st)).as_deref(), Some("lb.example.com:9000-9009 +1"));
        let waiting = status(json!({"currentNetworkState": "Waiting"}));
        assert_eq!(cell(Some(&waiting)).as_deref(), Some("Waiting"));
        let not_ready = status(json!({"currentNetworkState": "NotReady",
            "externalAddresses": [{"ip": "203.0.113.11", "ports": [{"port": 8002}]}]}));
        assert_eq!(cell(Some(&not_ready)).as_deref(), Some("NotReady 203.0.113.11:8002"));
        // Only the pod's own address (the IP column has it): nothing for players to reach.
        let internal = status(json!({"currentNetworkState": "Ready",
            "internalAddresses": [{"ip": "10.244.0.2"}]}));
        assert_eq!(cell(Some(&internal)), None);
        assert_eq!(cell(None), None);
    }
}
