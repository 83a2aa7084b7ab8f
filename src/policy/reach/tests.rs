use super::*;
use crate::model::iam::{IamInventory, InlinePolicy, ManagedPolicy, Role, User};

const ACCOUNT: &str = "111122223333";
const B: &str = "data";

fn user(name: &str, docs: &[&str]) -> User {
    User {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
        path: "/".into(),
        create_date: None,
        groups: Vec::new(),
        inline_policies: docs
            .iter()
            .enumerate()
            .map(|(i, d)| InlinePolicy {
                name: format!("p{i}"),
                document: (*d).into(),
            })
            .collect(),
        attached_policies: Vec::new(),
        permissions_boundary: None,
        mfa_devices: Facet::Present(Vec::new()),
        access_keys: Facet::Present(Vec::new()),
        tags: Vec::new(),
    }
}

fn role(name: &str, docs: &[&str]) -> Role {
    Role {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
        path: "/".into(),
        trust_policy: r#"{"Statement":[]}"#.into(),
        inline_policies: docs
            .iter()
            .map(|d| InlinePolicy {
                name: "p".into(),
                document: (*d).into(),
            })
            .collect(),
        attached_policies: Vec::new(),
        permissions_boundary: None,
        tags: Vec::new(),
    }
}

fn iam(users: Vec<User>, roles: Vec<Role>) -> IamInventory {
    IamInventory {
        users,
        groups: Vec::new(),
        roles,
        policies: vec![ManagedPolicy {
            name: "no-s3".into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:policy/no-s3"),
            default_version_id: "v1".into(),
            document: r#"{"Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#
                .into(),
            attachment_count: 0,
        }],
        credential_report: Facet::Absent,
        account_summary: Facet::Absent,
        password_policy: Facet::Absent,
    }
}

fn bucket(policy: Option<&str>) -> Bucket {
    let mut b = Bucket::unread(B);
    b.policy = match policy {
        Some(p) => Facet::Present(p.into()),
        None => Facet::Absent,
    };
    b
}

fn stmt(s: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{s}]}}"#)
}

fn reach(iam: &IamInventory, policy: Option<&str>) -> BucketReach {
    bucket_reach(iam, ACCOUNT, &bucket(policy))
}

fn caps(r: &BucketReach, name: &str) -> Vec<Capability> {
    r.principals
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.capabilities.iter().map(|c| c.capability).collect())
        .unwrap_or_default()
}

fn grant<'r>(r: &'r BucketReach, name: &str, action: &str) -> Option<&'r ReachGrant> {
    r.principals
        .iter()
        .find(|p| p.name == name)?
        .capabilities
        .iter()
        .flat_map(|c| &c.actions)
        .find(|a| a.action == action)?
        .allowed_by
        .first()
}

const READ_ALL: &str =
    r#"{"Sid":"Read","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}"#;

#[test]
fn same_account_identity_allow_alone_reaches() {
    let i = iam(vec![user("reader", &[&stmt(READ_ALL)])], Vec::new());
    let r = reach(&i, None);
    assert_eq!(caps(&r, "reader"), vec![Capability::Read]);
    let g = grant(&r, "reader", "s3:GetObject").unwrap();
    assert_eq!(g.source, GrantSource::IdentityPolicy);
    assert_eq!(
        g.summary,
        "identity: inline policy `p0`, Statement[0] (Sid \"Read\")"
    );
    assert_eq!(r.bucket_policy, Fact::Known(false));
}

#[test]
fn same_account_bucket_policy_allow_to_the_user_arn_alone_reaches() {
    let i = iam(vec![user("bob", &[]), user("eve", &[])], Vec::new());
    let p = stmt(
        r#"{"Sid":"Bob","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/bob"},"Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::data/*"}"#,
    );
    let r = reach(&i, Some(&p));
    assert_eq!(caps(&r, "bob"), vec![Capability::Read, Capability::Write]);
    assert_eq!(
        grant(&r, "bob", "s3:PutObject").unwrap().summary,
        "bucket policy Statement[0] (Sid \"Bob\")"
    );
    assert!(caps(&r, "eve").is_empty());
}

#[test]
fn a_bucket_policy_naming_the_account_delegates_it_grants_no_one() {
    let i = iam(vec![user("bob", &[])], Vec::new());
    let p = stmt(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}"#,
    );
    assert!(caps(&reach(&i, Some(&p)), "bob").is_empty());
}

#[test]
fn an_explicit_deny_in_either_policy_wins() {
    let i = iam(vec![user("reader", &[&stmt(READ_ALL)])], Vec::new());
    let deny_all = stmt(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}"#,
    );
    let r = reach(&i, Some(&deny_all));
    assert!(caps(&r, "reader").is_empty());
    assert!(
        caps(&r, "<root_account>").is_empty(),
        "a bucket-policy deny binds root too"
    );
    let own_deny = format!(
        "{},{}",
        READ_ALL, r#"{"Effect":"Deny","Action":"s3:Get*","Resource":"*"}"#
    );
    let i = iam(vec![user("reader", &[&stmt(&own_deny)])], Vec::new());
    assert!(caps(&reach(&i, None), "reader").is_empty());
}

