//! Following log groups: a backfill of the start window, then Live Tail
//! when the endpoint streams, or polling `FilterLogEvents` when it does not.
//!
//! Polling re-reads an **overlap window** on every pass — from a little
//! before the newest event seen (or before now, if the clock says earlier) —
//! and lets [`SeenEvents`] drop what was already delivered. So an event that
//! CloudTrail delivers late, with a timestamp older than events already
//! shown, is still shown, and nothing is shown twice. (`aws logs tail
//! --follow` restarts each pass from the newest timestamp it has seen, and
//! loses exactly those late events.) CloudTrail delivers to CloudWatch Logs
//! within about five minutes of the call on average (CloudTrail user guide,
//! "CloudTrail supported services and integrations"), hence the default
//! five-minute overlap.
//!
//! Every request goes through one [`RequestBudget`]; throttling makes every
//! group wait and then go on, never stop. A failed request is retried from
//! the same window (or page), so after a network error the tail resumes
//! where it was, with no gap.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::{JoinHandle, JoinSet};

use super::budget::{Backoff, DEFAULT_RATE, RequestBudget, jitter};
use super::parse::{Parsed, parse_message};
use super::seen::{DEFAULT_CAPACITY, SeenEvents};
use super::update::{TailStatus, TailUpdate, brief};
use super::window::Since;
use crate::cloud::{Cloud, CloudError, LIVE_TAIL_MAX_GROUPS, LogQuery};
use crate::model::logs::LogEvent;
use crate::model::trail::{RecordOrigin, TrailEvent, UnparsedRecord};

/// Milliseconds since the epoch, as the tail should see them.
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The wall clock.
pub fn system_clock() -> Clock {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    })
}

/// How the tail follows. The defaults suit CloudTrail on AWS.
#[derive(Clone)]
pub struct TailOptions {
    /// Time between polling passes of one group.
    pub poll_every: Duration,
    /// How far back each polling pass re-reads, to catch late events.
    pub overlap: Duration,
    /// Requests a second across every group (the shared budget).
    pub requests_per_second: f64,
    /// Events each group remembers for de-duplication.
    pub dedup_capacity: usize,
    /// Try CloudWatch Logs Live Tail when following.
    pub live: bool,
    /// Reopen a Live Tail session after this long (AWS ends them at 3 h).
    pub live_session: Duration,
    /// A Live Tail session that ends sooner than this did not really
    /// stream; two in a row and the tail polls instead.
    pub live_min_session: Duration,
    /// Updates waiting in the channel before the tail waits for the reader.
    pub channel_capacity: usize,
    /// Without `follow`: failed attempts at a request before giving up on
    /// a group (throttling is never given up on).
    pub give_up_after: u32,
    pub clock: Clock,
}

impl Default for TailOptions {
    fn default() -> Self {
        TailOptions {
            poll_every: Duration::from_secs(2),
            overlap: Duration::from_secs(5 * 60),
            requests_per_second: DEFAULT_RATE,
            dedup_capacity: DEFAULT_CAPACITY,
            live: true,
            live_session: Duration::from_secs(2 * 3600 + 50 * 60),
            live_min_session: Duration::from_secs(10),
            channel_capacity: 256,
            give_up_after: 5,
            clock: system_clock(),
        }
    }
}

impl std::fmt::Debug for TailOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TailOptions")
            .field("poll_every", &self.poll_every)
            .field("overlap", &self.overlap)
            .field("requests_per_second", &self.requests_per_second)
            .field("dedup_capacity", &self.dedup_capacity)
            .field("live", &self.live)
            .field("live_session", &self.live_session)
            .field("channel_capacity", &self.channel_capacity)
            .finish_non_exhaustive()
    }
}

/// What to tail.
#[derive(Debug, Clone)]
pub struct TailRequest {
    pub groups: Vec<String>,
    /// Where the tail starts.
    pub since: Since,
    /// Keep following after the start window (otherwise deliver it and
    /// finish).
    pub follow: bool,
    /// Only log messages containing this text (checked here, on the
    /// client: the test server's filter patterns are unreliable).
    pub filter: Option<String>,
    pub options: TailOptions,
}

impl TailRequest {
    pub fn new(groups: Vec<String>, since: Since, follow: bool) -> TailRequest {
        TailRequest {
            groups,
            since,
            follow,
            filter: None,
            options: TailOptions::default(),
        }
    }
}

/// A running tail. Dropping it (or [`TailHandle::stop`]) stops every task.
#[derive(Debug)]
pub struct TailHandle {
    task: JoinHandle<()>,
}

impl TailHandle {
    /// Stop the tail now.
    pub fn stop(self) {}

