//! CloudWatch Logs groups and raw events.

use serde::{Deserialize, Serialize};

/// A log group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogGroup {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_days: Option<i32>,
}

/// One log event as CloudWatch Logs returns it. `message` is untrusted text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    pub event_id: String,
    pub log_stream: String,
    /// Milliseconds since the epoch.
    pub timestamp: i64,
    pub message: String,
}

/// A page of events from a filter call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogEventPage {
    pub events: Vec<LogEvent>,
    pub next_token: Option<String>,
}