#[test]
fn a_deny_on_some_objects_or_on_caller_conditions_does_not_block_and_is_named() {
    let i = iam(vec![user("reader", &[&stmt(READ_ALL)])], Vec::new());
    let p = stmt(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data/secret/*"},
        {"Sid":"Tls","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
    );
    let r = reach(&i, Some(&p));
    let g = grant(&r, "reader", "s3:GetObject").unwrap();
    assert_eq!(
        g.conditions,
        vec!["not denied by bucket policy Statement[1] (Sid \"Tls\") (on aws:SecureTransport)"]
    );
}

#[test]
fn principal_conditions_are_evaluated_not_assumed() {
    let i = iam(
        vec![
            user("admin", &[&stmt(READ_ALL)]),
            user("other", &[&stmt(READ_ALL)]),
        ],
        Vec::new(),
    );
    let p = stmt(
        r#"{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::data/*","Condition":{"StringNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/admin"}}}"#,
    );
    let r = reach(&i, Some(&p));
    assert_eq!(caps(&r, "admin"), vec![Capability::Read]);
    assert!(caps(&r, "other").is_empty());
    // A condition the caller controls is named on the grant.
    let cond = stmt(
        r#"{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*","Condition":{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}"#,
    );
    let i = iam(vec![user("office", &[&cond])], Vec::new());
    let r = reach(&i, None);
    assert_eq!(
        grant(&r, "office", "s3:GetObject").unwrap().conditions,
        vec!["aws:SourceIp"]
    );
}

#[test]
fn resources_scope_the_grant_to_this_bucket() {
    let other = stmt(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::other/*"}"#);
    let uploads = stmt(
        r#"{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::data/uploads/*"}"#,
    );
    let mine =
        stmt(r#"{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}/*"}"#);
    let i = iam(
        vec![
            user("o", &[&other]),
            user("u", &[&uploads]),
            user("data", &[&mine]),
            user("x", &[&mine]),
        ],
        Vec::new(),
    );
    let r = reach(&i, None);
    assert!(caps(&r, "o").is_empty());
    assert_eq!(caps(&r, "u"), vec![Capability::Write]);
    // ${aws:username} resolves per user: only "data" reaches bucket "data"
    // (objects only; s3:PutObjectAcl on them changes permissions).
    assert_eq!(
        caps(&r, "data"),
        vec![
            Capability::Read,
            Capability::Write,
            Capability::ChangePermissions
        ]
    );
    assert!(
        grant(&r, "data", "s3:ListBucket").is_none(),
        "the bucket itself is not data/*"
    );
    assert!(caps(&r, "x").is_empty());
}

#[test]
fn changing_the_policy_or_acl_is_its_own_capability() {
    let admin = stmt(r#"{"Effect":"Allow","Action":"s3:*","Resource":"*"}"#);
    let i = iam(vec![user("ops", &[&admin])], Vec::new());
    let r = reach(&i, None);
    assert_eq!(
        caps(&r, "ops"),
        vec![
            Capability::Read,
            Capability::Write,
            Capability::ChangePermissions
        ]
    );
    assert_eq!(
        r.with(Capability::ChangePermissions).count(),
        2,
        "ops and root"
    );
}

#[test]
fn boundaries_bound_identity_grants_and_role_arn_grants_but_not_user_arn_grants() {
    let boundary = format!("arn:aws:iam::{ACCOUNT}:policy/no-s3");
    let mut u = user("bounded-user", &[&stmt(READ_ALL)]);
    u.permissions_boundary = Some(boundary.clone());
    let mut ro = role("bounded-role", &[&stmt(READ_ALL)]);
    ro.permissions_boundary = Some(boundary);
    let i = iam(vec![u], vec![ro]);
    let r = reach(&i, None);
    assert!(
        caps(&r, "bounded-user").is_empty(),
        "the boundary has no s3"
    );
    assert!(caps(&r, "bounded-role").is_empty());
    let p = stmt(
        r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:user/bounded-user","arn:aws:iam::111122223333:role/bounded-role"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}"#,
    );
    let r = reach(&i, Some(&p));
    assert_eq!(caps(&r, "bounded-user"), vec![Capability::Read]);
    assert!(
        caps(&r, "bounded-role").is_empty(),
        "a role's ARN grant is bounded"
    );
}

#[test]
fn a_bucket_grant_to_a_role_reaches_its_sessions() {
    let i = iam(Vec::new(), vec![role("app", &[])]);
    let p = stmt(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::data"}"#,
    );
    let r = reach(&i, Some(&p));
    assert_eq!(caps(&r, "app"), vec![Capability::Read]);
    assert_eq!(
        grant(&r, "app", "s3:ListBucket").unwrap().source,
        GrantSource::BucketPolicy
    );
}

#[test]
fn root_reaches_unless_the_bucket_policy_denies() {
    let r = reach(&iam(Vec::new(), Vec::new()), None);
    let root = &r.principals[0];
    assert_eq!(root.kind, PrincipalKind::Root);
    assert!(
        root.can(Capability::Read)
            && root.can(Capability::Write)
            && root.can(Capability::ChangePermissions)
    );
}

#[test]
fn unreadable_documents_are_unknown_never_silently_absent() {
    let i = iam(
        vec![user("broken", &["{"]), user("reader", &[&stmt(READ_ALL)])],
        Vec::new(),
    );
    let r = reach(&i, Some("{not json"));
    assert!(r.bucket_policy.is_unknown());
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("unless the bucket policy denies"))
    );
    assert_eq!(r.unknown.len(), 1);
    assert_eq!(r.unknown[0].name, "broken");
    assert_eq!(caps(&r, "reader"), vec![Capability::Read]);
}
