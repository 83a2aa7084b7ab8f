use super::*;
use crate::model::Facet;
use crate::model::iam::{Group, ManagedPolicy, Role, User};

const ACCOUNT: &str = "111122223333";
const NOW: i64 = 1_714_608_000_000;

const ADMIN: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Everything","Effect":"Allow","Action":"*","Resource":"*"}]}"#;

fn managed(name: &str, document: &str) -> ManagedPolicy {
    ManagedPolicy {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:policy/{name}"),
        default_version_id: "v1".into(),
        document: document.into(),
        attachment_count: 1,
    }
}

fn arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:policy/{name}")
}

fn user(name: &str) -> User {
    User {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
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

fn group(name: &str, attached: &[&str]) -> Group {
    Group {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:group/{name}"),
        path: "/".into(),
        inline_policies: Vec::new(),
        attached_policies: attached.iter().map(|a| arn(a)).collect(),
    }
}

fn role(name: &str, trust: &str) -> Role {
    Role {
        name: name.into(),
        arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
        path: "/".into(),
        trust_policy: trust.into(),
        inline_policies: Vec::new(),
        attached_policies: Vec::new(),
        permissions_boundary: None,
        tags: Vec::new(),
    }
}

fn inline(name: &str, document: &str) -> InlinePolicy {
    InlinePolicy {
        name: name.into(),
        document: document.into(),
    }
}

fn inventory() -> IamInventory {
    IamInventory {
        users: Vec::new(),
        groups: Vec::new(),
        roles: Vec::new(),
        policies: Vec::new(),
        credential_report: Facet::Present(Vec::new()),
        account_summary: Facet::Absent,
        password_policy: Facet::Absent,
    }
}

fn find<'r>(
    reports: &'r [PrincipalReport],
    kind: PrincipalKind,
    name: &str,
) -> &'r PrincipalReport {
    reports
        .iter()
        .find(|r| r.kind == kind && r.name == name)
        .unwrap_or_else(|| panic!("no {kind:?} {name}"))
}

fn perms(r: &PrincipalReport) -> &Permissions {
    r.permissions
        .known()
        .unwrap_or_else(|| panic!("{} permissions unknown: {:?}", r.name, r.permissions))
}

#[test]
fn admin_through_a_group_names_the_whole_chain() {
    let mut iam = inventory();
    iam.policies.push(managed("vigil-lab-AdminAccess", ADMIN));
    iam.groups.push(group("admins", &["vigil-lab-AdminAccess"]));
    let mut alice = user("alice");
    alice.groups.push("admins".into());
    iam.users.push(alice);
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    let alice = find(&reports, PrincipalKind::User, "alice");
    let p = perms(alice);
    assert!(p.admin_equivalent);
    let chains: Vec<&str> = p.admin_via.iter().map(|v| v.chain.as_str()).collect();
    assert_eq!(
        chains,
        vec!["group `admins` → policy `vigil-lab-AdminAccess`, Statement[0] (Sid \"Everything\")"]
    );
    assert_eq!(p.admin_via[0].origin.via_group.as_deref(), Some("admins"));
    assert_eq!(alice.groups, vec!["admins"]);
    let admins = find(&reports, PrincipalKind::Group, "admins");
    assert!(perms(admins).admin_equivalent);
    assert_eq!(admins.groups, vec!["alice"], "a group lists its members");
    assert_eq!(
        perms(admins).admin_via[0].chain,
        "policy `vigil-lab-AdminAccess`, Statement[0] (Sid \"Everything\")"
    );
}

#[test]
fn a_managed_policy_is_parsed_once_for_all_its_holders() {
    let mut iam = inventory();
    iam.policies.push(managed("shared", ADMIN));
    for n in ["a", "b", "c"] {
        let mut u = user(n);
        u.attached_policies.push(arn("shared"));
        iam.users.push(u);
    }
    iam.groups.push(group("g", &["shared"]));
    let analysis = IamAnalysis::new(&iam, ACCOUNT);
    assert_eq!(analysis.docs.len(), 1);
    assert!(
        analysis
            .principal_reports(NOW)
            .iter()
            .filter(|r| r.kind != PrincipalKind::Root)
            .all(|r| perms(r).admin_equivalent)
    );
}

#[test]
fn a_policy_that_does_not_parse_makes_the_principal_unknown_never_a_pass() {
    let mut iam = inventory();
    let mut u = user("mallory");
    u.inline_policies.push(inline(
        "broken",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*""#,
    ));
    u.inline_policies.push(inline("fine", ADMIN));
    iam.users.push(u);
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    let m = find(&reports, PrincipalKind::User, "mallory");
    match &m.permissions {
        Fact::Unknown(why) => assert!(
            why.contains("inline policy `broken` does not parse"),
            "{why}"
        ),
        Fact::Known(p) => panic!("a verdict despite a broken policy: {p:?}"),
    }
    assert!(m.policies[0].error.is_some() && m.policies[1].error.is_none());
}

#[test]
fn missing_managed_policy_group_or_boundary_is_unknown() {
    let mut iam = inventory();
    let mut a = user("a");
    a.attached_policies.push(arn("gone"));
    let mut b = user("b");
    b.groups.push("ghosts".into());
    let mut c = user("c");
    c.inline_policies.push(inline("admin", ADMIN));
    c.permissions_boundary = Some(arn("missing-boundary"));
    iam.users.extend([a, b, c]);
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    for (name, needle) in [
        ("a", "policy/gone is not in the inventory"),
        ("b", "group ghosts is not in the inventory"),
        (
            "c",
            "permissions boundary arn:aws:iam::111122223333:policy/missing-boundary",
        ),
    ] {
        match &find(&reports, PrincipalKind::User, name).permissions {
            Fact::Unknown(why) => assert!(why.contains(needle), "{name}: {why}"),
            Fact::Known(_) => panic!("{name} should be unknown"),
        }
    }
}

