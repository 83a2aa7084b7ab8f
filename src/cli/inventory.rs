//! `vigil inventory`: the whole account as JSON — the evidence an incident
//! responder keeps.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::{Fatal, GlobalArgs, backend};
use crate::cloud::collect::read_inventory;

#[derive(Debug, Args)]
pub struct InventoryArgs {
    /// Write to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

pub async fn run(global: &GlobalArgs, args: InventoryArgs) -> Result<i32, Fatal> {
    let cloud = backend(global).await?;
    let inventory = read_inventory(cloud, usize::from(global.concurrency)).await?;
    let json = serde_json::to_string_pretty(&inventory)
        .map_err(|e| Fatal::new(format!("cannot encode the inventory: {e}")))?;
    match args.out {
        Some(path) => {
            std::fs::write(&path, json + "\n")
                .map_err(|e| Fatal::new(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "vigil: inventory of account {} ({} buckets) written to {}",
                inventory.account.account_id,
                inventory.buckets.len(),
                path.display()
            );
        }
        None => {
            let mut out = std::io::stdout().lock();
            writeln!(out, "{json}")?;
        }
    }
    Ok(0)
}
