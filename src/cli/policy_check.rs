//! `vigil policy check`: judge a policy offline, before it is applied.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use super::Fatal;
use crate::model::s3::{AclGrant, ObjectOwnership, PublicAccessBlock};
use crate::policy::{self, NamedPolicy, Policy};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Check a policy document: is it public, does it enforce TLS, who
    /// outside the account can use it, does it require MFA, is it admin.
    Check(CheckArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PolicyKind {
    /// A bucket policy (with its ACL and Block Public Access, when given).
    Bucket,
    /// A role trust policy.
    Trust,
    /// An identity policy (user, group or role permissions).
    Identity,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Ownership {
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    ObjectWriter,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The policy: a JSON document, the AWS CLI's `{"Policy": "..."}`
    /// output, or the word `none` for a bucket without a policy.
    #[arg(value_name = "FILE")]
    pub file: String,
    /// What kind of policy it is.
    #[arg(long = "as", value_enum, value_name = "KIND")]
    pub kind: PolicyKind,
    /// The account that owns the bucket or role; any other account named is
    /// external. Without it, every account named counts as external.
    #[arg(long, value_name = "ID")]
    pub account: Option<String>,
    /// The bucket's name (default: taken from the policy's resources).
    #[arg(long, value_name = "NAME")]
    pub bucket: Option<String>,
    /// The bucket ACL: `get-bucket-acl` output or a bare grants array.
    #[arg(long, value_name = "FILE")]
    pub acl: Option<PathBuf>,
    /// Bucket Block Public Access: `get-public-access-block` output or the
    /// bare configuration.
    #[arg(long, value_name = "FILE")]
    pub bucket_bpa: Option<PathBuf>,
    /// Account Block Public Access, in the same shapes.
    #[arg(long, value_name = "FILE")]
    pub account_bpa: Option<PathBuf>,
    /// Object Ownership (BucketOwnerEnforced disables ACLs).
    #[arg(long, value_enum)]
    pub ownership: Option<Ownership>,
    #[arg(long, value_enum, default_value = "text")]
    pub format: CheckFormat,
}

pub fn run(command: PolicyCommand) -> Result<i32, Fatal> {
    let PolicyCommand::Check(args) = command;
    let policy = read_policy(&args.file)?;
    let account = args.account.clone().unwrap_or_default();
    let report: Value = match args.kind {
        PolicyKind::Bucket => {
            let grants = match &args.acl {
                Some(p) => read_acl(p)?,
                None => Vec::new(),
            };
            let bucket_bpa = args.bucket_bpa.as_deref().map(read_bpa).transpose()?;
            let account_bpa = args.account_bpa.as_deref().map(read_bpa).transpose()?;
            let bucket = args
                .bucket
                .clone()
                .or_else(|| policy.as_ref().and_then(bucket_from_resources))
                .unwrap_or_default();
            let report = policy::analyze_bucket(&policy::BucketInput {
                bucket: &bucket,
                account_id: &account,
                policy: policy.as_ref(),
                acl_grants: &grants,
                bucket_bpa: bucket_bpa.as_ref(),
                account_bpa: account_bpa.as_ref(),
                object_ownership: args.ownership.map(|o| match o {
                    Ownership::BucketOwnerEnforced => ObjectOwnership::BucketOwnerEnforced,
                    Ownership::BucketOwnerPreferred => ObjectOwnership::BucketOwnerPreferred,
                    Ownership::ObjectWriter => ObjectOwnership::ObjectWriter,
                }),
            });
            to_json(&report)?
        }
        PolicyKind::Trust => {
            let policy = policy.ok_or_else(|| Fatal::new("a trust policy cannot be `none`"))?;
            to_json(&policy::analyze_trust(&policy, &account))?
        }
        PolicyKind::Identity => {
            let policy = policy.ok_or_else(|| Fatal::new("an identity policy cannot be `none`"))?;
            to_json(&policy::analyze_identity(
                &[NamedPolicy {
                    name: &args.file,
                    policy: &policy,
                }],
                None,
            ))?
        }
    };
    match args.format {
        CheckFormat::Json => {
            let text = serde_json::to_string_pretty(&report)
                .map_err(|e| Fatal::new(format!("cannot encode the report: {e}")))?;
            println!("{text}");
        }
        CheckFormat::Text => print_text(&report),
    }
    Ok(0)
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<Value, Fatal> {
    serde_json::to_value(v).map_err(|e| Fatal::new(format!("cannot encode the report: {e}")))
}

/// The verdict lines first, then the reasons.
fn print_text(report: &Value) {
    let Some(obj) = report.as_object() else {
        return;
    };
    for (k, v) in obj {
        match v {
            Value::Bool(_) | Value::String(_) | Value::Null | Value::Number(_) => {
                println!("{k}: {}", crate::model::text::sanitize(&v.to_string()));
            }
            Value::Array(items) if k != "reasons" && items.iter().all(|i| !i.is_object()) => {
                let list: Vec<String> = items
                    .iter()
                    .map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| i.to_string())
                    })
                    .collect();
                println!("{k}: [{}]", crate::model::text::sanitize(&list.join(", ")));
            }
            _ => {}
        }
    }
    if let Some(reasons) = obj.get("reasons").and_then(Value::as_array) {
        for r in reasons {
            if let Some(r) = r.as_str() {
                println!("  - {}", crate::model::text::sanitize(r));
            }
        }
    }
}

