//! The reload flow: the form and its confirmation (`state`), the live run (`run`), their drawing.
pub mod run;
pub mod state;
pub mod view;
