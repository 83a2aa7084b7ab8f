//! What the remediation tasks report back, and the re-evaluation after a
//! change: the bucket, the account or IAM is re-read through the console's
//! refresh path (so the Buckets, Findings and Principals panes update),
//! and when the re-read is in the outcome is said again with what became
//! of the findings the change was meant to fix.

use crate::model::finding::Status;
use crate::remedy::RemedyError;
use crate::remedy::journal::{self, Outcome};
use crate::tui::app::App;
use crate::tui::message::{Effect, ToastLevel};

use super::jobs::RemedyMsg;
use super::{Reevaluation, Target};

/// How an outcome reads in a toast.
pub fn outcome_words(o: &Outcome) -> String {
    match o.result {
        journal::Result::Applied => "applied, verified by reading back".into(),
        journal::Result::Unverified => {
            "written, but the read-back differs (see the journal entry)".into()
        }
        journal::Result::Failed => format!(
            "FAILED after {} step(s){}",
            o.applied_steps,
            o.error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default()
        ),
        journal::Result::NotApplied => "not applied".into(),
    }
}

impl App {
    /// A remediation task reported back.
    pub fn on_remedy(&mut self, msg: RemedyMsg) -> Vec<Effect> {
        self.dirty = true;
        match msg {
            RemedyMsg::Elevated { result, then } => self.elevated(result, then),
            RemedyMsg::Applied { plan, result } => self.applied(&plan, result),
            RemedyMsg::Undone { entry, result } => self.undone(&entry, result),
            RemedyMsg::Verified { entry, result } => self.verified(&entry, result),
            RemedyMsg::Journal { result, at_start } => {
                self.journal_read(result, at_start);
                Vec::new()
            }
        }
    }

    fn applied(
        &mut self,
        plan: &crate::remedy::Plan,
        result: Result<crate::remedy::Applied, RemedyError>,
    ) -> Vec<Effect> {
        self.remedy.busy = None;
        let on = crate::model::text::safe(&plan.resource);
        match result {
            Ok(applied) => {
                let said = format!(
                    "{} on {}: {}",
                    plan.remediation,
                    super::super::draw::lists::short_arn(&on),
                    outcome_words(&applied.outcome),
                );
                self.remedy.flow = None;
                self.close_preview();
                let rules = plan.findings.iter().map(|f| f.rule.clone()).collect();
                let level = if applied.succeeded() {
                    ToastLevel::Info
                } else {
                    ToastLevel::Error
                };
                self.await_reevaluation(
                    Target::of(&plan.steps),
                    plan.resource.clone(),
                    rules,
                    (said, applied.entry_id),
                    level,
                )
            }
            Err(RemedyError::Changed { what }) => {
                // Nothing was written: re-read and show the new plan.
                let mut effects = Vec::new();
                if let Some(flow) = &mut self.remedy.flow {
                    flow.replanning = true;
                    flow.note = Some(format!(
                        "{what} changed since this preview; re-reading to plan again"
                    ));
                    effects.push(Target::of(&flow.plan.steps).refresh(self));
                }
                self.toast(
                    ToastLevel::Warn,
                    format!("{what} changed since the preview: nothing written; planning again"),
                );
                effects
            }
            Err(RemedyError::NothingToDo(why)) => {
                self.remedy.flow = None;
                self.close_preview();
                self.toast(ToastLevel::Info, format!("nothing to do: {why}"));
                Vec::new()
            }
            Err(e) => {
                let written = matches!(e, RemedyError::OutcomeNotJournaled { .. });
                let mut lines = vec![e.to_string()];
                if !written {
                    lines.push("Nothing was written.".into());
                }
                self.refuse(format!("{} on {on}", plan.remediation), lines);
                let mut effects = self.reload_journal();
                if written {
                    effects.push(Target::of(&plan.steps).refresh(self));
                }
                effects
            }
        }
    }

    /// Say the outcome, re-read what changed, and read the journal again;
    /// the outcome is said once more with the findings' new verdicts.
    pub(crate) fn await_reevaluation(
        &mut self,
        target: Target,
        resource: String,
        rules: Vec<String>,
        (said, entry): (String, String),
        level: ToastLevel,
    ) -> Vec<Effect> {
        let mut rules: Vec<String> = rules;
        rules.dedup();
        self.toast(
            level,
            format!("{said} · journal {entry} — re-reading to re-evaluate…"),
        );
        let mut effects = vec![target.refresh(self)];
        effects.extend(self.reload_journal());
        self.remedy.awaiting = Some(Reevaluation {
            target,
            resource,
            rules,
            said,
            entry,
        });
        effects
    }

    /// A re-read of `refreshed` is in (called by `incoming` after it
    /// updated the panes). Plans again when the preview waited for it, and
    /// says what became of the findings a change was meant to fix; `true`
    /// when it said something (the re-read's own message is then left out).
    pub(crate) fn reevaluate(&mut self, refreshed: &Target) -> bool {
        if let Some(flow) = &self.remedy.flow
            && flow.replanning
            && (Target::of(&flow.plan.steps) == *refreshed || flow.plan.steps.is_empty())
        {
            let note = "the state changed since the last preview: this is the new plan".to_string();
            let note = match &flow.note {
                Some(n) if n.starts_with("re-reading") => "re-read: this is the plan now".into(),
                _ => note,
            };
            self.replan_now(note);
            return true;
        }
        let Some(a) = self.remedy.awaiting.take_if(|a| a.target == *refreshed) else {
            return false;
        };
        let verdicts: Vec<String> = a
            .rules
            .iter()
            .map(|rule| {
                let v = match self.finding_status(&a.resource, rule) {
                    Some(Status::Pass) => "now passes",
                    Some(Status::Fail) => "fails",
                    Some(Status::Unknown) => "is unknown",
                    None => "was not evaluated",
                };
                format!("{rule} {v}")
            })
            .collect();
        let text = if verdicts.is_empty() {
            format!("{} · journal {}", a.said, a.entry)
        } else {
            format!("{}; {} · journal {}", a.said, verdicts.join(", "), a.entry)
        };
        self.toast(ToastLevel::Info, text);
        true
    }

    /// A re-read the re-evaluation waited for failed.
    pub(crate) fn reevaluation_failed(&mut self, refreshed: &Target) {
        if let Some(a) = self.remedy.awaiting.take_if(|a| a.target == *refreshed) {
            self.toast(
                ToastLevel::Warn,
                format!("{} — but re-reading it failed; `r` tries again", a.said),
            );
        }
        if let Some(flow) = &mut self.remedy.flow
            && flow.replanning
        {
            flow.replanning = false;
            flow.note = Some("re-reading failed; `r` tries again".into());
        }
    }
}
