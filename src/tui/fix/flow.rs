//! From the fix key to the apply: which finding, what the remediation must
//! be told (asked in a prompt when the finding does not say), the plan and
//! its preview page, then — going ahead — elevation if needed, the
//! confirmation, and the apply task.

use crate::model::finding::{Finding, Status};
use crate::remedy::catalogue::{Need, Remediation};
use crate::remedy::live::partition_of;
use crate::remedy::{self, Current, Inputs, TargetBucket};
use crate::session::{SessionError, Status as SessionStatus};
use crate::tui::app::{App, Page, PageState, Pane};
use crate::tui::message::{Effect, ToastLevel};
use crate::tui::widgets::prompt::{Prompt, PromptKind};
use crate::tui::widgets::{ConfirmDialog, Intent, Modal};

use super::jobs::Work;
use super::{After, Busy, Flow, PendingInput, Target, jobs_effect, role_name};

/// Whether a write can go ahead now.
pub(crate) enum Readiness {
    Ready,
    /// Elevate first (not elevated, or the session ended).
    NeedsElevation,
    /// It cannot, and this says why and what to do.
    Refused(String, Vec<String>),
}

/// `access_keys[AKIA…]` evidence paths: the keys a finding is about.
fn evidence_keys(f: &Finding) -> Vec<String> {
    f.evidence
        .iter()
        .filter_map(|e| e.path.as_deref())
        .filter_map(|p| p.strip_prefix("access_keys[")?.strip_suffix(']'))
        .map(str::to_string)
        .collect()
}

/// A bucket's most severe failing finding that has a remediation.
fn most_severe_fixable(v: &crate::tui::analysis::BucketView) -> Option<&Finding> {
    v.findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.remediation.is_some())
        .max_by_key(|f| f.severity)
}

impl App {
    /// The fix key: on the preview page, go ahead; elsewhere plan the
    /// remediation of the selected finding, or on a bucket (its page or its
    /// row) of its most severe failing finding that has one.
    pub(crate) fn fix_key(&mut self) -> Vec<Effect> {
        if self.page().page == Page::Preview {
            return self.proceed();
        }
        let target = match &self.page().page {
            Page::Pane(Pane::Findings) => self.selected_finding().and_then(|r| self.finding(r)),
            Page::Bucket(name) => self.bucket(name).and_then(most_severe_fixable),
            Page::Pane(Pane::Buckets) => self.selected_bucket().and_then(most_severe_fixable),
            _ => None,
        };
        match target.filter(|f| f.status == Status::Fail && f.remediation.is_some()) {
            Some(f) => {
                let f = f.clone();
                self.start_fix(f)
            }
            None => {
                self.toast(
                    ToastLevel::Info,
                    "nothing to fix here: select a failing finding that has a remediation",
                );
                Vec::new()
            }
        }
    }

    /// Plan the remediation `finding` names, asking first for what it
    /// must be told and the finding does not say.
    pub fn start_fix(&mut self, finding: Finding) -> Vec<Effect> {
        let Some(id) = finding.remediation.clone() else {
            return Vec::new();
        };
        let Some(def) = remedy::remediation(&id) else {
            self.toast(
                ToastLevel::Error,
                format!("{id}: no such remediation in this build"),
            );
            return Vec::new();
        };
        if self.header.account_id.is_none() {
            self.toast(
                ToastLevel::Info,
                "still reading who you are (GetCallerIdentity); try again in a moment",
            );
            return Vec::new();
        }
        let inputs = self.inputs_from(&finding, def);
        self.ask_or_plan(PendingInput {
            finding,
            remediation: id,
            inputs,
        });
        Vec::new()
    }

    /// What the finding says about what the remediation must be told.
    fn inputs_from(&self, f: &Finding, def: &Remediation) -> Inputs {
        let mut inputs = Inputs::default();
        if def.needs.contains(&Need::Bucket) {
            // arn:PARTITION:s3:::NAME
            inputs.bucket = f
                .resource
                .split_once(":s3:::")
                .map(|(_, name)| name.to_string());
        }
        if def.needs.contains(&Need::User)
            && let Some(inv) = &self.iam_inventory
        {
            inputs.user = inv
                .users
                .iter()
                .find(|u| u.arn == f.resource)
                .map(|u| u.name.clone());
        }
        if def.needs.contains(&Need::AccessKey) {
            let keys = evidence_keys(f);
            if keys.len() == 1 {
                inputs.access_key = keys.into_iter().next();
            }
        }
        inputs
    }

