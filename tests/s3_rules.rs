//! Every S3 rule: a case where it fires, one where it must not, and the
//! unknown case (a facet that could not be read is never a pass). Buckets
//! start well configured (`good()`) and each test breaks one thing.

use vigil::model::finding::{Evidence, Status};
use vigil::model::s3::*;
use vigil::model::{CallerIdentity, Facet, Inventory, UnknownReason};
use vigil::rules::{self, BucketContext, BucketFacts, Check, Verdict};

const ACCOUNT: &str = "111122223333";
const OWNER: &str = "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f";

fn denied<T>() -> Facet<T> {
    Facet::unknown(UnknownReason::AccessDenied, "AccessDenied: not authorized")
}

fn owner_grant() -> AclGrant {
    AclGrant {
        grantee: Grantee::CanonicalUser {
            id: OWNER.into(),
            display_name: None,
        },
        permission: "FULL_CONTROL".into(),
    }
}

fn group_grant(uri: &str, permission: &str) -> AclGrant {
    AclGrant {
        grantee: Grantee::Group { uri: uri.into() },
        permission: permission.into(),
    }
}

/// A bucket every rule passes.
fn good() -> Bucket {
    Bucket {
        name: "b".into(),
        region: Facet::Present("us-east-1".into()),
        creation_date: None,
        policy: Facet::Present(
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"Tls","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#.into(),
        ),
        policy_status: Facet::Present(PolicyStatus { is_public: false }),
        acl: Facet::Present(Acl {
            owner_id: OWNER.into(),
            grants: vec![owner_grant()],
        }),
        public_access_block: Facet::Present(PublicAccessBlock::ALL_ON),
        ownership: Facet::Present(ObjectOwnership::BucketOwnerEnforced),
        encryption: Facet::Present(Encryption {
            algorithm: SseAlgorithm::AwsKms,
            kms_key_id: Some("arn:aws:kms:us-east-1:111122223333:key/k".into()),
            bucket_key_enabled: true,
        }),
        versioning: Facet::Present(Versioning {
            status: VersioningStatus::Enabled,
            mfa_delete: true,
        }),
        logging: Facet::Present(Logging {
            target_bucket: "logs".into(),
            target_prefix: "b/".into(),
        }),
        lifecycle: Facet::Present(vec![LifecycleRule {
            id: "expire".into(),
            enabled: true,
            expiration_days: Some(365),
        }]),
        replication: Facet::Absent,
        object_lock: Facet::Present(ObjectLock {
            enabled: true,
            default_mode: Some("GOVERNANCE".into()),
            default_days: Some(30),
        }),
        tags: Facet::Absent,
    }
}

/// `good()` with this policy and no Block Public Access, so a public grant
/// is in effect.
fn open_with_policy(statements: &str) -> Bucket {
    let mut b = with_policy(statements);
    b.public_access_block = Facet::Absent;
    b
}

fn with_policy(statements: &str) -> Bucket {
    let mut b = good();
    b.policy = Facet::Present(format!(
        r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
    ));
    b
}

const PUBLIC_READ: &str = r#"{"Sid":"Open","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#;
const TLS_DENY: &str = r#"{"Sid":"Tls","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;
const TRAIL_WRITE: &str = r#"{"Sid":"AWSCloudTrailWrite","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/AWSLogs/111122223333/*","Condition":{"StringEquals":{"s3:x-amz-acl":"bucket-owner-full-control"}}}"#;

fn run_with(id: &str, b: &Bucket, account_bpa: &Facet<PublicAccessBlock>) -> Option<Verdict> {
    let rule = rules::rule(id).unwrap_or_else(|| panic!("rule {id} is in the catalogue"));
    let Check::Bucket(check) = rule.check else {
        panic!("{id} is a bucket rule")
    };
    check(&BucketFacts::new(&BucketContext {
        bucket: b,
        account_id: ACCOUNT,
        account_public_access_block: account_bpa,
        trail_buckets: &[],
    }))
}

fn run(id: &str, b: &Bucket) -> Option<Verdict> {
    run_with(id, b, &Facet::Absent)
}

