//! The `:` command line's words, as k9s spells them: resource aliases (`:gs`, `:gss`, `:pod`),
//! `:ns`, `:ctx`, `:q`, and what `tab` completes. Pure: names come in, a parsed command or a
//! completion goes out.

/// What a command names; its words in `WORDS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verb {
    GameServers,
    Sets,
    Pods,
    Context,
    Namespace,
    Quit,
}

/// Every spelling of each verb, the full word first (completion offers it).
pub const WORDS: &[(Verb, &[&str])] = &[
    (Verb::GameServers, &["gameservers", "gameserver", "gs"]),
    (Verb::Sets, &["gameserversets", "gameserverset", "gss"]),
    (Verb::Pods, &["pods", "pod", "po"]),
    (Verb::Context, &["context", "ctx"]),
    (Verb::Namespace, &["namespace", "ns"]),
    (Verb::Quit, &["quit", "q"]),
];

/// A parsed command line: the verb and its name, if one was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub verb: Verb,
    pub name: Option<String>,
}

/// The known commands, in words, for an unknown one.
pub fn known() -> String {
    let spell = |v: Verb| {
        let w = WORDS.iter().find(|(x, _)| *x == v).map(|(_, w)| *w).unwrap_or_default();
        let short = w.last().copied().unwrap_or_default();
        short.to_string()
    };
    format!(
        "known: {} [NAME], {} [NAME], {} [NAME], {} [NAME|all], {} [NAME], {}",
        spell(Verb::GameServers),
        spell(Verb::Sets),
        spell(Verb::Pods),
        spell(Verb::Namespace),
        spell(Verb::Context),
        spell(Verb::Quit),
    )
}

fn verb_of(word: &str) -> Option<Verb> {
    WORDS.iter().find(|(_, ws)| ws.contains(&word)).map(|(v, _)| *v)
}

pub fn parse(text: &str) -> Result<Command, String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let (first, rest) = match words.split_first() {
        Some((f, r)) => (*f, r),
        None => return Err(known()),
    };
    let Some(verb) = verb_of(first) else {
        return Err(format!("unknown command {first:?}; {}", known()));
    };
    match (verb, rest) {
        (Verb::Quit, []) => Ok(Command { verb, name: None }),
        (Verb::Quit, _) => Err("q takes no name".into()),
        (_, []) => Ok(Command { verb, name: None }),
        (_, [name]) => Ok(Command { verb, name: Some(name.to_string()) }),
        (_, _) => Err(format!("{first} takes one name at most")),
    }
}

/// What `tab` does to the line: the new text, and the candidates when more than one is left
/// (shown under the prompt).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    pub candidates: Vec<String>,
}

/// Complete the command word, then (after a space) the name; `names` gives the names a verb
/// can take. A single candidate is filled in whole (a command with a space after it); several
/// fill their common prefix and are listed.
pub fn complete(text: &str, names: impl Fn(Verb) -> Vec<String>) -> Completion {
    let trimmed = text.trim_start();
    match trimmed.split_once(char::is_whitespace) {
        None => {
            let mut cands: Vec<String> = Vec::new();
            for (_, ws) in WORDS {
                // The full word when it fits what was typed, else the alias that does.
                if let Some(w) = ws.iter().find(|w| w.starts_with(trimmed)) {
                    cands.push(w.to_string());
                }
            }
            finish(String::new(), trimmed, cands, verb_of(trimmed).is_some(), true)
        }
        Some((word, rest)) => {
            let Some(verb) = verb_of(word) else {
                return Completion { text: text.to_string(), candidates: Vec::new() };
            };
            let partial = rest.trim_start();
            let lower = partial.to_lowercase();
            let mut cands: Vec<String> =
                names(verb).into_iter().filter(|n| n.to_lowercase().starts_with(&lower)).collect();
            cands.sort();
            cands.dedup();
            finish(format!("{word} "), partial, cands, false, false)
        }
    }
}

fn finish(
    head: String,
    partial: &str,
    cands: Vec<String>,
    exact: bool,
    space_after: bool,
) -> Completion {
    match cands.as_slice() {
        [] => Completion { text: format!("{head}{partial}"), candidates: Vec::new() },
        [one] => {
            let tail = if space_after { " " } else { "" };
            Completion { text: format!("{head}{one}{tail}"), candidates: Vec::new() }
        }
        many => {
            // A word already whole (`gs`) is kept with a space: tab again completes its names.
            if exact {
                return Completion { text: format!("{head}{partial} "), candidates: Vec::new() };
            }
            let prefix = common_prefix(many);
            let text =
                format!("{head}{}", if prefix.len() > partial.len() { &prefix } else { partial });
            Completion { text, candidates: many.to_vec() }
        }
    }
}

fn common_prefix(words: &[String]) -> String {
    let first = &words[0];
    let mut end = first.len();
    for w in &words[1..] {
        end = first
            .char_indices()
            .zip(w.chars())
            .take_while(|((_, a), b)| a == b)
            .last()
            .map_or(0, |((i, a), _)| i + a.len_utf8())
            .min(end);
    }
    first[..end].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: Verb) -> Vec<String> {
        Vec::new()
    }

    #[test]
    fn aliases_parse_to_one_verb() {
        for (text, verb) in [
            ("gs", Verb::GameServers),
            ("gameservers", Verb::GameServers),
            ("gss", Verb::Sets),
            ("gameserversets", Verb::Sets),
            ("po", Verb::Pods),
            ("pod", Verb::Pods),
            ("pods", Verb::Pods),
            ("ctx", Verb::Context),
            ("context", Verb::Context),
            ("ns", Verb::Namespace),
            ("namespace", Verb::Namespace),
            ("q", Verb::Quit),
            ("quit", Verb::Quit),
        ] {
            assert_eq!(parse(text), Ok(Command { verb, name: None }), "{text}");
        }
        let with_name = parse(" gs  app-3 ").unwrap();
        assert_eq!(with_name, Command { verb: Verb::GameServers, name: Some("app-3".into()) });
    }

    #[test]
    fn an_unknown_command_says_what_is_known() {
        let e = parse("deploy x").unwrap_err();
        assert!(e.contains("\"deploy\"") && e.contains("gss") && e.contains("ctx"), "{e}");
        assert!(parse("gs a b").unwrap_err().contains("one name"));
        assert!(parse("q now").is_err());
    }

    #[test]
    fn tab_completes_the_command_then_the_name() {
        assert_eq!(complete("con", none).text, "context ");
        assert_eq!(complete("na", none).text, "namespace ");
        // `g` fits gameservers and gameserversets: their common prefix, both listed.
        let c = complete("g", none);
        assert_eq!((c.text.as_str(), c.candidates.len()), ("gameservers", 2));
        // A whole alias is kept; tab again lists its names.
        assert_eq!(complete("gs", none).text, "gs ");
        let names = |v: Verb| match v {
            Verb::GameServers => {
                vec!["gss-2048-0".into(), "gss-2048-1".into(), "gss-battle-0".into()]
            }
            _ => vec![],
        };
        let c = complete("gs gss-b", names);
        assert_eq!(c, Completion { text: "gs gss-battle-0".into(), candidates: vec![] });
        let c = complete("gs gss-2", names);
        assert_eq!(c.text, "gs gss-2048-");
        assert_eq!(c.candidates, vec!["gss-2048-0", "gss-2048-1"]);
        // Nothing fits: the line stays.
        assert_eq!(complete("gs zz", names).text, "gs zz");
        assert_eq!(complete("xyz", none).text, "xyz");
    }
}
