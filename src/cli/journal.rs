//! `vigil journal`: the changes vigil made to an account — list them,
//! verify one a previous run left unfinished, or export the incident-report
//! timeline as Markdown.

use clap::{Args, Subcommand, ValueEnum};

use super::fix::Format;
use super::{Fatal, GlobalArgs, config};
use crate::remedy::{self, Journal};

#[derive(Debug, Args)]
pub struct JournalArgs {
    #[command(subcommand)]
    pub command: Option<JournalCommand>,
    /// The account whose journal to read (default: the caller's).
    #[arg(long, value_name = "ID", global = true)]
    pub account: Option<String>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Md,
}

#[derive(Debug, Subcommand)]
pub enum JournalCommand {
    /// Write the incident-report timeline.
    Export {
        #[arg(long, value_enum, default_value = "md")]
        format: ExportFormat,
        /// Write to this file instead of standard output.
        #[arg(long, value_name = "FILE")]
        out: Option<std::path::PathBuf>,
    },
    /// Read back an entry a previous run left unfinished and record where it stands.
    Verify { entry: String },
}

async fn journal(global: &GlobalArgs, account: Option<String>) -> Result<Journal, Fatal> {
    let account = match account {
        Some(a) => a,
        None => {
            super::backend(global)
                .await?
                .caller_identity()
                .await?
                .account_id
        }
    };
    let dir = config::data_dir()
        .ok_or_else(|| Fatal::new(remedy::JournalError::NoDataDir.to_string()))?;
    Ok(Journal::open(&dir, &account)?)
}

pub async fn run(global: &GlobalArgs, args: JournalArgs) -> Result<i32, Fatal> {
    match args.command {
        None => {
            let j = journal(global, args.account).await?;
            let contents = j.read()?;
            if args.format == Format::Json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&contents)
                        .map_err(|e| Fatal::new(e.to_string()))?
                );
                return Ok(0);
            }
            if contents.entries.is_empty() {
                println!("no journal entries in {}", j.path().display());
            }
            for e in &contents.entries {
                let who = e
                    .intent
                    .actor
                    .role_arn
                    .as_deref()
                    .unwrap_or("current credentials");
                println!(
                    "{}  {:<11} {:?}  {}  {}  by {} via {}",
                    e.id(),
                    e.status(),
                    e.intent.action,
                    e.intent.remediation,
                    crate::model::text::safe(&e.intent.resource),
                    crate::model::text::safe(&e.intent.actor.operator),
                    crate::model::text::safe(who)
                );
            }
            for d in &contents.damaged {
                eprintln!(
                    "vigil: journal line {} is damaged and was skipped: {}",
                    d.line, d.error
                );
            }
            Ok(0)
        }
        Some(JournalCommand::Export {
            format: ExportFormat::Md,
            out,
        }) => {
            let j = journal(global, args.account.clone()).await?;
            let account = j
                .path()
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let md =
                remedy::report::markdown(&account, &j.read()?, &remedy::time_text(super::now_ms()));
            match out {
                Some(path) => std::fs::write(&path, md)
                    .map_err(|e| Fatal::new(format!("cannot write {}: {e}", path.display())))?,
                None => print!("{md}"),
            }
            Ok(0)
        }
        Some(JournalCommand::Verify { entry }) => {
            let cloud = super::backend(global).await?;
            let me = cloud.caller_identity().await?;
            let dir = config::data_dir()
                .ok_or_else(|| Fatal::new(remedy::JournalError::NoDataDir.to_string()))?;
            let j = Journal::open(&dir, args.account.as_deref().unwrap_or(&me.account_id))?;
            let e = j.entry(&entry)?;
            if !e.is_unfinished() {
                println!("{} is finished: {}", e.id(), e.status());
                return Ok(0);
            }
            let (standing, _) = remedy::verify_unfinished(cloud.as_ref(), &j, &e).await?;
            println!(
                "{}: {:?}; `vigil undo {}` puts the prior state back",
                e.id(),
                standing,
                e.id()
            );
            Ok(0)
        }
    }
}
