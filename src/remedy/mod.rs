//! Remediation: plan → preview (before/after) → apply → verify (read back)
//! → journal → undo.
//!
//! - [`catalogue`]: every remediation (id, what it fixes, calls, permissions,
//!   reversibility, what it must be told);
//! - [`plan()`]: from what was read to the exact writes ([`Plan`]), pure;
//!   [`plan_live`] reads what it needs first; [`Plan::preview`] shows it;
//! - [`run::apply`] / [`run::undo`] / [`run::verify_unfinished`]: the
//!   writes, journaled before (intent, synced) and after (outcome);
//! - [`journal`]: the per-account JSON-lines journal; [`report`]: its
//!   incident-report timeline.
//!
//! This layer writes only through [`Cloud::apply`]; which credentials that
//! is (the current ones, or an elevated role session) is the caller's
//! choice (the `session` layer), recorded as the [`journal::Actor`].

pub mod acl;
pub mod bucket_policy;
pub mod catalogue;
pub mod journal;
pub mod live;
pub mod plan;
pub mod preview;
pub mod report;
pub mod run;
pub mod state;
pub mod user_mfa;

pub use catalogue::{REMEDIATIONS, Remediation, remediation};
pub use journal::{Actor, Entry, Journal, JournalError};
pub use live::plan_live;
pub use plan::{Current, Inputs, Plan, Step, TargetBucket, plan};
pub use preview::Preview;
pub use run::{Applied, Standing, apply, undo, verify_unfinished};

#[cfg(doc)]
use crate::cloud::Cloud;

/// Why a remediation was not planned or applied. Each says what, on what,
/// and what to do.
#[derive(Debug, thiserror::Error)]
pub enum RemedyError {
    #[error("no remediation {0:?}; `vigil remediations` lists them")]
    UnknownRemediation(String),
    #[error("{remediation} needs {flag}")]
    MissingInput {
        remediation: String,
        flag: &'static str,
    },
    #[error("{0}")]
    BadInput(String),
    #[error("cannot read {what} ({why}); vigil does not change what it cannot read back")]
    Unreadable { what: String, why: String },
    #[error("{what} is malformed ({why}); vigil will not rewrite it — fix it by hand")]
    MalformedState { what: String, why: String },
    #[error("nothing to do: {0}")]
    NothingToDo(String),
    #[error("{what} changed since the preview; plan again to see the new diff")]
    Changed { what: String },
    #[error(
        "{what} was changed by someone else after {entry}; undo refused so as not to overwrite that change — restore it by hand from `vigil journal`"
    )]
    Conflict { what: String, entry: String },
    #[error(
        "{what} was changed again by vigil's later entry {later}; undo {later} first (undo goes newest first), then {entry}"
    )]
    LaterEntry {
        what: String,
        entry: String,
        later: String,
    },
    #[error("{entry} was already undone by {by}")]
    AlreadyUndone { entry: String, by: String },
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error(
        "the change of {entry} was made, but its outcome could not be journaled ({source}); the next start offers to verify it"
    )]
    OutcomeNotJournaled { entry: String, source: JournalError },
    #[error(transparent)]
    Cloud(#[from] crate::cloud::CloudError),
}

/// Milliseconds since the epoch now.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// RFC 3339 UTC text of a time, to the second.
pub fn time_text(ms: i64) -> String {
    aws_smithy_types::DateTime::from_secs(ms.div_euclid(1000))
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_else(|_| ms.to_string())
}
