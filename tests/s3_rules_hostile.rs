//! Hostile bucket policies through every S3 rule: invalid JSON, wrong types,
//! 10,000 statements, deep nesting, huge strings, pathological wildcards
//! against long names. Each ends in a decided verdict or an `unknown` with
//! the reason — never a panic, never a pass for what could not be judged.
//! (Speed is measured in benches/policy.rs, not here.)

use vigil::model::Facet;
use vigil::model::finding::Status;
use vigil::model::s3::*;
use vigil::rules::{self, BucketContext, BucketFacts, Check, Verdict};

const POLICY_RULES: [&str; 5] = [
    "s3-public-read",
    "s3-public-write",
    "s3-external-access",
    "s3-insecure-transport",
    "s3-trail-bucket-exposed",
];

fn bucket(name: &str, policy: String) -> Bucket {
    let mut b = Bucket::unread(name);
    b.region = Facet::Present("us-east-1".into());
    b.policy = Facet::Present(policy);
    b.policy_status = Facet::Absent;
    b.acl = Facet::Present(Acl {
        owner_id: "owner".into(),
        grants: Vec::new(),
    });
    b.public_access_block = Facet::Absent;
    b.ownership = Facet::Present(ObjectOwnership::BucketOwnerEnforced);
    b.logging = Facet::Absent;
    b
}

/// Every bucket rule on `b`: (rule id, verdict) for those that apply.
fn judge(b: &Bucket) -> Vec<(&'static str, Verdict)> {
    let account = Facet::Absent;
    let ctx = BucketContext {
        bucket: b,
        account_id: "111122223333",
        account_public_access_block: &account,
        trail_buckets: &[],
    };
    let facts = BucketFacts::new(&ctx);
    rules::catalogue()
        .into_iter()
        .filter_map(|r| match r.check {
            Check::Bucket(f) => f(&facts).map(|v| (r.id, v)),
            Check::Account(_) => None,
        })
        .collect()
}

fn verdict<'a>(all: &'a [(&str, Verdict)], id: &str) -> &'a Verdict {
    &all.iter().find(|(r, _)| *r == id).unwrap().1
}

/// The policy-based rules are unknown, and say why with `needle`.
fn assert_undecided(policy: String, needle: &str) {
    let all = judge(&bucket("b", policy));
    for id in POLICY_RULES {
        let v = verdict(&all, id);
        assert_eq!(v.status, Status::Unknown, "{id}: {v:?}");
        let reason = v.reason.as_deref().unwrap_or("");
        assert!(reason.contains(needle), "{id}: {reason}");
    }
}

#[test]
fn invalid_json_is_unknown_with_line_and_column() {
    assert_undecided(
        r#"{"Version":"2012-10-17","Statement":[{"#.into(),
        "line 1, column",
    );
    assert_undecided("\u{0}\u{1b}[2J".into(), "invalid policy JSON");
    assert_undecided(String::new(), "invalid policy JSON");
}

#[test]
fn wrong_types_are_unknown_with_the_json_path() {
    assert_undecided(r#"{"Statement":5}"#.into(), "Statement");
    assert_undecided(
        r#"{"Statement":[{"Effect":true,"Principal":"*","Action":"s3:*"}]}"#.into(),
        "Statement[0].Effect",
    );
    assert_undecided(
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":{"s3":"*"}}]}"#.into(),
        "Statement[0].Action",
    );
    assert_undecided(
        r#"{"Statement":[{"Effect":"Allow","Principal":["*"],"Action":"s3:*"}]}"#.into(),
        "Statement[0].Principal",
    );
    assert_undecided("[1,2,3]".into(), "JSON object");
}

#[test]
fn deep_nesting_is_unknown_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(200_000), "]".repeat(200_000));
    assert_undecided(deep, "invalid policy");
    let deep_condition = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:*","Condition":{}1{}}}]}}"#,
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    assert_undecided(deep_condition, "invalid policy");
}

#[test]
fn ten_thousand_statements_are_judged_each_with_its_path() {
    let st = r#"{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringLike":{"aws:userid":"*a*a*a*a*a*b"}}}"#;
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        vec![st; 10_000].join(",")
    );
    let all = judge(&bucket("b", policy));
    let v = verdict(&all, "s3-public-read");
    assert_eq!(
        v.status,
        Status::Fail,
        "a wildcard aws:userid restricts nothing"
    );
    assert_eq!(v.evidence.len(), 10_000);
    assert_eq!(
        v.evidence[9_999].path.as_deref(),
        Some("policy:Statement[9999]")
    );
    assert_eq!(verdict(&all, "s3-public-write").status, Status::Pass);
    assert_eq!(verdict(&all, "s3-insecure-transport").status, Status::Fail);
}

#[test]
fn huge_strings_are_judged() {
    let huge = "x".repeat(4 << 20);
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"{huge}","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::444455556666:role/{huge}"}},"Action":["s3:{huge}","s3:GetObject"],"Resource":"arn:aws:s3:::b/{huge}"}}]}}"#
    );
    let all = judge(&bucket("b", policy));
    assert_eq!(verdict(&all, "s3-external-access").status, Status::Fail);
    assert_eq!(verdict(&all, "s3-public-read").status, Status::Pass);
}

#[test]
fn pathological_wildcards_against_long_names_are_judged() {
    // The longest bucket name S3 allows is 63 characters.
    let name = "a".repeat(63);
    let stars = format!("{}b", "*a".repeat(2_000));
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[
            {{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{stars}","arn:aws:s3:::{name}/{stars}"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}},
            {{"Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:{stars}","Resource":"*"}},
            {{"Effect":"Allow","Principal":"*","NotAction":"s3:{stars}","Resource":"arn:aws:s3:::{stars}","Condition":{{"StringLike":{{"aws:SourceArn":"{stars}","aws:SourceVpc":"{stars}"}}}}}}
        ]}}"#
    );
    let all = judge(&bucket(&name, policy));
    // The Deny's patterns end in "b", which the name never matches.
    assert_eq!(verdict(&all, "s3-insecure-transport").status, Status::Fail);
    // "s3:*a*a…b" does not match s3:PutObject: not a trail bucket.
    assert!(all.iter().all(|(id, _)| *id != "s3-trail-bucket-exposed"));
    // Wildcard condition values restrict nothing: public, both ways.
    assert_eq!(verdict(&all, "s3-public-read").status, Status::Fail);
    assert_eq!(verdict(&all, "s3-public-write").status, Status::Fail);
}
