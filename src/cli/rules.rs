//! `vigil rules`: the rule catalogue — id, title, severity, frameworks,
//! remediation — for S3 and IAM alike.

use std::io::Write;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::Fatal;
use crate::rules::{self, Rule};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "table")]
    pub format: RulesFormat,
}

/// One rule as `vigil rules --format json` prints it.
#[derive(Debug, Serialize)]
struct RuleOut<'a> {
    id: &'a str,
    title: &'a str,
    severity: &'a str,
    service: rules::Service,
    frameworks: &'a [&'a str],
    remediation: Option<&'a str>,
}

impl<'a> From<&'a Rule> for RuleOut<'a> {
    fn from(r: &'a Rule) -> Self {
        RuleOut {
            id: r.id,
            title: r.title,
            severity: r.severity.as_str(),
            service: r.service,
            frameworks: r.frameworks,
            remediation: r.remediation,
        }
    }
}

pub fn run(args: RulesArgs) -> Result<i32, Fatal> {
    let catalogue = rules::catalogue();
    let mut out = std::io::stdout().lock();
    match args.format {
        RulesFormat::Json => {
            let list: Vec<RuleOut<'_>> = catalogue.iter().map(|r| RuleOut::from(*r)).collect();
            let text = serde_json::to_string_pretty(&list)
                .map_err(|e| Fatal::new(format!("cannot encode the catalogue: {e}")))?;
            writeln!(out, "{text}")?;
        }
        RulesFormat::Table => write_table(&mut out, &catalogue)?,
    }
    Ok(0)
}

fn write_table(out: &mut impl Write, catalogue: &[&Rule]) -> std::io::Result<()> {
    let id_width = catalogue.iter().map(|r| r.id.len()).max().unwrap_or(2);
    writeln!(
        out,
        "{:<id_width$}  {:<8}  {:<26}  {:<36}  TITLE",
        "ID", "SEVERITY", "REMEDIATION", "FRAMEWORKS"
    )?;
    for r in catalogue {
        writeln!(
            out,
            "{:<id_width$}  {:<8}  {:<26}  {:<36}  {}",
            r.id,
            r.severity.as_str(),
            r.remediation.unwrap_or("-"),
            if r.frameworks.is_empty() {
                "-".to_string()
            } else {
                r.frameworks.join(" ")
            },
            r.title
        )?;
    }
    Ok(())
}
