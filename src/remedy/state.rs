//! Comparing configurations as AWS means them, and naming what each write
//! needs. Two states are the same when they mean the same: a policy's JSON
//! (key order and whitespace aside), an ACL's grants as a set, a grantee's
//! display name aside (S3 no longer returns it everywhere).

use serde_json::Value;

use crate::model::change::Change;
use crate::model::s3::{Grantee, VersioningStatus};

/// `change` as a value that compares equal exactly when AWS means the same.
pub fn normalised(change: &Change) -> Value {
    let mut c = change.clone();
    match &mut c {
        Change::BucketAcl { acl, .. } => {
            for g in &mut acl.grants {
                if let Grantee::CanonicalUser { display_name, .. } = &mut g.grantee {
                    *display_name = None;
                }
            }
            acl.grants
                .sort_by_key(|g| serde_json::to_string(g).unwrap_or_default());
            acl.grants.dedup();
        }
        Change::BucketPolicy { value, .. } => {
            return policy_value(
                change.bucket().unwrap_or_default(),
                value.as_deref(),
                "bucket",
            );
        }
        Change::UserInlinePolicy {
            user,
            name,
            document,
        } => {
            let mut v = policy_value(user, document.as_deref(), "user");
            if let Some(o) = v.as_object_mut() {
                o.insert("name".into(), Value::String(name.clone()));
            }
            return v;
        }
        _ => {}
    }
    serde_json::to_value(&c).unwrap_or(Value::Null)
}

/// A policy document as parsed JSON (maps compare regardless of key order);
/// text that is not JSON compares as text.
fn policy_value(owner: &str, text: Option<&str>, kind: &str) -> Value {
    let doc = match text {
        None => Value::Null,
        Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string())),
    };
    serde_json::json!({ "kind": kind, "owner": owner, "document": doc })
}

/// Whether two states of the same configuration mean the same.
pub fn same(a: &Change, b: &Change) -> bool {
    normalised(a) == normalised(b)
}

/// Whether the state `observed` is what writing `expected` leaves behind.
/// S3 has no way back to "versioning never enabled": writing `Off` stores
/// `Suspended` (see `Cloud::apply`), and that counts as done.
pub fn reached(expected: &Change, observed: &Change) -> bool {
    if let (
        Change::BucketVersioning {
            bucket: a,
            status: VersioningStatus::Off,
        },
        Change::BucketVersioning {
            bucket: b,
            status: VersioningStatus::Suspended,
        },
    ) = (expected, observed)
    {
        return a == b;
    }
    same(expected, observed)
}

/// The IAM action a write needs (the API call's name is not always it).
pub fn write_permission(change: &Change) -> &'static str {
    match change {
        Change::BucketPublicAccessBlock { .. } => "s3:PutBucketPublicAccessBlock",
        Change::AccountPublicAccessBlock { .. } => "s3:PutAccountPublicAccessBlock",
        Change::BucketEncryption { .. } => "s3:PutEncryptionConfiguration",
        Change::BucketPolicy { value: Some(_), .. } => "s3:PutBucketPolicy",
        Change::BucketPolicy { value: None, .. } => "s3:DeleteBucketPolicy",
        Change::BucketAcl { .. } => "s3:PutBucketAcl",
        Change::BucketOwnership { .. } => "s3:PutBucketOwnershipControls",
        Change::BucketVersioning { .. } => "s3:PutBucketVersioning",
        Change::BucketLogging { .. } => "s3:PutBucketLogging",
        Change::AccessKeyStatus { .. } => "iam:UpdateAccessKey",
        Change::UserInlinePolicy {
            document: Some(_), ..
        } => "iam:PutUserPolicy",
        Change::UserInlinePolicy { document: None, .. } => "iam:DeleteUserPolicy",
    }
}

/// The IAM actions reading this configuration back needs (bucket reads
/// look the bucket's region up first).
pub fn read_permissions(change: &Change) -> &'static [&'static str] {
    match change {
        Change::BucketPublicAccessBlock { .. } => {
            &["s3:GetBucketLocation", "s3:GetBucketPublicAccessBlock"]
        }
        Change::AccountPublicAccessBlock { .. } => &["s3:GetAccountPublicAccessBlock"],
        Change::BucketEncryption { .. } => {
            &["s3:GetBucketLocation", "s3:GetEncryptionConfiguration"]
        }
        Change::BucketPolicy { .. } => &["s3:GetBucketLocation", "s3:GetBucketPolicy"],
        Change::BucketAcl { .. } => &["s3:GetBucketLocation", "s3:GetBucketAcl"],
        Change::BucketOwnership { .. } => {
            &["s3:GetBucketLocation", "s3:GetBucketOwnershipControls"]
        }
        Change::BucketVersioning { .. } => &["s3:GetBucketLocation", "s3:GetBucketVersioning"],
        Change::BucketLogging { .. } => &["s3:GetBucketLocation", "s3:GetBucketLogging"],
        Change::AccessKeyStatus { .. } => &["iam:ListAccessKeys"],
        Change::UserInlinePolicy { .. } => &["iam:GetUserPolicy"],
    }
}

/// The read-back API call for this configuration.
pub fn read_call(change: &Change) -> &'static str {
    match change {
        Change::BucketPublicAccessBlock { .. } => "s3:GetPublicAccessBlock",
        Change::AccountPublicAccessBlock { .. } => "s3control:GetPublicAccessBlock",
        Change::BucketEncryption { .. } => "s3:GetBucketEncryption",
        Change::BucketPolicy { .. } => "s3:GetBucketPolicy",
        Change::BucketAcl { .. } => "s3:GetBucketAcl",
        Change::BucketOwnership { .. } => "s3:GetBucketOwnershipControls",
        Change::BucketVersioning { .. } => "s3:GetBucketVersioning",
        Change::BucketLogging { .. } => "s3:GetBucketLogging",
        Change::AccessKeyStatus { .. } => "iam:ListAccessKeys",
        Change::UserInlinePolicy { .. } => "iam:GetUserPolicy",
    }
}

