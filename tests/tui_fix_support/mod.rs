//! The console with remediation wired in, on the demo account: a clock the
//! test moves, a journal in a temporary data directory, the demo's
//! remediation role and MFA device, and helpers to type keys and run what
//! they ask for as the event loop would.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vigil::cloud::demo::{DEMO_MFA_SERIAL, DEMO_REMEDIATION_ROLE, DemoCloud};
use vigil::model::finding::{Finding, Status};
use vigil::session::{Clock, RoleConfig};
use vigil::tui::app::{App, Pane};
use vigil::tui::filter::Filter;
use vigil::tui::fix::Setup;
use vigil::tui::message::Effect;
use vigil::tui::tasks::Sources;
use vigil::tui::theme::{ColorMode, Theme};
use vigil::tui::{ConsoleOptions, Keymap, headless};

/// The secret the README publishes for the demo's MFA device.
pub const DEMO_SECRET: &str = "VIGILDEMOVIGILDEMOVIGILDEMOVIGIL";

/// A clock the test moves.
pub struct TestClock(AtomicI64);

impl TestClock {
    pub fn at(ms: i64) -> Arc<TestClock> {
        Arc::new(TestClock(AtomicI64::new(ms)))
    }

    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// The code the demo's device shows now, from the published secret.
pub fn totp_now() -> String {
    totp_at(0)
}

/// The code `steps` periods of 30 s from now.
pub fn totp_at(steps: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(DEMO_SECRET)
        .map(|s| s.as_ref().to_vec())
        .unwrap();
    let totp = totp_rs::Builder::new()
        .with_secret(totp_rs::Secret::from(secret))
        .build_noncompliant();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    totp.generate((now + steps * 30) as u64).to_string()
}

/// A six-digit code the device accepts in none of the steps it allows.
pub fn wrong_code() -> String {
    let near: Vec<String> = (-2..=2).map(totp_at).collect();
    (0..1_000_000u64)
        .map(|n| format!("{:06}", (n * 7919 + 123_456) % 1_000_000))
        .find(|c| !near.contains(c))
        .unwrap()
}

pub struct Console {
    pub app: App,
    pub sources: Sources,
    pub cloud: Arc<DemoCloud>,
    pub clock: Arc<TestClock>,
    pub data: tempfile::TempDir,
}

pub fn options(
    readonly: bool,
    role: bool,
    clock: Arc<TestClock>,
    data: &std::path::Path,
) -> ConsoleOptions {
    ConsoleOptions {
        keymap: Keymap::load("default", None, readonly).unwrap(),
        theme: Theme::load("default", None, ColorMode::Ansi16).unwrap(),
        readonly,
        concurrency: 8,
        log_groups: Vec::new(),
        since: vigil::tail::window::Since(Duration::from_secs(3600)),
        remediation: Some(Setup {
            role: role.then(|| RoleConfig {
                role_arn: DEMO_REMEDIATION_ROLE.into(),
                mfa_serial: Some(DEMO_MFA_SERIAL.into()),
                external_id: None,
                duration_seconds: 3600,
                session_name: None,
                source_profile: None,
                origin: "test".into(),
            }),
            data_dir: Some(data.to_path_buf()),
            clock,
            no_role_hint: "Start vigil with --remediation-role ARN (test hint).".into(),
        }),
    }
}

/// The demo console, loaded, remediation wired in.
pub async fn console(readonly: bool, role: bool, size: (u16, u16)) -> Console {
    let data = tempfile::tempdir().unwrap();
    console_in(data, readonly, role, size).await
}

/// As [`console`], with a data directory prepared by the test.
pub async fn console_in(
    data: tempfile::TempDir,
    readonly: bool,
    role: bool,
    size: (u16, u16),
) -> Console {
    let now = vigil::cli::now_ms();
    let clock = TestClock::at(now);
    let cloud = Arc::new(DemoCloud::embedded(now).unwrap());
    let sources = vigil::tui::sources(
        cloud.clone(),
        &options(readonly, role, clock.clone(), data.path()),
    );
    let app = headless::loaded(
        cloud.clone(),
        options(readonly, role, clock.clone(), data.path()),
        size,
        now,
        Duration::from_secs(20),
    )
    .await;
    // The journal's first read landed while loading.
    Console {
        app,
        sources,
        cloud,
        clock,
        data,
    }
}

impl Console {
    /// Run effects and what their reports ask for, until quiet.
    pub async fn run(&mut self, effects: Vec<Effect>) {
        headless::drive(
            &mut self.app,
            &self.sources,
            effects,
            Duration::from_millis(400),
            Duration::from_secs(20),
        )
        .await;
    }

