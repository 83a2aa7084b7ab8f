//! Applying a plan, verifying it, undoing it — each journaled.
//!
//! The order is the point: read the exact prior state; refuse if it is not
//! what the preview showed; journal the intent (synced); write; read back;
//! journal the outcome. A failure before the intent changes nothing and
//! journals nothing; after it, the outcome records how far it got.

use serde::Serialize;

use super::journal::{
    self, Action, Actor, Entry, Intent, Journal, Outcome, Record, StepCheck, Verification,
};
use super::plan::{Plan, Step};
use super::{RemedyError, now_ms, state, time_text};
use crate::cloud::Cloud;
use crate::model::change::Change;

/// What applying (or undoing) did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Applied {
    /// The journal entry id (what `vigil undo` takes).
    pub entry_id: String,
    pub outcome: Outcome,
}

impl Applied {
    /// Every step written and read back as expected.
    pub fn succeeded(&self) -> bool {
        self.outcome.result == journal::Result::Applied
    }
}

/// Apply `plan` through `cloud`, journaled in `journal` as done by `actor`.
/// Refuses (journaling nothing) when there is nothing to do, when the prior
/// state cannot be read, or when it is no longer what the plan was made from.
pub async fn apply(
    cloud: &dyn Cloud,
    journal: &Journal,
    actor: &Actor,
    plan: &Plan,
) -> Result<Applied, RemedyError> {
    if plan.is_noop() {
        return Err(RemedyError::NothingToDo(
            plan.nothing_to_do
                .clone()
                .unwrap_or_else(|| "nothing to change".into()),
        ));
    }
    let mut steps = Vec::with_capacity(plan.steps.len());
    for s in &plan.steps {
        let now = read_now(cloud, &s.after).await?;
        if !state::same(&now, &s.before) {
            return Err(RemedyError::Changed {
                what: state::setting_name(&s.after),
            });
        }
        steps.push(Step {
            before: now,
            after: s.after.clone(),
        });
    }
    let intent = Intent {
        id: journal::new_id(now_ms()),
        time: time_text(now_ms()),
        account_id: plan.account_id.clone(),
        actor: actor.clone(),
        action: Action::Apply,
        remediation: plan.remediation.clone(),
        title: plan.title.clone(),
        resource: plan.resource.clone(),
        undoes: None,
        steps,
        warnings: plan.warnings.clone(),
        findings: plan.findings.clone(),
    };
    execute(cloud, journal, intent).await
}

async fn read_now(cloud: &dyn Cloud, change: &Change) -> Result<Change, RemedyError> {
    cloud
        .current_state(change)
        .await
        .map_err(|e| RemedyError::Unreadable {
            what: state::setting_name(change),
            why: e.to_string(),
        })
}

/// Journal the intent, write each step, read back, journal the outcome.
async fn execute(
    cloud: &dyn Cloud,
    journal: &Journal,
    intent: Intent,
) -> Result<Applied, RemedyError> {
    journal.append(&Record::Intent(intent.clone()))?;
    tracing::info!(
        entry = %intent.id,
        remediation = %intent.remediation,
        resource = %intent.resource,
        action = ?intent.action,
        "journaled intent; writing"
    );
    let mut applied = 0;
    let mut error = None;
    for s in &intent.steps {
        match cloud.apply(&s.after).await {
            Ok(()) => applied += 1,
            Err(e) => {
                error = Some(format!("{}: {e}", s.after.api_call()));
                break;
            }
        }
    }
    let verification = verify(cloud, &intent.steps[..applied]).await;
    let result = match (&error, verification.verified) {
        (Some(_), _) => journal::Result::Failed,
        (None, true) => journal::Result::Applied,
        (None, false) => journal::Result::Unverified,
    };
    let outcome = Outcome {
        id: intent.id.clone(),
        time: time_text(now_ms()),
        result,
        applied_steps: applied,
        error,
        verification,
        recovered: None,
    };
    tracing::info!(entry = %intent.id, result = ?outcome.result, "journaling outcome");
    journal
        .append(&Record::Outcome(outcome.clone()))
        .map_err(|e| RemedyError::OutcomeNotJournaled {
            entry: intent.id.clone(),
            source: e,
        })?;
    Ok(Applied {
        entry_id: intent.id,
        outcome,
    })
}

/// Read each step back and compare with what it set.
async fn verify(cloud: &dyn Cloud, steps: &[Step]) -> Verification {
    let mut checks = Vec::with_capacity(steps.len());
    for s in steps {
        let check = match cloud.current_state(&s.after).await {
            Ok(observed) => {
                let matches = state::reached(&s.after, &observed);
                let note = (matches && !state::same(&s.after, &observed)).then(|| {
                    "S3 cannot turn versioning off once it was on; Suspended is the closest state".to_string()
                });
                StepCheck {
                    expected: s.after.clone(),
                    observed: Some(observed),
                    matches,
                    note,
                }
            }
            Err(e) => StepCheck {
                expected: s.after.clone(),
                observed: None,
                matches: false,
                note: Some(format!("could not read back: {e}")),
            },
        };
        checks.push(check);
    }
    Verification {
        verified: checks.iter().all(|c| c.matches),
        steps: checks,
    }
}

