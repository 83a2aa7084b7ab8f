//! IAM reads: authorization details, MFA devices and keys, the credential
//! report, the account summary and the password policy.

use std::collections::BTreeMap;
use std::time::Duration;

use futures::StreamExt;

use super::AwsCloud;
use crate::cloud::error::{CloudError, Failure, classify, facet, facet_from_failure, fatal};
use crate::model::Facet;
use crate::model::iam::*;
use crate::model::s3::Tag;
use crate::model::text::safe;

/// IAM returns policy documents URL-encoded (RFC 3986) from most calls and
/// plain from a few; decode when it is encoded.
pub(crate) fn decode_policy_document(raw: &str) -> String {
    if raw.trim_start().starts_with('{') {
        raw.to_string()
    } else {
        percent_encoding::percent_decode_str(raw)
            .decode_utf8_lossy()
            .into_owned()
    }
}

fn inline(name: &str, doc: Option<&str>) -> InlinePolicy {
    InlinePolicy {
        name: safe(name),
        document: decode_policy_document(doc.unwrap_or_default()),
    }
}

fn tags(t: &[aws_sdk_iam::types::Tag]) -> Vec<Tag> {
    t.iter()
        .map(|t| Tag {
            key: safe(t.key()),
            value: safe(t.value()),
        })
        .collect()
}

pub(super) async fn read_inventory(cloud: &AwsCloud) -> Result<IamInventory, CloudError> {
    let mut users = Vec::new();
    let mut groups = Vec::new();
    let mut roles = Vec::new();
    let mut policies = Vec::new();

    let mut marker: Option<String> = None;
    loop {
        let page = {
            let _permit = cloud.permit().await;
            cloud
                .iam()
                .get_account_authorization_details()
                .set_marker(marker.clone())
                .send()
                .await
                .map_err(|e| fatal("GetAccountAuthorizationDetails", e))?
        };
        for u in page.user_detail_list() {
            users.push(User {
                name: safe(u.user_name().unwrap_or_default()),
                arn: safe(u.arn().unwrap_or_default()),
                path: safe(u.path().unwrap_or("/")),
                create_date: u.create_date().map(|d| d.to_string()),
                groups: u.group_list().iter().map(|g| safe(g)).collect(),
                inline_policies: u
                    .user_policy_list()
                    .iter()
                    .map(|p| inline(p.policy_name().unwrap_or_default(), p.policy_document()))
                    .collect(),
                attached_policies: u
                    .attached_managed_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(safe))
                    .collect(),
                permissions_boundary: u
                    .permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(safe),
                mfa_devices: Facet::Absent,
                access_keys: Facet::Absent,
                tags: tags(u.tags()),
            });
        }
        for g in page.group_detail_list() {
            groups.push(Group {
                name: safe(g.group_name().unwrap_or_default()),
                arn: safe(g.arn().unwrap_or_default()),
                path: safe(g.path().unwrap_or("/")),
                inline_policies: g
                    .group_policy_list()
                    .iter()
                    .map(|p| inline(p.policy_name().unwrap_or_default(), p.policy_document()))
                    .collect(),
                attached_policies: g
                    .attached_managed_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(safe))
                    .collect(),
            });
        }
        for r in page.role_detail_list() {
            roles.push(Role {
                name: safe(r.role_name().unwrap_or_default()),
                arn: safe(r.arn().unwrap_or_default()),
                path: safe(r.path().unwrap_or("/")),
                trust_policy: decode_policy_document(
                    r.assume_role_policy_document().unwrap_or_default(),
                ),
                inline_policies: r
                    .role_policy_list()
                    .iter()
                    .map(|p| inline(p.policy_name().unwrap_or_default(), p.policy_document()))
                    .collect(),
                attached_policies: r
                    .attached_managed_policies()
                    .iter()
                    .filter_map(|p| p.policy_arn().map(safe))
                    .collect(),
                permissions_boundary: r
                    .permissions_boundary()
                    .and_then(|b| b.permissions_boundary_arn())
                    .map(safe),
                tags: tags(r.tags()),
            });
        }
        for p in page.policies() {
            let default_version = p.default_version_id().unwrap_or_default();
            let document = p
                .policy_version_list()
                .iter()
                .find(|v| v.is_default_version() || v.version_id() == Some(default_version))
                .and_then(|v| v.document())
                .map(decode_policy_document)
                .unwrap_or_default();
            let arn = p.arn().unwrap_or_default();
            // Some endpoints leave PolicyName out of this listing; the ARN's
            // last segment is the name.
            let name = match p.policy_name() {
                Some(n) if !n.is_empty() => n,
                _ => arn.rsplit('/').next().unwrap_or_default(),
            };
            policies.push(ManagedPolicy {
                name: safe(name),
                arn: safe(arn),
                default_version_id: safe(default_version),
                document,
                attachment_count: p.attachment_count().unwrap_or(0),
            });
        }
        match (page.is_truncated(), page.marker()) {
            (true, Some(m)) if !m.is_empty() => marker = Some(m.to_string()),
            _ => break,
        }
    }

    // MFA devices and access keys are per user; read them concurrently.
    let names: Vec<String> = users.iter().map(|u| u.name.clone()).collect();
    let per_user: Vec<_> = futures::stream::iter(names)
        .map(|name| async move {
            let mfa = {
                let _permit = cloud.permit().await;
                facet(cloud.iam().list_mfa_devices().user_name(&name).send().await)
            };
            let keys = {
                let _permit = cloud.permit().await;
                facet(cloud.iam().list_access_keys().user_name(&name).send().await)
            };
            (mfa, keys)
        })
        .buffered(8)
        .collect()
        .await;
    for (user, (mfa, keys)) in users.iter_mut().zip(per_user) {
        user.mfa_devices = match mfa {
            Facet::Present(o) => Facet::Present(
                o.mfa_devices()
                    .iter()
                    .map(|d| MfaDevice {
                        serial_number: safe(d.serial_number()),
                        enable_date: Some(d.enable_date().to_string()),
                    })
                    .collect(),
            ),
            Facet::Absent => Facet::Present(Vec::new()),
            Facet::Unknown(u) => Facet::Unknown(u),
        };
        user.access_keys = match keys {
            Facet::Present(o) => Facet::Present(
                o.access_key_metadata()
                    .iter()
                    .map(|k| AccessKey {
                        id: safe(k.access_key_id().unwrap_or_default()),
                        status: k
                            .status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                        create_date: k.create_date().map(|d| d.to_string()),
                    })
                    .collect(),
            ),
            Facet::Absent => Facet::Present(Vec::new()),
            Facet::Unknown(u) => Facet::Unknown(u),
        };
    }

    let credential_report = credential_report(cloud).await;
    let account_summary = {
        let _permit = cloud.permit().await;
        facet(cloud.iam().get_account_summary().send().await).map(|o| {
            o.summary_map()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| (k.as_str().to_string(), *v))
                        .collect::<BTreeMap<_, _>>()
                })
                .unwrap_or_default()
        })
    };
    let password_policy = {
        let _permit = cloud.permit().await;
        match facet(cloud.iam().get_account_password_policy().send().await) {
            Facet::Present(o) => match o.password_policy() {
                Some(p) => Facet::Present(PasswordPolicy {
                    minimum_length: p.minimum_password_length().unwrap_or(0),
                    require_symbols: p.require_symbols(),
                    require_numbers: p.require_numbers(),
                    require_uppercase: p.require_uppercase_characters(),
                    require_lowercase: p.require_lowercase_characters(),
                    // 0 and absent both mean "passwords never expire"
                    max_age_days: p.max_password_age().filter(|d| *d > 0),
                    reuse_prevention: p.password_reuse_prevention(),
                }),
                None => Facet::Absent,
            },
            Facet::Absent => Facet::Absent,
            Facet::Unknown(u) => Facet::Unknown(u),
        }
    };

    users.sort_by(|a, b| a.name.cmp(&b.name));
    groups.sort_by(|a, b| a.name.cmp(&b.name));
    roles.sort_by(|a, b| a.name.cmp(&b.name));
    policies.sort_by(|a, b| a.arn.cmp(&b.arn));
    Ok(IamInventory {
        users,
        groups,
        roles,
        policies,
        credential_report,
        account_summary,
        password_policy,
    })
}

