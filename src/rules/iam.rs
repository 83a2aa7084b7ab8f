//! IAM rules.

use super::Rule;

/// The IAM catalogue.
pub static RULES: &[Rule] = &[];