    /// The tail has ended on its own (see [`TailStatus::Finished`]).
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for TailHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Start a tail; its updates arrive on the receiver. Must be called within
/// a tokio runtime. Groups are followed by Live Tail sessions of up to ten
/// when `follow` and `options.live` (falling back to polling when the
/// endpoint does not stream), by polling otherwise.
pub fn start(
    cloud: Arc<dyn Cloud>,
    request: TailRequest,
) -> (TailHandle, mpsc::Receiver<TailUpdate>) {
    let (tx, rx) = mpsc::channel(request.options.channel_capacity.max(1));
    let task = tokio::spawn(supervise(cloud, request, tx));
    (TailHandle { task }, rx)
}

/// Why a follower stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The receiver is gone: nobody is listening.
    Closed,
    /// The group could not be read (only when not following).
    Failed { group: String, error: CloudError },
}

/// What every follower of one tail shares.
pub(crate) struct Ctx {
    pub cloud: Arc<dyn Cloud>,
    pub budget: RequestBudget,
    pub tx: mpsc::Sender<TailUpdate>,
    pub options: TailOptions,
    pub follow: bool,
    pub filter: Option<String>,
}

impl Ctx {
    pub async fn send(&self, update: TailUpdate) -> Result<(), Stop> {
        self.tx.send(update).await.map_err(|_| Stop::Closed)
    }

    pub async fn status(&self, status: TailStatus) -> Result<(), Stop> {
        self.send(TailUpdate::Status(status)).await
    }

    pub fn now_ms(&self) -> i64 {
        (self.options.clock)()
    }

    /// Parse what is new and send it; events and unparsed records each in
    /// one batch.
    pub async fn deliver(&self, group: &str, fresh: Vec<LogEvent>) -> Result<(), Stop> {
        let mut events: Vec<TrailEvent> = Vec::new();
        let mut unparsed: Vec<UnparsedRecord> = Vec::new();
        for e in fresh {
            if let Some(f) = &self.filter
                && !e.message.contains(f.as_str())
            {
                continue;
            }
            let origin = RecordOrigin {
                log_group: Some(group.to_string()),
                log_stream: Some(e.log_stream.clone()),
                log_event_id: (!e.event_id.is_empty()).then(|| e.event_id.clone()),
                log_timestamp_ms: Some(e.timestamp),
                position: None,
            };
            for parsed in parse_message(&e.message, &origin) {
                match parsed {
                    Parsed::Event(ev) => events.push(*ev),
                    Parsed::Unparsed(u) => unparsed.push(*u),
                }
            }
        }
        if !events.is_empty() {
            self.send(TailUpdate::Events(events)).await?;
        }
        if !unparsed.is_empty() {
            self.send(TailUpdate::Unparsed(unparsed)).await?;
        }
        Ok(())
    }
}

/// One followed group: what it has delivered and where it stands.
pub(crate) struct Group {
    pub name: String,
    pub seen: SeenEvents,
    /// The newest event timestamp delivered.
    pub newest_ms: Option<i64>,
    /// The start of the `--since` window.
    pub since_start_ms: i64,
}

impl Group {
    pub fn new(name: String, since_start_ms: i64, capacity: usize) -> Group {
        Group {
            name,
            seen: SeenEvents::new(capacity),
            newest_ms: None,
            since_start_ms,
        }
    }

    /// Where the next pass starts: `overlap` before the newest event seen
    /// or before now, whichever is earlier (a clock that runs ahead must
    /// not skip events), never before the start window, never below what
    /// the de-duplication memory still covers.
    pub fn next_window_start(&self, now_ms: i64, overlap: Duration) -> i64 {
        let anchor = self.newest_ms.map_or(now_ms, |n| n.min(now_ms));
        let overlap = i64::try_from(overlap.as_millis()).unwrap_or(i64::MAX);
        anchor
            .saturating_sub(overlap)
            .max(self.since_start_ms)
            .max(self.seen.floor_ms())
    }

    fn saw(&mut self, ts: i64) {
        self.newest_ms = Some(self.newest_ms.map_or(ts, |n| n.max(ts)));
    }

    /// The polled events not delivered before, remembered now.
    pub fn fresh_polled(&mut self, events: Vec<LogEvent>) -> Vec<LogEvent> {
        let fresh: Vec<LogEvent> = events
            .into_iter()
            .filter(|e| self.seen.first_polled(e))
            .collect();
        for e in &fresh {
            self.saw(e.timestamp);
        }
        fresh
    }

    /// The Live Tail events not delivered before, remembered now.
    pub fn fresh_live(&mut self, events: Vec<LogEvent>) -> Vec<LogEvent> {
        let fresh: Vec<LogEvent> = events
            .into_iter()
            .filter(|e| self.seen.first_live(e))
            .collect();
        for e in &fresh {
            self.saw(e.timestamp);
        }
        fresh
    }
}

/// Errors that pass: the network, an endpoint restarting.
fn transient(e: &CloudError) -> bool {
    matches!(e, CloudError::Unreachable(_))
}

