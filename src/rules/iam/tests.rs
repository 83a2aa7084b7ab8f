//! Each IAM rule: a case where it fires, one where it must not, and unknown.

use super::*;
use crate::lab::iso8601;
use crate::model::finding::Finding;
use crate::model::iam::*;
use crate::model::{Facet, UnknownReason};
use crate::rules::{evaluate_account, evaluate_account_with, principal_reports};

const ACCOUNT: &str = "111122223333";
const NOW: i64 = 1_714_608_000_000; // 2024-05-02T00:00:00Z
const DAY: i64 = 86_400_000;
const ROOT: &str = "arn:aws:iam::111122223333:root";

fn ago(days: i64) -> String {
    iso8601(NOW - days * DAY)
}

fn user_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:user/{name}")
}

fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

/// A credential report row: no password, no MFA, no keys, then `set`.
fn row(user: &str, set: &[(&str, &str)]) -> CredentialReportRow {
    let mut r: CredentialReportRow = [
        ("user", user.to_string()),
        (
            "arn",
            if user == "<root_account>" {
                ROOT.to_string()
            } else {
                user_arn(user)
            },
        ),
        ("password_enabled", "false".into()),
        ("password_last_used", "N/A".into()),
        ("password_last_changed", "N/A".into()),
        ("mfa_active", "false".into()),
        ("access_key_1_active", "false".into()),
        ("access_key_1_last_rotated", "N/A".into()),
        ("access_key_1_last_used_date", "N/A".into()),
        ("access_key_2_active", "false".into()),
        ("access_key_2_last_rotated", "N/A".into()),
        ("access_key_2_last_used_date", "N/A".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in set {
        r.insert(k.to_string(), v.to_string());
    }
    r
}

fn user(name: &str) -> User {
    User {
        name: name.into(),
        arn: user_arn(name),
        path: "/".into(),
        create_date: None,
        groups: Vec::new(),
        inline_policies: Vec::new(),
        attached_policies: Vec::new(),
        permissions_boundary: None,
        mfa_devices: Facet::Present(Vec::new()),
        access_keys: Facet::Present(Vec::new()),
        tags: Vec::new(),
    }
}

fn key(id: &str, active: bool, age_days: i64) -> AccessKey {
    AccessKey {
        id: id.into(),
        status: if active { "Active" } else { "Inactive" }.into(),
        create_date: Some(ago(age_days)),
    }
}

fn role(name: &str, trust: &str) -> Role {
    Role {
        name: name.into(),
        arn: role_arn(name),
        path: "/".into(),
        trust_policy: trust.into(),
        inline_policies: Vec::new(),
        attached_policies: Vec::new(),
        permissions_boundary: None,
        tags: Vec::new(),
    }
}

fn inline(document: &str) -> InlinePolicy {
    InlinePolicy {
        name: "p".into(),
        document: document.into(),
    }
}

fn empty() -> IamInventory {
    IamInventory {
        users: Vec::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        policies: Vec::new(),
        credential_report: Facet::Present(vec![row("<root_account>", &[])]),
        account_summary: Facet::Absent,
        password_policy: Facet::Absent,
    }
}

fn findings(iam: Facet<IamInventory>) -> Vec<Finding> {
    let principals = principal_reports(&iam, ACCOUNT, NOW);
    let ctx = AccountContext {
        account_id: ACCOUNT,
        region: "us-east-1",
        account_public_access_block: &Facet::Absent,
        iam: &iam,
        now_ms: NOW,
        principals: &principals,
    };
    // Only the IAM rules: the catalogue's S3 account rules are not ours.
    evaluate_account_with(&ctx, |r| r.service == crate::rules::Service::Iam)
}

/// The status of `rule` on `resource`; `None` when it gave no finding there.
fn status(iam: &IamInventory, rule: &str, resource: &str) -> Option<Status> {
    finding(iam, rule, resource).map(|f| f.status)
}

fn finding(iam: &IamInventory, rule: &str, resource: &str) -> Option<Finding> {
    findings(Facet::Present(iam.clone()))
        .into_iter()
        .find(|f| f.rule == rule && f.resource == resource)
}

fn with_user(u: User, r: Option<CredentialReportRow>) -> IamInventory {
    let mut iam = empty();
    if let (Some(r), Facet::Present(rows)) = (r, &mut iam.credential_report) {
        rows.push(r);
    }
    iam.users.push(u);
    iam
}

fn with_root(set: &[(&str, &str)]) -> IamInventory {
    let mut iam = empty();
    iam.credential_report = Facet::Present(vec![row("<root_account>", set)]);
    iam
}

use Status::{Fail, Pass, Unknown};

#[test]
fn every_iam_rule_is_unknown_for_the_account_when_iam_is_unreadable() {
    let out: Vec<Finding> = findings(Facet::unknown(
        UnknownReason::AccessDenied,
        "GetAccountAuthorizationDetails",
    ))
    .into_iter()
    .filter(|f| RULES.iter().any(|r| r.id == f.rule))
    .collect();
    assert_eq!(out.len(), RULES.len());
    for f in &out {
        assert_eq!(f.status, Unknown, "{}", f.rule);
        assert!(
            f.reason.as_deref().unwrap().contains("access denied"),
            "{f:?}"
        );
    }
}

#[test]
fn a_context_without_principal_reports_computes_them() {
    let iam = Facet::Present(with_root(&[]));
    let ctx = AccountContext {
        account_id: ACCOUNT,
        region: "us-east-1",
        account_public_access_block: &Facet::Absent,
        iam: &iam,
        now_ms: NOW,
        principals: &[],
    };
    let out = evaluate_account(&ctx);
    let f = out.iter().find(|f| f.rule == "iam-root-no-mfa").unwrap();
    assert_eq!(f.status, Fail);
    // A rule called on its own, too.
    let rule = crate::rules::rule("iam-root-no-mfa").unwrap();
    let Check::Account(check) = rule.check else {
        panic!("an account rule")
    };
    assert_eq!(check(&ctx)[0].1.status, Fail);
}

#[test]
fn root_no_mfa() {
    assert_eq!(status(&with_root(&[]), "iam-root-no-mfa", ROOT), Some(Fail));
    assert_eq!(
        status(
            &with_root(&[("mfa_active", "true")]),
            "iam-root-no-mfa",
            ROOT
        ),
        Some(Pass)
    );
    // No root row (an emulator): the account summary's AccountMFAEnabled.
    let mut iam = empty();
    iam.credential_report = Facet::Present(Vec::new());
    iam.account_summary =
        Facet::Present([("AccountMFAEnabled".to_string(), 1)].into_iter().collect());
    assert_eq!(status(&iam, "iam-root-no-mfa", ROOT), Some(Pass));
    iam.account_summary = Facet::unknown(UnknownReason::AccessDenied, "GetAccountSummary");
    assert_eq!(status(&iam, "iam-root-no-mfa", ROOT), Some(Unknown));
}

#[test]
fn root_access_keys() {
    let active = with_root(&[
        ("access_key_1_active", "true"),
        ("access_key_1_last_rotated", &ago(400)),
    ]);
    assert_eq!(status(&active, "iam-root-access-keys", ROOT), Some(Fail));
    let inactive = with_root(&[("access_key_2_last_rotated", &ago(400))]);
    assert_eq!(status(&inactive, "iam-root-access-keys", ROOT), Some(Pass));
    assert_eq!(
        status(&with_root(&[]), "iam-root-access-keys", ROOT),
        Some(Pass)
    );
    let mut iam = empty();
    iam.credential_report = Facet::unknown(UnknownReason::AccessDenied, "GetCredentialReport");
    assert_eq!(status(&iam, "iam-root-access-keys", ROOT), Some(Unknown));
    iam.account_summary = Facet::Present(
        [("AccountAccessKeysPresent".to_string(), 1)]
            .into_iter()
            .collect(),
    );
    assert_eq!(status(&iam, "iam-root-access-keys", ROOT), Some(Fail));
}

#[test]
fn root_recently_used() {
    // `password_last_used` is a date for root even though password_enabled
    // is `not_supported`.
    let base = [("password_enabled", "not_supported")];
    let recent = with_root(&[base[0], ("password_last_used", &ago(3))]);
    let f = finding(&recent, "iam-root-recently-used", ROOT).unwrap();
    assert_eq!(f.status, Fail);
    assert!(f.reason.unwrap().contains("3 days ago"));
    let by_key = with_root(&[
        base[0],
        ("password_last_used", "no_information"),
        ("access_key_1_last_rotated", &ago(500)),
        ("access_key_1_last_used_date", &ago(10)),
    ]);
    assert_eq!(status(&by_key, "iam-root-recently-used", ROOT), Some(Fail));
    let old = with_root(&[base[0], ("password_last_used", &ago(200))]);
    assert_eq!(status(&old, "iam-root-recently-used", ROOT), Some(Pass));
    let never = with_root(&[base[0], ("password_last_used", "no_information")]);
    assert_eq!(status(&never, "iam-root-recently-used", ROOT), Some(Pass));
    let mut no_row = empty();
    no_row.credential_report = Facet::Present(Vec::new());
    assert_eq!(
        status(&no_row, "iam-root-recently-used", ROOT),
        Some(Unknown)
    );
}

#[test]
fn console_user_without_mfa() {
    let bob = user_arn("bob");
    let console = row("bob", &[("password_enabled", "true")]);
    let f = finding(
        &with_user(user("bob"), Some(console.clone())),
        "iam-console-user-without-mfa",
        &bob,
    )
    .unwrap();
    assert_eq!(f.status, Fail);
    assert_eq!(f.remediation.as_deref(), Some("user-require-mfa"));
    let mut with_mfa = user("bob");
    with_mfa.mfa_devices = Facet::Present(vec![MfaDevice {
        serial_number: "arn:aws:iam::111122223333:mfa/bob".into(),
        enable_date: None,
    }]);
    assert_eq!(
        status(
            &with_user(with_mfa, Some(console)),
            "iam-console-user-without-mfa",
            &bob
        ),
        Some(Pass)
    );
    // No console password: not a console finding, even without MFA.
    let keys_only = row("bob", &[("access_key_1_active", "true")]);
    assert_eq!(
        status(
            &with_user(user("bob"), Some(keys_only)),
            "iam-console-user-without-mfa",
            &bob
        ),
        Some(Pass)
    );
    // Not in the report yet: whether it has a password is unknown.
    assert_eq!(
        status(
            &with_user(user("bob"), None),
            "iam-console-user-without-mfa",
            &bob
        ),
        Some(Unknown)
    );
    // The root user is another rule's.
    assert_eq!(
        status(
            &with_user(user("bob"), None),
            "iam-console-user-without-mfa",
            ROOT
        ),
        None
    );
}

#[test]
fn access_key_old() {
    let ci = user_arn("ci");
    let mut u = user("ci");
    u.access_keys = Facet::Present(vec![key("AKIAOLD", true, 100), key("AKIANEW", true, 5)]);
    let f = finding(
        &with_user(u.clone(), Some(row("ci", &[]))),
        "iam-access-key-old",
        &ci,
    )
    .unwrap();
    assert_eq!(f.status, Fail);
    assert_eq!(f.remediation.as_deref(), Some("access-key-deactivate"));
    assert_eq!(f.evidence.len(), 1);
    assert_eq!(f.evidence[0].path.as_deref(), Some("access_keys[AKIAOLD]"));
    u.access_keys = Facet::Present(vec![key("AKIAOLD", false, 300), key("AKIANEW", true, 90)]);
    assert_eq!(
        status(
            &with_user(u.clone(), Some(row("ci", &[]))),
            "iam-access-key-old",
            &ci
        ),
        Some(Pass)
    );
    u.access_keys = Facet::unknown(UnknownReason::AccessDenied, "ListAccessKeys");
    let mut iam = with_user(u, None);
    iam.credential_report = Facet::unknown(UnknownReason::Throttled, "GetCredentialReport");
    assert_eq!(status(&iam, "iam-access-key-old", &ci), Some(Unknown));
}

#[test]
fn credentials_unused() {
    let arn = user_arn("u");
    let pw = |used: &str, changed: &str| {
        row(
            "u",
            &[
                ("password_enabled", "true"),
                ("password_last_used", used),
                ("password_last_changed", changed),
            ],
        )
    };
    let check = |u: User, r: CredentialReportRow| {
        status(&with_user(u, Some(r)), "iam-credentials-unused", &arn)
    };
    assert_eq!(check(user("u"), pw(&ago(50), &ago(300))), Some(Fail));
    assert_eq!(check(user("u"), pw(&ago(10), &ago(300))), Some(Pass));
    // Never used: the password's age decides (CIS 1.12 audit).
    assert_eq!(check(user("u"), pw("no_information", &ago(60))), Some(Fail));
    assert_eq!(check(user("u"), pw("no_information", &ago(3))), Some(Pass));
    // An active key never used, created 46 days ago; one used 44 days ago.
    let mut k = user("u");
    k.access_keys = Facet::Present(vec![key("AKIA1", true, 46)]);
    let r = row(
        "u",
        &[
            ("access_key_1_active", "true"),
            ("access_key_1_last_rotated", &ago(46)),
        ],
    );
    assert_eq!(check(k.clone(), r), Some(Fail));
    let r = row(
        "u",
        &[
            ("access_key_1_active", "true"),
            ("access_key_1_last_rotated", &ago(46)),
            ("access_key_1_last_used_date", &ago(44)),
        ],
    );
    assert_eq!(check(k.clone(), r), Some(Pass));
    // An inactive key is not a credential in use.
    let mut inactive = user("u");
    inactive.access_keys = Facet::Present(vec![key("AKIA1", false, 400)]);
    assert_eq!(
        check(
            inactive,
            row("u", &[("access_key_1_last_rotated", &ago(400))])
        ),
        Some(Pass)
    );
    // Last use comes only from the report.
    let mut iam = with_user(k, None);
    iam.credential_report = Facet::unknown(UnknownReason::AccessDenied, "GetCredentialReport");
    assert_eq!(status(&iam, "iam-credentials-unused", &arn), Some(Unknown));
}

#[test]
fn multiple_active_keys() {
    let arn = user_arn("ci");
    let mut u = user("ci");
    u.access_keys = Facet::Present(vec![key("AKIA1", true, 400), key("AKIA2", true, 5)]);
    assert_eq!(
        status(
            &with_user(u.clone(), None),
            "iam-multiple-active-keys",
            &arn
        ),
        Some(Fail)
    );
    u.access_keys = Facet::Present(vec![key("AKIA1", false, 400), key("AKIA2", true, 5)]);
    assert_eq!(
        status(
            &with_user(u.clone(), None),
            "iam-multiple-active-keys",
            &arn
        ),
        Some(Pass)
    );
    u.access_keys = Facet::unknown(UnknownReason::AccessDenied, "ListAccessKeys");
    assert_eq!(
        status(&with_user(u, None), "iam-multiple-active-keys", &arn),
        Some(Unknown)
    );
}

#[test]
fn user_attached_policy() {
    let arn = user_arn("carol");
    let mut u = user("carol");
    u.inline_policies.push(inline(r#"{"Statement":[]}"#));
    assert_eq!(
        status(&with_user(u, None), "iam-user-attached-policy", &arn),
        Some(Fail)
    );
    let mut iam = with_user(user("carol"), None);
    iam.users[0].groups.push("devs".into());
    iam.groups.push(Group {
        name: "devs".into(),
        arn: "arn:aws:iam::111122223333:group/devs".into(),
        path: "/".into(),
        inline_policies: vec![inline(r#"{"Statement":[]}"#)],
        attached_policies: Vec::new(),
    });
    assert_eq!(status(&iam, "iam-user-attached-policy", &arn), Some(Pass));
}

#[test]
fn weak_password_policy() {
    let res = "arn:aws:iam::111122223333:account-password-policy";
    let mut iam = empty();
    assert_eq!(
        status(&iam, "iam-weak-password-policy", res),
        Some(Fail),
        "absent is AWS's default"
    );
    let strong = PasswordPolicy {
        minimum_length: 14,
        require_symbols: true,
        require_numbers: true,
        require_uppercase: true,
        require_lowercase: true,
        max_age_days: None,
        reuse_prevention: Some(24),
    };
    iam.password_policy = Facet::Present(strong.clone());
    assert_eq!(status(&iam, "iam-weak-password-policy", res), Some(Pass));
    iam.password_policy = Facet::Present(PasswordPolicy {
        reuse_prevention: None,
        ..strong.clone()
    });
    assert_eq!(status(&iam, "iam-weak-password-policy", res), Some(Fail));
    iam.password_policy = Facet::Present(PasswordPolicy {
        minimum_length: 8,
        ..strong
    });
    let f = finding(&iam, "iam-weak-password-policy", res).unwrap();
    assert!(f.evidence[0].summary.contains("MinimumPasswordLength: 8"));
    iam.password_policy = Facet::unknown(UnknownReason::AccessDenied, "GetAccountPasswordPolicy");
    assert_eq!(status(&iam, "iam-weak-password-policy", res), Some(Unknown));
}

fn with_policy(doc: &str) -> IamInventory {
    let mut u = user("p");
    u.inline_policies.push(inline(doc));
    with_user(u, None)
}

#[test]
fn admin_equivalent() {
    let arn = user_arn("p");
    let s = |doc: &str| status(&with_policy(doc), "iam-admin-equivalent", &arn);
    let star = r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#;
    let f = finding(
        &with_policy(&format!(r#"{{"Statement":[{star}]}}"#)),
        "iam-admin-equivalent",
        &arn,
    )
    .unwrap();
    assert_eq!(f.status, Fail);
    assert_eq!(
        f.evidence[0].summary,
        "admin via inline policy `p`, Statement[0]"
    );
    assert_eq!(
        s(r#"{"Statement":{"Effect":"Allow","NotAction":"examplesvc:Nothing","Resource":"*"}}"#),
        Some(Fail)
    );
    // A narrow deny leaves the admin power; a broad one removes it.
    let narrow = format!(
        r#"{{"Statement":[{star},{{"Effect":"Deny","Action":"iam:DeleteAccountPasswordPolicy","Resource":"*"}}]}}"#
    );
    assert_eq!(s(&narrow), Some(Fail));
    let broad =
        format!(r#"{{"Statement":[{star},{{"Effect":"Deny","Action":"iam:*","Resource":"*"}}]}}"#);
    assert_eq!(s(&broad), Some(Pass));
    assert_eq!(
        s(r#"{"Statement":{"Effect":"Allow","Action":["s3:*","ec2:*"],"Resource":"*"}}"#),
        Some(Pass)
    );
    assert_eq!(s(r#"{"Statement":[{"Effect":"Allow""#), Some(Unknown));
}

#[test]
fn privilege_escalation() {
    let arn = user_arn("p");
    let f = finding(
        &with_policy(r#"{"Statement":[{"Effect":"Allow","Action":["iam:PassRole","ec2:RunInstances"],"Resource":"*"}]}"#),
        "iam-privilege-escalation",
        &arn,
    )
    .unwrap();
    assert_eq!(f.status, Fail);
    assert!(f.reason.unwrap().contains("iam:PassRole+ec2:RunInstances"));
    assert_eq!(f.evidence.len(), 2, "one line per action: {:?}", f.evidence);
    let none = with_policy(
        r#"{"Statement":{"Effect":"Allow","Action":"cloudformation:CreateStack","Resource":"*"}}"#,
    );
    assert_eq!(status(&none, "iam-privilege-escalation", &arn), Some(Pass));
    // An administrator gets the admin finding, not a list of every method.
    let admin = with_policy(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#);
    assert_eq!(status(&admin, "iam-privilege-escalation", &arn), None);
    assert_eq!(
        status(&with_policy("[]"), "iam-privilege-escalation", &arn),
        Some(Unknown)
    );
}

const OWN_ROOT: &str =
    r#""Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole""#;

fn with_role(trust: &str) -> IamInventory {
    let mut iam = empty();
    iam.roles.push(role("r", trust));
    iam
}

fn trust(statement: &str) -> String {
    format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#)
}

#[test]
fn role_mfa_not_required() {
    let arn = role_arn("r");
    let s = |t: &str| status(&with_role(t), "iam-role-mfa-not-required", &arn);
    let looks = trust(&format!(
        r#"{{"Effect":"Allow",{OWN_ROOT},"Condition":{{"BoolIfExists":{{"aws:MultiFactorAuthPresent":"true"}}}}}}"#
    ));
    let f = finding(&with_role(&looks), "iam-role-mfa-not-required", &arn).unwrap();
    assert_eq!(f.status, Fail);
    assert!(
        f.reason.unwrap().contains("long-term access keys"),
        "the bypass in words"
    );
    let real = trust(&format!(
        r#"{{"Effect":"Allow",{OWN_ROOT},"Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}"#
    ));
    assert_eq!(s(&real), Some(Pass));
    let service = trust(
        r#"{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}"#,
    );
    assert_eq!(s(&service), None, "services never present MFA");
    let vendor = trust(
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x"}}}"#,
    );
    assert_eq!(s(&vendor), None, "a third party under sts:ExternalId");
    assert_eq!(s("{"), Some(Unknown));
}

#[test]
fn role_external_without_external_id() {
    let arn = role_arn("r");
    let s = |t: &str| status(&with_role(t), "iam-role-external-no-external-id", &arn);
    let vendor = r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":"sts:AssumeRole""#;
    assert_eq!(s(&trust(&format!("{vendor}}}"))), Some(Fail));
    assert_eq!(
        s(&trust(&format!(
            r#"{vendor},"Condition":{{"StringEquals":{{"sts:ExternalId":"abc"}}}}}}"#
        ))),
        Some(Pass)
    );
    assert_eq!(
        s(&trust(&format!(r#"{{"Effect":"Allow",{OWN_ROOT}}}"#))),
        Some(Pass)
    );
    assert_eq!(s("not json"), Some(Unknown));
}

#[test]
fn role_trust_public() {
    let arn = role_arn("r");
    let s = |t: &str| status(&with_role(t), "iam-role-trust-public", &arn);
    assert_eq!(
        s(&trust(
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}"#
        )),
        Some(Fail)
    );
    assert_eq!(
        s(&trust(
            r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-abc"}}}"#
        )),
        Some(Pass)
    );
    assert_eq!(
        s(&trust(&format!(r#"{{"Effect":"Allow",{OWN_ROOT}}}"#))),
        Some(Pass)
    );
    assert_eq!(s("[]"), Some(Unknown));
}
