//! A picker's pure state: its items, the filter typed so far and the selection among the items
//! the filter lets through.
use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::app::keymap::{self, Action, Context};

/// What is picked, and so what enter does with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PickKind {
    Context,
    Namespace,
    Set,
    GameServer,
    Pod,
}

impl PickKind {
    pub fn noun(self) -> &'static str {
        match self {
            PickKind::Context => "context",
            PickKind::Namespace => "namespace",
            PickKind::Set => "GameServerSet",
            PickKind::GameServer => "GameServer",
            PickKind::Pod => "pod",
        }
    }
}

/// The item that stands for every namespace in the namespace picker.
pub const ALL_NAMESPACES: &str = "all";

/// Lines above the first item inside the picker's box: the border and the filter line.
pub const ITEMS_TOP: u16 = 2;

/// The rows the items get in a box `height` high (the border's top, the filter, the note and
/// the bottom border take the rest). The view draws with it and a click reads it.
pub fn item_rows(height: u16) -> usize {
    height.saturating_sub(ITEMS_TOP + 2) as usize
}

pub struct Picker {
    pub kind: PickKind,
    /// `None` until the I/O shell answers (contexts, namespaces).
    pub items: Option<Vec<String>>,
    /// The item in use now (the current context or namespace), marked in the list.
    pub current: Option<String>,
    pub filter: String,
    /// Index into `visible()`.
    pub selected: usize,
    /// Where the items come from when that is not obvious ("seen in the watch: …").
    pub note: Option<String>,
}

/// What a key did.
#[derive(Debug, PartialEq, Eq)]
pub enum Picked {
    Stay,
    Cancel,
    Chosen(String),
}

impl Picker {
    pub fn new(kind: PickKind, items: Option<Vec<String>>, current: Option<String>) -> Self {
        let mut p =
            Picker { kind, items: None, current, filter: String::new(), selected: 0, note: None };
        if let Some(items) = items {
            p.set_items(items, None);
        }
        p
    }

    /// Fill the list (the shell's answer); the selection starts on the current item.
    pub fn set_items(&mut self, items: Vec<String>, note: Option<String>) {
        self.items = Some(items);
        self.note = note;
        self.selected = self
            .current
            .as_ref()
            .and_then(|c| self.visible().iter().position(|i| i == c))
            .unwrap_or(0);
    }

    /// The items the filter lets through (a case-insensitive substring, as k9s filters), in
    /// their order.
    pub fn visible(&self) -> Vec<&str> {
        let f = self.filter.to_lowercase();
        self.items
            .iter()
            .flatten()
            .filter(|i| i.to_lowercase().contains(&f))
            .map(String::as_str)
            .collect()
    }

    pub fn title(&self) -> String {
        format!("pick a {}", self.kind.noun())
    }

    /// The first visible item drawn when `rows` items fit: the selection stays in view. The view
    /// and a click both use it, so a click lands on the item drawn there.
    pub fn first_shown(&self, rows: usize) -> usize {
        let rows = rows.max(1);
        (self.selected + 1).saturating_sub(rows)
    }

    /// Select the `n`th visible item (a click).
    pub fn select(&mut self, n: usize) {
        if n < self.visible().len() {
            self.selected = n;
        }
    }

    pub fn on_key(&mut self, key: KeyEvent) -> Picked {
        let shown = self.visible().len();
        match keymap::lookup(Context::Picker, &key) {
            Some(Action::Cancel) => return Picked::Cancel,
            Some(Action::Accept) => {
                return match self.visible().get(self.selected) {
                    Some(item) => Picked::Chosen(item.to_string()),
                    None => Picked::Stay,
                };
            }
            Some(Action::Up) => self.selected = self.selected.saturating_sub(1),
            Some(Action::Down) => self.selected = (self.selected + 1).min(shown.saturating_sub(1)),
            Some(Action::Erase) => {
                self.filter.pop();
                self.selected = 0;
            }
            _ => {
                if let KeyCode::Char(c) = key.code {
                    self.filter.push(c);
                    self.selected = 0;
                }
            }
        }
        Picked::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn press(p: &mut Picker, code: KeyCode) -> Picked {
        p.on_key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn names() -> Vec<String> {
        ["default", "games-eu", "games-us", "kube-system"].map(String::from).to_vec()
    }

    #[test]
    fn typing_filters_and_enter_picks_the_selected() {
        let mut p = Picker::new(PickKind::Namespace, Some(names()), Some("kube-system".into()));
        // Starts on the current one.
        assert_eq!(p.selected, 3);
        for c in "GAMES".chars() {
            press(&mut p, KeyCode::Char(c));
        }
        assert_eq!(p.visible(), vec!["games-eu", "games-us"]);
        assert_eq!(p.selected, 0);
        press(&mut p, KeyCode::Down);
        press(&mut p, KeyCode::Down); // stops at the last
        assert_eq!(press(&mut p, KeyCode::Enter), Picked::Chosen("games-us".into()));
        press(&mut p, KeyCode::Up);
        assert_eq!(press(&mut p, KeyCode::Enter), Picked::Chosen("games-eu".into()));
        // Backspace widens again; nothing matching: enter does nothing.
        for _ in 0..5 {
            press(&mut p, KeyCode::Backspace);
        }
        assert_eq!(p.visible().len(), 4);
        press(&mut p, KeyCode::Char('z'));
        assert_eq!(press(&mut p, KeyCode::Enter), Picked::Stay);
        assert_eq!(press(&mut p, KeyCode::Esc), Picked::Cancel);
    }

    #[test]
    fn items_arrive_later_and_the_selection_finds_the_current() {
        let mut p = Picker::new(PickKind::Context, None, Some("games-us".into()));
        assert!(p.visible().is_empty());
        assert_eq!(press(&mut p, KeyCode::Enter), Picked::Stay);
        p.set_items(names(), None);
        assert_eq!(p.selected, 2);
        p.select(9);
        assert_eq!(p.selected, 2);
        p.select(1);
        assert_eq!(press(&mut p, KeyCode::Enter), Picked::Chosen("games-eu".into()));
    }
}
