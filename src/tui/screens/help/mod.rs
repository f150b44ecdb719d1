//! The help screen, generated from the keymap.
pub mod view;
