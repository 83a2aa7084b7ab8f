//! The command line: arguments, choosing the backend, headless subcommands.

pub mod config;
pub mod fix;
pub mod inventory;
pub mod journal;
pub mod lab;
pub mod policy_check;
pub mod rules;
pub mod scan;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};

use crate::cloud::aws::{AwsCloud, AwsOptions};
use crate::cloud::demo::DemoCloud;
use crate::cloud::{Cloud, CloudError};

/// vigil — a terminal security console for AWS.
///
/// Audits S3 buckets and IAM principals, follows CloudTrail live, and fixes
/// what is wrong with a preview and an undo. `vigil demo` runs it on a
/// built-in example account with nothing to set up.
#[derive(Debug, Parser)]
#[command(name = "vigil", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Options every subcommand accepts, before or after its name.
#[derive(Debug, Clone, Args)]
pub struct GlobalArgs {
    /// AWS profile from ~/.aws/config (default: AWS_PROFILE or "default").
    #[arg(long, global = true, env = "AWS_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// AWS region to work in (default: AWS_REGION or the profile's region).
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Talk to this endpoint instead of AWS (an S3-compatible store or an
    /// emulator); implies path-style S3 addressing.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Use the embedded demo account instead of AWS.
    #[arg(long, global = true)]
    pub demo: bool,

    /// Never write: remediation actions are not even offered.
    #[arg(long, global = true)]
    pub readonly: bool,

    /// The MFA-protected role to elevate into before writing (overrides
    /// the [remediation] section of config.toml).
    #[arg(long, global = true, value_name = "ARN")]
    pub remediation_role: Option<String>,

    /// No colours (also when NO_COLOR is set).
    #[arg(long, global = true)]
    pub no_color: bool,

    /// AWS requests in flight at once.
    #[arg(long, global = true, default_value_t = 32, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=512))]
    pub concurrency: u16,

    /// Attempts per AWS request, retries included.
    #[arg(long, global = true, default_value_t = 4, value_name = "N", hide = true,
          value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_attempts: u32,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The console on the embedded demo account (same as --demo).
    Demo,
    /// Print the whole inventory (buckets, IAM, log groups) as JSON.
    Inventory(inventory::InventoryArgs),
    /// The lab account: a deliberately misconfigured account for testing.
    Lab {
        #[command(subcommand)]
        command: lab::LabCommand,
    },
    /// Judge a policy document offline, before you apply it.
    Policy {
        #[command(subcommand)]
        command: policy_check::PolicyCommand,
    },
    /// Evaluate every rule on the account (or the demo) and print the
    /// findings; exit 1 when one at or above --fail-on fails.
    Scan(scan::ScanArgs),
    /// List the rule catalogue: id, title, severity, frameworks, remediation.
    Rules(rules::RulesArgs),
    /// Fix one thing: preview, elevate, confirm, apply, verify, journal.
    Fix(fix::FixArgs),
    /// Put back what a journal entry changed.
    Undo(fix::UndoArgs),
    /// The journal of changes vigil made (list, verify, export).
    Journal(journal::JournalArgs),
    /// List the remediations: what each fixes, calls, needs.
    Remediations(fix::RemediationsArgs),
}

/// An error that ends the program: a message, a hint, exit code 2.
#[derive(Debug)]
pub struct Fatal {
    pub message: String,
    pub hint: Option<String>,
}

impl From<CloudError> for Fatal {
    fn from(e: CloudError) -> Self {
        Fatal {
            hint: Some(e.advice().to_string()),
            message: e.to_string(),
        }
    }
}

impl From<std::io::Error> for Fatal {
    fn from(e: std::io::Error) -> Self {
        Fatal {
            message: e.to_string(),
            hint: None,
        }
    }
}

impl Fatal {
    pub fn new(message: impl Into<String>) -> Self {
        Fatal {
            message: message.into(),
            hint: None,
        }
    }
}

/// Milliseconds since the epoch now.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The backend the options ask for.
pub async fn backend(global: &GlobalArgs) -> Result<Arc<dyn Cloud>, Fatal> {
    if global.demo {
        return Ok(Arc::new(DemoCloud::embedded(now_ms())?));
    }
    Ok(Arc::new(aws(global).await?))
}

/// The AWS backend (for commands that only make sense against an endpoint).
pub async fn aws(global: &GlobalArgs) -> Result<AwsCloud, Fatal> {
    if let Some(region) = &global.region {
        check_region(region, global.endpoint_url.is_some())?;
    }
    Ok(AwsCloud::connect(AwsOptions {
        profile: global.profile.clone(),
        region: global.region.clone(),
        endpoint_url: global.endpoint_url.clone(),
        concurrency: usize::from(global.concurrency),
        max_attempts: global.max_attempts,
    })
    .await?)
}

/// Regions AWS has opened (commercial, GovCloud, China), to catch typos
/// before a DNS failure does. With a custom endpoint any name goes.
const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

fn check_region(region: &str, custom_endpoint: bool) -> Result<(), Fatal> {
    if custom_endpoint || KNOWN_REGIONS.contains(&region) {
        return Ok(());
    }
    let closest = KNOWN_REGIONS
        .iter()
        .min_by_key(|r| edit_distance(r, region))
        .copied()
        .unwrap_or("us-east-1");
    Err(Fatal {
        message: format!("unknown region '{region}'"),
        hint: Some(format!(
            "did you mean '{closest}'? (pass --endpoint-url to use any name)"
        )),
    })
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Run a parsed command line; the exit code.
pub async fn run(cli: Cli) -> Result<i32, Fatal> {
    match cli.command {
        Some(Command::Inventory(args)) => inventory::run(&cli.global, args).await,
        Some(Command::Lab { command }) => lab::run(&cli.global, command).await,
        Some(Command::Policy { command }) => policy_check::run(command),
        Some(Command::Scan(args)) => scan::run(&cli.global, args).await,
        Some(Command::Rules(args)) => rules::run(args),
        Some(Command::Fix(args)) => fix::fix(&cli.global, args).await,
        Some(Command::Undo(args)) => fix::undo(&cli.global, args).await,
        Some(Command::Journal(args)) => journal::run(&cli.global, args).await,
        Some(Command::Remediations(args)) => fix::remediations(args),
        Some(Command::Demo) | None => Err(Fatal {
            message: "the interactive console is not built yet".into(),
            hint: Some("try `vigil --demo inventory`".into()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_typo_is_caught_with_a_suggestion() {
        let e = check_region("eu-wset-1", false).unwrap_err();
        assert!(e.hint.unwrap().contains("eu-west-1"));
        assert!(check_region("eu-west-1", false).is_ok());
        assert!(check_region("anything", true).is_ok());
    }

    #[test]
    fn global_options_are_accepted_after_the_subcommand() {
        let cli =
            Cli::try_parse_from(["vigil", "inventory", "--demo", "--concurrency", "4"]).unwrap();
        assert!(cli.global.demo);
        assert_eq!(cli.global.concurrency, 4);
        let cli = Cli::try_parse_from(["vigil", "--demo", "inventory"]).unwrap();
        assert!(cli.global.demo);
    }
}
