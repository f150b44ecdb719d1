//! Row filters: a regex over name, state, opsState and images, and a Kubernetes-style label
//! selector over the GameServer's and pod's labels.
use std::collections::BTreeMap;

use regex::Regex;

use okg_domain::fleet::Row;
use okg_domain::label_selector;

#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub text: Option<Regex>,
    pub labels: Option<LabelSelector>,
}

impl Filter {
    pub fn is_active(&self) -> bool {
        self.text.is_some() || self.labels.is_some()
    }

    pub fn matches(&self, row: &Row, labels: impl FnOnce() -> BTreeMap<String, String>) -> bool {
        if let Some(re) = &self.text {
            let hit = re.is_match(&row.key.name)
                || re.is_match(&row.state)
                || re.is_match(&row.ops_state)
                || row.images.iter().any(|i| re.is_match(&i.image));
            if !hit {
                return false;
            }
        }
        match &self.labels {
            Some(sel) => sel.matches(&labels()),
            None => true,
        }
    }

    /// "/ Ready · l app=x", for the status bar.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(re) = &self.text {
            parts.push(format!("/{}", re.as_str()));
        }
        if let Some(l) = &self.labels {
            parts.push(format!("-l {}", l.source));
        }
        parts.join(" ")
    }
}

/// A label selector as the user typed it (shown in the status bar) and as parsed by the same
/// rules the API server uses.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelSelector {
    pub source: String,
    selector: label_selector::LabelSelector,
}

impl LabelSelector {
    /// Parse `a=b,c!=d,e in (x,y),f notin (z),g,!h`; an empty filter is an error here (the
    /// prompt clears the filter instead).
    pub fn parse(source: &str) -> Result<Self, String> {
        let selector = label_selector::LabelSelector::parse(source)?;
        if selector.is_empty() {
            return Err("empty selector".into());
        }
        Ok(Self { source: source.trim().to_string(), selector })
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.selector.matches_labels(labels)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn selector_terms() {
        let l = labels(&[("app", "x"), ("tier", "game")]);
        assert!(LabelSelector::parse("app=x").unwrap().matches(&l));
        assert!(!LabelSelector::parse("app!=x").unwrap().matches(&l));
        assert!(LabelSelector::parse("tier in (game,web),app").unwrap().matches(&l));
        assert!(!LabelSelector::parse("tier notin (game)").unwrap().matches(&l));
        assert!(LabelSelector::parse("!missing").unwrap().matches(&l));
        assert!(!LabelSelector::parse("missing").unwrap().matches(&l));
        assert!(LabelSelector::parse("a b").is_err());
        assert!(LabelSelector::parse(" ").is_err());
    }
}
