//! Elevation in the console: "this needs <role> with MFA — elevate now?",
//! the MFA prompt (masked, digits only, naming the device), the
//! `sts:AssumeRole` task and a new prompt after a wrong or reused code;
//! `:elevate` and `:drop`; on the timer, the header's countdown (redrawn
//! only when the seconds shown change), the offer to re-elevate near the
//! end, and the drop back to read-only at expiry.

use crate::cloud::MfaCode;
use crate::session::{ElevationDone, SessionError, Status};
use crate::tui::app::{App, Elevation};
use crate::tui::message::{Effect, ToastLevel};
use crate::tui::widgets::{ConfirmDialog, Intent, MfaPrompt, Modal};

use super::jobs::Work;
use super::{After, Busy, countdown, jobs_effect, role_name};

impl App {
    /// `:elevate`.
    pub(crate) fn elevate_command(&mut self) -> Vec<Effect> {
        match self.readiness() {
            super::flow::Readiness::Refused(title, lines) => {
                self.refuse(title, lines);
                Vec::new()
            }
            _ => self.start_elevation(After::Nothing, None),
        }
    }

    /// What the role is called, and its MFA device.
    fn role_and_device(&self) -> Option<(String, Option<String>)> {
        let s = self.remedy.session.as_ref()?;
        let role = s.role()?.role_arn.clone();
        Some((role, s.mfa_serial().map(str::to_string)))
    }

    /// "This needs <role> with MFA — elevate now?" (default No).
    pub(crate) fn offer_elevation(&mut self, then: After) {
        let Some((role, device)) = self.role_and_device() else {
            return;
        };
        let what = match &then {
            After::ConfirmUndo(id) => format!("Undoing {id}"),
            _ => match &self.remedy.flow {
                Some(f) => format!("{} on {}", f.plan.remediation, f.preview.resource),
                None => "Writing".into(),
            },
        };
        let how = match &device {
            Some(d) => format!("with MFA (device {d})"),
            None => "(no MFA device is configured for it)".into(),
        };
        let lines = vec![
            format!("{what} needs the remediation role {role} {how}."),
            "vigil is read-only until you elevate; the role's temporary credentials stay in memory and end with the session.".into(),
            String::new(),
            "Elevate now?".into(),
        ];
        self.modal = Some(Modal::Confirm(ConfirmDialog::new(
            format!("Elevate into {}?", role_name(&role)),
            lines,
            Intent::Elevate { then },
        )));
    }

    /// The MFA prompt, or elevation straight away when the role is
    /// assumed without MFA. `error`: why the last code was refused.
    pub(crate) fn start_elevation(&mut self, then: After, error: Option<String>) -> Vec<Effect> {
        if let Some(b) = &self.remedy.busy {
            let text = format!("{} — wait for it to finish", b.describe());
            self.toast(ToastLevel::Info, text);
            return Vec::new();
        }
        let Some((role, device)) = self.role_and_device() else {
            if let super::flow::Readiness::Refused(title, lines) = self.readiness() {
                self.refuse(title, lines);
            }
            return Vec::new();
        };
        match device {
            Some(serial) => {
                let mut p = MfaPrompt::new(
                    format!("MFA code for {}", role_name(&role)),
                    format!("device {serial}"),
                    Intent::Elevate { then },
                );
                if let Some(e) = error {
                    p = p.with_error(e);
                }
                self.modal = Some(Modal::Mfa(p));
                Vec::new()
            }
            None => self.run_elevation(None, then),
        }
    }

    /// Six digits were typed into the MFA prompt.
    pub(crate) fn mfa_submitted(&mut self, code: MfaCode, intent: Intent) -> Vec<Effect> {
        match intent {
            Intent::Elevate { then } => self.run_elevation(Some(code), then),
            other => self.run_intent(other),
        }
    }

    fn run_elevation(&mut self, code: Option<MfaCode>, then: After) -> Vec<Effect> {
        let Some(s) = &self.remedy.session else {
            return Vec::new();
        };
        match s.elevation_job(code) {
            Ok(job) => {
                self.remedy.busy = Some(Busy::Elevating);
                self.toast(ToastLevel::Info, "elevating (sts:AssumeRole)…");
                vec![jobs_effect(Work::Elevate { job, then })]
            }
            Err(e) => {
                self.refuse("Cannot elevate".into(), vec![e.to_string()]);
                Vec::new()
            }
        }
    }