    /// Open a prompt for the first value still missing, or plan.
    fn ask_or_plan(&mut self, p: PendingInput) {
        let Some(def) = remedy::remediation(&p.remediation) else {
            return;
        };
        let on =
            p.inputs.bucket.clone().unwrap_or_else(|| {
                super::super::draw::lists::short_arn(&p.finding.resource).into()
            });
        let ask = def.needs.iter().find_map(|need| match need {
            Need::TargetBucket if p.inputs.target_bucket.is_none() => {
                let region = p
                    .inputs
                    .bucket
                    .as_deref()
                    .and_then(|b| self.bucket(b))
                    .map(|v| v.region.clone());
                let mut choices: Vec<String> = self
                    .buckets
                    .iter()
                    .filter(|v| region.as_ref().is_none_or(|r| *r == v.region))
                    .filter(|v| Some(&v.bucket.name) != p.inputs.bucket.as_ref())
                    .map(|v| v.bucket.name.clone())
                    .collect();
                choices.sort();
                Some((
                    format!("target bucket for the access logs of {on} (tab completes)"),
                    choices,
                ))
            }
            Need::KmsKey if p.inputs.kms_key.is_none() => Some((
                format!("KMS key for {on}: key ARN, key id or alias/NAME"),
                Vec::new(),
            )),
            Need::AccessKey if p.inputs.access_key.is_none() => {
                let keys = evidence_keys(&p.finding);
                Some((
                    format!("access key of {on} to deactivate ({})", keys.join(", ")),
                    keys,
                ))
            }
            _ => None,
        });
        match ask {
            Some((label, choices)) => {
                self.prompt = Some(Prompt {
                    kind: PromptKind::Input {
                        label: crate::model::text::safe(&label),
                        choices,
                    },
                    input: tui_input::Input::default(),
                });
                self.remedy.pending_input = Some(p);
            }
            None => self.plan_flow(p, None),
        }
    }

    /// The value the input prompt asked for.
    pub(crate) fn remedy_input(&mut self, value: &str) {
        let Some(mut p) = self.remedy.pending_input.take() else {
            return;
        };
        let value = value.trim().to_string();
        if value.is_empty() {
            self.toast(ToastLevel::Info, "nothing typed: not fixed");
            return;
        }
        let slot = match remedy::remediation(&p.remediation).map(|d| d.needs) {
            Some(needs)
                if needs.contains(&Need::TargetBucket) && p.inputs.target_bucket.is_none() =>
            {
                &mut p.inputs.target_bucket
            }
            Some(needs) if needs.contains(&Need::KmsKey) && p.inputs.kms_key.is_none() => {
                &mut p.inputs.kms_key
            }
            _ => &mut p.inputs.access_key,
        };
        *slot = Some(value);
        self.ask_or_plan(p);
    }

    /// The input prompt was cancelled.
    pub(crate) fn remedy_input_cancelled(&mut self) {
        if self.remedy.pending_input.take().is_some() {
            self.toast(ToastLevel::Info, "not fixed");
        }
    }

    /// Plan from what the console read and show the preview page; a plan
    /// that cannot be made says why in a message box.
    pub(crate) fn plan_flow(&mut self, p: PendingInput, note: Option<String>) {
        let account_id = self.header.account_id.clone().unwrap_or_default();
        let partition = partition_of(self.header.caller_arn.as_deref().unwrap_or("")).to_string();
        let bucket = p
            .inputs
            .bucket
            .as_deref()
            .and_then(|n| self.bucket(n))
            .map(|v| &v.bucket);
        // The console has read every bucket of the account once the scan is
        // done: a name it does not know is not the account's.
        let target_bucket = match p.inputs.target_bucket.as_deref() {
            Some(t) => match self.bucket(t) {
                Some(v) => TargetBucket::Found(&v.bucket),
                None if self.scan.done && self.scan.error.is_none() => TargetBucket::Missing,
                None => TargetBucket::NotRead,
            },
            None => TargetBucket::NotRead,
        };
        let current = Current {
            account_id: &account_id,
            partition: &partition,
            bucket,
            account_public_access_block: Some(&self.account_bpa),
            iam: self.iam_inventory.as_deref(),
            target_bucket,
        };
        match remedy::plan(&p.remediation, &p.inputs, &current) {
            Ok(plan) => {
                let fixed = self.findings_fixed(&plan.resource, &p.finding);
                let plan = plan.with_findings(fixed);
                let preview = plan.preview();
                self.remedy.flow = Some(Flow {
                    plan,
                    preview,
                    inputs: p.inputs,
                    finding: p.finding,
                    note,
                    replanning: false,
                });
                if self.page().page != Page::Preview {
                    self.pages.push(PageState {
                        page: Page::Preview,
                        scroll: 0,
                    });
                }
                self.help = None;
            }
            Err(e) => {
                self.modal = Some(Modal::Message {
                    title: format!("Cannot plan {}", p.remediation),
                    lines: vec![e.to_string()],
                });
            }
        }
        self.dirty = true;
    }

