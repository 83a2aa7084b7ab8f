//! `vigil tail`: the live tail without the console, for scripts.
//!
//! Which groups: `--log-group NAME` (repeatable), else the config's
//! `[tail] log_groups`, else the region's log groups that hold CloudTrail
//! (by name, or by a sample of their events). From when: `--since`, else
//! `[tail] since`, else an hour. Events go to standard output, one line
//! each (`--format text`, detections below the event) or one JSON object a
//! line (`--format json`, the same object `vigil trail parse` prints);
//! statuses and messages that are not CloudTrail records go to standard
//! error. Without `--follow` the window is read and vigil exits; with it,
//! vigil follows until interrupted (Ctrl-C).
//!
//! Exit codes: 0 done (or interrupted); 2 nothing to tail, or a group
//! could not be read (without `--follow`; with it, vigil keeps retrying).

use std::io::Write;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use super::config::{self, TailConfig};
use super::trail::{event_lines, unparsed_place};
use super::{Fatal, GlobalArgs, backend, now_ms};
use crate::cloud::Cloud;
use crate::cloud::demo::DemoCloud;
use crate::tail::budget::RequestBudget;
use crate::tail::follow::{self, TailRequest};
use crate::tail::groups::discover;
use crate::tail::update::{TailStatus, TailUpdate};
use crate::tail::window::{DEFAULT_SINCE, Since};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TailFormat {
    /// One line per event, detections below it.
    Text,
    /// One JSON object per line (JSON lines).
    Json,
}

#[derive(Debug, Args)]
pub struct TailArgs {
    /// Keep following new events (otherwise read the window and exit).
    #[arg(long, short = 'f')]
    pub follow: bool,
    #[arg(long, value_enum, default_value = "text")]
    pub format: TailFormat,
    /// Only log messages that contain this text.
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
}

/// What to tail, from the command line and the config file. `groups` is
/// empty when neither names any: the console then offers the region's
/// groups (`tail::groups::discover`), `vigil tail` takes its CloudTrail ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TailSelection {
    pub groups: Vec<String>,
    pub since: Since,
}

/// `--log-group`/`--since` over `[tail]` over the defaults.
pub fn selection(global: &GlobalArgs, config: &TailConfig) -> Result<TailSelection, Fatal> {
    let groups = if global.log_group.is_empty() {
        config.log_groups.clone()
    } else {
        global.log_group.clone()
    };
    let since = match (global.since, &config.since) {
        (Some(s), _) => s,
        (None, Some(text)) => text.parse().map_err(|why: String| Fatal {
            message: format!("config [tail] since: {why}"),
            hint: Some("fix the config file, or pass --since".into()),
        })?,
        (None, None) => DEFAULT_SINCE,
    };
    Ok(TailSelection { groups, since })
}

/// The region's CloudTrail groups, or an error saying how to name one.
async fn cloudtrail_groups(cloud: &dyn Cloud) -> Result<Vec<String>, Fatal> {
    let budget = RequestBudget::new(4.0, 4.0);
    let found = discover(cloud, &budget, 20).await?;
    let groups: Vec<String> = found
        .iter()
        .filter(|c| c.is_cloudtrail())
        .map(|c| c.name.clone())
        .collect();
    if groups.is_empty() {
        let others: Vec<&str> = found.iter().take(5).map(|c| c.name.as_str()).collect();
        return Err(Fatal {
            message:
                "no log group to tail: none is named, and none of the region's holds CloudTrail"
                    .into(),
            hint: Some(if others.is_empty() {
                "the region has no log groups; check --region, or send CloudTrail to CloudWatch Logs".into()
            } else {
                format!(
                    "pass --log-group NAME or set [tail] log_groups in the config (groups: {})",
                    others.join(", ")
                )
            }),
        });
    }
    eprintln!(
        "vigil: tailing the CloudTrail groups found: {}",
        groups.join(", ")
    );
    Ok(groups)
}

