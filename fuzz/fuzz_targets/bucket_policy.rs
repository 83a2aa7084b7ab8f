//! The policy parser and every bucket analysis on arbitrary text: the
//! bucket rules see attacker-written policies, so none of this may panic,
//! recurse without bound or hang. The first byte picks the bucket's Block
//! Public Access and ownership, so the analyses' branches get exercised.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigil::model::s3::{
    ALL_USERS_URI, AclGrant, Grantee, ObjectOwnership, PublicAccessBlock,
};
use vigil::policy::{self, BucketInput, Policy};

fuzz_target!(|data: &[u8]| {
    let Some((&knobs, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let Ok(parsed) = Policy::parse(text) else {
        return;
    };
    let bpa = PublicAccessBlock {
        block_public_acls: knobs & 1 != 0,
        ignore_public_acls: knobs & 2 != 0,
        block_public_policy: knobs & 4 != 0,
        restrict_public_buckets: knobs & 8 != 0,
    };
    let grants = [AclGrant {
        grantee: Grantee::Group {
            uri: ALL_USERS_URI.into(),
        },
        permission: "READ".into(),
    }];
    let report = policy::analyze_bucket(&BucketInput {
        bucket: "example-bucket",
        account_id: "111122223333",
        policy: Some(&parsed),
        acl_grants: if knobs & 16 != 0 { &grants } else { &[] },
        bucket_bpa: Some(&bpa),
        account_bpa: None,
        object_ownership: (knobs & 32 != 0).then_some(ObjectOwnership::BucketOwnerEnforced),
    });
    // What the engine says must hold together.
    assert_eq!(report.public, report.public_via != policy::PublicVia::None);
    assert_eq!(
        report.denies_insecure_transport,
        report.object_requests_denied && report.bucket_requests_denied
    );
    let _ = policy::analyze_trust(&parsed, "111122223333");
    let _ = policy::analyze_identity(
        &[policy::NamedPolicy {
            name: "fuzz",
            policy: &parsed,
        }],
        None,
    );
});
