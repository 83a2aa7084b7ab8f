//! The interactive console (layer 8): state, actions, key handling and
//! drawing. It uses the layers below (model, policy, rules, cloud) and never
//! `cli`: the command line hands it a keymap, a theme and the backend.
//!
//! - [`app`]: the state; [`update`]: how keys and messages change it;
//! - [`event_loop`]: the one task that owns the state; [`tasks`]: the slow
//!   work, spawned, reporting back as [`message::Msg`];
//! - [`draw`]: a pure function of the state; [`widgets`]: dialogs and inputs;
//! - [`action`], [`keys`], [`keymap`]: the keymap vocabulary and files;
//!   [`theme`]: semantic styles;
//! - [`analysis`], [`principal_view`], [`tail_view`]: what the panes show,
//!   from the analyses other layers own (S3 rules and the policy engine, the
//!   IAM principal reports, the tail's parser and detections);
//! - [`fix`]: remediation — the preview, elevation with MFA, confirm,
//!   apply, re-evaluation, the journal pane and undo (on `remedy` and
//!   `session`).

pub mod action;
pub mod analysis;
pub mod app;
pub mod draw;
pub mod event_loop;
pub mod filter;
pub mod fix;
pub mod headless;
pub mod incoming;
pub mod keymap;
pub mod keys;
pub mod message;
pub mod principal_view;
pub mod tail_view;
pub mod tasks;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod views;
pub mod widgets;

use std::io;
use std::sync::Arc;

use crate::cloud::Cloud;

pub use app::App;
pub use keymap::Keymap;
pub use theme::Theme;

/// What the command line decided for the console.
pub struct ConsoleOptions {
    pub keymap: Keymap,
    pub theme: Theme,
    pub readonly: bool,
    pub concurrency: usize,
    pub log_groups: Vec<String>,
    /// How far back the tail starts.
    pub since: crate::tail::window::Since,
    /// The remediation role, the journal's directory and the clock;
    /// `None` leaves remediation out (the fix key previews, and says so).
    pub remediation: Option<fix::Setup>,
}

/// The console's sources for a backend and options.
pub fn sources(cloud: Arc<dyn Cloud>, opts: &ConsoleOptions) -> tasks::Sources {
    tasks::Sources {
        cloud,
        concurrency: opts.concurrency,
        log_groups: opts.log_groups.clone(),
        since: opts.since,
    }
}

/// Run the console on the real terminal until the operator quits.
pub async fn run(cloud: Arc<dyn Cloud>, opts: ConsoleOptions) -> io::Result<()> {
    let backend = cloud.backend_name();
    let sources = sources(cloud.clone(), &opts);
    let mut guard = terminal::TerminalGuard::enter()?;
    let size = guard.terminal.size()?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    let mut app = App::new(
        opts.keymap,
        opts.theme,
        backend,
        opts.readonly,
        (size.width, size.height),
        now,
    );
    if let Some(setup) = opts.remediation {
        app.remedy = fix::RemedyConsole::new(setup, cloud);
    }
    let events = crossterm::event::EventStream::new();
    let result = event_loop::run(&mut app, sources, events, |app| guard.draw(app)).await;
    drop(guard);
    result.map(|_| ())
}
