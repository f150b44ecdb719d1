//! Just enough of the Kubernetes protobuf encoding to read a SelfSubjectAccessReview, which
//! kubectl (`auth can-i`) sends as protobuf: the `k8s\0` envelope (`runtime.Unknown`), then the
//! review's spec.resourceAttributes. Everything else the demo takes as JSON only.
use serde_json::{Map, Value, json};

/// Length-delimited fields (wire type 2) of one message as (number, bytes); other wire types are
/// skipped. `None` on malformed input.
fn fields(mut buf: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    fn varint(buf: &mut &[u8]) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let (&b, rest) = buf.split_first()?;
            *buf = rest;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    let mut out = Vec::new();
    while !buf.is_empty() {
        let key = varint(&mut buf)?;
        match key & 7 {
            0 => {
                varint(&mut buf)?;
            }
            1 => buf = buf.get(8..)?,
            5 => buf = buf.get(4..)?,
            2 => {
                let len = usize::try_from(varint(&mut buf)?).ok()?;
                let (data, rest) = (buf.get(..len)?, buf.get(len..)?);
                out.push((key >> 3, data));
                buf = rest;
            }
            _ => return None,
        }
    }
    Some(out)
}

fn field(buf: &[u8], n: u64) -> Option<&[u8]> {
    fields(buf)?.into_iter().find(|(k, _)| *k == n).map(|(_, v)| v)
}

/// The review as JSON (`{"spec": {"resourceAttributes": {...}}}`), from its protobuf envelope.
pub fn access_review(body: &[u8]) -> Option<Value> {
    let unknown = body.strip_prefix(b"k8s\0")?;
    let raw = field(unknown, 2)?;
    let spec = field(raw, 2).unwrap_or_default();
    let mut review = json!({"spec": {}});
    if let Some(attrs) = field(spec, 1) {
        const NAMES: [&str; 7] =
            ["namespace", "verb", "group", "version", "resource", "subresource", "name"];
        let mut m = Map::new();
        for (n, v) in fields(attrs)? {
            if let Some(name) = usize::try_from(n).ok().and_then(|n| NAMES.get(n.checked_sub(1)?)) {
                m.insert(name.to_string(), json!(String::from_utf8_lossy(v)));
            }
        }
        review["spec"]["resourceAttributes"] = Value::Object(m);
    }
    Some(review)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ld(n: u8, data: &[u8]) -> Vec<u8> {
        let mut v = vec![(n << 3) | 2, data.len() as u8];
        v.extend_from_slice(data);
        v
    }

    #[test]
    fn reads_resource_attributes() {
        let attrs = [ld(1, b"default"), ld(2, b"create"), ld(5, b"pods"), ld(6, b"exec")].concat();
        let raw = [ld(1, b""), ld(2, &ld(1, &attrs))].concat();
        let unknown = [ld(1, &ld(2, b"SelfSubjectAccessReview")), ld(2, &raw)].concat();
        let body = [b"k8s\0".to_vec(), unknown].concat();
        let review = access_review(&body).unwrap();
        assert_eq!(review["spec"]["resourceAttributes"]["verb"], "create");
        assert_eq!(review["spec"]["resourceAttributes"]["subresource"], "exec");
        assert_eq!(review["spec"]["resourceAttributes"]["namespace"], "default");
        assert!(access_review(b"k8s\0\x12\xff").is_none());
        assert!(access_review(b"{}").is_none());
    }
}
