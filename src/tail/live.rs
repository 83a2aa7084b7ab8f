//! Following up to ten groups with one CloudWatch Logs Live Tail session.
//!
//! A session streams what is ingested after it opens, so it is opened
//! first and the start window (or, after a reconnect, the overlap window
//! since the newest event) is then read with `FilterLogEvents`: the two
//! overlap, and [`SeenEvents`](super::seen::SeenEvents) shows each event
//! once. AWS ends a session after three hours; the tail reopens it before
//! that. When the endpoint cannot stream — the first `StartLiveTail`
//! fails (the test server: the SDK's `streaming-` host prefix does not
//! resolve), or sessions end as soon as they open (the test server with the
//! prefix removed: one snapshot, then closed) — the groups are polled.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use tokio::time::Instant;

use super::budget::{Backoff, jitter};
use super::follow::{Ctx, Group, Stop, poll_forever, read_window};
use super::update::{TailStatus, brief};
use crate::cloud::{LiveTailEvent, LiveTailFrame};
use crate::model::logs::LogEvent;

/// Why the groups are polled rather than streamed.
enum Fallback {
    Unavailable(String),
    EndsAtOnce,
}

impl Fallback {
    fn reason(&self) -> String {
        match self {
            Fallback::Unavailable(e) => format!("Live Tail unavailable: {}", brief(e)),
            Fallback::EndsAtOnce => {
                "Live Tail sessions end as soon as they open on this endpoint".into()
            }
        }
    }
}

/// Follow `groups` (at most ten) by Live Tail, or by polling if the
/// endpoint does not stream.
pub(crate) async fn follow_live(ctx: Arc<Ctx>, mut groups: Vec<Group>) -> Result<(), Stop> {
    let (fallback, caught_up) = stream(&ctx, &mut groups).await?;
    let reason = Some(fallback.reason());
    tracing::info!(
        reason = reason.as_deref(),
        "tail: polling instead of Live Tail"
    );
    // the groups' memories carry over: polling goes on where streaming was
    let mut pollers = futures::stream::FuturesUnordered::new();
    for mut group in groups {
        let ctx = Arc::clone(&ctx);
        let reason = reason.clone();
        pollers.push(async move {
            if caught_up {
                let start = group.next_window_start(ctx.now_ms(), ctx.options.overlap);
                read_window(&ctx, &mut group, start).await?;
            } else {
                let start = group.since_start_ms;
                read_window(&ctx, &mut group, start).await?;
                ctx.status(TailStatus::CaughtUp {
                    group: group.name.clone(),
                })
                .await?;
            }
            poll_forever(&ctx, &mut group, reason).await
        });
    }
    while let Some(outcome) = pollers.next().await {
        outcome?;
    }
    Ok(())
}

/// Stream until the endpoint shows it cannot; the reason then, and
/// whether the start window was read.
async fn stream(ctx: &Ctx, groups: &mut [Group]) -> Result<(Fallback, bool), Stop> {
    let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
    let mut opened_once = false;
    let mut caught_up = false;
    let mut short_sessions = 0u32;
    let mut failures = 0u32;
    let mut sampled = false;
    loop {
        ctx.budget.acquire().await;
        let mut session = match ctx.cloud.start_live_tail(&names).await {
            Ok(s) => s,
            Err(e) if !opened_once => {
                tracing::info!(error = %e, "StartLiveTail failed");
                // the start window is still to read: the pollers do it
                return Ok((Fallback::Unavailable(e.to_string()), caught_up));
            }
            Err(e) => {
                let retry_in = Backoff::ERROR.delay(failures, jitter());
                failures = failures.saturating_add(1);
                tracing::warn!(error = %e, "StartLiveTail failed; retrying");
                ctx.status(TailStatus::Retrying {
                    group: names.join(", "),
                    error: brief(&e.to_string()),
                    retry_in,
                })
                .await?;
                tokio::time::sleep(retry_in).await;
                continue;
            }
        };
        let opened = Instant::now();
        if failures > 0 {
            for g in &names {
                ctx.status(TailStatus::Resumed { group: g.clone() }).await?;
            }
        }
        failures = 0;
        opened_once = true;
        ctx.status(TailStatus::Live {
            groups: names.clone(),
        })
        .await?;
        // Fill in what the session will not stream: the start window the
        // first time, the time since the last event after a reconnect.
        for group in groups.iter_mut() {
            let start = if caught_up {
                group.next_window_start(ctx.now_ms(), ctx.options.overlap)
            } else {
                group.since_start_ms
            };
            read_window(ctx, group, start).await?;
            group.seen.forget_before(start);
        }
        if !caught_up {
            caught_up = true;
            for g in &names {
                ctx.status(TailStatus::CaughtUp { group: g.clone() })
                    .await?;
            }
        }
        let deadline = opened + ctx.options.live_session;
        loop {
            let frame = tokio::select! {
                f = session.next() => f,
                _ = tokio::time::sleep_until(deadline) => break,
            };
            match frame {
                Some(Ok(LiveTailFrame::Started)) => {}
                Some(Ok(LiveTailFrame::Events {
                    events,
                    sampled: now_sampled,
                })) => {
                    if now_sampled != sampled {
                        sampled = now_sampled;
                        ctx.status(TailStatus::Sampled {
                            groups: names.clone(),
                            sampled,
                        })
                        .await?;
                    }
                    deliver(ctx, groups, events).await?;
                }
                Some(Err(e)) => {
                    tracing::warn!(error = %e, "Live Tail session failed; reopening");
                    ctx.status(TailStatus::Retrying {
                        group: names.join(", "),
                        error: brief(&e.to_string()),
                        retry_in: Duration::ZERO,
                    })
                    .await?;
                    break;
                }
                None => break,
            }
        }
        if opened.elapsed() < ctx.options.live_min_session {
            short_sessions += 1;
            if short_sessions >= 2 {
                return Ok((Fallback::EndsAtOnce, caught_up));
            }
            tokio::time::sleep(Backoff::ERROR.delay(short_sessions, jitter())).await;
        } else {
            short_sessions = 0;
        }
    }
}

/// Sort a frame's events by group and deliver what is new.
async fn deliver(ctx: &Ctx, groups: &mut [Group], events: Vec<LiveTailEvent>) -> Result<(), Stop> {
    let mut by_group: Vec<Vec<LogEvent>> = vec![Vec::new(); groups.len()];
    for e in events {
        match groups.iter().position(|g| g.name == e.group) {
            Some(i) => by_group[i].push(e.event),
            None => {
                tracing::warn!(group = %e.group, "Live Tail sent an event of a group not asked for")
            }
        }
    }
    for (group, events) in groups.iter_mut().zip(by_group) {
        if events.is_empty() {
            continue;
        }
        let fresh = group.fresh_live(events);
        ctx.deliver(&group.name, fresh).await?;
    }
    Ok(())
}
