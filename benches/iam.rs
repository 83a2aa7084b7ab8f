//! Effective permissions and privilege-escalation analysis of a generated
//! account: 1,000 principals (600 users, 100 groups, 300 roles) and 2,000
//! managed policies, each user in groups and holding policies of its own,
//! every role with a trust policy. Target: the whole account under 1 s.
//!
//! `cargo bench --bench iam`

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use vigil::model::Facet;
use vigil::model::iam::*;
use vigil::model::s3::Bucket;
use vigil::policy::IamAnalysis;

const ACCOUNT: &str = "123456789012";
const USERS: usize = 600;
const GROUPS: usize = 100;
const ROLES: usize = 300;
const POLICIES: usize = 2_000;

/// A small deterministic generator (no dependency for a benchmark input).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n
    }
}

const ACTIONS: &[&str] = &[
    "s3:GetObject",
    "s3:PutObject",
    "s3:List*",
    "s3:Get*",
    "ec2:Describe*",
    "ec2:RunInstances",
    "lambda:*Function",
    "lambda:Get*",
    "logs:*",
    "iam:Get*",
    "iam:List*",
    "iam:PassRole",
    "dynamodb:*",
    "sqs:SendMessage",
    "kms:Decrypt",
    "cloudformation:CreateStack",
    "glue:Get*",
    "sts:AssumeRole",
    "iam:CreateAccessKey",
    "secretsmanager:GetSecretValue",
];

fn policy_document(rng: &mut Lcg, i: usize) -> String {
    let mut statements = Vec::new();
    for s in 0..(2 + rng.next(4)) {
        let actions: Vec<String> = (0..(1 + rng.next(5)))
            .map(|_| format!("\"{}\"", ACTIONS[rng.next(ACTIONS.len())]))
            .collect();
        let resource = match rng.next(4) {
            0 => "\"*\"".to_string(),
            1 => format!("\"arn:aws:s3:::bucket-{}/*\"", rng.next(50)),
            2 => format!(
                "[\"arn:aws:s3:::bucket-{0}\",\"arn:aws:s3:::bucket-{0}/*\"]",
                rng.next(50)
            ),
            _ => format!("\"arn:aws:iam::{ACCOUNT}:role/service-{}\"", rng.next(50)),
        };
        let effect = if rng.next(10) == 0 { "Deny" } else { "Allow" };
        let condition = if rng.next(5) == 0 {
            r#","Condition":{"Bool":{"aws:SecureTransport":"true"},"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#
        } else {
            ""
        };
        statements.push(format!(
            r#"{{"Sid":"S{i}x{s}","Effect":"{effect}","Action":[{}],"Resource":{resource}{condition}}}"#,
            actions.join(",")
        ));
    }
    // A few administrators, so the admin path is exercised too.
    if i.is_multiple_of(400) {
        statements.push(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#.into());
    }
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
        statements.join(",")
    )
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn account() -> IamInventory {
    let mut rng = Lcg(42);
    let policies: Vec<ManagedPolicy> = (0..POLICIES)
        .map(|i| ManagedPolicy {
            name: format!("policy-{i}"),
            arn: arn("policy", &format!("policy-{i}")),
            default_version_id: "v1".into(),
            document: policy_document(&mut rng, i),
            attachment_count: 1,
        })
        .collect();
    // `base` to `base + 2` policies, picked at random.
    let pick = |rng: &mut Lcg, base: usize| -> Vec<String> {
        let n = base + rng.next(3);
        (0..n)
            .map(|_| policies[rng.next(POLICIES)].arn.clone())
            .collect()
    };
    let groups: Vec<Group> = (0..GROUPS)
        .map(|g| Group {
            name: format!("group-{g}"),
            arn: arn("group", &format!("group-{g}")),
            path: "/".into(),
            inline_policies: Vec::new(),
            attached_policies: pick(&mut rng, 3),
        })
        .collect();
    let users: Vec<User> = (0..USERS)
        .map(|u| User {
            name: format!("user-{u}"),
            arn: arn("user", &format!("user-{u}")),
            path: "/".into(),
            create_date: None,
            groups: (0..(1 + rng.next(3)))
                .map(|_| format!("group-{}", rng.next(GROUPS)))
                .collect(),
            inline_policies: vec![InlinePolicy {
                name: "own".into(),
                document: policy_document(&mut rng, u + 1),
            }],
            attached_policies: pick(&mut rng, 1),
            permissions_boundary: None,
            mfa_devices: Facet::Present(Vec::new()),
            access_keys: Facet::Present(Vec::new()),
            tags: Vec::new(),
        })
        .collect();
    let roles: Vec<Role> = (0..ROLES)
        .map(|r| Role {
            name: format!("role-{r}"),
            arn: arn("role", &format!("role-{r}")),
            path: "/".into(),
            trust_policy: format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{}:root"}},"Action":"sts:AssumeRole","Condition":{{"BoolIfExists":{{"aws:MultiFactorAuthPresent":"true"}}}}}}]}}"#,
                if r.is_multiple_of(10) { "444455556666" } else { ACCOUNT }
            ),
            inline_policies: vec![InlinePolicy {
                name: "own".into(),
                document: policy_document(&mut rng, r + 7),
            }],
            attached_policies: pick(&mut rng, 3),
            permissions_boundary: r.is_multiple_of(5).then(|| policies[r].arn.clone()),
            tags: Vec::new(),
        })
        .collect();
    IamInventory {
        users,
        groups,
        roles,
        policies,
        credential_report: Facet::Present(Vec::new()),
        account_summary: Facet::Absent,
        password_policy: Facet::Absent,
    }
}

fn benches(c: &mut Criterion) {
    let iam = account();
    let principals = iam.users.len() + iam.groups.len() + iam.roles.len();
    assert_eq!(principals, 1_000);
    assert_eq!(iam.policies.len(), 2_000);
    let mut group = c.benchmark_group("iam");
    group.sample_size(10);
    group.bench_function(
        "effective permissions + escalation, 1000 principals / 2000 policies",
        |b| {
            b.iter(|| {
                let analysis = IamAnalysis::new(black_box(&iam), ACCOUNT);
                black_box(analysis.principal_reports(0))
            })
        },
    );
    let analysis = IamAnalysis::new(&iam, ACCOUNT);
    let mut bucket = Bucket::unread("bucket-7");
    bucket.policy = Facet::Absent;
    group.bench_function("who can reach one bucket, 1000 principals", |b| {
        b.iter(|| black_box(analysis.bucket_reach(black_box(&bucket))))
    });
    group.finish();
}

criterion_group!(iam, benches);
criterion_main!(iam);