fn read_text(path: &Path) -> Result<String, Fatal> {
    std::fs::read_to_string(path)
        .map_err(|e| Fatal::new(format!("cannot read {}: {e}", path.display())))
}

/// The policy in FILE: raw, wrapped as `{"Policy": "<string>"}`, or none.
fn read_policy(file: &str) -> Result<Option<Policy>, Fatal> {
    if file == "none" {
        return Ok(None);
    }
    let text = read_text(Path::new(file))?;
    let bad = |e: policy::PolicyError| Fatal {
        message: format!("{file}: {e}"),
        hint: Some(
            "the file must be a policy document or the AWS CLI's {\"Policy\": \"...\"} output"
                .into(),
        ),
    };
    // The AWS CLI wraps a bucket policy as a JSON string in {"Policy": ...}.
    if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&text)
        && o.len() == 1
        && let Some(Value::String(inner)) = o.get("Policy")
    {
        return Policy::parse(inner).map(Some).map_err(bad);
    }
    Policy::parse(&text).map(Some).map_err(bad)
}

/// The bucket a policy is about: the first `arn:aws:s3:::NAME` resource.
fn bucket_from_resources(policy: &Policy) -> Option<String> {
    policy
        .statements
        .iter()
        .filter_map(|s| match &s.resource {
            Some(policy::document::ResourceBlock::Resource(list)) => Some(list),
            _ => None,
        })
        .flatten()
        .filter_map(|r| r.strip_prefix("arn:aws:s3:::"))
        .map(|r| r.split('/').next().unwrap_or_default())
        .find(|name| !name.is_empty() && !name.contains(['*', '?', '$']))
        .map(str::to_string)
}

fn read_acl(path: &Path) -> Result<Vec<AclGrant>, Fatal> {
    let text = read_text(path)?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| Fatal::new(format!("{}: not JSON: {e}", path.display())))?;
    let grants = match value {
        Value::Object(mut o) => o.remove("Grants").unwrap_or(Value::Array(Vec::new())),
        other => other,
    };
    serde_json::from_value(grants).map_err(|e| {
        Fatal::new(format!(
            "{}: not an ACL (get-bucket-acl output or a grants array): {e}",
            path.display()
        ))
    })
}

fn read_bpa(path: &Path) -> Result<PublicAccessBlock, Fatal> {
    let text = read_text(path)?;
    let value: Value = serde_json::from_str(&text)
        .map_err(|e| Fatal::new(format!("{}: not JSON: {e}", path.display())))?;
    let conf = match value {
        Value::Object(mut o) if o.contains_key("PublicAccessBlockConfiguration") => o
            .remove("PublicAccessBlockConfiguration")
            .unwrap_or(Value::Null),
        other => other,
    };
    serde_json::from_value(conf).map_err(|e| {
        Fatal::new(format!(
            "{}: not a Block Public Access configuration: {e}",
            path.display()
        ))
    })
}
