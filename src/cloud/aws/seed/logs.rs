//! The lab's log groups and their CloudTrail records.

use super::*;

pub(super) async fn seed_logs(
    cloud: &AwsCloud,
    lab: &Lab,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let logs = cloud.logs();
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    for g in &lab.log_groups {
        if let Err(e) = logs.create_log_group().log_group_name(&g.name).send().await
            && !already_exists(&e)
        {
            return Err(err(format!("CreateLogGroup {}", g.name), e));
        }
        if let Some(days) = g.retention_days {
            logs.put_retention_policy()
                .log_group_name(&g.name)
                .retention_in_days(days)
                .send()
                .await
                .map_err(|e| err(format!("PutRetentionPolicy {}", g.name), e))?;
        }
        if let Err(e) = logs
            .create_log_stream()
            .log_group_name(&g.name)
            .log_stream_name(&g.stream)
            .send()
            .await
            && !already_exists(&e)
        {
            return Err(err(format!("CreateLogStream {}", g.name), e));
        }
        // Events only once: a second seed must not duplicate them.
        let present = logs
            .filter_log_events()
            .log_group_name(&g.name)
            .limit(1)
            .send()
            .await
            .map_err(|e| err(format!("FilterLogEvents {}", g.name), e))?;
        if !present.events().is_empty() || g.events.is_empty() {
            continue;
        }
        let n = g.events.len();
        let mut put = logs
            .put_log_events()
            .log_group_name(&g.name)
            .log_stream_name(&g.stream);
        for (i, template) in g.events.iter().enumerate() {
            let t = lab::event_time_ms(now_ms, i, n);
            put = put.log_events(
                aws_sdk_cloudwatchlogs::types::InputLogEvent::builder()
                    .timestamp(t)
                    .message(lab.log_message(template, t))
                    .build()
                    .map_err(|e| SeedError {
                        step: format!("log event {}", g.name),
                        detail: e.to_string(),
                    })?,
            );
        }
        put.send()
            .await
            .map_err(|e| err(format!("PutLogEvents {}", g.name), e))?;
        report.log_events_put += n;
    }
    Ok(())
}
