//! CloudWatch Logs reads: groups, `FilterLogEvents` pages, Live Tail sessions.

use aws_sdk_cloudwatchlogs::types::StartLiveTailResponseStream;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::event_stream::RawMessage;

use super::AwsCloud;
use crate::cloud::error::{CloudError, fatal};
use crate::cloud::{LiveTailEvent, LiveTailFrame, LiveTailStream, LogQuery};
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

/// The first `limit` events of a group (`FilterLogEvents` with `limit`).
pub(super) async fn sample_events(
    cloud: &AwsCloud,
    group: &str,
    limit: usize,
) -> Result<Vec<LogEvent>, CloudError> {
    let _permit = cloud.permit().await;
    let out = cloud
        .logs()
        .filter_log_events()
        .log_group_name(group)
        .limit(i32::try_from(limit.clamp(1, 10_000)).unwrap_or(10_000))
        .send()
        .await
        .map_err(|e| fatal("FilterLogEvents", e))?;
    Ok(out
        .events()
        .iter()
        .map(|e| LogEvent {
            event_id: safe(e.event_id().unwrap_or_default()),
            log_stream: safe(e.log_stream_name().unwrap_or_default()),
            timestamp: e.timestamp().unwrap_or_default(),
            message: e.message().unwrap_or_default().to_string(),
        })
        .collect())
}

/// The ARN of each group, as `StartLiveTail` wants them
/// (`DescribeLogGroups`' `logGroupArn`, the one without `:*`).
async fn group_arns(cloud: &AwsCloud, groups: &[String]) -> Result<Vec<String>, CloudError> {
    let mut arns = Vec::with_capacity(groups.len());
    for name in groups {
        let page = {
            let _permit = cloud.permit().await;
            cloud
                .logs()
                .describe_log_groups()
                .log_group_name_prefix(name)
                .send()
                .await
                .map_err(|e| fatal("DescribeLogGroups", e))?
        };
        let arn = page
            .log_groups()
            .iter()
            .find(|g| g.log_group_name() == Some(name.as_str()))
            .and_then(|g| {
                g.log_group_arn()
                    .map(str::to_string)
                    .or_else(|| g.arn().map(|a| a.trim_end_matches(":*").to_string()))
            })
            .ok_or_else(|| {
                CloudError::Other(format!(
                    "ResourceNotFoundException: log group {} does not exist",
                    safe(name)
                ))
            })?;
        arns.push(arn);
    }
    Ok(arns)
}

/// A log group's name from the identifier Live Tail gives (an ARN,
/// `arn:aws:logs:REGION:ACCOUNT:log-group:NAME`, or the name itself).
fn group_name(identifier: &str) -> String {
    let name = identifier
        .split_once(":log-group:")
        .map_or(identifier, |(_, name)| name);
    safe(name.trim_end_matches(":*"))
}

fn frame(event: StartLiveTailResponseStream) -> Option<LiveTailFrame> {
    match event {
        StartLiveTailResponseStream::SessionStart(_) => Some(LiveTailFrame::Started),
        StartLiveTailResponseStream::SessionUpdate(update) => Some(LiveTailFrame::Events {
            sampled: update.session_metadata().is_some_and(|m| m.sampled()),
            events: update
                .session_results()
                .iter()
                .map(|e| LiveTailEvent {
                    group: group_name(e.log_group_identifier().unwrap_or_default()),
                    event: LogEvent {
                        event_id: String::new(),
                        log_stream: safe(e.log_stream_name().unwrap_or_default()),
                        timestamp: e.timestamp().unwrap_or_default(),
                        message: e.message().unwrap_or_default().to_string(),
                    },
                })
                .collect(),
        }),
        // a frame type newer than this SDK: nothing to show, keep reading
        _ => None,
    }
}

/// `StartLiveTail` on the groups, as a stream of frames. No request permit
/// is held: a session lasts hours and sends on its own.
pub(super) async fn live_tail(
    cloud: &AwsCloud,
    groups: &[String],
) -> Result<LiveTailStream, CloudError> {
    let arns = group_arns(cloud, groups).await?;
    let out = cloud
        .logs()
        .start_live_tail()
        .set_log_group_identifiers(Some(arns))
        .send()
        .await
        .map_err(|e| fatal("StartLiveTail", e))?;
    let stream = futures::stream::unfold(Some(out.response_stream), |receiver| async move {
        let mut receiver = receiver?;
        loop {
            match receiver.recv().await {
                Ok(Some(event)) => {
                    if let Some(f) = frame(event) {
                        return Some((Ok(f), Some(receiver)));
                    }
                }
                Ok(None) => return None,
                Err(e) => return Some((Err(stream_error(&e)), None)),
            }
        }
    });
    Ok(Box::pin(stream))
}

/// An error in the middle of a Live Tail stream: the session ends; the
/// tail reconnects and fills the gap by polling.
fn stream_error<E>(e: &SdkError<E, RawMessage>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            CloudError::Unreachable(crate::cloud::error::causes(e))
        }
        SdkError::ServiceError(se) => CloudError::Other(format!(
            "StartLiveTail: {}: {}",
            safe(se.err().code().unwrap_or("error")),
            safe(se.err().message().unwrap_or_default())
        )),
        _ => CloudError::Other(format!("StartLiveTail: {}", crate::cloud::error::causes(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::group_name;

    #[test]
    fn live_tail_identifiers_map_back_to_group_names() {
        assert_eq!(
            group_name("arn:aws:logs:us-east-1:123456789012:log-group:aws-cloudtrail-logs-x"),
            "aws-cloudtrail-logs-x"
        );
        assert_eq!(
            group_name("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*"),
            "/aws/lambda/f"
        );
        assert_eq!(group_name("plain-name"), "plain-name");
    }
}
