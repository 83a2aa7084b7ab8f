//! `vigil keys`: the effective keymap (the shipped base with the user's
//! `keymap.toml` merged over it), printed as a keymap file.

use std::io::Write;

use super::{Fatal, GlobalArgs, config};

pub fn run(global: &GlobalArgs) -> Result<i32, Fatal> {
    let config = config::load()?;
    let keymap = super::console::keymap(&config, global.readonly)?;
    let mut out = std::io::stdout().lock();
    write!(out, "{}", keymap.to_toml())?;
    Ok(0)
}
