//! Which log groups hold CloudTrail: offered first when the console asks
//! the operator what to tail, and followed by `vigil tail` when nothing is
//! configured.

use serde::Serialize;

use super::budget::RequestBudget;
use super::parse::{Parsed, parse_message};
use crate::cloud::{Cloud, CloudError};
use crate::model::trail::RecordOrigin;

/// How sure vigil is that a group holds CloudTrail.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case", tag = "by", content = "detail")]
pub enum CloudTrailHint {
    /// The name says so (`aws-cloudtrail-logs-…`, the CloudTrail console's
    /// default, or any name containing `cloudtrail`).
    Name,
    /// A sample of its events parses as CloudTrail records.
    Sample,
    /// Its sample does not parse as CloudTrail (or it is empty).
    No,
    /// Not sampled (past the sample limit), or the sample could not be read.
    Unknown(String),
}

/// A log group and whether it holds CloudTrail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupCandidate {
    pub name: String,
    pub cloudtrail: CloudTrailHint,
}

impl GroupCandidate {
    /// It holds CloudTrail, by name or by sample.
    pub fn is_cloudtrail(&self) -> bool {
        matches!(
            self.cloudtrail,
            CloudTrailHint::Name | CloudTrailHint::Sample
        )
    }
}

/// The name of a group CloudTrail delivers to.
pub fn named_like_cloudtrail(name: &str) -> bool {
    name.starts_with("aws-cloudtrail-logs") || name.to_ascii_lowercase().contains("cloudtrail")
}

/// Events sampled from a group whose name does not say.
pub const SAMPLE_EVENTS: usize = 5;

/// Every log group of the region, CloudTrail first: named like it, then
/// sampled like it (at most `sample_groups` groups are sampled, one
/// request each, through `budget`), then the rest, each part by name.
pub async fn discover(
    cloud: &dyn Cloud,
    budget: &RequestBudget,
    sample_groups: usize,
) -> Result<Vec<GroupCandidate>, CloudError> {
    let groups = cloud.list_log_groups().await?;
    let mut out = Vec::with_capacity(groups.len());
    let mut sampled = 0;
    for g in groups {
        let cloudtrail = if named_like_cloudtrail(&g.name) {
            CloudTrailHint::Name
        } else if sampled < sample_groups {
            sampled += 1;
            budget.acquire().await;
            match cloud.sample_log_events(&g.name, SAMPLE_EVENTS).await {
                Ok(events) => {
                    let parses = events.iter().any(|e| {
                        parse_message(&e.message, &RecordOrigin::default())
                            .iter()
                            .any(|p| matches!(p, Parsed::Event(_)))
                    });
                    if parses {
                        CloudTrailHint::Sample
                    } else {
                        CloudTrailHint::No
                    }
                }
                Err(e) => CloudTrailHint::Unknown(e.to_string()),
            }
        } else {
            CloudTrailHint::Unknown("not sampled".into())
        };
        out.push(GroupCandidate {
            name: g.name,
            cloudtrail,
        });
    }
    out.sort_by(|a, b| {
        let rank = |c: &GroupCandidate| match c.cloudtrail {
            CloudTrailHint::Name => 0,
            CloudTrailHint::Sample => 1,
            _ => 2,
        };
        rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name))
    });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cloud::demo::DemoCloud;

    #[test]
    fn cloudtrail_names() {
        assert!(named_like_cloudtrail(
            "aws-cloudtrail-logs-123456789012-1a2b3c4d"
        ));
        assert!(named_like_cloudtrail("CloudTrail/DefaultLogGroup"));
        assert!(named_like_cloudtrail("aws-controltower/CloudTrailLogs"));
        assert!(!named_like_cloudtrail("/aws/lambda/thumbnailer"));
    }

    #[tokio::test]
    async fn cloudtrail_groups_come_first_by_name_then_by_sample() {
        let demo = DemoCloud::embedded(1_700_000_000_000).unwrap();
        demo.create_log_group("audit-trail");
        let record = r#"{"eventVersion":"1.08","eventTime":"2025-01-01T00:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject"}"#;
        demo.put_log_events("audit-trail", "s", &[(1, record.to_string())])
            .unwrap();
        demo.create_log_group("empty");
        let budget = RequestBudget::new(100.0, 100.0);
        let found = discover(&demo, &budget, 10).await.unwrap();
        let names: Vec<(&str, &CloudTrailHint)> = found
            .iter()
            .map(|c| (c.name.as_str(), &c.cloudtrail))
            .collect();
        assert_eq!(
            names,
            [
                ("aws-cloudtrail-logs-vigil-lab", &CloudTrailHint::Name),
                ("audit-trail", &CloudTrailHint::Sample),
                ("/aws/lambda/vigil-lab-thumbnailer", &CloudTrailHint::No),
                ("empty", &CloudTrailHint::No),
            ]
        );
        let limited = discover(&demo, &budget, 0).await.unwrap();
        assert!(matches!(limited[1].cloudtrail, CloudTrailHint::Unknown(_)));
    }
}
