//! The `:journal` pane: every change vigil made to the account (newest
//! first), an entry's page (before/after, verification), undo from either
//! (elevation like any write, confirm default No, journaled as an entry of
//! its own), and verify for an entry a previous run left unfinished —
//! offered when the console starts.

use crate::remedy::journal::{Contents, Entry, Outcome};
use crate::remedy::{JournalError, Standing};
use crate::tui::app::{App, Page, PageState, Pane};
use crate::tui::message::{Effect, ToastLevel};
use crate::tui::widgets::{ConfirmDialog, Intent, Modal};

use super::jobs::Work;
use super::{After, Busy, JournalState, Target, jobs_effect};

impl App {
    /// The journal's entries, in file (time) order.
    pub fn journal_entries(&self) -> &[Entry] {
        match &self.remedy.entries {
            JournalState::Loaded(c) => &c.entries,
            _ => &[],
        }
    }

    pub fn journal_entry(&self, id: &str) -> Option<&Entry> {
        self.journal_entries().iter().find(|e| e.id() == id)
    }

    /// The entry under the cursor in the journal pane.
    pub fn selected_entry(&self) -> Option<&Entry> {
        let v = self.view(Pane::Journal);
        self.journal_entries().get(*v.rows.get(v.selected)?)
    }

    /// The entry the journal pane or an entry page is about.
    pub fn current_entry(&self) -> Option<&Entry> {
        match &self.page().page {
            Page::Entry(id) => self.journal_entry(id),
            Page::Pane(Pane::Journal) => self.selected_entry(),
            _ => None,
        }
    }

    /// Read the journal file again (opening the pane, `r`, after a change).
    pub(crate) fn reload_journal(&mut self) -> Vec<Effect> {
        match &self.remedy.journal {
            Some(j) => vec![jobs_effect(Work::ReadJournal {
                journal: j.clone(),
                at_start: false,
            })],
            None => Vec::new(),
        }
    }

    /// Enter on the journal pane.
    pub(crate) fn open_entry(&mut self) {
        if let Some(e) = self.selected_entry() {
            let id = e.id().to_string();
            self.pages.push(PageState {
                page: Page::Entry(id),
                scroll: 0,
            });
        }
    }

    /// The journal file was read.
    pub(crate) fn journal_read(&mut self, result: Result<Contents, JournalError>, at_start: bool) {
        match result {
            Ok(contents) => {
                let keep = self.selected_entry().map(|e| e.id().to_string());
                let n = contents.entries.len();
                let damaged = contents.damaged.len();
                let unfinished: Vec<Entry> = contents
                    .entries
                    .iter()
                    .filter(|e| e.is_unfinished())
                    .cloned()
                    .collect();
                self.remedy.entries = JournalState::Loaded(contents);
                // Newest first.
                let rows: Vec<usize> = (0..n).rev().collect();
                let selected = keep
                    .and_then(|id| {
                        rows.iter()
                            .position(|i| self.journal_entries()[*i].id() == id)
                    })
                    .unwrap_or(0);
                let h = self.list_height();
                let v = self.view_mut(Pane::Journal);
                v.rows = rows;
                v.selected = selected;
                v.clamp(h);
                if damaged > 0 {
                    self.toast(
                        ToastLevel::Warn,
                        format!("{damaged} line(s) of the journal are damaged and were skipped"),
                    );
                }
                if at_start && let Some(first) = unfinished.first() {
                    self.offer_unfinished(first, unfinished.len());
                }
            }
            Err(e) => {
                self.remedy.entries = JournalState::Failed(e.to_string());
                self.toast(ToastLevel::Error, format!("journal: {e}"));
            }
        }
    }

    /// At start: an entry vigil began and never finished (it stopped
    /// between the intent and the outcome). Offer to read it back; undo is
    /// then on its page.
    fn offer_unfinished(&mut self, e: &Entry, count: usize) {
        let mut lines = vec![
            format!(
                "{} — {}{} on {}",
                e.id(),
                // An unfinished undo is not a half-done fix: say which.
                match e.intent.action {
                    crate::remedy::journal::Action::Undo => "undo of ",
                    crate::remedy::journal::Action::Apply => "",
                },
                e.intent.remediation,
                e.intent.resource
            ),
            format!(
                "started {} by {}",
                e.intent.time,
                super::super::draw::lists::short_arn(&e.intent.actor.operator)
            ),
            String::new(),
            "vigil stopped after journaling this change and before recording how it went, so it may be in place, partly, or not at all.".into(),
            if self.header.readonly {
                "Verify reads it back and records where it stands (no write).".into()
            } else {
                "Verify reads it back and records where it stands (no write). Undo is then on its page in :journal (u).".into()
            },
        ];
        if count > 1 {
            lines.push(format!(
                "{} more unfinished entries are in :journal.",
                count - 1
            ));
        }
        lines.push(String::new());
        lines.push("Verify it now?".into());
        let d = ConfirmDialog::new(
            "Unfinished change in the journal",
            lines,
            Intent::Verify {
                entry: e.id().to_string(),
            },
        );
        if self.modal.is_none() {
            self.modal = Some(Modal::Confirm(d));
        } else {
            self.toast(
                ToastLevel::Warn,
                format!("journal entry {} was never finished: see :journal", e.id()),
            );
        }
        self.dirty = true;
    }

