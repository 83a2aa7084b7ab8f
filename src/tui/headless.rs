//! The console without a terminal: the same tasks, state and drawing,
//! rendered into a buffer. Used by the snapshot tests, the benchmarks and
//! anything else that needs to see a screen without a terminal.

use std::sync::Arc;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc;

use super::app::App;
use super::message::Msg;
use super::{ConsoleOptions, draw, sources, tasks};
use crate::cloud::Cloud;

/// A console on `cloud` once the scan, IAM and the first read of the trail
/// are all in (or `wait` has passed), every message applied in order.
pub async fn loaded(
    cloud: Arc<dyn Cloud>,
    opts: ConsoleOptions,
    size: (u16, u16),
    now_ms: i64,
    wait: Duration,
) -> App {
    let backend = cloud.backend_name();
    let src = sources(cloud.clone(), &opts);
    let mut app = App::new(
        opts.keymap,
        opts.theme,
        backend,
        opts.readonly,
        size,
        now_ms,
    );
    if let Some(setup) = opts.remediation {
        app.remedy = super::fix::RemedyConsole::new(setup, cloud);
    }
    let (tx, mut rx) = mpsc::channel(1024);
    tasks::start(&src, tx.clone());
    let (mut scan, mut iam, mut tail) = (false, false, false);
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        // Once everything has reported, a short silence means the first
        // screenful is complete (the tail delivers its window in batches).
        let until = if scan && iam && tail {
            (tokio::time::Instant::now() + Duration::from_millis(300)).min(deadline)
        } else {
            deadline
        };
        let Ok(Some(msg)) = tokio::time::timeout_at(until, rx.recv()).await else {
            break;
        };
        match &msg {
            Msg::ScanDone | Msg::ScanFailed(_) => scan = true,
            Msg::Iam { .. } => iam = true,
            Msg::Tail(_) => tail = true,
            _ => {}
        }
        // Re-reads a trail event asks for are not awaited: the state is
        // what the first screenful shows. The remediation console's first
        // journal read is.
        for e in app.on_msg(msg) {
            if matches!(e, super::message::Effect::Remedy(_)) {
                tasks::spawn(e, &src, &facts(&app), tx.clone());
            }
        }
    }
    app.toast = None;
    app.refresh_views();
    app
}

/// Draw the current state into a buffer of the app's size.
pub fn render(app: &mut App) -> Buffer {
    app.refresh_views();
    let (w, h) = app.size;
    let backend = TestBackend::new(w, h);
    match Terminal::new(backend) {
        Ok(mut t) => {
            let _ = t.draw(|f| draw::frame(f, app));
            t.backend().buffer().clone()
        }
        Err(_) => Buffer::empty(ratatui::layout::Rect::new(0, 0, w, h)),
    }
}

/// The buffer's text, one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn facts(app: &App) -> tasks::AccountFacts {
    tasks::AccountFacts {
        account_id: app.header.account_id.clone().unwrap_or_default(),
        account_bpa: app.account_bpa.clone(),
    }
}

/// Run `effects` as the event loop would, and every effect the messages
/// they bring ask for, until nothing more arrives for `quiet` (or `wait`
/// has passed). What a test of a whole flow uses.
pub async fn drive(
    app: &mut App,
    sources: &tasks::Sources,
    effects: Vec<super::message::Effect>,
    quiet: Duration,
    wait: Duration,
) {
    let (tx, mut rx) = mpsc::channel(1024);
    let mut pending: Vec<super::message::Effect> = effects;
    pending.extend(app.wants());
    if pending.is_empty() {
        app.refresh_views();
        return;
    }
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        for e in pending.drain(..) {
            tasks::spawn(e, sources, &facts(app), tx.clone());
        }
        let until = (tokio::time::Instant::now() + quiet).min(deadline);
        let Ok(Some(msg)) = tokio::time::timeout_at(until, rx.recv()).await else {
            break;
        };
        pending = app.on_msg(msg);
        pending.extend(app.wants());
    }
    app.refresh_views();
}

/// Run what the current page wants (the reach of the bucket on screen) to
/// completion, as the event loop would between frames.
pub async fn settle(app: &mut App, sources: &tasks::Sources, wait: Duration) {
    let effects = app.wants();
    if effects.is_empty() {
        return;
    }
    let (tx, mut rx) = mpsc::channel(64);
    let facts = tasks::AccountFacts {
        account_id: app.header.account_id.clone().unwrap_or_default(),
        account_bpa: app.account_bpa.clone(),
    };
    let n = effects.len();
    for e in effects {
        tasks::spawn(e, sources, &facts, tx.clone());
    }
    for _ in 0..n {
        match tokio::time::timeout(wait, rx.recv()).await {
            Ok(Some(m)) => {
                let _ = app.on_msg(m);
            }
            _ => break,
        }
    }
    app.toast = None;
}
