//! The remediation catalogue: what each remediation fixes, the calls it
//! makes, the permissions it needs, and whether it can be undone. Data only;
//! the planners live in `plan`, `bucket_policy` and `acl`.

use serde::Serialize;

/// What a remediation must be told besides the resource it fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// `--bucket NAME`.
    Bucket,
    /// `--kms-key ARN`: the KMS key for default encryption.
    KmsKey,
    /// `--target-bucket NAME`: where server access logs go.
    TargetBucket,
    /// `--access-key ID`.
    AccessKey,
    /// `--user NAME` (for an access key, found from the key when omitted).
    User,
}

impl Need {
    /// The command-line flag that supplies it.
    pub fn flag(&self) -> &'static str {
        match self {
            Need::Bucket => "--bucket",
            Need::KmsKey => "--kms-key",
            Need::TargetBucket => "--target-bucket",
            Need::AccessKey => "--access-key",
            Need::User => "--user",
        }
    }
}

/// Whether undo puts everything back exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "reversible", content = "caveat", rename_all = "snake_case")]
pub enum Reversibility {
    /// Undo restores the prior configuration exactly.
    Yes,
    /// Undo restores it as far as AWS allows; the caveat says how far.
    Partly(&'static str),
}

/// One remediation of the catalogue.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Remediation {
    /// Stable id, e.g. `bucket-versioning-on`.
    pub id: &'static str,
    pub title: &'static str,
    /// Rule ids whose failing findings this remediation fixes.
    pub fixes: &'static [&'static str],
    /// API calls that write (undo may use the delete form listed here too).
    pub writes: &'static [&'static str],
    /// API calls that read the prior state and verify the write.
    pub reads: &'static [&'static str],
    /// IAM actions needed for the writes, the undo and the read-back.
    pub permissions: &'static [&'static str],
    pub reversible: Reversibility,
    /// What the operator must supply.
    pub needs: &'static [Need],
    /// Cuts off access someone may rely on: the console asks to type the
    /// resource name to confirm.
    pub disruptive: bool,
}

