//! Row filters: a regex over name, state, opsState and images, and a Kubernetes-style label
//! selector over the GameServer's and pod's labels.
use std::collections::BTreeMap;

use regex::Regex;

use crate::okg::fleet::Row;

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

#[derive(Clone, Debug, PartialEq)]
enum Requirement {
    Eq(String, String),
    NotEq(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct LabelSelector {
    pub source: String,
    reqs: Vec<Requirement>,
}

/// Split on commas that are not inside parentheses.
fn split_top(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn set_values(s: &str) -> Result<Vec<String>, String> {
    let inner = s
        .trim()
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .ok_or_else(|| format!("expected (a,b) after in/notin: {s}"))?;
    Ok(inner.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
}

impl LabelSelector {
    /// Parse `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    pub fn parse(source: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        for part in split_top(source) {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let req = if let Some(k) = p.strip_prefix('!') {
                Requirement::NotExists(k.trim().into())
            } else if let Some((k, v)) = p.split_once("!=") {
                Requirement::NotEq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once("==").or_else(|| p.split_once('=')) {
                Requirement::Eq(k.trim().into(), v.trim().into())
            } else if let Some((k, v)) = p.split_once(" notin ") {
                Requirement::NotIn(k.trim().into(), set_values(v)?)
            } else if let Some((k, v)) = p.split_once(" in ") {
                Requirement::In(k.trim().into(), set_values(v)?)
            } else if p.contains(char::is_whitespace) {
                return Err(format!("cannot read selector term \"{p}\""));
            } else {
                Requirement::Exists(p.into())
            };
            reqs.push(req);
        }
        if reqs.is_empty() {
            return Err("empty selector".into());
        }
        Ok(Self { source: source.trim().to_string(), reqs })
    }

    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.reqs.iter().all(|r| match r {
            Requirement::Eq(k, v) => labels.get(k) == Some(v),
            Requirement::NotEq(k, v) => labels.get(k) != Some(v),
            Requirement::In(k, vs) => labels.get(k).is_some_and(|x| vs.contains(x)),
            Requirement::NotIn(k, vs) => labels.get(k).is_none_or(|x| !vs.contains(x)),
            Requirement::Exists(k) => labels.contains_key(k),
            Requirement::NotExists(k) => !labels.contains_key(k),
        })
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
