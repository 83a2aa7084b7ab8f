//! The command line: arguments, choosing the backend, headless subcommands.

pub mod config;
pub mod console;
pub mod fix;
pub mod inventory;
pub mod journal;
pub mod keys;
pub mod lab;
pub mod policy_check;
pub mod rules;
pub mod scan;
pub mod tail;
pub mod trail;

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
#[command(next_help_heading = "Global options")]
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

    /// With --demo: load this lab file instead of the embedded one (for
    /// tests that feed the console hostile or large accounts).
    #[arg(long, global = true, hide = true, value_name = "FILE")]
    pub demo_lab: Option<std::path::PathBuf>,

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

    /// Console theme: default, light, high-contrast, mono, or a theme file.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,

    /// AWS requests in flight at once.
    #[arg(long, global = true, default_value_t = 32, value_name = "N",
          value_parser = clap::value_parser!(u16).range(1..=512))]
    pub concurrency: u16,

    /// Attempts per AWS request, retries included.
    #[arg(long, global = true, default_value_t = 4, value_name = "N", hide = true,
          value_parser = clap::value_parser!(u32).range(1..=10))]
    pub max_attempts: u32,

    /// CloudWatch Logs group to tail; repeat for several (default: the
    /// config's [tail] log_groups, else the region's CloudTrail groups).
    #[arg(long = "log-group", global = true, value_name = "NAME")]
    pub log_group: Vec<String>,

    /// How far back the tail starts: 90s, 15m, 2h, 7d (default: the
    /// config's [tail] since, else 1h).
    #[arg(long, global = true, value_name = "WINDOW")]
    pub since: Option<crate::tail::window::Since>,

    /// With --demo: send a lab event again every N seconds, so the demo's
    /// tail is alive (0: never).
    #[arg(
        long,
        global = true,
        default_value_t = 3,
        value_name = "SECONDS",
        hide = true
    )]
    pub demo_replay: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The console on the embedded demo account (same as --demo).
    Demo,
    /// Print the effective keymap (with your keymap.toml merged in).
    Keys,
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
    /// Follow CloudTrail in CloudWatch Logs without the console: events as
    /// lines (or JSON lines), detections flagged.
    Tail(tail::TailArgs),
    /// CloudTrail records offline: parse a file, list the detections.
    Trail {
        #[command(subcommand)]
        command: trail::TrailCommand,
    },
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
        let demo = match &global.demo_lab {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| Fatal::new(format!("cannot read {}: {e}", path.display())))?;
                let lab = crate::lab::Lab::from_toml(&text)
                    .map_err(|e| Fatal::new(format!("{}: {e}", path.display())))?;
                DemoCloud::from_lab(&lab, now_ms())
            }
            None => DemoCloud::embedded(now_ms())?,
        };
        return Ok(Arc::new(match global.demo_replay {
            0 => demo,
            secs => demo.with_replay(std::time::Duration::from_secs(secs)),
        }));
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
        Some(Command::Tail(args)) => tail::run(&cli.global, args).await,
        Some(Command::Trail { command }) => trail::run(command),
        Some(Command::Keys) => keys::run(&cli.global),
        Some(Command::Fix(args)) => fix::fix(&cli.global, args).await,
        Some(Command::Undo(args)) => fix::undo(&cli.global, args).await,
        Some(Command::Journal(args)) => journal::run(&cli.global, args).await,
        Some(Command::Remediations(args)) => fix::remediations(args),
        Some(Command::Demo) => {
            let mut global = cli.global.clone();
            global.demo = true;
            console::run(&global).await
        }
        None => console::run(&cli.global).await,
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