    /// The undo key on the journal pane or an entry's page.
    pub(crate) fn undo_key(&mut self) -> Vec<Effect> {
        let Some(e) = self.current_entry() else {
            self.toast(ToastLevel::Info, "undo works on a journal entry: :journal");
            return Vec::new();
        };
        if let Some(by) = &e.undone_by {
            let text = format!("{} was already undone by {by}", e.id());
            self.toast(ToastLevel::Info, text);
            return Vec::new();
        }
        if e.outcome
            .as_ref()
            .is_some_and(|o| o.result == crate::remedy::journal::Result::NotApplied)
        {
            let text = format!(
                "{}: nothing was written, so there is nothing to undo",
                e.id()
            );
            self.toast(ToastLevel::Info, text);
            return Vec::new();
        }
        let id = e.id().to_string();
        if let Some(b) = &self.remedy.busy {
            let text = format!("{} — wait for it to finish", b.describe());
            self.toast(ToastLevel::Info, text);
            return Vec::new();
        }
        match self.readiness() {
            super::flow::Readiness::Ready => self.confirm_undo(&id),
            super::flow::Readiness::NeedsElevation => self.offer_elevation(After::ConfirmUndo(id)),
            super::flow::Readiness::Refused(title, lines) => self.refuse(title, lines),
        }
        Vec::new()
    }

    /// "Undo …?" (default No).
    pub(crate) fn confirm_undo(&mut self, id: &str) {
        let Some(e) = self.journal_entry(id) else {
            return;
        };
        let written = e
            .outcome
            .as_ref()
            .map_or(e.intent.steps.len(), |o| o.applied_steps)
            .min(e.intent.steps.len());
        let undoing_an_undo = e.intent.action == crate::remedy::journal::Action::Undo;
        let mut lines = vec![
            format!(
                "{}{} on {} ({}, {})",
                if undoing_an_undo { "undo of " } else { "" },
                e.intent.remediation,
                e.intent.resource,
                e.status(),
                e.intent.time
            ),
            String::new(),
        ];
        if undoing_an_undo {
            lines.push(format!(
                "This takes back the undo: {} is in effect again.",
                e.intent.remediation
            ));
        }
        for s in e.intent.steps[..written].iter().rev() {
            lines.push(format!(
                "puts back the {}",
                crate::remedy::state::setting_name(&s.before)
            ));
        }
        // The caveat is about undoing the fix; an undo's undo re-applies it.
        if let Some(crate::remedy::catalogue::Reversibility::Partly(c)) =
            crate::remedy::remediation(&e.intent.remediation)
                .map(|d| d.reversible)
                .filter(|_| !undoing_an_undo)
        {
            lines.push(format!("only partly: {c}"));
        }
        lines.push(
            "A step someone else changed since is refused, not overwritten; the undo is journaled like any change.".into(),
        );
        // Every undo takes back a fix (public access, plain HTTP, a key
        // back in use) or re-applies a cut-off: the name is typed, as for a
        // disruptive fix.
        let name = match super::Target::of(&e.intent.steps) {
            super::Target::Bucket(b) => b,
            super::Target::Account => e.intent.account_id.clone(),
            super::Target::Iam => super::role_name(&e.intent.resource).to_string(),
        };
        self.modal = Some(Modal::Confirm(
            ConfirmDialog::new(
                format!("Undo {id}?"),
                lines,
                Intent::Undo {
                    entry: id.to_string(),
                },
            )
            .destructive()
            .require_typing(name),
        ));
    }