/// Write one line; `false` when standard output is closed (`| head`).
fn emit(line: &str) -> Result<bool, Fatal> {
    match writeln!(std::io::stdout(), "{line}") {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub async fn run(global: &GlobalArgs, args: TailArgs) -> Result<i32, Fatal> {
    let config = config::load()?;
    let chosen = selection(global, &config.tail)?;
    let cloud: Arc<dyn Cloud> = if global.demo && !args.follow {
        // a fixed set: the replay only makes sense while following
        Arc::new(DemoCloud::embedded(now_ms())?)
    } else {
        backend(global).await?
    };
    let groups = if chosen.groups.is_empty() {
        cloudtrail_groups(cloud.as_ref()).await?
    } else {
        chosen.groups
    };
    let mut request = TailRequest::new(groups, chosen.since, args.follow);
    request.filter = args.filter;
    let (handle, mut updates) = follow::start(cloud, request);
    let mut events = 0u64;
    let mut alerts = 0u64;
    let mut unparsed = 0u64;
    let mut failed = false;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    'tail: loop {
        let update = tokio::select! {
            u = updates.recv() => u,
            _ = &mut interrupted => break,
        };
        match update {
            None => break,
            Some(TailUpdate::Events(batch)) => {
                for e in batch {
                    events += 1;
                    alerts += u64::from(!e.detections.is_empty());
                    let line = match args.format {
                        TailFormat::Text => event_lines(&e),
                        TailFormat::Json => {
                            serde_json::to_string(&e).map_err(|e| Fatal::new(e.to_string()))?
                        }
                    };
                    if !emit(&line)? {
                        break 'tail;
                    }
                }
            }
            Some(TailUpdate::Unparsed(records)) => {
                for u in records {
                    unparsed += 1;
                    eprintln!(
                        "vigil: {}: not a CloudTrail record ({}): {}",
                        unparsed_place(&u),
                        u.reason,
                        u.raw
                    );
                }
            }
            Some(TailUpdate::Status(status)) => {
                match &status {
                    TailStatus::Finished => break,
                    TailStatus::Failed { .. } => failed = true,
                    _ => {}
                }
                eprintln!("vigil: {status}");
            }
        }
    }
    handle.stop();
    eprintln!("vigil: {events} events, {alerts} with detections, {unparsed} unparsed");
    Ok(if failed { 2 } else { 0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    use crate::cli::{Cli, Command};

    #[test]
    fn log_groups_repeat_and_since_is_checked_by_the_parser() {
        let cli = Cli::try_parse_from([
            "vigil",
            "tail",
            "--log-group",
            "a",
            "--log-group",
            "b",
            "--since",
            "15m",
            "-f",
        ])
        .unwrap();
        assert_eq!(cli.global.log_group, ["a", "b"]);
        assert_eq!(cli.global.since, Some("15m".parse().unwrap()));
        assert!(matches!(
            cli.command,
            Some(Command::Tail(TailArgs { follow: true, .. }))
        ));
        let e = Cli::try_parse_from(["vigil", "tail", "--since", "15 minutes"]).unwrap_err();
        assert!(e.to_string().contains("e.g. 15m"), "{e}");
        // global: before the subcommand too
        let cli = Cli::try_parse_from(["vigil", "--log-group", "a", "tail"]).unwrap();
        assert_eq!(cli.global.log_group, ["a"]);
    }

    #[test]
    fn the_command_line_wins_over_the_config_which_wins_over_the_defaults() {
        let global = Cli::try_parse_from(["vigil", "tail"]).unwrap().global;
        let none = selection(&global, &TailConfig::default()).unwrap();
        assert_eq!(
            none,
            TailSelection {
                groups: vec![],
                since: DEFAULT_SINCE
            }
        );
        let config = TailConfig {
            log_groups: vec!["from-config".into()],
            since: Some("2h".into()),
        };
        let from_config = selection(&global, &config).unwrap();
        assert_eq!(from_config.groups, ["from-config"]);
        assert_eq!(from_config.since.to_string(), "2h");
        let global = Cli::try_parse_from(["vigil", "tail", "--log-group", "x", "--since", "5m"])
            .unwrap()
            .global;
        let from_args = selection(&global, &config).unwrap();
        assert_eq!(
            (from_args.groups, from_args.since.to_string()),
            (vec!["x".to_string()], "5m".into())
        );
    }

    #[test]
    fn a_bad_since_in_the_config_names_the_setting() {
        let global = Cli::try_parse_from(["vigil", "tail"]).unwrap().global;
        let config = TailConfig {
            log_groups: vec![],
            since: Some("a while".into()),
        };
        let e = selection(&global, &config).unwrap_err();
        assert!(e.message.contains("[tail] since"), "{}", e.message);
    }
}