/// The newest entry after `entry` that wrote `setting` and is not undone.
fn later_entry_on(journal: &Journal, entry: &Entry, setting: &str) -> Option<String> {
    let contents = journal.read().ok()?;
    let at = contents.entries.iter().position(|e| e.id() == entry.id())?;
    contents.entries[at + 1..]
        .iter()
        .rev()
        .find(|e| {
            e.undone_by.is_none()
                && e.intent
                    .steps
                    .iter()
                    .any(|s| state::setting_name(&s.after) == setting)
        })
        .map(|e| e.id().to_string())
}

/// Undo entry `id`: put back, in reverse order, the prior state of every
/// step it wrote, as a new journaled entry. A step already at its prior
/// state is skipped; a step changed by someone else since is a refusal
/// (vigil does not overwrite a change it did not make).
pub async fn undo(
    cloud: &dyn Cloud,
    journal: &Journal,
    actor: &Actor,
    id: &str,
) -> Result<Applied, RemedyError> {
    let entry = journal.entry(id)?;
    if let Some(by) = &entry.undone_by {
        return Err(RemedyError::AlreadyUndone {
            entry: entry.intent.id.clone(),
            by: by.clone(),
        });
    }
    // An unfinished entry may have written any prefix of its steps; the
    // per-step check below handles each.
    let written = match &entry.outcome {
        Some(o) => o.applied_steps.min(entry.intent.steps.len()),
        None => entry.intent.steps.len(),
    };
    let mut steps = Vec::new();
    for s in entry.intent.steps[..written].iter().rev() {
        let now = read_now(cloud, &s.before).await?;
        if state::same(&now, &s.before) {
            continue;
        }
        if !state::reached(&s.after, &now) {
            let what = state::setting_name(&s.after);
            // Not someone else when vigil itself changed it again since.
            if let Some(later) = later_entry_on(journal, &entry, &what) {
                return Err(RemedyError::LaterEntry {
                    what,
                    entry: entry.intent.id.clone(),
                    later,
                });
            }
            return Err(RemedyError::Conflict {
                what,
                entry: entry.intent.id.clone(),
            });
        }
        steps.push(Step {
            before: now,
            after: s.before.clone(),
        });
    }
    if steps.is_empty() {
        return Err(RemedyError::NothingToDo(format!(
            "the configuration is already as it was before {}",
            entry.intent.id
        )));
    }
    let intent = Intent {
        id: journal::new_id(now_ms()),
        time: time_text(now_ms()),
        account_id: entry.intent.account_id.clone(),
        actor: actor.clone(),
        action: Action::Undo,
        remediation: entry.intent.remediation.clone(),
        title: format!("undo: {}", entry.intent.title),
        resource: entry.intent.resource.clone(),
        undoes: Some(entry.intent.id.clone()),
        steps,
        warnings: Vec::new(),
        findings: Vec::new(),
    };
    execute(cloud, journal, intent).await
}

/// Where an unfinished entry's configuration stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// Every step is at its new state: the change was made.
    Applied,
    /// Every step is at its prior state: nothing was written.
    NotApplied,
    /// Some steps are written, the others at their prior state.
    Partial,
    /// A step is in neither its prior nor its new state: someone else
    /// changed it since; undo would refuse to overwrite that.
    Elsewhere,
}

/// Read an unfinished entry's configuration back, record the outcome that
/// tells where it stands (`recovered`), and return it. Undo remains
/// available through [`undo`].
pub async fn verify_unfinished(
    cloud: &dyn Cloud,
    journal: &Journal,
    entry: &Entry,
) -> Result<(Standing, Outcome), RemedyError> {
    let verification = verify(cloud, &entry.intent.steps).await;
    let mut at_before = 0;
    let mut elsewhere = false;
    for s in &entry.intent.steps {
        match cloud.current_state(&s.before).await {
            Ok(now) if state::same(&now, &s.before) => at_before += 1,
            Ok(now) if !state::reached(&s.after, &now) => elsewhere = true,
            _ => {}
        }
    }
    let n = entry.intent.steps.len();
    let standing = if verification.verified {
        Standing::Applied
    } else if at_before == n {
        Standing::NotApplied
    } else if elsewhere {
        Standing::Elsewhere
    } else {
        Standing::Partial
    };
    let outcome = Outcome {
        id: entry.intent.id.clone(),
        time: time_text(now_ms()),
        result: match standing {
            Standing::Applied => journal::Result::Applied,
            Standing::NotApplied => journal::Result::NotApplied,
            Standing::Partial | Standing::Elsewhere => journal::Result::Failed,
        },
        // Undo looks at every step of a partial entry and reverts only
        // those not at their prior state.
        applied_steps: match standing {
            Standing::NotApplied => 0,
            Standing::Applied | Standing::Partial | Standing::Elsewhere => n,
        },
        error: match standing {
            Standing::Partial => Some(
                "vigil stopped before recording the outcome; only part of the change is in place".into(),
            ),
            Standing::Elsewhere => Some(
                "vigil stopped before recording the outcome; the setting has since been changed by someone else (neither its prior nor its new state)".into(),
            ),
            _ => None,
        },
        verification,
        recovered: Some(
            "outcome established by reading back after vigil stopped before recording it".into(),
        ),
    };
    journal.append(&Record::Outcome(outcome.clone()))?;
    Ok((standing, outcome))
}