/// A short name of the configuration a change sets, for previews.
pub fn setting_name(change: &Change) -> String {
    match change {
        Change::BucketPublicAccessBlock { bucket, .. } => {
            format!("Block Public Access of bucket {bucket}")
        }
        Change::AccountPublicAccessBlock { account_id, .. } => {
            format!("Block Public Access of account {account_id}")
        }
        Change::BucketEncryption { bucket, .. } => format!("default encryption of bucket {bucket}"),
        Change::BucketPolicy { bucket, .. } => format!("policy of bucket {bucket}"),
        Change::BucketAcl { bucket, .. } => format!("ACL of bucket {bucket}"),
        Change::BucketOwnership { bucket, .. } => format!("Object Ownership of bucket {bucket}"),
        Change::BucketVersioning { bucket, .. } => format!("versioning of bucket {bucket}"),
        Change::BucketLogging { bucket, .. } => format!("server access logging of bucket {bucket}"),
        Change::AccessKeyStatus { user, key_id, .. } => {
            format!("status of access key {key_id} of user {user}")
        }
        Change::UserInlinePolicy { user, name, .. } => {
            format!("inline policy {name} of user {user}")
        }
    }
}

/// The value a change sets, as readable text for a preview: policies
/// pretty-printed, settings as JSON, "(not configured)" for none.
pub fn render_value(change: &Change) -> String {
    let pretty_policy = |t: &str| match serde_json::from_str::<Value>(t) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| t.to_string()),
        Err(_) => t.to_string(),
    };
    let json = |v: Value| match v {
        Value::Null => "(not configured)".to_string(),
        v => serde_json::to_string_pretty(&v).unwrap_or_default(),
    };
    match change {
        Change::BucketPolicy { value, .. } => value
            .as_deref()
            .map(pretty_policy)
            .unwrap_or_else(|| "(no bucket policy)".into()),
        Change::UserInlinePolicy { document, .. } => document
            .as_deref()
            .map(pretty_policy)
            .unwrap_or_else(|| "(no such inline policy)".into()),
        Change::BucketPublicAccessBlock { value, .. }
        | Change::AccountPublicAccessBlock { value, .. } => {
            json(serde_json::to_value(value).unwrap_or(Value::Null))
        }
        Change::BucketEncryption { value, .. } => {
            json(serde_json::to_value(value).unwrap_or(Value::Null))
        }
        Change::BucketAcl { acl, .. } => json(serde_json::to_value(acl).unwrap_or(Value::Null)),
        Change::BucketOwnership { value, .. } => {
            json(serde_json::to_value(value).unwrap_or(Value::Null))
        }
        Change::BucketVersioning { status, .. } => format!("{status:?}"),
        Change::BucketLogging { value, .. } => {
            json(serde_json::to_value(value).unwrap_or(Value::Null))
        }
        Change::AccessKeyStatus { status, .. } => status.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::s3::{ALL_USERS_URI, Acl, AclGrant};

    #[test]
    fn policies_compare_by_meaning_not_key_order_or_whitespace() {
        let a = Change::BucketPolicy {
            bucket: "b".into(),
            value: Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*"}]}"#
                    .into(),
            ),
        };
        let b = Change::BucketPolicy {
            bucket: "b".into(),
            value: Some("{ \"Statement\": [ {\"Action\": \"s3:*\", \"Effect\": \"Deny\"} ],\n \"Version\": \"2012-10-17\" }".into()),
        };
        assert!(same(&a, &b));
        let c = Change::BucketPolicy {
            bucket: "b".into(),
            value: Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}"#
                    .into(),
            ),
        };
        assert!(!same(&a, &c));
        let none = Change::BucketPolicy {
            bucket: "b".into(),
            value: None,
        };
        assert!(!same(&a, &none));
    }

    #[test]
    fn acl_grants_compare_as_a_set_without_display_names() {
        let owner = AclGrant {
            grantee: Grantee::CanonicalUser {
                id: "o".into(),
                display_name: Some("me".into()),
            },
            permission: "FULL_CONTROL".into(),
        };
        let public = AclGrant {
            grantee: Grantee::Group {
                uri: ALL_USERS_URI.into(),
            },
            permission: "READ".into(),
        };
        let a = Change::BucketAcl {
            bucket: "b".into(),
            acl: Acl {
                owner_id: "o".into(),
                grants: vec![owner.clone(), public.clone()],
            },
        };
        let mut owner_nameless = owner.clone();
        owner_nameless.grantee = Grantee::CanonicalUser {
            id: "o".into(),
            display_name: None,
        };
        let b = Change::BucketAcl {
            bucket: "b".into(),
            acl: Acl {
                owner_id: "o".into(),
                grants: vec![public, owner_nameless],
            },
        };
        assert!(same(&a, &b));
        let c = Change::BucketAcl {
            bucket: "b".into(),
            acl: Acl {
                owner_id: "o".into(),
                grants: vec![owner],
            },
        };
        assert!(!same(&a, &c));
    }

    #[test]
    fn versioning_off_is_reached_by_suspended_but_not_the_other_way() {
        let off = Change::BucketVersioning {
            bucket: "b".into(),
            status: VersioningStatus::Off,
        };
        let suspended = Change::BucketVersioning {
            bucket: "b".into(),
            status: VersioningStatus::Suspended,
        };
        assert!(reached(&off, &suspended));
        assert!(!reached(&suspended, &off));
        assert!(!same(&off, &suspended));
    }
}
