//! What a running tail sends the console (or `vigil tail`): one channel,
//! three kinds of message.
//!
//! The channel is a bounded `tokio::sync::mpsc` channel. The console reads
//! it in its `select!` loop (`recv().await`, or `try_recv()` to drain what
//! is waiting without blocking); the tail's tasks wait when it is full, so a
//! console that falls behind slows the tail down rather than losing events
//! or growing memory. Events come in batches (one per page or Live Tail
//! frame), in the order they arrived — not sorted by time: a late event
//! with an older timestamp arrives after newer ones, and is still shown.

use std::fmt;
use std::time::Duration;

use crate::model::trail::{TrailEvent, UnparsedRecord};

/// One message from a running tail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailUpdate {
    /// New events, parsed and judged, each delivered once.
    Events(Vec<TrailEvent>),
    /// New log messages that are not CloudTrail records, kept raw.
    Unparsed(Vec<UnparsedRecord>),
    /// What the tail is doing: for the status line.
    Status(TailStatus),
}

/// What the tail is doing. `Display` gives the status-line text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TailStatus {
    /// The tail began: these groups, from this far back.
    Started { groups: Vec<String>, since: String },
    /// A group's start window is delivered: from now on only new events.
    CaughtUp { group: String },
    /// A group is followed by polling `FilterLogEvents`; `reason` says why
    /// not Live Tail, when it was tried.
    Polling {
        group: String,
        every: Duration,
        reason: Option<String>,
    },
    /// Groups streamed by a CloudWatch Logs Live Tail session.
    Live { groups: Vec<String> },
    /// CloudWatch started (or stopped) sampling a Live Tail session: with
    /// `sampled`, not every event of these groups is shown.
    Sampled { groups: Vec<String>, sampled: bool },
    /// AWS throttled a request; every group waits, then the tail goes on.
    Throttled { group: String, retry_in: Duration },
    /// A request failed (network, credentials, a missing group): retrying
    /// from where the tail was, so nothing is lost.
    Retrying {
        group: String,
        error: String,
        retry_in: Duration,
    },
    /// A group that was failing is read again, with no gap.
    Resumed { group: String },
    /// A group could not be read and the tail gave up on it (only when not
    /// following: `vigil tail` without `--follow` exits with an error).
    Failed { group: String, error: String },
    /// The tail has ended: every group caught up (without `--follow`), or
    /// every group failed.
    Finished,
}

/// The longest error text a status carries (the SDK's chains of causes
/// run to hundreds of characters; the whole text goes to the log).
pub const STATUS_ERROR_CHARS: usize = 120;

/// `text` cut to [`STATUS_ERROR_CHARS`] characters.
pub fn brief(text: &str) -> String {
    match text.char_indices().nth(STATUS_ERROR_CHARS) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// `2 s`, `1.5 s`, `250 ms`.
pub fn seconds(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

impl fmt::Display for TailStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TailStatus::Started { groups, since } => {
                write!(f, "tailing {} from {since} ago", groups.join(", "))
            }
            TailStatus::CaughtUp { group } => write!(f, "{group}: caught up"),
            TailStatus::Polling {
                group,
                every,
                reason,
            } => {
                write!(f, "{group}: polling every {}", seconds(*every))?;
                match reason {
                    Some(r) => write!(f, " ({r})"),
                    None => Ok(()),
                }
            }
            TailStatus::Live { groups } => write!(f, "live: {}", groups.join(", ")),
            TailStatus::Sampled { groups, sampled } => {
                if *sampled {
                    write!(
                        f,
                        "sampled: CloudWatch is dropping events of {} (too many to stream)",
                        groups.join(", ")
                    )
                } else {
                    write!(f, "no longer sampled: {}", groups.join(", "))
                }
            }
            TailStatus::Throttled { group, retry_in } => {
                write!(f, "{group}: throttled, retrying in {}", seconds(*retry_in))
            }
            TailStatus::Retrying {
                group,
                error,
                retry_in,
            } => write!(f, "{group}: {error}; retrying in {}", seconds(*retry_in)),
            TailStatus::Resumed { group } => write!(f, "{group}: resumed, nothing missed"),
            TailStatus::Failed { group, error } => write!(f, "{group}: gave up: {error}"),
            TailStatus::Finished => write!(f, "tail finished"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_a_status_line() {
        let s = TailStatus::Throttled {
            group: "g".into(),
            retry_in: Duration::from_millis(1500),
        };
        assert_eq!(s.to_string(), "g: throttled, retrying in 1.5 s");
        let s = TailStatus::Polling {
            group: "g".into(),
            every: Duration::from_secs(2),
            reason: None,
        };
        assert_eq!(s.to_string(), "g: polling every 2 s");
        let s = TailStatus::Sampled {
            groups: vec!["g".into()],
            sampled: true,
        };
        assert!(s.to_string().starts_with("sampled"));
        assert_eq!(seconds(Duration::from_millis(250)), "250 ms");
        assert_eq!(brief("short"), "short");
        assert_eq!(
            brief(&"é".repeat(200)).chars().count(),
            STATUS_ERROR_CHARS + 1
        );
    }
}
