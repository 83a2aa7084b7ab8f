//! Classifying S3 actions as reads or writes, for "public for what".
//!
//! S3 User Guide, "The meaning of "public"" calls `s3:Get*`, `s3:List*`,
//! `s3:AbortMultipartUpload`, `s3:Delete*`, `s3:Put*` and `s3:RestoreObject`
//! the actions that "could expose the data inside a bucket to reads or writes";
//! changing the bucket policy or an ACL (`PutBucketPolicy`, `PutBucketAcl`,
//! `PutObjectAcl`) is a write, since it hands out further access.

use serde::Serialize;

use super::document::ActionBlock;
use super::eval::action_matches;
use super::wildcard;

/// What public access allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessKind {
    /// Reading data or configuration (`s3:Get*`, `s3:List*`, ACL `READ`, `READ_ACP`).
    Read,
    /// Changing data or configuration (`s3:Put*`, `s3:Delete*`,
    /// `s3:RestoreObject`, `s3:AbortMultipartUpload`, policy/ACL changes, ACL
    /// `WRITE`, `WRITE_ACP`).
    Write,
}

/// Representative S3 actions used to classify wildcard patterns.
const READ_ACTIONS: [&str; 12] = [
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectAcl",
    "s3:GetObjectTagging",
    "s3:ListBucket",
    "s3:ListBucketVersions",
    "s3:ListBucketMultipartUploads",
    "s3:ListMultipartUploadParts",
    "s3:GetBucketPolicy",
    "s3:GetBucketAcl",
    "s3:GetBucketLocation",
    "s3:GetObjectAttributes",
];
const WRITE_ACTIONS: [&str; 16] = [
    "s3:PutObject",
    "s3:PutObjectAcl",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:DeleteBucketPolicy",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
    "s3:DeleteBucket",
    "s3:RestoreObject",
    "s3:AbortMultipartUpload",
    "s3:PutObjectTagging",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutLifecycleConfiguration",
    "s3:PutObjectRetention",
    "s3:BypassGovernanceRetention",
    "s3:ReplicateObject",
];

/// Which kinds of access an action element grants on S3.
pub fn classify_actions(block: &ActionBlock) -> Vec<AccessKind> {
    let (mut read, mut write) = (false, false);
    match block {
        ActionBlock::Action(patterns) => {
            for p in patterns {
                if wildcard::has_wildcard(p) {
                    read |= READ_ACTIONS
                        .iter()
                        .any(|a| wildcard::matches_ignore_case(p, a));
                    write |= WRITE_ACTIONS
                        .iter()
                        .any(|a| wildcard::matches_ignore_case(p, a));
                } else if let Some((svc, name)) = p.split_once(':')
                    && svc.eq_ignore_ascii_case("s3")
                {
                    let name = name.to_ascii_lowercase();
                    if name.starts_with("get") || name.starts_with("list") {
                        read = true;
                    } else {
                        write = true;
                    }
                }
            }
        }
        ActionBlock::NotAction(_) => {
            read = READ_ACTIONS.iter().any(|a| action_matches(block, a));
            write = WRITE_ACTIONS.iter().any(|a| action_matches(block, a));
        }
    }
    kinds(read, write)
}

pub(crate) fn kinds(read: bool, write: bool) -> Vec<AccessKind> {
    let mut v = Vec::new();
    if read {
        v.push(AccessKind::Read);
    }
    if write {
        v.push(AccessKind::Write);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify(a: &[&str]) -> Vec<AccessKind> {
        classify_actions(&ActionBlock::Action(
            a.iter().map(|s| s.to_string()).collect(),
        ))
    }

    #[test]
    fn meaning_of_public_bad_actions_read_and_write() {
        assert_eq!(classify(&["s3:GetObject"]), vec![AccessKind::Read]);
        assert_eq!(classify(&["S3:list*"]), vec![AccessKind::Read]);
        assert_eq!(classify(&["s3:RestoreObject"]), vec![AccessKind::Write]);
        assert_eq!(classify(&["s3:PutBucketAcl"]), vec![AccessKind::Write]);
        assert_eq!(
            classify(&["s3:*"]),
            vec![AccessKind::Read, AccessKind::Write]
        );
        assert_eq!(classify(&["*"]), vec![AccessKind::Read, AccessKind::Write]);
        assert!(classify(&["kms:Decrypt"]).is_empty());
        let not = ActionBlock::NotAction(vec!["s3:Get*".into(), "s3:List*".into()]);
        assert_eq!(classify_actions(&not), vec![AccessKind::Write]);
    }
}