/// Every remediation, in the order the brief lists them.
pub static REMEDIATIONS: &[Remediation] = &[
    Remediation {
        id: "bucket-bpa-on",
        title: "Turn on all four Block Public Access settings for the bucket",
        fixes: &["s3-bucket-bpa-off", "s3-public-read", "s3-public-write"],
        writes: &["s3:PutPublicAccessBlock", "s3:DeletePublicAccessBlock"],
        reads: &["s3:GetBucketLocation", "s3:GetPublicAccessBlock"],
        permissions: &[
            "s3:GetBucketLocation",
            "s3:GetBucketPublicAccessBlock",
            "s3:PutBucketPublicAccessBlock",
        ],
        reversible: Reversibility::Yes,
        needs: &[Need::Bucket],
        disruptive: true,
    },
    Remediation {
        id: "account-bpa-on",
        title: "Turn on all four Block Public Access settings for the account",
        fixes: &["s3-account-bpa-off", "s3-public-read", "s3-public-write"],
        writes: &[
            "s3control:PutPublicAccessBlock",
            "s3control:DeletePublicAccessBlock",
        ],
        reads: &["s3control:GetPublicAccessBlock"],
        permissions: &[
            "s3:GetAccountPublicAccessBlock",
            "s3:PutAccountPublicAccessBlock",
        ],
        reversible: Reversibility::Yes,
        needs: &[],
        disruptive: true,
    },
    Remediation {
        id: "bucket-encryption-sse-s3",
        title: "Set default encryption to SSE-S3 (AES256)",
        fixes: &["s3-no-default-encryption"],
        writes: &["s3:PutBucketEncryption", "s3:DeleteBucketEncryption"],
        reads: &["s3:GetBucketLocation", "s3:GetBucketEncryption"],
        permissions: &[
            "s3:GetBucketLocation",
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
        ],
        reversible: Reversibility::Partly(
            "objects written while it was on stay encrypted with SSE-S3; since 2023 S3 encrypts every new object with SSE-S3 even without a default, so deleting the configuration changes what GetBucketEncryption reports, not what S3 does",
        ),
        needs: &[Need::Bucket],
        disruptive: false,
    },
    Remediation {
        id: "bucket-encryption-sse-kms",
        title: "Set default encryption to SSE-KMS with a chosen key and an S3 Bucket Key",
        fixes: &["s3-no-default-encryption", "s3-not-kms-encrypted"],
        writes: &["s3:PutBucketEncryption", "s3:DeleteBucketEncryption"],
        reads: &["s3:GetBucketLocation", "s3:GetBucketEncryption"],
        permissions: &[
            "s3:GetBucketLocation",
            "s3:GetEncryptionConfiguration",
            "s3:PutEncryptionConfiguration",
        ],
        reversible: Reversibility::Partly(
            "objects written while it was on stay encrypted with the KMS key and need kms:Decrypt on it to be read",
        ),
        needs: &[Need::Bucket, Need::KmsKey],
        disruptive: false,
    },
    Remediation {
        id: "bucket-deny-insecure-transport",
        title: "Deny plain-HTTP requests in the bucket policy (merged; every other statement kept)",
        fixes: &["s3-insecure-transport"],
        writes: &["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
        reads: &["s3:GetBucketLocation", "s3:GetBucketPolicy"],
        permissions: &[
            "s3:GetBucketLocation",
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        ],
        reversible: Reversibility::Yes,
        needs: &[Need::Bucket],
        disruptive: false,
    },
    Remediation {
        id: "bucket-remove-public-statements",
        title: "Remove the bucket policy statements that make the bucket public, keeping the rest",
        fixes: &["s3-public-read", "s3-public-write"],
        writes: &["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"],
        reads: &["s3:GetBucketLocation", "s3:GetBucketPolicy"],
        permissions: &[
            "s3:GetBucketLocation",
            "s3:GetBucketPolicy",
            "s3:PutBucketPolicy",
            "s3:DeleteBucketPolicy",
        ],
        reversible: Reversibility::Yes,
        needs: &[Need::Bucket],
        disruptive: true,
    },
    Remediation {
        id: "bucket-acl-private",
        title: "Remove the ACL grants to AllUsers and AuthenticatedUsers, keeping the others",
        fixes: &["s3-public-read", "s3-public-write"],
        writes: &["s3:PutBucketAcl"],
        reads: &["s3:GetBucketLocation", "s3:GetBucketAcl"],
        permissions: &["s3:GetBucketLocation", "s3:GetBucketAcl", "s3:PutBucketAcl"],
        reversible: Reversibility::Yes,
        needs: &[Need::Bucket],
        disruptive: true,
    },
    Remediation {
        id: "bucket-ownership-enforced",
        title: "Disable ACLs (Object Ownership: BucketOwnerEnforced)",
        fixes: &["s3-acls-enabled"],
        writes: &[
            "s3:PutBucketAcl",
            "s3:PutBucketOwnershipControls",
            "s3:DeleteBucketOwnershipControls",
        ],
        reads: &[
            "s3:GetBucketLocation",
            "s3:GetBucketAcl",
            "s3:GetBucketOwnershipControls",
        ],
        permissions: &[
            "s3:GetBucketLocation",
            "s3:GetBucketAcl",
            "s3:PutBucketAcl",
            "s3:GetBucketOwnershipControls",
            "s3:PutBucketOwnershipControls",
        ],
        reversible: Reversibility::Partly(
            "the bucket ACL and ownership setting are restored; objects uploaded while ACLs were disabled stay owned by the bucket owner",
        ),
        needs: &[Need::Bucket],
        disruptive: true,
    },
    Remediation {
        id: "bucket-versioning-on",
        title: "Enable bucket versioning",
        fixes: &["s3-versioning-off"],
        writes: &["s3:PutBucketVersioning"],
        reads: &["s3:GetBucketLocation", "s3:GetBucketVersioning"],
        permissions: &[
            "s3:GetBucketLocation",
            "s3:GetBucketVersioning",
            "s3:PutBucketVersioning",
        ],
        reversible: Reversibility::Partly(
            "a bucket that never had versioning cannot go back to that state: undo suspends versioning, and versions already kept stay",
        ),
        needs: &[Need::Bucket],
        disruptive: false,
    },
    Remediation {
        id: "bucket-logging-on",
        title: "Turn on server access logging to a chosen target bucket",
        fixes: &["s3-logging-off", "s3-trail-bucket-exposed"],
        writes: &["s3:PutBucketLogging"],
        reads: &["s3:GetBucketLocation", "s3:GetBucketLogging"],
        permissions: &[
            "s3:GetBucketLocation",
            "s3:GetBucketLogging",
            "s3:PutBucketLogging",
        ],
        reversible: Reversibility::Partly(
            "log objects already delivered stay in the target bucket",
        ),
        needs: &[Need::Bucket, Need::TargetBucket],
        disruptive: false,
    },
    Remediation {
        id: "access-key-deactivate",
        title: "Deactivate an access key (Inactive, not deleted)",
        fixes: &[
            "iam-access-key-old",
            "iam-credentials-unused",
            "iam-multiple-active-keys",
        ],
        writes: &["iam:UpdateAccessKey"],
        reads: &["iam:ListAccessKeys"],
        permissions: &["iam:ListAccessKeys", "iam:UpdateAccessKey"],
        reversible: Reversibility::Yes,
        needs: &[Need::AccessKey, Need::User],
        disruptive: true,
    },
    Remediation {
        id: "user-require-mfa",
        title: "Deny everything but MFA self-management to the user until they sign in with MFA",
        fixes: &["iam-console-user-without-mfa"],
        writes: &["iam:PutUserPolicy", "iam:DeleteUserPolicy"],
        reads: &["iam:GetUserPolicy"],
        permissions: &[
            "iam:GetUserPolicy",
            "iam:PutUserPolicy",
            "iam:DeleteUserPolicy",
        ],
        reversible: Reversibility::Yes,
        needs: &[Need::User],
        disruptive: true,
    },
];

/// The remediation with this id.
pub fn remediation(id: &str) -> Option<&'static Remediation> {
    REMEDIATIONS.iter().find(|r| r.id == id)
}

