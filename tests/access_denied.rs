//! An `AccessDenied` on a read makes that facet unknown — never a pass — and
//! the scan goes on. Uses a private test server with IAM enforcement on
//! (TEST-SERVER.md: `POST /moto-api/reset-auth`), so the shared one is untouched.

mod common;

use aws_sdk_iam::Client as Iam;

async fn http_post(endpoint: &str, path: &str, body: &str) {
    // The smallest HTTP client that will do: one request on a fresh socket.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let host = endpoint.trim_start_matches("http://");
    let mut s = tokio::net::TcpStream::connect(host).await.unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).await.unwrap();
    assert!(
        resp.starts_with("HTTP/1.1 200") || resp.starts_with("HTTP/1.0 200"),
        "{resp}"
    );
}

#[tokio::test]
async fn access_denied_facets_are_unknown_and_the_scan_continues() {
    let server = common::PrivateServer::start();
    let cloud = common::aws_at(&server.endpoint).await;
    let lab = vigil::lab::Lab::embedded().unwrap();
    vigil::cloud::aws::seed::seed(&cloud, &lab, 0)
        .await
        .unwrap();

    // An auditor who may list buckets and read their ACLs, nothing else.
    let conf = aws_sdk_iam::config::Builder::new()
        .behavior_version(aws_sdk_iam::config::BehaviorVersion::latest())
        .region(aws_sdk_iam::config::Region::new("us-east-1"))
        .endpoint_url(&server.endpoint)
        .credentials_provider(aws_sdk_iam::config::Credentials::new(
            "testing", "testing", None, None, "test",
        ))
        .build();
    let iam = Iam::from_conf(conf);
    iam.create_user().user_name("limited").send().await.unwrap();
    iam.put_user_policy()
        .user_name("limited")
        .policy_name("list-only")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation","s3:GetBucketAcl","sts:GetCallerIdentity"],"Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name("limited")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    http_post(&server.endpoint, "/moto-api/reset-auth", "0").await;

    let out = common::vigil()
        .args(["--endpoint-url", &server.endpoint, "inventory"])
        .env("AWS_ACCESS_KEY_ID", key.access_key_id())
        .env("AWS_SECRET_ACCESS_KEY", key.secret_access_key())
        .env("AWS_REGION", "us-east-1")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let inv: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let buckets = inv["buckets"].as_array().unwrap();
    assert!(buckets.len() >= 24, "the scan went on through every bucket");
    for b in buckets {
        assert_eq!(
            b["acl"]["state"], "present",
            "ACL is allowed: {}",
            b["name"]
        );
        for facet in [
            "policy",
            "encryption",
            "public_access_block",
            "versioning",
            "logging",
        ] {
            assert_eq!(b[facet]["state"], "unknown", "{facet} of {}", b["name"]);
            assert_eq!(
                b[facet]["value"]["reason"], "access_denied",
                "{facet} of {}",
                b["name"]
            );
        }
    }
    assert_eq!(inv["iam"]["state"], "unknown");
    assert_eq!(inv["iam"]["value"]["reason"], "access_denied");
}
