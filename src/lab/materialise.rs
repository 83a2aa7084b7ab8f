//! The lab as the account would report it: the model a backend returns
//! for each lab bucket and principal. The demo serves these; the tests hold
//! the AWS backend's reads of a seeded endpoint to them.

use std::collections::BTreeMap;

use super::{AccessKeyDef, BucketDef, InlinePolicyDef, Lab};
use crate::model::iam::*;
use crate::model::s3::*;
use crate::model::text::safe;
use crate::model::{Facet, UnknownReason};

/// A lab bucket as S3 would report every facet of it.
pub fn bucket(lab: &Lab, b: &BucketDef) -> Bucket {
    let policy = lab.bucket_policy(b);
    Bucket {
        name: safe(&b.name),
        region: Facet::Present(safe(&b.region)),
        creation_date: None,
        policy_status: match &policy {
            Some(p) => s3_policy_status(p, &lab.account_id),
            None => Facet::Absent,
        },
        policy: policy.map(Facet::Present).unwrap_or(Facet::Absent),
        acl: Facet::Present(Acl {
            owner_id: lab.owner_canonical_id.clone(),
            grants: super::acl_grants(b, &lab.owner_canonical_id),
        }),
        public_access_block: b
            .public_access_block
            .map(|p| Facet::Present(p.into()))
            .unwrap_or(Facet::Absent),
        ownership: b
            .ownership
            .as_deref()
            .and_then(ObjectOwnership::parse)
            .map(Facet::Present)
            .unwrap_or(Facet::Absent),
        encryption: b
            .encryption
            .as_ref()
            .and_then(|e| {
                Some(Encryption {
                    algorithm: SseAlgorithm::parse(&e.algorithm)?,
                    kms_key_id: e.kms_key_id.clone(),
                    bucket_key_enabled: e.bucket_key,
                })
            })
            .map(Facet::Present)
            .unwrap_or(Facet::Absent),
        versioning: Facet::Present(Versioning {
            status: match b.versioning.as_deref() {
                Some("Enabled") => VersioningStatus::Enabled,
                Some("Suspended") => VersioningStatus::Suspended,
                // S3 turns versioning on with Object Lock
                _ if b.object_lock.is_some() => VersioningStatus::Enabled,
                _ => VersioningStatus::Off,
            },
            mfa_delete: b.mfa_delete,
        }),
        logging: b
            .logging
            .as_ref()
            .map(|l| {
                Facet::Present(Logging {
                    target_bucket: safe(&l.target_bucket),
                    target_prefix: safe(&l.target_prefix),
                })
            })
            .unwrap_or(Facet::Absent),
        lifecycle: if b.lifecycle.is_empty() {
            Facet::Absent
        } else {
            Facet::Present(
                b.lifecycle
                    .iter()
                    .map(|r| LifecycleRule {
                        id: safe(&r.id),
                        enabled: true,
                        expiration_days: Some(r.expiration_days),
                    })
                    .collect(),
            )
        },
        replication: b
            .replication
            .as_ref()
            .map(|r| {
                Facet::Present(Replication {
                    role: safe(&lab.expand(&r.role)),
                    destinations: vec![safe(&format!("arn:aws:s3:::{}", r.destination_bucket))],
                })
            })
            .unwrap_or(Facet::Absent),
        object_lock: b
            .object_lock
            .as_ref()
            .map(|o| {
                Facet::Present(ObjectLock {
                    enabled: true,
                    default_mode: o.mode.clone(),
                    default_days: o.days,
                })
            })
            .unwrap_or(Facet::Absent),
        tags: if b.tags.is_empty() {
            Facet::Absent
        } else {
            Facet::Present(
                b.tags
                    .iter()
                    .map(|(k, v)| Tag {
                        key: safe(k),
                        value: safe(v),
                    })
                    .collect(),
            )
        },
    }
}

