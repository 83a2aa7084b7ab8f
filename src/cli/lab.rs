//! `vigil lab …`: the lab account.

use clap::Subcommand;

use super::{Fatal, GlobalArgs, aws};
use crate::cloud::aws::seed;
use crate::lab::Lab;

#[derive(Debug, Subcommand)]
pub enum LabCommand {
    /// Create the lab on the endpoint (idempotent). Meant for an emulator or
    /// a throwaway sandbox account: it creates public buckets on purpose.
    Seed {
        /// Also create N generated buckets with varied settings (benchmarks).
        #[arg(long, default_value_t = 0, value_name = "N")]
        extra_buckets: usize,
    },
    /// Print the embedded lab definition.
    Show,
}

pub async fn run(global: &GlobalArgs, command: LabCommand) -> Result<i32, Fatal> {
    match command {
        LabCommand::Show => {
            print!("{}", crate::lab::LAB_TOML);
            Ok(0)
        }
        LabCommand::Seed { extra_buckets } => {
            if global.demo {
                return Err(Fatal::new(
                    "the demo account is the lab already; seed an endpoint with --endpoint-url",
                ));
            }
            let lab = Lab::embedded().map_err(|e| Fatal::new(e.to_string()))?;
            let cloud = aws(global).await?;
            let report = seed::seed(&cloud, &lab, extra_buckets).await.map_err(|e| Fatal {
                message: format!("lab seed failed at {e}"),
                hint: Some("check the endpoint and that the identity may create buckets, users and log groups".into()),
            })?;
            for w in &report.warnings {
                eprintln!("vigil: note: {w}");
            }
            eprintln!(
                "vigil: lab seeded: {} buckets, {} users, {} roles, {} log events put",
                report.buckets, report.users, report.roles, report.log_events_put
            );
            Ok(0)
        }
    }
}
