//! The sort keys of the table, as k9s spells them where it has one: shift+N name, A age,
//! R ready, S status, T restarts, I IP, O node. The columns k9s has no key for take a letter of
//! their name that the table does not use (E statE, P oPs, D DP, U UP, M iMages, W netWork).
//! Pressing a column's key again turns the order around.
use crossterm::event::{KeyCode, KeyModifiers};
use okg_domain::columns::Column;

use super::{Action, Binding, Context, Section};

const N: KeyModifiers = KeyModifiers::NONE;
const S: KeyModifiers = KeyModifiers::SHIFT;
const MAIN: &[Context] = &[Context::Main];

use KeyCode::Char;

/// A sort binding: the letter with shift (and without, for terminals that report `N` alone).
macro_rules! sort_key {
    ($c:literal, $col:ident, $help:literal) => {
        Binding {
            keys: &[(Char($c), S), (Char($c), N)],
            action: Action::Sort(Column::$col),
            contexts: MAIN,
            section: Section::Sort,
            help: $help,
            hint: "",
        }
    };
}

pub static SORT_BINDINGS: &[Binding] = &[
    sort_key!('N', Name, "sort by NAME (the order without a sort)"),
    sort_key!('E', State, "sort by STATE"),
    sort_key!('P', OpsState, "sort by OPS (opsState)"),
    sort_key!('D', DeletionPriority, "sort by DP, highest first"),
    sort_key!('U', UpdatePriority, "sort by UP, highest first"),
    sort_key!('R', Ready, "sort by READY, least ready first"),
    sort_key!('S', Status, "sort by STATUS (the pod's)"),
    sort_key!('T', Restarts, "sort by RESTARTS, most first"),
    sort_key!('A', Age, "sort by AGE, youngest first"),
    sort_key!('M', Images, "sort by IMAGES (tags, container by container)"),
    sort_key!('W', Network, "sort by NETWORK (external address)"),
    sort_key!('I', Ip, "sort by IP"),
    sort_key!('O', Node, "sort by NODE"),
];