/// Deliver every new event of `group` from `start_ms` on: all pages, each
/// page's events as they come. A throttled request waits (everyone does)
/// and is sent again; a failed one is retried after a backoff — the same
/// page, or the window from its start when the page token may be at fault —
/// so nothing between `start_ms` and now is skipped.
pub(crate) async fn read_window(ctx: &Ctx, group: &mut Group, start_ms: i64) -> Result<(), Stop> {
    let mut token: Option<String> = None;
    let mut failures: u32 = 0;
    let mut failing = false;
    loop {
        ctx.budget.acquire().await;
        let query = LogQuery {
            group: group.name.clone(),
            start_ms,
            end_ms: None,
            next_token: token.clone(),
        };
        match ctx.cloud.filter_log_events(&query).await {
            Ok(page) => {
                ctx.budget.succeeded();
                if failing {
                    failing = false;
                    failures = 0;
                    ctx.status(TailStatus::Resumed {
                        group: group.name.clone(),
                    })
                    .await?;
                }
                let fresh = group.fresh_polled(page.events);
                ctx.deliver(&group.name, fresh).await?;
                match page.next_token {
                    Some(t) if !t.is_empty() && Some(&t) != token.as_ref() => token = Some(t),
                    _ => return Ok(()),
                }
            }
            Err(CloudError::Throttled(_)) => {
                failing = true;
                let retry_in = ctx.budget.throttled(jitter());
                ctx.status(TailStatus::Throttled {
                    group: group.name.clone(),
                    retry_in,
                })
                .await?;
            }
            Err(error) => {
                if !ctx.follow && (!transient(&error) || failures + 1 >= ctx.options.give_up_after)
                {
                    return Err(Stop::Failed {
                        group: group.name.clone(),
                        error,
                    });
                }
                failing = true;
                let retry_in = Backoff::ERROR.delay(failures, jitter());
                failures = failures.saturating_add(1);
                tracing::warn!(group = %group.name, %error, "FilterLogEvents failed; retrying");
                ctx.status(TailStatus::Retrying {
                    group: group.name.clone(),
                    error: brief(&error.to_string()),
                    retry_in,
                })
                .await?;
                tokio::time::sleep(retry_in).await;
                if !transient(&error) {
                    // the page token may be what was refused
                    token = None;
                }
            }
        }
    }
}

/// Follow one group by polling: the start window, then a pass every
/// `poll_every` over the overlap window.
pub(crate) async fn poll_group(
    ctx: Arc<Ctx>,
    mut group: Group,
    reason: Option<String>,
) -> Result<(), Stop> {
    let start = group.since_start_ms;
    read_window(&ctx, &mut group, start).await?;
    ctx.status(TailStatus::CaughtUp {
        group: group.name.clone(),
    })
    .await?;
    if ctx.follow {
        poll_forever(&ctx, &mut group, reason).await?;
    }
    Ok(())
}

/// The polling passes after the start window.
pub(crate) async fn poll_forever(
    ctx: &Ctx,
    group: &mut Group,
    reason: Option<String>,
) -> Result<(), Stop> {
    ctx.status(TailStatus::Polling {
        group: group.name.clone(),
        every: ctx.options.poll_every,
        reason,
    })
    .await?;
    let mut ticker = tokio::time::interval(ctx.options.poll_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticker.tick().await;
    loop {
        ticker.tick().await;
        let start = group.next_window_start(ctx.now_ms(), ctx.options.overlap);
        read_window(ctx, group, start).await?;
        group.seen.forget_before(start);
    }
}

async fn supervise(cloud: Arc<dyn Cloud>, request: TailRequest, tx: mpsc::Sender<TailUpdate>) {
    let options = request.options.clone();
    let ctx = Arc::new(Ctx {
        cloud,
        budget: RequestBudget::new(options.requests_per_second, options.requests_per_second),
        tx,
        follow: request.follow,
        filter: request.filter.clone().filter(|f| !f.is_empty()),
        options,
    });
    let mut names: Vec<String> = Vec::new();
    for g in &request.groups {
        if !names.contains(g) {
            names.push(g.clone());
        }
    }
    let _ = ctx
        .status(TailStatus::Started {
            groups: names.clone(),
            since: request.since.to_string(),
        })
        .await;
    let since_start = request.since.start_ms(ctx.now_ms());
    let group = |name: &String| Group::new(name.clone(), since_start, ctx.options.dedup_capacity);
    let mut tasks = JoinSet::new();
    if request.follow && ctx.options.live {
        for chunk in names.chunks(LIVE_TAIL_MAX_GROUPS) {
            let groups: Vec<Group> = chunk.iter().map(group).collect();
            tasks.spawn(super::live::follow_live(Arc::clone(&ctx), groups));
        }
    } else {
        for name in &names {
            tasks.spawn(poll_group(Arc::clone(&ctx), group(name), None));
        }
    }
    while let Some(outcome) = tasks.join_next().await {
        match outcome {
            Ok(Err(Stop::Failed { group, error })) => {
                let _ = ctx
                    .status(TailStatus::Failed {
                        group,
                        error: error.to_string(),
                    })
                    .await;
            }
            Ok(Err(Stop::Closed)) => return,
            Ok(Ok(())) => {}
            Err(e) if e.is_panic() => {
                tracing::error!("a tail follower panicked: {e}");
            }
            Err(_) => {}
        }
    }
    let _ = ctx.status(TailStatus::Finished).await;
}

#[cfg(test)]
mod tests;