#[test]
fn permissions_boundary_bounds_a_users_admin_policy() {
    let mut iam = inventory();
    iam.policies.push(managed(
        "boundary",
        r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","lambda:UpdateFunctionCode"],"Resource":"*"}]}"#,
    ));
    let mut u = user("bounded");
    u.inline_policies.push(inline("admin", ADMIN));
    u.permissions_boundary = Some(arn("boundary"));
    iam.users.push(u);
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    let r = find(&reports, PrincipalKind::User, "bounded");
    let p = perms(r);
    assert!(!p.admin_equivalent);
    let methods: Vec<&str> = p
        .privilege_escalation
        .iter()
        .map(|m| m.method.as_str())
        .collect();
    assert_eq!(methods, vec!["lambda:UpdateFunctionCode"]);
    assert_eq!(
        p.privilege_escalation[0].actions[0].allowed_by[0].chain,
        "inline policy `admin`, Statement[0] (Sid \"Everything\")"
    );
    assert_eq!(
        r.permissions_boundary.as_deref(),
        Some(arn("boundary").as_str())
    );
}

#[test]
fn escalation_actions_keep_their_own_statements() {
    let mut iam = inventory();
    iam.policies.push(managed(
        "pass",
        r#"{"Statement":[{"Sid":"Pass","Effect":"Allow","Action":"iam:PassRole","Resource":"*"}]}"#,
    ));
    iam.groups.push(group("deployers", &["pass"]));
    let mut u = user("frank");
    u.groups.push("deployers".into());
    u.inline_policies.push(inline(
        "lambda",
        r#"{"Statement":[{"Effect":"Allow","Action":"lambda:*Function","Resource":"*"}]}"#,
    ));
    iam.users.push(u);
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    let p = perms(find(&reports, PrincipalKind::User, "frank"));
    let m = &p.privilege_escalation[0];
    assert_eq!(
        m.method,
        "iam:PassRole+lambda:CreateFunction+lambda:InvokeFunction"
    );
    let by: Vec<(&str, &str)> = m
        .actions
        .iter()
        .map(|a| (a.action.as_str(), a.allowed_by[0].chain.as_str()))
        .collect();
    assert_eq!(
        by,
        vec![
            (
                "iam:PassRole",
                "group `deployers` → policy `pass`, Statement[0] (Sid \"Pass\")"
            ),
            (
                "lambda:CreateFunction",
                "inline policy `lambda`, Statement[0]"
            ),
            (
                "lambda:InvokeFunction",
                "inline policy `lambda`, Statement[0]"
            ),
        ]
    );
}

#[test]
fn hostile_sid_is_made_safe_in_the_chain() {
    let mut iam = inventory();
    let mut u = user("eve");
    u.inline_policies.push(inline(
        "p",
        "{\"Statement\":[{\"Sid\":\"ok\\u001b]52;c;x\\u0007\",\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
    ));
    iam.users.push(u);
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    let chain = &perms(find(&reports, PrincipalKind::User, "eve")).admin_via[0].chain;
    assert!(
        !chain.contains('\u{1b}') && chain.contains("\\x1b"),
        "{chain}"
    );
}

#[test]
fn role_trust_is_analysed_and_an_unparseable_trust_is_unknown() {
    let mut iam = inventory();
    iam.roles.push(role(
        "looks-mfa",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
    ));
    iam.roles.push(role("broken", "{not json"));
    iam.roles.push(role(
        "ec2",
        r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
    ));
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    let t = find(&reports, PrincipalKind::Role, "looks-mfa")
        .trust
        .as_ref()
        .unwrap();
    let t = t.known().unwrap();
    assert!(!t.analysis.requires_mfa && t.assumed_by_iam_principals);
    assert!(
        t.iam_principal_mfa_bypass
            .as_deref()
            .unwrap()
            .contains("BoolIfExists")
    );
    assert!(
        find(&reports, PrincipalKind::Role, "broken")
            .trust
            .as_ref()
            .unwrap()
            .is_unknown()
    );
    let ec2 = find(&reports, PrincipalKind::Role, "ec2")
        .trust
        .as_ref()
        .unwrap()
        .known()
        .unwrap();
    assert!(!ec2.assumed_by_iam_principals && ec2.iam_principal_mfa_bypass.is_none());
}

#[test]
fn root_is_admin_by_definition_and_reported_first() {
    let iam = inventory();
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    assert_eq!(reports[0].kind, PrincipalKind::Root);
    assert_eq!(reports[0].arn, "arn:aws:iam::111122223333:root");
    assert!(perms(&reports[0]).admin_equivalent);
    assert!(reports[0].credentials.is_some());
}

#[test]
fn report_serialises_for_the_console() {
    let mut iam = inventory();
    iam.policies.push(managed("vigil-lab-AdminAccess", ADMIN));
    iam.groups.push(group("admins", &["vigil-lab-AdminAccess"]));
    let reports = principal_reports(&iam, ACCOUNT, NOW);
    let v = serde_json::to_value(find(&reports, PrincipalKind::Group, "admins")).unwrap();
    assert_eq!(v["kind"], "group");
    assert_eq!(v["permissions"]["state"], "known");
    assert_eq!(v["permissions"]["value"]["admin_equivalent"], true);
    assert_eq!(v["policies"][0]["origin"]["attachment"], "managed");
}
