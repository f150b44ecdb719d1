//! Field selectors as the API server parses them (`metadata.name`, `metadata.namespace`, plus
//! per-resource extras). Label selectors live in `okg::label_selector`.
use serde_json::Value;

pub use okg_domain::label_selector::LabelSelector;

/// A parsed field selector over `metadata.name` / `metadata.namespace`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FieldSelector(Vec<(String, bool, String)>);

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