/// The remediations that fix a rule's findings.
pub fn fixing(rule_id: &str) -> Vec<&'static Remediation> {
    REMEDIATIONS
        .iter()
        .filter(|r| r.fixes.contains(&rule_id))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids every branch agreed on (the team brief).
    const AGREED: &[&str] = &[
        "bucket-bpa-on",
        "account-bpa-on",
        "bucket-encryption-sse-s3",
        "bucket-encryption-sse-kms",
        "bucket-deny-insecure-transport",
        "bucket-remove-public-statements",
        "bucket-acl-private",
        "bucket-ownership-enforced",
        "bucket-versioning-on",
        "bucket-logging-on",
        "access-key-deactivate",
        "user-require-mfa",
    ];

    #[test]
    fn the_catalogue_is_exactly_the_agreed_ids_once_each() {
        let ids: Vec<&str> = REMEDIATIONS.iter().map(|r| r.id).collect();
        assert_eq!(ids, AGREED);
        assert!(remediation("bucket-versioning-on").is_some());
        assert!(remediation("bucket-versioning-off").is_none());
    }

    #[test]
    fn every_remediation_fixes_only_agreed_rule_ids() {
        const RULES: &[&str] = &[
            "s3-account-bpa-off",
            "s3-bucket-bpa-off",
            "s3-public-read",
            "s3-public-write",
            "s3-insecure-transport",
            "s3-no-default-encryption",
            "s3-not-kms-encrypted",
            "s3-versioning-off",
            "s3-logging-off",
            "s3-trail-bucket-exposed",
            "s3-acls-enabled",
            "iam-console-user-without-mfa",
            "iam-access-key-old",
            "iam-credentials-unused",
            "iam-multiple-active-keys",
        ];
        for r in REMEDIATIONS {
            assert!(!r.fixes.is_empty(), "{}", r.id);
            for f in r.fixes {
                assert!(RULES.contains(f), "{} fixes unknown rule {f}", r.id);
            }
        }
        assert!(
            fixing("s3-versioning-off")
                .iter()
                .any(|r| r.id == "bucket-versioning-on")
        );
    }

    #[test]
    fn every_rule_that_names_a_remediation_names_one_of_these() {
        for rule in crate::rules::catalogue() {
            if let Some(id) = rule.remediation {
                assert!(
                    remediation(id).is_some(),
                    "{}: no remediation {id}",
                    rule.id
                );
            }
        }
        // Where a remediation claims a rule, the rule points back to it or
        // to another remediation of the catalogue.
        for r in REMEDIATIONS {
            for f in r.fixes {
                if let Some(rule) = crate::rules::rule(f) {
                    assert!(
                        rule.remediation.is_some_and(|id| remediation(id).is_some()),
                        "{f}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_readme_remediation_policy_is_exactly_what_the_remediations_need() {
        let readme = include_str!("../../README.md");
        let start = readme
            .find("\"Sid\": \"VigilRemediate\"")
            .expect("the README's remediation policy");
        let block = &readme[start..];
        let block = &block[..block.find("```").unwrap_or(block.len())];
        let mut listed: Vec<&str> = block
            .lines()
            .map(|l| l.trim().trim_end_matches(',').trim_matches('"'))
            .filter(|l| l.starts_with("s3:") || l.starts_with("iam:"))
            .collect();
        listed.sort();
        let mut needed: Vec<&str> = REMEDIATIONS
            .iter()
            .flat_map(|r| r.permissions.iter().copied())
            .collect();
        needed.sort();
        needed.dedup();
        assert_eq!(listed, needed);
    }
}
