//! The lab account: a deliberately misconfigured account, defined once as
//! data (`lab/lab.toml`, embedded in the binary) and used three ways — seeded
//! into any endpoint (`cloud::aws::seed`), loaded into memory by the demo
//! (`cloud::demo`), and checked by the tests.

pub mod definition;
pub mod materialise;

use crate::model::s3::{
    ALL_USERS_URI, AUTHENTICATED_USERS_URI, AclGrant, Grantee, LOG_DELIVERY_URI,
};
pub use definition::*;

/// The lab file, as shipped.
pub const LAB_TOML: &str = include_str!("../../lab/lab.toml");

/// Why a lab file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error("lab file: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("lab file: {0}")]
    Invalid(String),
}

impl Lab {
    /// The embedded lab.
    pub fn embedded() -> Result<Lab, LabError> {
        Lab::from_toml(LAB_TOML)
    }

    /// Parse and check a lab file.
    pub fn from_toml(text: &str) -> Result<Lab, LabError> {
        let lab: Lab = toml::from_str(text)?;
        lab.check()?;
        Ok(lab)
    }

    fn check(&self) -> Result<(), LabError> {
        let mut names = std::collections::BTreeSet::new();
        for b in &self.buckets {
            if !names.insert(b.name.as_str()) {
                return Err(LabError::Invalid(format!(
                    "bucket {} is defined twice",
                    b.name
                )));
            }
            if let Some(l) = &b.logging
                && !self.buckets.iter().any(|t| t.name == l.target_bucket)
            {
                return Err(LabError::Invalid(format!(
                    "bucket {} logs to {}, which the lab does not define",
                    b.name, l.target_bucket
                )));
            }
            for g in &b.grants {
                if g.canonical_id.is_some() == g.group.is_some() {
                    return Err(LabError::Invalid(format!(
                        "bucket {}: a grant names exactly one of canonical_id and group",
                        b.name
                    )));
                }
                if let Some(group) = &g.group
                    && group_uri(group).is_none()
                {
                    return Err(LabError::Invalid(format!(
                        "bucket {}: unknown ACL group {group}",
                        b.name
                    )));
                }
            }
        }
        let policy_names: Vec<&str> = self.iam.policies.iter().map(|p| p.name.as_str()).collect();
        let group_names: Vec<&str> = self.iam.groups.iter().map(|g| g.name.as_str()).collect();
        let attached = self
            .iam
            .users
            .iter()
            .flat_map(|u| u.attached.iter())
            .chain(self.iam.groups.iter().flat_map(|g| g.attached.iter()))
            .chain(self.iam.roles.iter().flat_map(|r| r.attached.iter()));
        for p in attached {
            if !policy_names.contains(&p.as_str()) {
                return Err(LabError::Invalid(format!(
                    "managed policy {p} is not defined"
                )));
            }
        }
        for u in &self.iam.users {
            for g in &u.groups {
                if !group_names.contains(&g.as_str()) {
                    return Err(LabError::Invalid(format!(
                        "user {} is in group {g}, which is not defined",
                        u.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// `${account}` replaced.
    pub fn expand(&self, text: &str) -> String {
        text.replace("${account}", &self.account_id)
    }

    /// A bucket's policy with its placeholders replaced.
    pub fn bucket_policy(&self, bucket: &BucketDef) -> Option<String> {
        bucket
            .policy
            .as_ref()
            .map(|p| self.expand(&p.replace("${bucket}", &bucket.name)))
    }

    /// The ARN of a lab managed policy.
    pub fn policy_arn(&self, name: &str) -> String {
        format!("arn:aws:iam::{}:policy/{}", self.account_id, name)
    }

    /// A log event's message with `${time}` and `${account}` replaced.
    pub fn log_message(&self, template: &str, time_ms: i64) -> String {
        self.expand(&template.replace("${time}", &iso8601(time_ms)))
    }
}

/// The timestamp of event `index` of `count`, relative to `now_ms`: one
/// minute apart, the last one a minute ago.
pub fn event_time_ms(now_ms: i64, index: usize, count: usize) -> i64 {
    let back = (count - index) as i64;
    // whole seconds, so that the time in the message equals the timestamp
    (now_ms / 1000) * 1000 - back * 60_000
}

/// The URI of a predefined ACL group by its short name.
pub fn group_uri(name: &str) -> Option<&'static str> {
    match name {
        "AllUsers" => Some(ALL_USERS_URI),
        "AuthenticatedUsers" => Some(AUTHENTICATED_USERS_URI),
        "LogDelivery" => Some(LOG_DELIVERY_URI),
        _ => None,
    }
}

/// The full ACL a lab bucket declares: the owner's FULL_CONTROL, the canned
/// ACL's grants (S3 User Guide, "Canned ACL"), then the extra grants.
pub fn acl_grants(bucket: &BucketDef, owner_id: &str) -> Vec<AclGrant> {
    let owner = || Grantee::CanonicalUser {
        id: owner_id.to_string(),
        display_name: None,
    };
    let group = |uri: &str| Grantee::Group { uri: uri.into() };
    let grant = |grantee: Grantee, permission: &str| AclGrant {
        grantee,
        permission: permission.into(),
    };
    let mut grants = vec![grant(owner(), "FULL_CONTROL")];
    match bucket.acl {
        CannedAcl::Private => {}
        CannedAcl::PublicRead => grants.push(grant(group(ALL_USERS_URI), "READ")),
        CannedAcl::PublicReadWrite => {
            grants.push(grant(group(ALL_USERS_URI), "READ"));
            grants.push(grant(group(ALL_USERS_URI), "WRITE"));
        }
        CannedAcl::AuthenticatedRead => grants.push(grant(group(AUTHENTICATED_USERS_URI), "READ")),
        CannedAcl::LogDeliveryWrite => {
            grants.push(grant(group(LOG_DELIVERY_URI), "WRITE"));
            grants.push(grant(group(LOG_DELIVERY_URI), "READ_ACP"));
        }
    }
    for g in &bucket.grants {
        let grantee = match (&g.canonical_id, g.group.as_deref().and_then(group_uri)) {
            (Some(id), _) => Grantee::CanonicalUser {
                id: id.clone(),
                display_name: None,
            },
            (None, Some(uri)) => group(uri),
            (None, None) => continue,
        };
        grants.push(grant(grantee, &g.permission));
    }
    grants
}

/// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SSZ` (UTC), the form
/// CloudTrail writes.
pub fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_lab_parses_and_covers_two_regions_and_24_buckets() {
        let lab = Lab::embedded().expect("the shipped lab parses");
        assert!(lab.buckets.len() >= 24);
        let regions: std::collections::BTreeSet<_> =
            lab.buckets.iter().map(|b| b.region.as_str()).collect();
        assert!(regions.len() >= 2, "{regions:?}");
    }

    #[test]
    fn bucket_policy_placeholders_are_replaced() {
        let lab = Lab::embedded().unwrap();
        let b = lab
            .buckets
            .iter()
            .find(|b| b.name == "vigil-lab-access-logs")
            .unwrap();
        let p = lab.bucket_policy(b).unwrap();
        assert!(p.contains("arn:aws:s3:::vigil-lab-access-logs/*"));
        assert!(p.contains("\"123456789012\""));
        assert!(!p.contains("${"));
    }

    #[test]
    fn unknown_logging_target_is_refused() {
        let text = r#"
account_id = "1"
owner_canonical_id = "x"
[[bucket]]
name = "a"
region = "us-east-1"
purpose = "p"
logging = { target_bucket = "nowhere" }
"#;
        let err = Lab::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("nowhere"), "{err}");
    }

    #[test]
    fn unknown_field_is_refused_with_its_name() {
        let text = "account_id = \"1\"\nowner_canonical_id = \"x\"\nbukket = 1\n";
        let err = Lab::from_toml(text).unwrap_err().to_string();
        assert!(err.contains("bukket"), "{err}");
    }

    #[test]
    fn iso8601_formats_utc() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
    }
}
