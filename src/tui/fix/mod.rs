//! The console side of remediation. From a finding or a bucket, the fix
//! key plans the remediation (`remedy::plan`, pure, so it runs in the key
//! handler) and opens its preview page; going ahead elevates into the
//! remediation role with MFA when the session is not elevated
//! (`session::Session`), asks to confirm (default No; a disruptive
//! remediation wants the resource's name typed), applies in a task
//! (`remedy::apply`: the journal intent is synced before the write and the
//! write is read back), re-reads what changed through the console's refresh
//! path so the panes re-evaluate, and says how it went.
//!
//! - [`flow`]: from the fix key to the apply;
//! - [`elevation`]: `:elevate`, `:drop`, the MFA prompt, the header's
//!   countdown, the offer to re-elevate and the drop back at expiry;
//! - [`journal`]: the `:journal` pane, an entry, undo and verify, and the
//!   unfinished entries a previous run left;
//! - [`reports`]: what the tasks report back;
//! - [`jobs`]: the tasks.
//!
//! Nothing here awaits: every slow step is a [`jobs::Job`] the event loop
//! spawns. Nothing here plans, journals or elevates itself: the `remedy`
//! and `session` layers do, and this module calls them as documented.

pub mod elevation;
pub mod flow;
pub mod jobs;
pub mod journal;
pub mod reports;

use std::path::PathBuf;
use std::sync::Arc;

use crate::cloud::Cloud;
use crate::model::CallerIdentity;
use crate::model::finding::Finding;
use crate::remedy::{Inputs, Journal, Plan, Preview, Step};
use crate::session::{Clock, RoleConfig, Session, WriteMode};

use super::app::App;
use super::message::Effect;

/// What the command line hands the console for remediation.
pub struct Setup {
    /// The remediation role (`cli::fix::remediation_role`); `None` when
    /// none is configured.
    pub role: Option<RoleConfig>,
    /// Where the journal lives (`config::data_dir`); `None`: nowhere, so
    /// nothing can be applied (every change is journaled first).
    pub data_dir: Option<PathBuf>,
    pub clock: Arc<dyn Clock>,
    /// How to configure a role, said when none is and a fix needs one.
    pub no_role_hint: String,
}

/// What to do once elevated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// Nothing more (`:elevate`, a renewal).
    Nothing,
    /// Ask to confirm the remediation on the preview page.
    ConfirmApply,
    /// Ask to confirm undoing this journal entry.
    ConfirmUndo(String),
}

/// The one slow remediation step in flight (one at a time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Busy {
    Elevating,
    Applying(String),
    Undoing(String),
    Verifying(String),
}

impl Busy {
    pub fn describe(&self) -> String {
        match self {
            Busy::Elevating => "elevating (sts:AssumeRole)…".into(),
            Busy::Applying(r) => format!("applying {r}…"),
            Busy::Undoing(e) => format!("undoing {e}…"),
            Busy::Verifying(e) => format!("reading back {e}…"),
        }
    }
}

/// The remediation being planned, on the preview page.
#[derive(Debug, Clone)]
pub struct Flow {
    pub plan: Plan,
    pub preview: Preview,
    pub inputs: Inputs,
    /// The finding the fix started from.
    pub finding: Finding,
    /// Said above the preview (e.g. "the state changed since the last one").
    pub note: Option<String>,
    /// Waiting for a re-read to plan again (the state changed under it).
    pub replanning: bool,
}

/// A fix waiting for a value the operator types (`bucket-logging-on`'s
/// target bucket, `bucket-encryption-sse-kms`'s key, which access key).
#[derive(Debug, Clone)]
pub struct PendingInput {
    pub finding: Finding,
    pub remediation: String,
    pub inputs: Inputs,
}

/// What a change touched, so the right re-read re-evaluates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Bucket(String),
    /// The account's Block Public Access: every bucket and the account rules.
    Account,
    Iam,
}

impl Target {
    /// What the steps of a plan or journal entry write.
    pub fn of(steps: &[Step]) -> Target {
        use crate::model::change::Change;
        for s in steps {
            if let Some(b) = s.after.bucket() {
                return Target::Bucket(b.to_string());
            }
            if matches!(s.after, Change::AccountPublicAccessBlock { .. }) {
                return Target::Account;
            }
        }
        Target::Iam
    }