/// What `GetBucketPolicyStatus` would say: S3 judges the policy alone by
/// its documented meaning of public, whatever Block Public Access says. A
/// policy S3 would have refused has no status.
pub fn s3_policy_status(policy: &str, account_id: &str) -> Facet<PolicyStatus> {
    match crate::policy::Policy::parse(policy) {
        Ok(p) => {
            let verdict = crate::policy::bucket_publicity(&crate::policy::BucketInput {
                bucket: "",
                account_id,
                policy: Some(&p),
                acl_grants: &[],
                bucket_bpa: None,
                account_bpa: None,
                object_ownership: None,
            });
            Facet::Present(PolicyStatus {
                is_public: verdict.policy_is_public,
            })
        }
        Err(e) => Facet::unknown(UnknownReason::Other, format!("MalformedPolicy: {e}")),
    }
}

const DAY_MS: i64 = 86_400_000;

/// The lab's IAM as the IAM reads would report it; access-key ages and the
/// credential report's dates are relative to `now_ms`.
pub fn iam(lab: &Lab, now_ms: i64) -> IamInventory {
    let account = &lab.account_id;
    let inline = |list: &[InlinePolicyDef]| -> Vec<InlinePolicy> {
        list.iter()
            .map(|p| InlinePolicy {
                name: safe(&p.name),
                document: lab.expand(&p.document),
            })
            .collect()
    };
    let attached = |names: &[String]| -> Vec<String> {
        names.iter().map(|n| safe(&lab.policy_arn(n))).collect()
    };
    let mut users: Vec<User> = lab
        .iam
        .users
        .iter()
        .enumerate()
        .map(|(ui, u)| User {
            name: safe(&u.name),
            arn: safe(&format!("arn:aws:iam::{account}:user/{}", u.name)),
            path: "/".into(),
            create_date: None,
            groups: u.groups.iter().map(|g| safe(g)).collect(),
            inline_policies: inline(&u.inline),
            attached_policies: attached(&u.attached),
            permissions_boundary: None,
            mfa_devices: Facet::Present(if u.mfa {
                vec![MfaDevice {
                    serial_number: format!("arn:aws:iam::{account}:mfa/{}", u.name),
                    enable_date: None,
                }]
            } else {
                Vec::new()
            }),
            access_keys: Facet::Present(
                u.access_keys
                    .iter()
                    .enumerate()
                    .map(|(ki, k)| AccessKey {
                        id: format!("AKIADEMO{ui:04}{ki:08}"),
                        status: k.status.clone(),
                        create_date: Some(super::iso8601(
                            now_ms - i64::from(k.age_days.unwrap_or(0)) * DAY_MS,
                        )),
                    })
                    .collect(),
            ),
            tags: u
                .tags
                .iter()
                .map(|(k, v)| Tag {
                    key: safe(k),
                    value: safe(v),
                })
                .collect(),
        })
        .collect();
    users.sort_by(|a, b| a.name.cmp(&b.name));
    let mut groups: Vec<Group> = lab
        .iam
        .groups
        .iter()
        .map(|g| Group {
            name: safe(&g.name),
            arn: safe(&format!("arn:aws:iam::{account}:group/{}", g.name)),
            path: "/".into(),
            inline_policies: inline(&g.inline),
            attached_policies: attached(&g.attached),
        })
        .collect();
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    let mut roles: Vec<Role> = lab
        .iam
        .roles
        .iter()
        .map(|r| Role {
            name: safe(&r.name),
            arn: safe(&format!("arn:aws:iam::{account}:role/{}", r.name)),
            path: "/".into(),
            trust_policy: lab.expand(&r.trust_policy),
            inline_policies: inline(&r.inline),
            attached_policies: attached(&r.attached),
            permissions_boundary: None,
            tags: Vec::new(),
        })
        .collect();
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    let attachment_count = |name: &str| -> i32 {
        let n = lab
            .iam
            .users
            .iter()
            .filter(|u| u.attached.iter().any(|a| a == name))
            .count()
            + lab
                .iam
                .groups
                .iter()
                .filter(|g| g.attached.iter().any(|a| a == name))
                .count()
            + lab
                .iam
                .roles
                .iter()
                .filter(|r| r.attached.iter().any(|a| a == name))
                .count();
        i32::try_from(n).unwrap_or(i32::MAX)
    };
    let mut policies: Vec<ManagedPolicy> = lab
        .iam
        .policies
        .iter()
        .map(|p| ManagedPolicy {
            name: safe(&p.name),
            arn: safe(&lab.policy_arn(&p.name)),
            default_version_id: "v1".into(),
            document: lab.expand(&p.document),
            attachment_count: attachment_count(&p.name),
        })
        .collect();
    policies.sort_by(|a, b| a.arn.cmp(&b.arn));

    let credential_report = Facet::Present(credential_report(lab, &users, now_ms));
    let root = lab.iam.root.clone().unwrap_or_default();
    let mut summary = BTreeMap::new();
    let mfa_devices = lab.iam.users.iter().filter(|u| u.mfa).count() as i32;
    summary.insert("AccountMFAEnabled".to_string(), i32::from(root.mfa));
    summary.insert("MFADevices".to_string(), mfa_devices);
    summary.insert("MFADevicesInUse".to_string(), mfa_devices);
    summary.insert("Users".to_string(), users.len() as i32);
    summary.insert("Groups".to_string(), groups.len() as i32);
    summary.insert("Roles".to_string(), roles.len() as i32);
    summary.insert("Policies".to_string(), policies.len() as i32);
    summary.insert(
        "AccountAccessKeysPresent".to_string(),
        i32::from(!root.access_keys.is_empty()),
    );
    IamInventory {
        users,
        groups,
        roles,
        policies,
        credential_report,
        account_summary: Facet::Present(summary),
        password_policy: lab
            .iam
            .password_policy
            .as_ref()
            .map(|p| {
                Facet::Present(PasswordPolicy {
                    minimum_length: p.minimum_length,
                    require_symbols: p.require_symbols,
                    require_numbers: p.require_numbers,
                    require_uppercase: p.require_uppercase,
                    require_lowercase: p.require_lowercase,
                    max_age_days: p.max_age_days,
                    reuse_prevention: p.reuse_prevention,
                })
            })
            .unwrap_or(Facet::Absent),
    }
}

