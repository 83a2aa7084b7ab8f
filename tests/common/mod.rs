//! Shared by the integration tests: the test server the harness started
//! (scripts/test.sh), the lab seeded into it, and inventory normalisation.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use vigil::cloud::aws::{AwsCloud, AwsOptions};
use vigil::lab::Lab;

/// The endpoint of the test server. Tests that need it fail loudly without it.
pub fn endpoint() -> String {
    std::env::var("VIGIL_TEST_ENDPOINT").unwrap_or_else(|_| {
        panic!(
            "VIGIL_TEST_ENDPOINT is not set: run the suite with scripts/test.sh, \
             which starts the test server (moto) and exports it"
        )
    })
}

/// The AWS backend pointed at an endpoint, one attempt per request (the test
/// server answers unimplemented calls with HTTP 500, which would be retried).
pub async fn aws_at(endpoint: &str) -> AwsCloud {
    AwsCloud::connect(AwsOptions {
        profile: None,
        region: Some("us-east-1".into()),
        endpoint_url: Some(endpoint.to_string()),
        concurrency: 16,
        max_attempts: 1,
    })
    .await
    .expect("the AWS backend builds")
}

/// The lab, seeded (idempotently) into the shared test server.
pub async fn seeded() -> (AwsCloud, Lab) {
    let cloud = aws_at(&endpoint()).await;
    let lab = Lab::embedded().expect("lab parses");
    vigil::cloud::aws::seed::seed(&cloud, &lab, 0)
        .await
        .expect("the lab seeds into the test server");
    (cloud, lab)
}

/// The vigil binary.
pub fn vigil() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vigil"));
    c.env_remove("AWS_PROFILE")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    c
}

/// Drop or blank what cannot be equal between the demo and a server: times,
/// generated ids, the caller, S3's own `IsPublic` (the test server only
/// approximates it), MFA Delete (the server cannot store it; lab notes),
/// the root row of the credential report (the server has no root user), and
/// managed-policy attachment counts (the server counts a repeated attach
/// twice, AWS does not).
pub fn normalise(mut inv: Value) -> Value {
    if let Some(a) = inv.pointer_mut("/account/caller_arn") {
        *a = Value::String("<caller>".into());
    }
    if let Some(buckets) = inv.get_mut("buckets").and_then(Value::as_array_mut) {
        for b in buckets {
            let Some(o) = b.as_object_mut() else { continue };
            o.remove("creation_date");
            o.remove("policy_status");
            if let Some(v) = o
                .get_mut("versioning")
                .and_then(|v| v.get_mut("value"))
                .and_then(Value::as_object_mut)
            {
                v.remove("mfa_delete");
            }
            if let Some(grants) = o
                .get_mut("acl")
                .and_then(|a| a.pointer_mut("/value/grants"))
                .and_then(Value::as_array_mut)
            {
                grants.sort_by_key(|g| g.to_string());
            }
        }
    }
    if let Some(iam) = inv.pointer_mut("/iam/value").and_then(Value::as_object_mut) {
        if let Some(users) = iam.get_mut("users").and_then(Value::as_array_mut) {
            for u in users {
                let Some(u) = u.as_object_mut() else { continue };
                u.remove("create_date");
                for list in ["mfa_devices", "access_keys"] {
                    if let Some(items) = u
                        .get_mut(list)
                        .and_then(|f| f.get_mut("value"))
                        .and_then(Value::as_array_mut)
                    {
                        for item in items {
                            if let Some(item) = item.as_object_mut() {
                                item.remove("enable_date");
                                item.remove("create_date");
                                item.remove("id");
                            }
                        }
                    }
                }
            }
        }
        if let Some(policies) = iam.get_mut("policies").and_then(Value::as_array_mut) {
            for p in policies {
                if let Some(p) = p.as_object_mut() {
                    p.remove("attachment_count");
                }
            }
        }
        if let Some(rows) = iam
            .get_mut("credential_report")
            .and_then(|f| f.get_mut("value"))
            .and_then(Value::as_array_mut)
        {
            rows.retain(|r| r.get("user").and_then(Value::as_str) != Some("<root_account>"));
            rows.sort_by_key(|r| r.get("user").map(Value::to_string));
            const KEEP: &[&str] = &[
                "user",
                "arn",
                "password_enabled",
                "mfa_active",
                "access_key_1_active",
                "access_key_2_active",
            ];
            for r in rows.iter_mut() {
                if let Some(r) = r.as_object_mut() {
                    r.retain(|k, _| KEEP.contains(&k.as_str()));
                }
            }
        }
        if let Some(summary) = iam
            .get_mut("account_summary")
            .and_then(|f| f.get_mut("value"))
            .and_then(Value::as_object_mut)
        {
            const KEEP: &[&str] = &[
                "Users",
                "Groups",
                "Roles",
                "Policies",
                "MFADevices",
                "MFADevicesInUse",
            ];
            summary.retain(|k, _| KEEP.contains(&k.as_str()));
        }
    }
    inv
}

/// A private test server, for tests that change its global state (such as
/// turning on IAM enforcement). Stopped when dropped.
pub struct PrivateServer {
    child: Child,
    pub endpoint: String,
}

impl PrivateServer {
    pub fn start() -> PrivateServer {
        let python = std::env::var("VIGIL_TEST_PYTHON").unwrap_or_else(|_| {
            panic!("VIGIL_TEST_PYTHON is not set: run the suite with scripts/test.sh")
        });
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/moto_server.py");
        let child = Command::new(python)
            .arg(script)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the private test server starts");
        let endpoint = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "the private test server did not listen in 20 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        PrivateServer { child, endpoint }
    }
}

impl Drop for PrivateServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