    /// Press a key; run what it asks for.
    pub async fn key(&mut self, code: KeyCode) {
        let effects = self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        self.run(effects).await;
    }

    pub async fn keys(&mut self, codes: &[KeyCode]) {
        for c in codes {
            self.key(*c).await;
        }
    }

    /// Type text (each character a key).
    pub async fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c)).await;
        }
    }

    /// `:command` and Enter.
    pub async fn command(&mut self, name: &str) {
        self.key(KeyCode::Char(':')).await;
        self.type_text(name).await;
        self.key(KeyCode::Enter).await;
    }

    /// The Findings pane, filtered to `text`.
    pub fn findings(&mut self, text: &str) {
        self.app.act(vigil::tui::action::Action::PaneFindings);
        self.app.view_mut(Pane::Findings).filter = Filter::parse(text);
        self.app.views_stale = true;
        self.app.refresh_views();
    }

    /// Every line of the page on top (not just what fits on the screen).
    pub fn page_text(&self) -> String {
        let page = self.app.page().page.clone();
        vigil::tui::draw::detail::lines(&self.app, &page)
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The open confirmation's lines, joined.
    pub fn dialog_text(&self) -> String {
        match &self.app.modal {
            Some(vigil::tui::widgets::Modal::Confirm(d)) => d.lines.join(" "),
            Some(vigil::tui::widgets::Modal::Message { lines, .. }) => lines.join(" "),
            Some(vigil::tui::widgets::Modal::Mfa(p)) => p.detail.clone(),
            None => String::new(),
        }
    }

    pub fn screen(&mut self) -> String {
        headless::text(&headless::render(&mut self.app))
    }

    /// The finding of `rule` on `bucket`.
    pub fn bucket_finding(&self, bucket: &str, rule: &str) -> Finding {
        self.app
            .bucket(bucket)
            .unwrap()
            .findings
            .iter()
            .find(|f| f.rule == rule)
            .unwrap()
            .clone()
    }

    pub fn status(&self, bucket: &str, rule: &str) -> Status {
        self.bucket_finding(bucket, rule).status
    }

    pub fn toast(&self) -> String {
        self.app
            .toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default()
    }

    /// Everything vigil wrote into its data directory.
    pub fn written(&self) -> String {
        let mut out = String::new();
        for e in walk(self.data.path()) {
            out.push_str(&std::fs::read_to_string(e).unwrap_or_default());
        }
        out
    }
}

/// Whether `code` occurs in `text` as a token of its own (not inside a
/// longer run of letters and digits such as an account id or a time stamp).
pub fn holds_code(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric())
            && !after.is_some_and(|c| c.is_ascii_alphanumeric())
    })
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Snapshot filters for what moves with the clock.
pub fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"\d{8}T\d{6}Z-[0-9a-f]{8}", "[entry]"),
        (r"\d{8}T\d{6}Z", "[stamp]"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "[iso-time]"),
        (r"\d{2}-\d{2} \d{2}:\d{2}:\d{2}", "[time]"),
        (r"\b\d{2}:\d{2}:\d{2}\b", "[hh:mm:ss]"),
        (r"\d+(:\d{2})+ left", "[countdown] left"),
        (r"for \d+(:\d{2})+", "for [countdown]"),
    ]
}

#[macro_export]
macro_rules! snap {
    ($name:expr, $value:expr) => {
        insta::with_settings!({filters => tui_fix_support::filters()}, {
            insta::assert_snapshot!($name, $value);
        });
    };
}