/// One access key as the credential report shows it.
struct ReportKey {
    active: bool,
    last_rotated: Option<String>,
    last_used: Option<String>,
}

fn report_keys(defs: &[AccessKeyDef], now_ms: i64) -> Vec<ReportKey> {
    let at = |days: u32| super::iso8601(now_ms - i64::from(days) * DAY_MS);
    defs.iter()
        .map(|k| ReportKey {
            active: k.status == "Active",
            last_rotated: Some(at(k.age_days.unwrap_or(0))),
            last_used: k.last_used_days.map(at),
        })
        .collect()
}

/// The credential report AWS would write for these users (IAM User Guide,
/// "Getting credential reports": columns and their `N/A` /
/// `not_supported` / `no_information` values), root first; the lab's
/// `[iam.root]` says what the root row holds.
fn credential_report(lab: &Lab, users: &[User], now_ms: i64) -> Vec<CredentialReportRow> {
    let at = |days: u32| super::iso8601(now_ms - i64::from(days) * DAY_MS);
    let root_def = lab.iam.root.clone().unwrap_or_default();
    let mut rows = Vec::new();
    let mut root = CredentialReportRow::new();
    root.insert("user".into(), "<root_account>".into());
    root.insert(
        "arn".into(),
        format!("arn:aws:iam::{}:root", lab.account_id),
    );
    root.insert(
        "user_creation_time".into(),
        super::iso8601(now_ms - 1000 * DAY_MS),
    );
    root.insert("password_enabled".into(), "not_supported".into());
    root.insert(
        "password_last_used".into(),
        root_def
            .password_last_used_days
            .map(at)
            .unwrap_or_else(|| "no_information".into()),
    );
    root.insert("password_last_changed".into(), "not_supported".into());
    root.insert("password_next_rotation".into(), "not_supported".into());
    root.insert("mfa_active".into(), root_def.mfa.to_string());
    fill_keys(&mut root, &report_keys(&root_def.access_keys, now_ms));
    rows.push(root);
    for (u, def) in users.iter().filter_map(|u| {
        lab.iam
            .users
            .iter()
            .find(|d| d.name == u.name)
            .map(|d| (u, d))
    }) {
        let mut row = CredentialReportRow::new();
        let created = super::iso8601(now_ms - 500 * DAY_MS);
        row.insert("user".into(), u.name.clone());
        row.insert("arn".into(), u.arn.clone());
        row.insert("user_creation_time".into(), created.clone());
        if def.console_password {
            row.insert("password_enabled".into(), "true".into());
            row.insert(
                "password_last_used".into(),
                def.password_last_used_days
                    .map(at)
                    .unwrap_or_else(|| "no_information".into()),
            );
            // The lab's passwords were set when the users were created.
            row.insert("password_last_changed".into(), created);
        } else {
            row.insert("password_enabled".into(), "false".into());
            row.insert("password_last_used".into(), "N/A".into());
            row.insert("password_last_changed".into(), "N/A".into());
        }
        row.insert("password_next_rotation".into(), "N/A".into());
        row.insert("mfa_active".into(), def.mfa.to_string());
        fill_keys(&mut row, &report_keys(&def.access_keys, now_ms));
        rows.push(row);
    }
    rows
}