fn status(id: &str, b: &Bucket) -> Status {
    run(id, b).unwrap_or_else(|| panic!("{id} applies")).status
}

fn paths(v: &Verdict) -> Vec<&str> {
    v.evidence
        .iter()
        .filter_map(|e| e.path.as_deref())
        .collect()
}

fn reason(v: &Verdict) -> &str {
    v.reason.as_deref().unwrap_or("")
}

#[test]
fn the_well_configured_bucket_passes_every_rule_that_applies() {
    let b = good();
    for rule in rules::catalogue() {
        if let Check::Bucket(_) = rule.check
            && let Some(v) = run(rule.id, &b)
        {
            assert_eq!(v.status, Status::Pass, "{}: {:?}", rule.id, v.reason);
        }
    }
}

#[test]
fn catalogue_has_every_agreed_s3_id_with_frameworks_and_a_known_remediation() {
    let agreed = [
        "s3-account-bpa-off",
        "s3-bucket-bpa-off",
        "s3-public-read",
        "s3-public-write",
        "s3-insecure-transport",
        "s3-no-default-encryption",
        "s3-not-kms-encrypted",
        "s3-versioning-off",
        "s3-mfa-delete-off",
        "s3-logging-off",
        "s3-acls-enabled",
        "s3-external-access",
        "s3-no-lifecycle",
        "s3-no-object-lock",
        "s3-trail-bucket-exposed",
    ];
    let remediations = [
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
    ];
    for id in agreed {
        let r = rules::rule(id).unwrap_or_else(|| panic!("{id} missing"));
        assert!(!r.frameworks.is_empty(), "{id} maps to no framework");
        if let Some(rem) = r.remediation {
            assert!(
                remediations.contains(&rem),
                "{id}: unknown remediation {rem}"
            );
        }
    }
    let mut ids: Vec<&str> = rules::catalogue().iter().map(|r| r.id).collect();
    let n = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), n, "rule ids are unique");
}

// ---------------------------------------------------------------- public ----

#[test]
fn public_read_fires_on_a_public_policy_and_names_the_statement() {
    let v = run("s3-public-read", &open_with_policy(PUBLIC_READ)).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(reason(&v).contains("through the bucket policy"), "{v:?}");
    assert_eq!(paths(&v), vec!["policy:Statement[0]"]);
}

