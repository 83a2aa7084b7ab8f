//! vigil — a terminal security console for AWS.
//!
//! Layers (DESIGN.md; imports only go down): `model` → `policy` → `rules` →
//! `lab` → `cloud` → `remedy` → `tail` → `session` → `tui` → `cli`.

pub mod cli;
pub mod cloud;
pub mod lab;
pub mod logging;
pub mod model;
pub mod policy;
pub mod remedy;
pub mod rules;
pub mod session;
pub mod tail;
pub mod tui;
