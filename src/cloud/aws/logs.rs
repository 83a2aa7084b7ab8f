//! CloudWatch Logs reads.

use super::AwsCloud;
use crate::cloud::LogQuery;
use crate::cloud::error::{CloudError, fatal};
use crate::model::logs::{LogEvent, LogEventPage, LogGroup};
use crate::model::text::safe;

pub(super) async fn list_groups(cloud: &AwsCloud) -> Result<Vec<LogGroup>, CloudError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = {
            let _permit = cloud.permit().await;
            cloud
                .logs()
                .describe_log_groups()
                .set_next_token(token.clone())
                .send()
                .await
                .map_err(|e| fatal("DescribeLogGroups", e))?
        };
        for g in page.log_groups() {
            out.push(LogGroup {
                name: safe(g.log_group_name().unwrap_or_default()),
                retention_days: g.retention_in_days(),
            });
        }
        match page.next_token() {
            Some(t) if !t.is_empty() && Some(t) != token.as_deref() => token = Some(t.to_string()),
            _ => break,
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// One `FilterLogEvents` page. Messages stay raw here: they are parsed as
/// JSON by the tail first, and sanitised when shown.
pub(super) async fn filter_events(
    cloud: &AwsCloud,
    query: &LogQuery,
) -> Result<LogEventPage, CloudError> {
    let _permit = cloud.permit().await;
    let out = cloud
        .logs()
        .filter_log_events()
        .log_group_name(&query.group)
        .start_time(query.start_ms)
        .set_end_time(query.end_ms)
        .set_next_token(query.next_token.clone())
        .send()
        .await
        .map_err(|e| fatal("FilterLogEvents", e))?;
    Ok(LogEventPage {
        events: out
            .events()
            .iter()
            .map(|e| LogEvent {
                event_id: safe(e.event_id().unwrap_or_default()),
                log_stream: safe(e.log_stream_name().unwrap_or_default()),
                timestamp: e.timestamp().unwrap_or_default(),
                message: e.message().unwrap_or_default().to_string(),
            })
            .collect(),
        next_token: out.next_token().map(str::to_string),
    })
}