    /// The re-read that re-evaluates it.
    pub fn refresh(&self, app: &App) -> Effect {
        match self {
            Target::Bucket(b) => Effect::RefreshBucket(b.clone()),
            Target::Iam => Effect::RefreshIam,
            Target::Account => Effect::RefreshAccount {
                buckets: app.buckets.iter().map(|v| v.bucket.clone()).collect(),
            },
        }
    }
}

/// After a change: the re-read asked for, and what to say when it is in.
#[derive(Debug, Clone)]
pub struct Reevaluation {
    pub target: Target,
    /// The resource whose findings are re-evaluated.
    pub resource: String,
    /// The rules the change was meant to fix.
    pub rules: Vec<String>,
    /// The outcome, said again with the re-evaluation.
    pub said: String,
    /// The journal entry that records it.
    pub entry: String,
}

/// The journal as the pane shows it.
#[derive(Debug, Clone, Default)]
pub enum JournalState {
    /// No journal (no session yet, no data directory, or not wired).
    #[default]
    Unavailable,
    Loading,
    Loaded(crate::remedy::journal::Contents),
    Failed(String),
}

/// The remediation console's state (`App::remedy`).
#[derive(Default)]
pub struct RemedyConsole {
    setup: Option<Setup>,
    /// The backend the session reads with, until the session exists.
    base: Option<Arc<dyn Cloud>>,
    pub session: Option<Session>,
    pub journal: Option<Journal>,
    /// Why there is no journal, when there is none.
    pub journal_error: Option<String>,
    pub entries: JournalState,
    pub flow: Option<Flow>,
    pub pending_input: Option<PendingInput>,
    pub busy: Option<Busy>,
    pub awaiting: Option<Reevaluation>,
    /// Re-elevation was offered for the current elevation.
    pub(crate) renew_offered: bool,
}

impl RemedyConsole {
    /// Remediation wired to `base` (the backend the console reads with).
    pub fn new(setup: Setup, base: Arc<dyn Cloud>) -> RemedyConsole {
        RemedyConsole {
            setup: Some(setup),
            base: Some(base),
            ..RemedyConsole::default()
        }
    }

    /// Whether the command line wired remediation in.
    pub fn wired(&self) -> bool {
        self.setup.is_some()
    }

    pub(crate) fn no_role_hint(&self) -> &str {
        self.setup
            .as_ref()
            .map(|s| s.no_role_hint.as_str())
            .unwrap_or("")
    }
}

impl App {
    /// The caller is known: start the session and open the journal, and
    /// read it (looking for entries a previous run left unfinished).
    pub fn remedy_identity(&mut self, identity: &CallerIdentity) -> Vec<Effect> {
        let readonly = self.header.readonly;
        let r = &mut self.remedy;
        let (Some(setup), Some(base)) = (r.setup.as_ref(), r.base.take()) else {
            return Vec::new();
        };
        let mode = if readonly {
            WriteMode::ReadOnly
        } else {
            WriteMode::RequireElevation
        };
        r.session = Some(Session::new(
            base,
            identity.clone(),
            setup.role.clone(),
            mode,
            setup.clock.clone(),
        ));
        let opened = match &setup.data_dir {
            Some(dir) => Journal::open(dir, &identity.account_id).map_err(|e| e.to_string()),
            None => Err(crate::remedy::JournalError::NoDataDir.to_string()),
        };
        match opened {
            Ok(j) => {
                r.journal = Some(j.clone());
                r.entries = JournalState::Loading;
                vec![jobs_effect(jobs::Work::ReadJournal {
                    journal: j,
                    at_start: true,
                })]
            }
            Err(e) => {
                r.journal_error = Some(e);
                Vec::new()
            }
        }
    }
}

/// An effect that runs `work` in a task.
pub(crate) fn jobs_effect(work: jobs::Work) -> Effect {
    Effect::Remedy(jobs::Job::new(work))
}

/// `arn:aws:iam::1:role/path/name` → `name`.
pub fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// Seconds left as the header shows them: `14:32`, or `1:05:00`.
pub fn countdown(secs: i64) -> String {
    let s = secs.max(0);
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, (s % 3600) / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdown_reads_as_minutes_and_seconds() {
        assert_eq!(countdown(14 * 60 + 32), "14:32");
        assert_eq!(countdown(59), "0:59");
        assert_eq!(countdown(3600), "1:00:00");
        assert_eq!(countdown(-5), "0:00");
        assert_eq!(
            role_name("arn:aws:iam::123456789012:role/ops/vigil-lab-remediation"),
            "vigil-lab-remediation"
        );
    }
}
