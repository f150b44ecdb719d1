//! Label and field selectors, parsed as the API server does (`=`, `==`, `!=`, `in`, `notin`,
//! `key`, `!key`; fields `metadata.name` and `metadata.namespace`).
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
enum Requirement {
    Equals(String, String),
    NotEquals(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

/// A parsed label selector; the empty selector matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelSelector(Vec<Requirement>);

/// A parsed field selector over `metadata.name` / `metadata.namespace`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

/// Split on commas that are not inside `( … )`.
fn split_top_level(s: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth < 0 {
                    return Err("unbalanced parenthesis".into());
                }
            }
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("unbalanced parenthesis".into());
    }
    parts.push(&s[start..]);
    Ok(parts)
}

/// Label keys: optional DNS prefix + "/" + name of [A-Za-z0-9._-]; values likewise (may be empty).
fn valid_key(k: &str) -> bool {
    let name = k.rsplit_once('/').map_or(k, |(prefix, name)| {
        if prefix.is_empty()
            || !prefix.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
        {
            ""
        } else {
            name
        }
    });
    !name.is_empty() && name.len() <= 63 && valid_value(name)
}

fn valid_value(v: &str) -> bool {
    v.len() <= 63 && v.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

fn checked_key(k: &str) -> Result<String, String> {
    let k = k.trim();
    if valid_key(k) { Ok(k.to_string()) } else { Err(format!("invalid label key \"{k}\"")) }
}

fn checked_value(v: &str) -> Result<String, String> {
    let v = v.trim();
    if valid_value(v) { Ok(v.to_string()) } else { Err(format!("invalid label value: \"{v}\"")) }
}

fn parse_set(rest: &str) -> Result<Vec<String>, String> {
    let rest = rest.trim();
    let inner = rest
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("expected a parenthesised set of values, found \"{rest}\""))?;
    inner.split(',').map(checked_value).collect()
}

fn parse_requirement(term: &str) -> Result<Requirement, String> {
    let t = term.trim();
    if t.is_empty() {
        return Err("found '', expected: identifier".into());
    }
    if let Some(k) = t.strip_prefix('!') {
        return Ok(Requirement::NotExists(checked_key(k)?));
    }
    if let Some((k, v)) = t.split_once("!=") {
        return Ok(Requirement::NotEquals(checked_key(k)?, checked_value(v)?));
    }
    if let Some((k, v)) = t.split_once("==").or_else(|| t.split_once('=')) {
        return Ok(Requirement::Equals(checked_key(k)?, checked_value(v)?));
    }
    // `key in (a,b)` / `key notin (a,b)`: the operator is the second whitespace-separated word.
    let mut words = t.splitn(2, char::is_whitespace);
    let key = words.next().unwrap_or_default();
    let rest = words.next().unwrap_or_default().trim_start();
    if let Some(set) = rest.strip_prefix("notin") {
        return Ok(Requirement::NotIn(checked_key(key)?, parse_set(set)?));
    }
    if let Some(set) = rest.strip_prefix("in") {
        return Ok(Requirement::In(checked_key(key)?, parse_set(set)?));
    }
    if rest.is_empty() {
        return Ok(Requirement::Exists(checked_key(key)?));
    }
    Err(format!("unable to parse requirement: \"{t}\""))
}

impl LabelSelector {
    pub fn parse(s: &str) -> Result<LabelSelector, String> {
        if s.trim().is_empty() {
            return Ok(LabelSelector::default());
        }
        let reqs =
            split_top_level(s)?.into_iter().map(parse_requirement).collect::<Result<_, _>>()?;
        Ok(LabelSelector(reqs))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether an object (its `metadata.labels`) satisfies every requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        if self.0.is_empty() {
            return true;
        }
        let labels = obj.pointer("/metadata/labels");
        let get = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|r| match r {
            Requirement::Equals(k, v) => get(k) == Some(v.as_str()),
            Requirement::NotEquals(k, v) => get(k) != Some(v.as_str()),
            Requirement::In(k, vs) => get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::NotIn(k, vs) => !get(k).is_some_and(|x| vs.iter().any(|v| v == x)),
            Requirement::Exists(k) => get(k).is_some(),
            Requirement::NotExists(k) => get(k).is_none(),
        })
    }
}

impl FieldSelector {
    /// `extra`: the fields this resource supports beyond `metadata.name` / `metadata.namespace`.
    pub fn parse(s: &str, extra: &[&str]) -> Result<FieldSelector, String> {
        let mut terms = Vec::new();
        for term in s.split(',').map(str::trim).filter(|t| !t.is_empty()) {
            let (field, equal, value) = if let Some((f, v)) = term.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                (f, true, v)
            } else {
                return Err(format!("invalid selector: '{term}'; can't understand '{term}'"));
            };
            let field = field.trim();
            if field != "metadata.name" && field != "metadata.namespace" && !extra.contains(&field)
            {
                return Err(format!("field label not supported: {field}"));
            }
            terms.push((field.to_string(), equal, value.trim().to_string()));
        }
        Ok(FieldSelector(terms))
    }

    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(field, equal, value)| {
            let ptr = format!("/{}", field.replace('.', "/"));
            let actual = match obj.pointer(&ptr) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Null) | None => String::new(),
                Some(other) => other.to_string(),
            };
            (&actual == value) == *equal
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pod(labels: Value) -> Value {
        json!({"metadata": {"name": "p", "namespace": "ns", "labels": labels}})
    }

    #[test]
    fn label_operators() {
        let p = pod(json!({"app": "web", "tier": "front"}));
        let m = |s: &str| LabelSelector::parse(s).unwrap().matches(&p);
        assert!(m("app=web"));
        assert!(m("app==web"));
        assert!(!m("app!=web"));
        assert!(m("app in (web, db)"));
        assert!(!m("app notin (web,db)"));
        assert!(m("tier"));
        assert!(!m("!tier"));
        assert!(m("!missing"));
        assert!(m("app=web,tier in (front)"));
        assert!(!m("app=web,tier=back"));
        assert!(m("missing notin (x)"));
        assert!(m(""));
    }

    #[test]
    fn bad_label_selectors_are_rejected() {
        for bad in ["app in (web", "app=we b", "=web", "app===x", "a b c", ",", "app in web"] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn field_selectors() {
        let p = pod(json!({}));
        let m = |s: &str| FieldSelector::parse(s, &[]).unwrap().matches(&p);
        assert!(m("metadata.name=p"));
        assert!(m("metadata.name!=q,metadata.namespace==ns"));
        assert!(!m("metadata.namespace=other"));
        assert!(FieldSelector::parse("spec.nodeName=x", &[]).is_err());
        assert!(FieldSelector::parse("garbage", &[]).is_err());
        let ev = json!({"metadata": {"name": "e"}, "involvedObject": {"name": "p", "kind": "Pod"}});
        let f = FieldSelector::parse(
            "involvedObject.name=p,involvedObject.uid=",
            &["involvedObject.name", "involvedObject.uid"],
        );
        assert!(f.unwrap().matches(&ev));
    }
}