    /// The failing findings on `resource` the remediation fixes (for the
    /// journal's incident report), the one it started from included.
    fn findings_fixed(&self, resource: &str, start: &Finding) -> Vec<Finding> {
        let fixes = start
            .remediation
            .as_deref()
            .and_then(remedy::remediation)
            .map(|d| d.fixes)
            .unwrap_or(&[]);
        let mut out: Vec<Finding> = self
            .findings_on(resource)
            .filter(|f| f.status == Status::Fail && fixes.contains(&f.rule.as_str()))
            .cloned()
            .collect();
        if !out.iter().any(|f| f.rule == start.rule) {
            out.insert(0, start.clone());
        }
        out
    }

    /// Every finding about `resource`.
    pub(crate) fn findings_on<'a>(
        &'a self,
        resource: &'a str,
    ) -> impl Iterator<Item = &'a Finding> {
        let bucket = resource
            .split_once(":s3:::")
            .and_then(|(_, n)| self.bucket(n));
        bucket
            .into_iter()
            .flat_map(|v| v.findings.iter())
            .chain(self.account_findings.iter())
            .filter(move |f| f.resource == resource)
    }

    /// Whether writing can go ahead, and if not why.
    pub(crate) fn readiness(&self) -> Readiness {
        let r = &self.remedy;
        let Some(s) = &r.session else {
            return Readiness::Refused(
                "Not ready to write".into(),
                vec![if r.wired() {
                    "vigil is still finding out who you are (GetCallerIdentity); try again in a moment".into()
                } else {
                    "remediation is not wired into this console".into()
                }],
            );
        };
        if r.journal.is_none() {
            return Readiness::Refused(
                "No journal".into(),
                vec![
                    "vigil journals every change before making it, and cannot open the journal:"
                        .into(),
                    r.journal_error.clone().unwrap_or_default(),
                ],
            );
        }
        match s.status() {
            SessionStatus::ReadOnly => Readiness::Refused(
                "Read-only".into(),
                vec!["vigil runs with --readonly: it neither writes nor elevates".into()],
            ),
            SessionStatus::NotElevated { role: None } => Readiness::Refused(
                "No remediation role".into(),
                vec![
                    SessionError::NoRole.to_string(),
                    r.no_role_hint().to_string(),
                ],
            ),
            SessionStatus::NotElevated { role: Some(_) } | SessionStatus::Expired { .. } => {
                Readiness::NeedsElevation
            }
            SessionStatus::Elevated { .. } | SessionStatus::CurrentCredentials => Readiness::Ready,
        }
    }

    /// Say why a write cannot go ahead.
    pub(crate) fn refuse(&mut self, title: String, lines: Vec<String>) {
        self.modal = Some(Modal::Message {
            title,
            lines: lines.into_iter().filter(|l| !l.is_empty()).collect(),
        });
    }

    /// The fix key on the preview page: elevate if needed, then confirm.
    fn proceed(&mut self) -> Vec<Effect> {
        let Some(flow) = &self.remedy.flow else {
            self.toast(ToastLevel::Info, "no remediation is being planned");
            return Vec::new();
        };
        if let Some(b) = &self.remedy.busy {
            let text = format!("{} — wait for it to finish", b.describe());
            self.toast(ToastLevel::Info, text);
            return Vec::new();
        }
        if flow.replanning {
            self.toast(ToastLevel::Info, "re-reading: the new plan comes next");
            return Vec::new();
        }
        if let Some(why) = flow.preview.nothing_to_do.clone() {
            self.toast(ToastLevel::Info, format!("nothing to do: {why}"));
            return Vec::new();
        }
        match self.readiness() {
            Readiness::Ready => self.confirm_apply(),
            Readiness::NeedsElevation => self.offer_elevation(After::ConfirmApply),
            Readiness::Refused(title, lines) => self.refuse(title, lines),
        }
        Vec::new()
    }

    /// The name a disruptive remediation wants typed: the bucket's, the
    /// account id, or the user's.
    fn name_to_type(&self, flow: &Flow) -> String {
        match Target::of(&flow.plan.steps) {
            Target::Bucket(b) => b,
            Target::Account => flow.plan.account_id.clone(),
            Target::Iam => role_name(&flow.plan.resource).to_string(),
        }
    }

    /// "Apply …?" (default No; typing the name for a disruptive one).
    pub(crate) fn confirm_apply(&mut self) {
        let Some(flow) = &self.remedy.flow else {
            return;
        };
        let p = &flow.preview;
        let mut lines = vec![
            format!("{} on {}", p.remediation, p.resource),
            p.title.clone(),
            String::new(),
            format!("writes: {}", p.api_calls.join(", ")),
            "The prior state is journaled (and synced) before anything is written; the write is read back.".into(),
        ];
        if !p.warnings.is_empty() {
            lines.push(format!(
                "{} warning(s) on the preview: read them first.",
                p.warnings.len()
            ));
        }
        lines.push(match &p.undo_caveat {
            None => "Undo (:journal, u) restores the prior configuration exactly.".into(),
            Some(c) => format!("Undo restores it only partly: {c}."),
        });
        // The title is always drawn, however small the screen: it names
        // what is changed and where.
        let on = crate::model::text::safe(super::super::draw::lists::short_arn(&p.resource));
        let mut d = ConfirmDialog::new(
            format!("Apply {} to {on}?", p.remediation),
            lines,
            Intent::Apply,
        )
        .destructive();
        if flow.plan.definition().is_some_and(|d| d.disruptive) {
            d = d.require_typing(self.name_to_type(flow));
        }
        self.modal = Some(Modal::Confirm(d));
    }

    /// Confirmed: apply in a task.
    pub(crate) fn apply_confirmed(&mut self) -> Vec<Effect> {
        let (Some(flow), Some(s), Some(journal)) = (
            &self.remedy.flow,
            &self.remedy.session,
            self.remedy.journal.clone(),
        ) else {
            return Vec::new();
        };
        match s.writer() {
            Ok(writer) => {
                let plan = Box::new(flow.plan.clone());
                let what = format!("{} on {}", plan.remediation, flow.preview.resource);
                self.remedy.busy = Some(Busy::Applying(what.clone()));
                self.toast(ToastLevel::Info, format!("applying {what}…"));
                vec![jobs_effect(Work::Apply {
                    writer,
                    journal,
                    plan,
                })]
            }
            Err(SessionError::Expired { .. } | SessionError::NotElevated { .. }) => {
                self.offer_elevation(After::ConfirmApply);
                Vec::new()
            }
            Err(e) => {
                self.refuse("Not applied".into(), vec![e.to_string()]);
                Vec::new()
            }
        }
    }

    /// `r` on the preview page: re-read what the plan is about, and plan again.
    pub(crate) fn replan(&mut self) -> Vec<Effect> {
        let Some(flow) = &mut self.remedy.flow else {
            return Vec::new();
        };
        let target = match Target::of(&flow.plan.steps) {
            Target::Iam if flow.plan.steps.is_empty() => match &flow.inputs.bucket {
                Some(b) => Target::Bucket(b.clone()),
                None => Target::Iam,
            },
            t => t,
        };
        flow.replanning = true;
        flow.note = Some("re-reading to plan again…".into());
        let refresh = target.refresh(self);
        self.toast(ToastLevel::Info, "re-reading, then planning again…");
        vec![refresh]
    }

    /// Plan the flow again from what was just re-read (`r`, or a refused
    /// stale plan).
    pub(crate) fn replan_now(&mut self, note: String) {
        let Some(flow) = self.remedy.flow.take() else {
            return;
        };
        self.plan_flow(
            PendingInput {
                finding: flow.finding,
                remediation: flow.plan.remediation,
                inputs: flow.inputs,
            },
            Some(note),
        );
    }

    /// Leaving the preview page: the plan is dropped unless it is being applied.
    pub(crate) fn leave_preview(&mut self) {
        if self.page().page == Page::Preview && self.remedy.busy.is_none() {
            self.remedy.flow = None;
        }
    }

    /// The status of `rule` on `resource` now, for the re-evaluation.
    pub(crate) fn finding_status(&self, resource: &str, rule: &str) -> Option<Status> {
        self.findings_on(resource)
            .find(|f| f.rule == rule)
            .map(|f| f.status)
    }

    /// Pop the preview page (after an apply).
    pub(crate) fn close_preview(&mut self) {
        self.pages.retain(|p| p.page != Page::Preview);
        if self.pages.is_empty() {
            self.pages.push(PageState {
                page: Page::Pane(Pane::Findings),
                scroll: 0,
            });
        }
    }
}