/// Generate the credential report, wait for it (AWS: up to a few seconds,
/// at most once every four hours it is regenerated), fetch and parse it.
async fn credential_report(cloud: &AwsCloud) -> Facet<Vec<CredentialReportRow>> {
    for _ in 0..20 {
        let generated = {
            let _permit = cloud.permit().await;
            cloud.iam().generate_credential_report().send().await
        };
        match generated {
            Ok(o) if o.state().map(|s| s.as_str()) == Some("COMPLETE") => break,
            Ok(_) => tokio::time::sleep(Duration::from_millis(500)).await,
            Err(e) => return facet_from_failure(&classify(&e)),
        }
    }
    let report = {
        let _permit = cloud.permit().await;
        cloud.iam().get_credential_report().send().await
    };
    match report {
        Ok(o) => match o.content() {
            Some(blob) => match parse_credential_report(blob.as_ref()) {
                Ok(rows) => Facet::Present(rows),
                Err(e) => Facet::unknown(crate::model::UnknownReason::Other, e),
            },
            None => Facet::Absent,
        },
        Err(e) => match classify(&e) {
            // ReportNotPresent / ReportInProgress after waiting
            Failure::Other(d) => Facet::unknown(crate::model::UnknownReason::Other, d),
            f => facet_from_failure(&f),
        },
    }
}

/// The credential report CSV as rows of column → value.
pub fn parse_credential_report(csv_bytes: &[u8]) -> Result<Vec<CredentialReportRow>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(csv_bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("credential report: {e}"))?
        .clone();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| format!("credential report: {e}"))?;
        rows.push(
            headers
                .iter()
                .zip(record.iter())
                .map(|(h, v)| (safe(h), safe(v)))
                .collect(),
        );
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_encoded_documents_are_decoded_and_plain_ones_kept() {
        let enc = "%7B%22Version%22%3A%222012-10-17%22%7D";
        assert_eq!(decode_policy_document(enc), r#"{"Version":"2012-10-17"}"#);
        let plain = r#"{"a":"100%25"}"#;
        assert_eq!(decode_policy_document(plain), plain);
    }

    #[test]
    fn credential_report_keeps_not_supported_and_na_as_values() {
        let csv = "user,arn,password_enabled,mfa_active\n<root_account>,arn:aws:iam::1:root,not_supported,true\nbob,arn:aws:iam::1:user/bob,false,N/A\n";
        let rows = parse_credential_report(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["password_enabled"], "not_supported");
        assert_eq!(rows[1]["mfa_active"], "N/A");
    }
}
