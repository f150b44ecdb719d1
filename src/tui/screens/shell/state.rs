//! Which container `s` opens a shell in.
use crossterm::event::KeyEvent;

use crate::tui::app::keymap::{self, Action, Context};
use crate::tui::app::msg::Cmd;
use okg_domain::fleet::Key;

#[derive(Clone, Debug, PartialEq)]
pub struct ShellPick {
    pub pod: Key,
    /// In the pod's order: the main container (the first) is chosen to begin with.
    pub containers: Vec<String>,
    pub chosen: usize,
}

/// What a key did: stay on the picker, close it, or open the shell.
#[derive(Debug, PartialEq)]
pub enum Picked {
    Stay,
    Close,
    Shell(Cmd),
}

impl ShellPick {
    pub fn new(pod: Key, containers: Vec<String>) -> Self {
        ShellPick { pod, containers, chosen: 0 }
    }

    pub fn on_key(&mut self, key: &KeyEvent) -> Picked {
        match keymap::lookup(Context::ShellPick, key) {
            Some(Action::ChoosePrev) => self.chosen = self.chosen.saturating_sub(1),
            Some(Action::ChooseNext) => {
                self.chosen = (self.chosen + 1).min(self.containers.len().saturating_sub(1))
            }
            Some(Action::Submit) => {
                return match self.containers.get(self.chosen) {
                    Some(c) => {
                        Picked::Shell(Cmd::Shell { pod: self.pod.clone(), container: c.clone() })
                    }
                    None => Picked::Close,
                };
            }
            Some(Action::Cancel) => return Picked::Close,
            _ => {}
        }
        Picked::Stay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode, KeyModifiers};

    fn k(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn the_main_container_first_then_the_chosen_one() {
        let pod = Key { namespace: "ns".into(), name: "gss-0".into() };
        let mut p = ShellPick::new(pod.clone(), vec!["app".into(), "sidecar".into()]);
        assert_eq!(p.on_key(&k(KeyCode::Up)), Picked::Stay);
        assert_eq!(p.chosen, 0);
        p.on_key(&k(KeyCode::Down));
        p.on_key(&k(KeyCode::Char('j')));
        assert_eq!(p.chosen, 1, "stops at the last");
        let cmd = Cmd::Shell { pod, container: "sidecar".into() };
        assert_eq!(p.on_key(&k(KeyCode::Enter)), Picked::Shell(cmd));
        assert_eq!(p.on_key(&k(KeyCode::Esc)), Picked::Close);
    }
}
