//! The pickers of the `:` line (`:ctx`, `:ns`, `:gss`, `:gs`, `:pod` without a name): a list
//! filtered as you type, chosen with enter.
pub mod state;
pub mod view;