fn fill_keys(row: &mut CredentialReportRow, keys: &[ReportKey]) {
    for slot in 1..=2 {
        let key = keys.get(slot - 1);
        row.insert(
            format!("access_key_{slot}_active"),
            key.map(|k| k.active).unwrap_or(false).to_string(),
        );
        row.insert(
            format!("access_key_{slot}_last_rotated"),
            key.and_then(|k| k.last_rotated.clone())
                .unwrap_or_else(|| "N/A".into()),
        );
        let used = key.and_then(|k| k.last_used.clone());
        row.insert(
            format!("access_key_{slot}_last_used_date"),
            used.clone().unwrap_or_else(|| "N/A".into()),
        );
        for (col, value) in [("region", "us-east-1"), ("service", "s3")] {
            row.insert(
                format!("access_key_{slot}_last_used_{col}"),
                if used.is_some() { value } else { "N/A" }.into(),
            );
        }
    }
    for slot in 1..=2 {
        row.insert(format!("cert_{slot}_active"), "false".into());
        row.insert(format!("cert_{slot}_last_rotated"), "N/A".into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// DESIGN.md, "Untrusted text": the demo is a backend like AWS, so what
    /// a lab file names enters the model escaped, as the SDK backend does.
    #[test]
    fn a_hostile_lab_enters_the_model_escaped() {
        let lab = Lab::from_toml(
            r#"
account_id = "123456789012"
owner_canonical_id = "x"
[[bucket]]
name = "evil\u001b]52;c;cHduZWQ=\u0007"
region = "us-east-1"
purpose = "p"
logging = { target_bucket = "evil\u001b]52;c;cHduZWQ=\u0007", target_prefix = "\u202egol" }
[[iam.user]]
name = "mallory\u001b[2J"
purpose = "p"
"#,
        )
        .unwrap();
        let b = bucket(&lab, &lab.buckets[0]);
        let printable = |s: &str| !s.chars().any(|c| c.is_control() || c == '\u{202e}');
        assert!(printable(&b.name), "{:?}", b.name);
        let logging = b.logging.present().unwrap();
        assert!(printable(&logging.target_bucket) && printable(&logging.target_prefix));
        let users = iam(&lab, 0).users;
        assert!(printable(&users[0].name) && printable(&users[0].arn));
        assert!(users[0].name.starts_with("mallory\\x1b[2J"));
    }
}