    /// Confirmed: undo in a task.
    pub(crate) fn undo_confirmed(&mut self, id: &str) -> Vec<Effect> {
        let (Some(s), Some(journal), Some(entry)) = (
            &self.remedy.session,
            self.remedy.journal.clone(),
            self.journal_entry(id).cloned(),
        ) else {
            return Vec::new();
        };
        match s.writer() {
            Ok(writer) => {
                self.remedy.busy = Some(Busy::Undoing(id.to_string()));
                self.toast(ToastLevel::Info, format!("undoing {id}…"));
                vec![jobs_effect(Work::Undo {
                    writer,
                    journal,
                    entry: Box::new(entry),
                })]
            }
            Err(
                crate::session::SessionError::Expired { .. }
                | crate::session::SessionError::NotElevated { .. },
            ) => {
                self.offer_elevation(After::ConfirmUndo(id.to_string()));
                Vec::new()
            }
            Err(e) => {
                self.refuse("Not undone".into(), vec![e.to_string()]);
                Vec::new()
            }
        }
    }

    /// The verify key: read back an unfinished entry.
    pub(crate) fn verify_key(&mut self) -> Vec<Effect> {
        match self.current_entry() {
            Some(e) if e.is_unfinished() => {
                let id = e.id().to_string();
                self.verify_confirmed(&id)
            }
            Some(e) => {
                let text = format!("{} is finished ({}): nothing to verify", e.id(), e.status());
                self.toast(ToastLevel::Info, text);
                Vec::new()
            }
            None => Vec::new(),
        }
    }

    /// Read an unfinished entry back in a task, with the operator's own
    /// credentials (reading needs no elevation).
    pub(crate) fn verify_confirmed(&mut self, id: &str) -> Vec<Effect> {
        let (Some(s), Some(journal), Some(entry)) = (
            &self.remedy.session,
            self.remedy.journal.clone(),
            self.journal_entry(id).cloned(),
        ) else {
            return Vec::new();
        };
        let reader = s.reader();
        self.remedy.busy = Some(Busy::Verifying(id.to_string()));
        self.toast(ToastLevel::Info, format!("reading back {id}…"));
        vec![jobs_effect(Work::Verify {
            reader,
            journal,
            entry: Box::new(entry),
        })]
    }

    /// The verify task reported back.
    pub(crate) fn verified(
        &mut self,
        entry: &Entry,
        result: Result<(Standing, Outcome), crate::remedy::RemedyError>,
    ) -> Vec<Effect> {
        self.remedy.busy = None;
        match result {
            Ok((standing, _)) => {
                let words = match standing {
                    Standing::Applied => "the change is in place",
                    Standing::NotApplied => "nothing was written",
                    Standing::Partial => "only part of the change is in place",
                    Standing::Elsewhere => {
                        "the setting is in neither its prior nor its new state: someone else changed it since, and undo would refuse to overwrite that"
                    }
                };
                // Undo has something to put back only where something was
                // written, and exists only where writes do.
                let undo = if matches!(standing, Standing::NotApplied | Standing::Elsewhere)
                    || self.header.readonly
                {
                    ""
                } else {
                    " (u undoes it)"
                };
                self.toast(
                    ToastLevel::Info,
                    format!("{}: {words}; recorded in the journal{undo}", entry.id()),
                );
                if self.page().page != Page::Entry(entry.id().to_string()) {
                    self.pages = vec![
                        PageState {
                            page: Page::Pane(Pane::Journal),
                            scroll: 0,
                        },
                        PageState {
                            page: Page::Entry(entry.id().to_string()),
                            scroll: 0,
                        },
                    ];
                }
                self.reload_journal()
            }
            Err(e) => {
                self.refuse(format!("Cannot verify {}", entry.id()), vec![e.to_string()]);
                Vec::new()
            }
        }
    }

    /// The undo task reported back.
    pub(crate) fn undone(
        &mut self,
        entry: &Entry,
        result: Result<crate::remedy::Applied, crate::remedy::RemedyError>,
    ) -> Vec<Effect> {
        self.remedy.busy = None;
        match result {
            Ok(applied) => {
                let said = format!(
                    "undid {} on {}: {}",
                    entry.intent.remediation,
                    super::super::draw::lists::short_arn(&entry.intent.resource),
                    super::reports::outcome_words(&applied.outcome),
                );
                let target = Target::of(&entry.intent.steps);
                let rules = entry
                    .intent
                    .findings
                    .iter()
                    .map(|f| f.rule.clone())
                    .collect();
                let level = if applied.succeeded() {
                    ToastLevel::Info
                } else {
                    ToastLevel::Error
                };
                self.await_reevaluation(
                    target,
                    entry.intent.resource.clone(),
                    rules,
                    (said, applied.entry_id),
                    level,
                )
            }
            Err(e) => {
                self.refuse(format!("Not undone: {}", entry.id()), vec![e.to_string()]);
                self.reload_journal()
            }
        }
    }
}
