//! Sign-ins, the root user, denied calls.

use serde_json::json;

use super::*;

#[test]
fn console_login_without_mfa_fires_for_users_and_root_without_mfa() {
    assert!(has(
        login(user("bob"), "Success", Some("No")),
        "console-login-without-mfa"
    ));
    assert!(has(
        login(user("bob"), "Success", None),
        "console-login-without-mfa"
    ));
    let root_alert = alert(
        login(root(), "Success", Some("No")),
        "console-login-without-mfa",
    )
    .unwrap();
    assert_eq!(root_alert.severity, Severity::Critical);
}

#[test]
fn console_login_without_mfa_does_not_fire_with_mfa_on_failure_or_federated() {
    for mfa in ["Yes", "YES", "yes"] {
        assert!(
            !has(
                login(user("bob"), "Success", Some(mfa)),
                "console-login-without-mfa"
            ),
            "{mfa}"
        );
    }
    assert!(!has(
        login(user("bob"), "Failure", Some("No")),
        "console-login-without-mfa"
    ));
    assert!(!has(
        login(
            role_session("sso-admin", "alice@example.com"),
            "Success",
            Some("No")
        ),
        "console-login-without-mfa"
    ));
}

#[test]
fn console_login_failure_fires_on_failure_only() {
    let a = alert(
        login(user("bob"), "Failure", Some("No")),
        "console-login-failure",
    )
    .unwrap();
    assert!(a.detail.contains("Failed authentication"), "{}", a.detail);
    assert!(!has(
        login(user("bob"), "Success", Some("Yes")),
        "console-login-failure"
    ));
    assert!(!has(
        rec("s3.amazonaws.com", "GetObject", user("bob"), denied()),
        "console-login-failure"
    ));
}

#[test]
fn root_activity_fires_on_root_but_not_for_services_or_others() {
    assert!(has(
        rec("iam.amazonaws.com", "ListUsers", root(), json!({})),
        "root-activity"
    ));
    assert!(has(login(root(), "Success", Some("Yes")), "root-activity"));
    let mut invoked = root();
    invoked["invokedBy"] = json!("support.amazonaws.com");
    assert!(!has(
        rec("iam.amazonaws.com", "ListUsers", invoked, json!({})),
        "root-activity"
    ));
    assert!(!has(
        rec(
            "iam.amazonaws.com",
            "ListUsers",
            root(),
            json!({"eventType": "AwsServiceEvent"})
        ),
        "root-activity"
    ));
    assert!(!has(
        rec("iam.amazonaws.com", "ListUsers", user("bob"), json!({})),
        "root-activity"
    ));
}

#[test]
fn unauthorized_api_call_fires_on_cis_error_codes() {
    for code in [
        "AccessDenied",
        "AccessDeniedException",
        "Client.UnauthorizedOperation",
    ] {
        assert!(
            has(
                rec(
                    "ec2.amazonaws.com",
                    "RunInstances",
                    user("bob"),
                    json!({"errorCode": code})
                ),
                "unauthorized-api-call"
            ),
            "{code}"
        );
    }
}

#[test]
fn unauthorized_api_call_ignores_other_errors_and_the_cis_exclusions() {
    assert!(!has(
        rec(
            "s3.amazonaws.com",
            "GetBucketPolicy",
            user("bob"),
            json!({"errorCode": "NoSuchBucketPolicy"})
        ),
        "unauthorized-api-call"
    ));
    assert!(!has(
        rec("s3.amazonaws.com", "HeadBucket", user("bob"), denied()),
        "unauthorized-api-call"
    ));
    assert!(!has(
        rec(
            "s3.amazonaws.com",
            "PutObject",
            user("bob"),
            json!({"errorCode": "AccessDenied", "sourceIPAddress": "delivery.logs.amazonaws.com"})
        ),
        "unauthorized-api-call"
    ));
    assert!(!has(
        rec("s3.amazonaws.com", "GetObject", user("bob"), json!({})),
        "unauthorized-api-call"
    ));
}
