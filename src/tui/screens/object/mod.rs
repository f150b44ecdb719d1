//! The YAML (`y`) and describe (`d`) screen of a GameServer or its Pod, or of a GameServerSet
//! or its Advanced StatefulSet (issue 13): one screen, two renderings of an object read fresh
//! (`cluster::objects`). state.rs holds the text and the search; describe.rs writes the
//! describe page; view.rs colours and draws it. `app::object` opens it and takes its keys.
pub mod describe;
pub mod state;
pub mod view;