    /// The elevation task reported back.
    pub(crate) fn elevated(
        &mut self,
        result: Result<ElevationDone, SessionError>,
        then: After,
    ) -> Vec<Effect> {
        self.remedy.busy = None;
        match result {
            Ok(done) => {
                let Some(s) = &mut self.remedy.session else {
                    return Vec::new();
                };
                s.install(done);
                let status = s.status();
                self.remedy.renew_offered = false;
                self.sync_elevation_badge();
                if let Status::Elevated {
                    role,
                    session_name,
                    remaining_secs,
                    ..
                } = status
                {
                    self.toast(
                        ToastLevel::Info,
                        format!(
                            "elevated into {} for {} (session {session_name})",
                            role_name(&role),
                            countdown(remaining_secs)
                        ),
                    );
                }
                match then {
                    After::Nothing => {}
                    After::ConfirmApply if self.remedy.flow.is_some() => self.confirm_apply(),
                    After::ConfirmApply => {}
                    After::ConfirmUndo(id) => self.confirm_undo(&id),
                }
                Vec::new()
            }
            Err(SessionError::Elevation(e)) if e.is_code_error() => {
                self.toast(
                    ToastLevel::Warn,
                    "the MFA code was refused: type the next one",
                );
                self.start_elevation(then, Some(e.to_string()))
            }
            Err(e) => {
                self.refuse("Elevation failed".into(), vec![e.to_string()]);
                Vec::new()
            }
        }
    }

    /// `:drop`.
    pub(crate) fn drop_command(&mut self) {
        let Some(s) = &mut self.remedy.session else {
            return;
        };
        match s.status() {
            Status::Elevated { role, .. } => {
                s.drop_elevation();
                self.sync_elevation_badge();
                self.toast(
                    ToastLevel::Info,
                    format!(
                        "dropped {}: vigil is read-only again until :elevate",
                        role_name(&role)
                    ),
                );
            }
            _ => self.toast(ToastLevel::Info, "not elevated: nothing to drop"),
        }
    }

    /// The header's badge, from the session; the screen is redrawn only
    /// when what it shows changed.
    pub(crate) fn sync_elevation_badge(&mut self) {
        let badge = match self.remedy.session.as_ref().map(|s| s.status()) {
            Some(Status::Elevated {
                role,
                remaining_secs,
                renew_soon,
                ..
            }) => Some(Elevation {
                role: role_name(&role).to_string(),
                remaining_secs,
                renew_soon,
            }),
            _ => None,
        };
        if badge != self.header.elevation {
            self.header.elevation = badge;
            self.dirty = true;
        }
    }

    /// The timer: the session's end, the countdown, the offer to renew.
    pub(crate) fn remedy_tick(&mut self) {
        let Some(s) = &mut self.remedy.session else {
            return;
        };
        if let Some(Status::Expired { role }) = s.tick() {
            self.sync_elevation_badge();
            self.toast(
                ToastLevel::Warn,
                format!(
                    "the elevated session for {} has ended: vigil is read-only again (:elevate to write)",
                    role_name(&role)
                ),
            );
            return;
        }
        self.sync_elevation_badge();
        let Some(e) = &self.header.elevation else {
            return;
        };
        if e.renew_soon && !self.remedy.renew_offered {
            self.remedy.renew_offered = true;
            let text = format!(
                "the elevated session for {} ends in {}",
                e.role,
                countdown(e.remaining_secs)
            );
            if self.modal.is_none() && self.prompt.is_none() {
                self.modal = Some(Modal::Confirm(ConfirmDialog::new(
                    "Re-elevate?",
                    vec![
                        format!("{text}."),
                        "Re-elevate now with a new MFA code to keep writing?".into(),
                    ],
                    Intent::Elevate {
                        then: After::Nothing,
                    },
                )));
                self.dirty = true;
            } else {
                self.toast(ToastLevel::Warn, format!("{text}: :elevate to renew"));
            }
        }
    }
}
