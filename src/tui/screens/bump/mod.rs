//! The bump flow: choose container, image and scope, see the pre-flight, then follow the rollout.
pub mod choices;
pub mod state;
pub mod view;
