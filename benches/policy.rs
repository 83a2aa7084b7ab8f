//! Analysing a 20 KB bucket policy (target: under 1 ms), and every S3 rule
//! on one bucket holding it. Run with the shared release directory:
//! `cargo bench --bench policy`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vigil::model::Facet;
use vigil::model::s3::{Acl, Bucket, ObjectOwnership, PublicAccessBlock};
use vigil::policy::{self, BucketInput, Policy};
use vigil::rules::{self, BucketContext};

const BUCKET: &str = "example-bucket";
const ACCOUNT: &str = "111122223333";

/// A bucket policy of at least 20,000 bytes, in the shapes real ones take:
/// TLS denies, partner accounts, service principals with source conditions,
/// VPC endpoint perimeters, IP allow lists, organisation grants, wildcards.
fn policy_20kb() -> String {
    let shapes = [
        r#"{"Sid":"DenyHttp","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
        r#"{"Sid":"Partner@","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:role/reader-@","777788889999"]},"Action":["s3:GetObject","s3:GetObjectVersion","s3:ListBucket"],"Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/partner-@/*"]}"#,
        r#"{"Sid":"Logs@","Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::example-bucket/logs-@/*","Condition":{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::source-@"},"StringEquals":{"aws:SourceAccount":"111122223333"}}}"#,
        r#"{"Sid":"Vpce@","Effect":"Deny","Principal":"*","Action":["s3:Put*","s3:Delete*"],"Resource":"arn:aws:s3:::example-bucket/*","Condition":{"StringNotEqualsIfExists":{"aws:SourceVpce":["vpce-0a1b2c3d@","vpce-9f8e7d6c@"]}}}"#,
        r#"{"Sid":"Office@","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/public-@/*","Condition":{"IpAddress":{"aws:SourceIp":["203.0.113.0/24","198.51.100.@/32","2001:db8::/48"]}}}"#,
        r#"{"Sid":"Org@","Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/shared-@/*"],"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}"#,
        r#"{"Sid":"Wild@","Effect":"Allow","Principal":{"AWS":"*"},"NotAction":["s3:Delete*","s3:PutBucket*"],"Resource":"arn:aws:s3:::example-bucket/tmp-@/*","Condition":{"StringLike":{"aws:userid":"AROAEXAMPLE@:*"}}}"#,
    ];
    let mut statements = Vec::new();
    let mut len = 0;
    let mut i = 0;
    while len < 20_000 {
        // `@` stands for the statement's number (an IP's last octet stays < 256).
        let s = shapes[i % shapes.len()].replace('@', &(i % 250).to_string());
        len += s.len() + 1;
        statements.push(s);
        i += 1;
    }
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let text = policy_20kb();
    assert!(text.len() >= 20_000, "{} bytes", text.len());
    let parsed = Policy::parse(&text).expect("the benchmark policy parses");
    let input = |p: &Policy| {
        policy::analyze_bucket(&BucketInput {
            bucket: BUCKET,
            account_id: ACCOUNT,
            policy: Some(p),
            acl_grants: &[],
            bucket_bpa: None,
            account_bpa: None,
            object_ownership: None,
        })
    };
    c.bench_function("parse + analyze_bucket, 20 KB policy", |b| {
        b.iter(|| {
            let p = Policy::parse(black_box(&text)).expect("parses");
            black_box(input(&p))
        })
    });
    c.bench_function("analyze_bucket, 20 KB policy parsed", |b| {
        b.iter(|| black_box(input(black_box(&parsed))))
    });

    let mut bucket = Bucket::unread(BUCKET);
    bucket.region = Facet::Present("us-east-1".into());
    bucket.policy = Facet::Present(text.clone());
    bucket.acl = Facet::Present(Acl {
        owner_id: "owner".into(),
        grants: Vec::new(),
    });
    bucket.public_access_block = Facet::Present(PublicAccessBlock::default());
    bucket.ownership = Facet::Present(ObjectOwnership::BucketOwnerEnforced);
    let account_bpa = Facet::Absent;
    c.bench_function("every S3 rule on a bucket with a 20 KB policy", |b| {
        b.iter(|| {
            black_box(rules::evaluate_bucket(&BucketContext {
                bucket: black_box(&bucket),
                account_id: ACCOUNT,
                account_public_access_block: &account_bpa,
                trail_buckets: &[],
            }))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
