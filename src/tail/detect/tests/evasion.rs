//! Trail tampering and KMS keys.

use serde_json::{Value, json};

use super::*;

fn cloudtrail(name: &str) -> Value {
    rec(
        "cloudtrail.amazonaws.com",
        name,
        user("mallory"),
        json!({"requestParameters": {"name": "main-trail"}}),
    )
}

#[test]
fn trail_tampering_fires_on_stop_delete_update_and_selectors() {
    assert_eq!(
        alert(cloudtrail("StopLogging"), "trail-tampering")
            .unwrap()
            .severity,
        Severity::Critical
    );
    assert_eq!(
        alert(cloudtrail("DeleteTrail"), "trail-tampering")
            .unwrap()
            .severity,
        Severity::Critical
    );
    assert_eq!(
        alert(cloudtrail("UpdateTrail"), "trail-tampering")
            .unwrap()
            .severity,
        Severity::High
    );
    assert_eq!(
        alert(cloudtrail("PutEventSelectors"), "trail-tampering")
            .unwrap()
            .severity,
        Severity::High
    );
    assert!(
        alert(cloudtrail("StopLogging"), "trail-tampering")
            .unwrap()
            .detail
            .contains("main-trail")
    );
}

#[test]
fn trail_tampering_ignores_reads_starts_and_failures() {
    for name in [
        "StartLogging",
        "DescribeTrails",
        "GetTrailStatus",
        "CreateTrail",
    ] {
        assert!(!has(cloudtrail(name), "trail-tampering"), "{name}");
    }
    let mut failed = cloudtrail("StopLogging");
    failed["errorCode"] = json!("AccessDenied");
    assert!(!has(failed, "trail-tampering"));
}

#[test]
fn kms_key_disabled_fires_on_disable_and_scheduled_deletion() {
    let kms = |name: &str| {
        rec(
            "kms.amazonaws.com",
            name,
            user("bob"),
            json!({"requestParameters": {"keyId": "k-1", "pendingWindowInDays": 7}}),
        )
    };
    assert!(has(kms("DisableKey"), "kms-key-disabled"));
    assert!(
        alert(kms("ScheduleKeyDeletion"), "kms-key-disabled")
            .unwrap()
            .detail
            .contains("7 days")
    );
    assert!(!has(kms("EnableKey"), "kms-key-disabled"));
    assert!(!has(kms("Decrypt"), "kms-key-disabled"));
}
