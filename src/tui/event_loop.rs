//! The event loop (DESIGN.md): one task owns the state; it `select!`s over
//! terminal events, the spawned tasks' messages and a one-second timer,
//! updates the state, and redraws only when something changed. Idle, it
//! writes nothing to the terminal.

use std::io;
use std::time::Duration;

use crossterm::event::{Event, KeyEventKind};
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;

use super::app::App;
use super::message::{Effect, Msg};
use super::tasks::{self, AccountFacts, Sources};

/// At most this many queued messages are applied before the screen is
/// drawn again and keys are read: a flood of scan results never delays a
/// key by more than one batch.
pub const MESSAGES_PER_FRAME: usize = 64;

/// Why the loop stopped.
#[derive(Debug, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// The terminal's input ended (the SSH connection went away).
    InputClosed,
    Signal,
}

/// Run until quit. `draw` puts one frame on the terminal.
pub async fn run(
    app: &mut App,
    sources: Sources,
    mut events: impl Stream<Item = io::Result<Event>> + Unpin,
    mut draw: impl FnMut(&App) -> io::Result<()>,
) -> io::Result<Exit> {
    let (tx, mut rx) = mpsc::channel::<Msg>(1024);
    tasks::start(&sources, tx.clone());
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut signals = Signals::new();
    loop {
        if app.dirty {
            app.refresh_views();
            draw(app)?;
            app.dirty = false;
        }
        if app.quit {
            return Ok(Exit::Quit);
        }
        let mut effects: Vec<Effect> = Vec::new();
        tokio::select! {
            biased;
            ev = events.next() => match ev {
                Some(Ok(Event::Key(k))) if k.kind != KeyEventKind::Release => effects = app.on_key(k),
                Some(Ok(Event::Resize(w, h))) => app.on_resize(w, h),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                None => return Ok(Exit::InputClosed),
            },
            _ = signals.next() => return Ok(Exit::Signal),
            msg = rx.recv() => {
                if let Some(m) = msg {
                    effects.extend(app.on_msg(m));
                    for _ in 1..MESSAGES_PER_FRAME {
                        match rx.try_recv() {
                            Ok(m) => effects.extend(app.on_msg(m)),
                            Err(_) => break,
                        }
                    }
                }
            }
            _ = tick.tick() => app.on_tick(now_ms()),
        }
        effects.extend(app.wants());
        if !effects.is_empty() {
            let facts = AccountFacts {
                account_id: app.header.account_id.clone().unwrap_or_default(),
                account_bpa: app.account_bpa.clone(),
            };
            for e in effects {
                tasks::spawn(e, &sources, &facts, tx.clone());
            }
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// SIGTERM and SIGHUP (the SSH session closed) end the console cleanly;
/// SIGINT too, should it come from outside raw mode.
struct Signals {
    #[cfg(unix)]
    inner: Option<(
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
        tokio::signal::unix::Signal,
    )>,
}

impl Signals {
    fn new() -> Signals {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let inner = match (
                signal(SignalKind::terminate()),
                signal(SignalKind::hangup()),
                signal(SignalKind::interrupt()),
            ) {
                (Ok(a), Ok(b), Ok(c)) => Some((a, b, c)),
                _ => None,
            };
            Signals { inner }
        }
        #[cfg(not(unix))]
        Signals {}
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        if let Some((a, b, c)) = &mut self.inner {
            tokio::select! {
                _ = a.recv() => {}
                _ = b.recv() => {}
                _ = c.recv() => {}
            }
            return;
        }
        std::future::pending::<()>().await
    }
}
