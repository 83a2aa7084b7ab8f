//! The remediation console's slow work, each a spawned task that reports
//! back on the UI's channel: elevation (`sts:AssumeRole`), apply, undo,
//! verify an unfinished entry, and reading the journal file.
//!
//! A [`Job`] carries what its task needs (an `ElevationJob` holding the MFA
//! code, a `Writer` holding the elevated backend) out of the key handler
//! that built it. Those cannot be copied, so a `Job` hands its work over
//! once: the first [`spawn`] takes it, and a clone of the effect that
//! carried it finds nothing left to run.

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::After;
use crate::cloud::Cloud;
use crate::remedy::journal::{Contents, Entry, Outcome};
use crate::remedy::{self, Applied, Journal, JournalError, Plan, RemedyError, Standing};
use crate::session::{ElevationDone, ElevationJob, SessionError, Writer};
use crate::tui::message::Msg;

/// What a remediation task does.
pub enum Work {
    /// Call STS with the code the job holds, then carry on with `then`.
    Elevate { job: ElevationJob, then: After },
    Apply {
        writer: Writer,
        journal: Journal,
        plan: Box<Plan>,
    },
    Undo {
        writer: Writer,
        journal: Journal,
        entry: Box<Entry>,
    },
    /// Read back an unfinished entry with the operator's own credentials.
    Verify {
        reader: Arc<dyn Cloud>,
        journal: Journal,
        entry: Box<Entry>,
    },
    /// Read the journal file; `at_start`: look for unfinished entries.
    ReadJournal { journal: Journal, at_start: bool },
}

impl Work {
    fn name(&self) -> &'static str {
        match self {
            Work::Elevate { .. } => "elevate",
            Work::Apply { .. } => "apply",
            Work::Undo { .. } => "undo",
            Work::Verify { .. } => "verify",
            Work::ReadJournal { .. } => "read journal",
        }
    }
}

/// Work handed to one task. Equal only to itself; its `Debug` names the
/// work and shows nothing it holds.
#[derive(Clone)]
pub struct Job {
    name: &'static str,
    work: Arc<Mutex<Option<Work>>>,
}

impl Job {
    pub fn new(work: Work) -> Job {
        Job {
            name: work.name(),
            work: Arc::new(Mutex::new(Some(work))),
        }
    }

    /// What it does (`elevate`, `apply`, …).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The work, the first time only.
    pub fn take(&self) -> Option<Work> {
        match self.work.lock() {
            Ok(mut w) => w.take(),
            Err(p) => p.into_inner().take(),
        }
    }
}

impl PartialEq for Job {
    fn eq(&self, other: &Job) -> bool {
        Arc::ptr_eq(&self.work, &other.work)
    }
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Job({})", self.name)
    }
}

/// A remediation task's report.
#[derive(Debug)]
pub enum RemedyMsg {
    Elevated {
        result: Result<ElevationDone, SessionError>,
        then: After,
    },
    Applied {
        plan: Box<Plan>,
        result: Result<Applied, RemedyError>,
    },
    Undone {
        entry: Box<Entry>,
        result: Result<Applied, RemedyError>,
    },
    Verified {
        entry: Box<Entry>,
        result: Result<(Standing, Outcome), RemedyError>,
    },
    Journal {
        result: Result<Contents, JournalError>,
        at_start: bool,
    },
}

/// Run a job's work in a task of its own.
pub fn spawn(job: Job, tx: mpsc::Sender<Msg>) {
    let Some(work) = job.take() else {
        tracing::warn!(
            job = job.name(),
            "a remediation job was spawned twice; ignored"
        );
        return;
    };
    tokio::spawn(async move {
        let msg = run(work).await;
        let _ = tx.send(Msg::Remedy(msg)).await;
    });
}

async fn run(work: Work) -> RemedyMsg {
    match work {
        Work::Elevate { job, then } => {
            let result = job.run().await;
            match &result {
                Ok(done) => tracing::info!(elevation = ?done, "elevated"),
                Err(e) => tracing::info!(error = %e, "elevation refused"),
            }
            RemedyMsg::Elevated { result, then }
        }
        Work::Apply {
            writer,
            journal,
            plan,
        } => {
            let result = remedy::apply(writer.cloud.as_ref(), &journal, &writer.actor, &plan).await;
            RemedyMsg::Applied { plan, result }
        }
        Work::Undo {
            writer,
            journal,
            entry,
        } => {
            let result =
                remedy::undo(writer.cloud.as_ref(), &journal, &writer.actor, entry.id()).await;
            RemedyMsg::Undone { entry, result }
        }
        Work::Verify {
            reader,
            journal,
            entry,
        } => {
            let result = remedy::verify_unfinished(reader.as_ref(), &journal, &entry).await;
            RemedyMsg::Verified { entry, result }
        }
        Work::ReadJournal { journal, at_start } => RemedyMsg::Journal {
            result: read(journal).await,
            at_start,
        },
    }
}

/// Read the journal file off the runtime's workers.
async fn read(journal: Journal) -> Result<Contents, JournalError> {
    let path = journal.path().to_path_buf();
    match tokio::task::spawn_blocking(move || journal.read()).await {
        Ok(r) => r,
        Err(e) => Err(JournalError::Read {
            path,
            source: std::io::Error::other(e.to_string()),
        }),
    }
}