#[test]
fn public_read_fires_on_an_acl_grant_and_names_the_grant() {
    let mut b = good();
    b.ownership = Facet::Present(ObjectOwnership::ObjectWriter);
    b.public_access_block = Facet::Absent;
    b.acl = Facet::Present(Acl {
        owner_id: OWNER.into(),
        grants: vec![owner_grant(), group_grant(ALL_USERS_URI, "READ")],
    });
    let v = run("s3-public-read", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(reason(&v).contains("through the ACL"), "{v:?}");
    assert_eq!(paths(&v), vec!["acl:Grants[1]"]);
    // A READ grant is not a write.
    assert_eq!(status("s3-public-write", &b), Status::Pass);
}

#[test]
fn public_read_does_not_fire_when_restrict_public_buckets_cuts_the_policy_off() {
    assert_eq!(
        status("s3-public-read", &open_with_policy(PUBLIC_READ)),
        Status::Fail
    );
    let mut b = with_policy(PUBLIC_READ);
    b.public_access_block = Facet::Present(PublicAccessBlock {
        restrict_public_buckets: true,
        ..Default::default()
    });
    let v = run("s3-public-read", &b).unwrap();
    assert_eq!(v.status, Status::Pass, "{v:?}");
    assert_eq!(paths(&v), vec!["public_access_block.RestrictPublicBuckets"]);
    // The account-level setting counts the same, and says so.
    let mut b = with_policy(PUBLIC_READ);
    b.public_access_block = Facet::Absent;
    let acct = Facet::Present(PublicAccessBlock::ALL_ON);
    let v = run_with("s3-public-read", &b, &acct).unwrap();
    assert_eq!(v.status, Status::Pass);
    assert_eq!(
        paths(&v),
        vec!["account_public_access_block.RestrictPublicBuckets"]
    );
}

#[test]
fn public_read_unknown_when_bpa_cannot_be_read_never_pass() {
    let mut b = good();
    b.public_access_block = denied();
    let v = run("s3-public-read", &b).unwrap();
    assert_eq!(v.status, Status::Unknown);
    assert!(reason(&v).contains("access denied"), "{v:?}");
    // ...but a grant public whatever the unknown facet holds is a fail.
    let mut b = with_policy(PUBLIC_READ);
    b.public_access_block = Facet::Absent;
    b.ownership = denied();
    assert_eq!(status("s3-public-read", &b), Status::Fail);
}

#[test]
fn public_write_fires_on_put_and_delete_for_everyone() {
    let b = with_policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::b/uploads/*"}"#,
    );
    let mut b = b;
    b.public_access_block = Facet::Absent;
    let v = run("s3-public-write", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(paths(&v), vec!["policy:Statement[0]"]);
    assert_eq!(status("s3-public-read", &b), Status::Pass);
}

#[test]
fn public_write_does_not_fire_for_a_fixed_source_vpc() {
    let mut b = with_policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-0a1b2c3d"}}}"#,
    );
    b.public_access_block = Facet::Absent;
    assert_eq!(status("s3-public-write", &b), Status::Pass);
}

#[test]
fn public_rules_are_unknown_with_the_parse_error_on_a_malformed_policy() {
    let mut b = good();
    b.policy = Facet::Present(r#"{"Statement":[{"Effect":"Allow","#.into());
    b.public_access_block = Facet::Absent;
    for id in [
        "s3-public-read",
        "s3-public-write",
        "s3-external-access",
        "s3-insecure-transport",
    ] {
        let v = run(id, &b).unwrap();
        assert_eq!(v.status, Status::Unknown, "{id}");
        assert!(reason(&v).contains("line 1"), "{id}: {v:?}");
    }
}

// ------------------------------------------------------------------- BPA ----

#[test]
fn bucket_bpa_off_fires_per_setting_off_at_both_levels() {
    let mut b = good();
    b.public_access_block = Facet::Present(PublicAccessBlock {
        block_public_acls: true,
        block_public_policy: true,
        ..Default::default()
    });
    let v = run("s3-bucket-bpa-off", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(
        paths(&v),
        vec![
            "public_access_block.IgnorePublicAcls",
            "public_access_block.RestrictPublicBuckets"
        ]
    );
}

#[test]
fn bucket_bpa_off_does_not_fire_when_the_account_supplies_the_rest() {
    let mut b = good();
    b.public_access_block = Facet::Absent;
    let acct = Facet::Present(PublicAccessBlock::ALL_ON);
    let v = run_with("s3-bucket-bpa-off", &b, &acct).unwrap();
    assert_eq!(v.status, Status::Pass, "{v:?}");
    assert!(paths(&v).contains(&"account_public_access_block.RestrictPublicBuckets"));
}

#[test]
fn bucket_bpa_off_unknown_when_either_level_is_unreadable() {
    let mut b = good();
    b.public_access_block = denied();
    assert_eq!(status("s3-bucket-bpa-off", &b), Status::Unknown);
    let mut b = good();
    b.public_access_block = Facet::Absent;
    let v = run_with("s3-bucket-bpa-off", &b, &denied()).unwrap();
    assert_eq!(v.status, Status::Unknown);
    // A bucket with all four on needs no account setting.
    assert_eq!(
        run_with("s3-bucket-bpa-off", &good(), &denied())
            .unwrap()
            .status,
        Status::Pass
    );
}

fn account_verdict(bpa: Facet<PublicAccessBlock>) -> (String, Verdict) {
    let rule = rules::rule("s3-account-bpa-off").unwrap();
    let Check::Account(check) = rule.check else {
        panic!("s3-account-bpa-off is an account rule")
    };
    // Through account_context, so new AccountContext fields need no edit here.
    let inventory = Inventory {
        account: CallerIdentity {
            account_id: ACCOUNT.into(),
            caller_arn: "arn:aws:iam::111122223333:user/auditor".into(),
            region: "us-east-1".into(),
            alias: None,
        },
        account_public_access_block: bpa,
        buckets: Vec::new(),
        iam: Facet::unknown(UnknownReason::Other, "not read"),
        log_groups: Facet::unknown(UnknownReason::Other, "not read"),
    };
    let mut out = check(&rules::account_context(&inventory, 0));
    assert_eq!(out.len(), 1);
    out.remove(0)
}

#[test]
fn account_bpa_off_fires_when_not_configured_or_partial_and_passes_all_on() {
    let (resource, v) = account_verdict(Facet::Absent);
    assert_eq!(resource, "arn:aws:s3::111122223333:account");
    assert_eq!(v.status, Status::Fail);
    let (_, v) = account_verdict(Facet::Present(PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: false,
    }));
    assert_eq!(v.status, Status::Fail);
    assert_eq!(
        paths(&v),
        vec!["account_public_access_block.RestrictPublicBuckets"]
    );
    let (_, v) = account_verdict(Facet::Present(PublicAccessBlock::ALL_ON));
    assert_eq!(v.status, Status::Pass);
    let (_, v) = account_verdict(denied());
    assert_eq!(v.status, Status::Unknown);
}

// ------------------------------------------------------ external access ----

#[test]
fn external_access_fires_for_another_account_an_organisation_and_an_acl_grantee() {
    let v = run(
        "s3-external-access",
        &with_policy(&format!(
            r#"{TLS_DENY},{{"Sid":"Partner","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:root"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#
        )),
    )
    .unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(reason(&v).contains("444455556666"), "{v:?}");
    assert_eq!(paths(&v), vec!["policy:Statement[1]"]);

    let org = with_policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}}"#,
    );
    let v = run("s3-external-access", &org).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(reason(&v).contains("organization:o-abc123"), "{v:?}");

    let mut acl = good();
    acl.ownership = Facet::Present(ObjectOwnership::ObjectWriter);
    let other = AclGrant {
        grantee: Grantee::CanonicalUser {
            id: "f1d2c3b4".into(),
            display_name: None,
        },
        permission: "READ".into(),
    };
    acl.acl = Facet::Present(Acl {
        owner_id: OWNER.into(),
        grants: vec![owner_grant(), other.clone()],
    });
    let v = run("s3-external-access", &acl).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(paths(&v), vec!["acl:Grants[1]"]);
    // With ACLs disabled the same grant no longer gives access.
    acl.ownership = Facet::Present(ObjectOwnership::BucketOwnerEnforced);
    assert_eq!(status("s3-external-access", &acl), Status::Pass);
    // Ownership unknown: cannot tell whether the grant counts.
    acl.ownership = denied();
    assert_eq!(status("s3-external-access", &acl), Status::Unknown);
}

#[test]
fn external_access_does_not_fire_for_own_account_services_or_public_grants() {
    let own = with_policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
           {"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}"#,
    );
    assert_eq!(status("s3-external-access", &own), Status::Pass);
    // Public is for s3-public-read, not this rule.
    assert_eq!(
        status("s3-external-access", &with_policy(PUBLIC_READ)),
        Status::Pass
    );
    let mut b = good();
    b.policy = denied();
    assert_eq!(status("s3-external-access", &b), Status::Unknown);
}

// ------------------------------------------------------------------ ACLs ----

#[test]
fn acls_enabled_fires_unless_bucket_owner_enforced() {
    let mut b = good();
    b.ownership = Facet::Present(ObjectOwnership::BucketOwnerPreferred);
    let v = run("s3-acls-enabled", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(paths(&v), vec!["ownership.ObjectOwnership"]);
    b.ownership = Facet::Absent;
    assert_eq!(status("s3-acls-enabled", &b), Status::Fail);
    assert_eq!(status("s3-acls-enabled", &good()), Status::Pass);
    b.ownership = denied();
    assert_eq!(status("s3-acls-enabled", &b), Status::Unknown);
}

// ------------------------------------------------------------- transport ----

#[test]
fn insecure_transport_fires_without_a_policy_or_with_objects_only() {
    let mut b = good();
    b.policy = Facet::Absent;
    let v = run("s3-insecure-transport", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(paths(&v), vec!["policy"]);
    let objects_only = with_policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    let v = run("s3-insecure-transport", &objects_only).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(
        reason(&v).contains("bucket requests (arn:aws:s3:::b)"),
        "{v:?}"
    );
    assert!(!reason(&v).contains("object requests"), "{v:?}");
}

#[test]
fn insecure_transport_does_not_fire_for_securetransport_or_tls_version_denies() {
    let v = run("s3-insecure-transport", &good()).unwrap();
    assert_eq!(v.status, Status::Pass);
    assert_eq!(
        paths(&v),
        vec!["policy:Statement[0]", "policy:Statement[0]"]
    );
    let tls = with_policy(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"NumericLessThan":{"s3:TlsVersion":"1.2"}}}"#,
    );
    assert_eq!(status("s3-insecure-transport", &tls), Status::Pass);
    let mut b = good();
    b.policy = denied();
    assert_eq!(status("s3-insecure-transport", &b), Status::Unknown);
}

// ------------------------------------------------------------ encryption ----

#[test]
fn no_default_encryption_and_not_kms_encrypted() {
    let mut b = good();
    assert_eq!(status("s3-no-default-encryption", &b), Status::Pass);
    assert_eq!(status("s3-not-kms-encrypted", &b), Status::Pass);
    b.encryption = Facet::Present(Encryption {
        algorithm: SseAlgorithm::Aes256,
        kms_key_id: None,
        bucket_key_enabled: false,
    });
    assert_eq!(status("s3-no-default-encryption", &b), Status::Pass);
    let v = run("s3-not-kms-encrypted", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(paths(&v), vec!["encryption.SSEAlgorithm"]);
    b.encryption = Facet::Absent;
    assert_eq!(status("s3-no-default-encryption", &b), Status::Fail);
    assert_eq!(status("s3-not-kms-encrypted", &b), Status::Fail);
    b.encryption = Facet::Present(Encryption {
        algorithm: SseAlgorithm::AwsKmsDsse,
        kms_key_id: None,
        bucket_key_enabled: false,
    });
    assert_eq!(status("s3-not-kms-encrypted", &b), Status::Pass);
    b.encryption = denied();
    assert_eq!(status("s3-no-default-encryption", &b), Status::Unknown);
    assert_eq!(status("s3-not-kms-encrypted", &b), Status::Unknown);
}

// ------------------------------------------------- versioning, MFA Delete ----

fn versioning(status: VersioningStatus, mfa_delete: bool) -> Facet<Versioning> {
    Facet::Present(Versioning { status, mfa_delete })
}

#[test]
fn versioning_off_fires_when_never_enabled_or_suspended() {
    let mut b = good();
    b.versioning = versioning(VersioningStatus::Off, false);
    assert_eq!(status("s3-versioning-off", &b), Status::Fail);
    b.versioning = versioning(VersioningStatus::Suspended, false);
    let v = run("s3-versioning-off", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(paths(&v), vec!["versioning.Status"]);
    assert_eq!(status("s3-versioning-off", &good()), Status::Pass);
    b.versioning = denied();
    assert_eq!(status("s3-versioning-off", &b), Status::Unknown);
}

#[test]
fn mfa_delete_off_applies_to_versioned_buckets_only() {
    let mut b = good();
    b.lifecycle = Facet::Absent;
    b.versioning = versioning(VersioningStatus::Enabled, false);
    let v = run("s3-mfa-delete-off", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(paths(&v), vec!["versioning.MFADelete"]);
    b.versioning = versioning(VersioningStatus::Suspended, false);
    assert_eq!(status("s3-mfa-delete-off", &b), Status::Fail);
    assert_eq!(status("s3-mfa-delete-off", &good()), Status::Pass);
    b.versioning = versioning(VersioningStatus::Off, false);
    assert!(run("s3-mfa-delete-off", &b).is_none(), "not versioned: n/a");
    b.versioning = denied();
    assert_eq!(status("s3-mfa-delete-off", &b), Status::Unknown);
}

#[test]
fn mfa_delete_off_does_not_apply_with_a_lifecycle_configuration() {
    // S3 User Guide, "Lifecycle and other bucket configurations": lifecycle
    // configuration is not supported on MFA Delete buckets.
    let mut b = good();
    b.versioning = versioning(VersioningStatus::Enabled, false);
    b.lifecycle = Facet::Present(vec![LifecycleRule {
        id: "expire".into(),
        enabled: true,
        expiration_days: Some(30),
    }]);
    assert!(run("s3-mfa-delete-off", &b).is_none());
    b.lifecycle = denied();
    assert_eq!(status("s3-mfa-delete-off", &b), Status::Unknown);
}

// ------------------------------------ logging, lifecycle, object lock ----

#[test]
fn logging_off_fires_without_logging() {
    let mut b = good();
    assert_eq!(status("s3-logging-off", &b), Status::Pass);
    b.logging = Facet::Absent;
    let v = run("s3-logging-off", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert_eq!(paths(&v), vec!["logging"]);
    b.logging = denied();
    assert_eq!(status("s3-logging-off", &b), Status::Unknown);
}

#[test]
fn no_lifecycle_fires_without_an_enabled_rule() {
    let mut b = good();
    assert_eq!(status("s3-no-lifecycle", &b), Status::Pass);
    b.lifecycle = Facet::Absent;
    assert_eq!(status("s3-no-lifecycle", &b), Status::Fail);
    b.lifecycle = Facet::Present(vec![LifecycleRule {
        id: "off".into(),
        enabled: false,
        expiration_days: None,
    }]);
    assert_eq!(status("s3-no-lifecycle", &b), Status::Fail);
    b.lifecycle = Facet::Present(vec![
        LifecycleRule {
            id: "off".into(),
            enabled: false,
            expiration_days: None,
        },
        LifecycleRule {
            id: "on".into(),
            enabled: true,
            expiration_days: Some(9),
        },
    ]);
    let v = run("s3-no-lifecycle", &b).unwrap();
    assert_eq!(v.status, Status::Pass);
    assert_eq!(paths(&v), vec!["lifecycle.Rules[1]"]);
    b.lifecycle = denied();
    assert_eq!(status("s3-no-lifecycle", &b), Status::Unknown);
}

#[test]
fn no_object_lock_fires_without_object_lock() {
    let mut b = good();
    assert_eq!(status("s3-no-object-lock", &b), Status::Pass);
    b.object_lock = Facet::Absent;
    assert_eq!(status("s3-no-object-lock", &b), Status::Fail);
    b.object_lock = denied();
    assert_eq!(status("s3-no-object-lock", &b), Status::Unknown);
}

// ---------------------------------------------------------- trail bucket ----

#[test]
fn trail_bucket_exposed_fires_when_not_access_logged_or_public() {
    let mut b = with_policy(&format!("{TLS_DENY},{TRAIL_WRITE}"));
    assert_eq!(status("s3-trail-bucket-exposed", &b), Status::Pass);
    b.logging = Facet::Absent;
    let v = run("s3-trail-bucket-exposed", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(reason(&v).contains("server access logging is off"), "{v:?}");
    assert_eq!(paths(&v), vec!["policy:Statement[1]", "logging"]);

    let mut public = with_policy(&format!("{TRAIL_WRITE},{PUBLIC_READ}"));
    public.public_access_block = Facet::Absent;
    let v = run("s3-trail-bucket-exposed", &public).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(
        reason(&v).contains("public through the bucket policy"),
        "{v:?}"
    );
    assert!(paths(&v).contains(&"policy:Statement[1]"));
}

#[test]
fn trail_bucket_exposed_applies_only_to_buckets_cloudtrail_writes_to() {
    // The old string search took any mention of the service for a trail bucket.
    let mentions_only = with_policy(
        r#"{"Sid":"cloudtrail.amazonaws.com","Effect":"Allow","Principal":{"Service":"cloudtrail.amazonaws.com"},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::b"}"#,
    );
    assert!(run("s3-trail-bucket-exposed", &mentions_only).is_none());
    assert!(run("s3-trail-bucket-exposed", &with_policy(PUBLIC_READ)).is_none());
    let wildcard = with_policy(
        r#"{"Effect":"Allow","Principal":{"Service":["config.amazonaws.com","CloudTrail.amazonaws.com"]},"Action":"s3:Put*","Resource":"arn:aws:s3:::b/*"}"#,
    );
    assert!(run("s3-trail-bucket-exposed", &wildcard).is_some());
    assert_eq!(
        rules::trail_buckets(&[mentions_only, wildcard.clone()]),
        vec!["b".to_string()]
    );
}

#[test]
fn trail_bucket_exposed_unknown_when_the_policy_cannot_be_read() {
    let mut b = good();
    b.policy = denied();
    let v = run("s3-trail-bucket-exposed", &b).unwrap();
    assert_eq!(v.status, Status::Unknown);
    assert!(reason(&v).contains("CloudTrail"), "{v:?}");
    let mut logged_unknown = with_policy(TRAIL_WRITE);
    logged_unknown.logging = denied();
    assert_eq!(
        status("s3-trail-bucket-exposed", &logged_unknown),
        Status::Unknown
    );
}

// ------------------------------------------- S3's verdict beside vigil's ----

#[test]
fn policy_status_mismatch_says_which_way_s3_and_vigil_disagree() {
    // S3 says public, vigil says not (a fixed aws:SourceVpc restricts it).
    let mut b = with_policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpc":"vpc-1"}}}"#,
    );
    b.policy_status = Facet::Present(PolicyStatus { is_public: true });
    let v = run("s3-policy-status-mismatch", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(
        reason(&v).starts_with("S3 says public, vigil says not: "),
        "{v:?}"
    );
    assert_eq!(
        paths(&v),
        vec!["policy_status.IsPublic", "policy:Statement[0]"]
    );
    // S3 says not public, vigil says public (a wildcard aws:SourceVpc).
    let mut b = with_policy(
        r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}}"#,
    );
    b.policy_status = Facet::Present(PolicyStatus { is_public: false });
    let v = run("s3-policy-status-mismatch", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(
        reason(&v).starts_with("S3 says not public, vigil says public: "),
        "{v:?}"
    );
    // Agreement passes; no status, or no verdict of vigil's, does not apply.
    b.policy_status = Facet::Present(PolicyStatus { is_public: true });
    assert_eq!(status("s3-policy-status-mismatch", &b), Status::Pass);
    b.policy_status = denied();
    assert!(run("s3-policy-status-mismatch", &b).is_none());
    let mut m = good();
    m.policy = Facet::Present("{".into());
    assert!(run("s3-policy-status-mismatch", &m).is_none());
}

#[test]
fn policy_status_mismatch_is_computed_as_the_demo_does_so_the_demo_never_disagrees() {
    let lab = vigil::lab::Lab::embedded().unwrap();
    for def in &lab.buckets {
        let b = vigil::lab::materialise::bucket(&lab, def);
        if let Some(v) = run("s3-policy-status-mismatch", &b) {
            assert_eq!(v.status, Status::Pass, "{}: {:?}", def.name, v.reason);
        }
    }
}

// ------------------------------------------------------ untrusted text ----

#[test]
fn reasons_and_evidence_quoting_policy_text_reach_the_finding_escaped() {
    let b = with_policy(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:role/\u001b]52;c;cHduZWQ=\u0007\u202e"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#,
    );
    let rule = rules::rule("s3-external-access").unwrap();
    let v = run("s3-external-access", &b).unwrap();
    assert_eq!(v.status, Status::Fail);
    assert!(
        v.evidence.iter().any(|e| e.summary.contains('\u{1b}')),
        "the check quotes the principal as written: {v:?}"
    );
    let f = rule.finding("arn:aws:s3:::b", "us-east-1", v);
    let text = format!(
        "{} {}",
        f.reason.unwrap_or_default(),
        f.evidence
            .iter()
            .map(|e: &Evidence| e.summary.clone())
            .collect::<String>()
    );
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains('\u{7}'));
    assert!(text.contains("\\x1b"), "{text}");
}
