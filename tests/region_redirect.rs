//! A bucket in another region is read with a client for its region: S3
//! answers a request signed for the wrong region with `301
//! PermanentRedirect` and the bucket's region in `x-amz-bucket-region`
//! (S3 API reference, "Making requests": redirects and
//! `x-amz-bucket-region`). vigil follows it; the redirect is never reported
//! as the bucket's error. The test server does not redirect, so a small
//! stand-in plays S3 here.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use vigil::cloud::{BucketListing, Cloud};
use vigil::model::Facet;
use vigil::model::s3::VersioningStatus;

const BUCKET_REGION: &str = "eu-west-1";

#[derive(Default)]
struct Counts {
    redirected: AtomicUsize,
    served_in_region: AtomicUsize,
}

/// The region a SigV4 request was signed for:
/// `Credential=AKID/20261203/eu-west-1/s3/aws4_request`.
fn signed_region(head: &str) -> Option<String> {
    let auth = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))?;
    let credential = auth.split("Credential=").nth(1)?;
    credential.split('/').nth(2).map(str::to_string)
}

fn response(status: &str, headers: &[(&str, &str)], body: &str) -> String {
    let mut r = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/xml\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        r.push_str(&format!("{k}: {v}\r\n"));
    }
    r.push_str("\r\n");
    r.push_str(body);
    r
}

/// S3 for one bucket in eu-west-1: versioning enabled, nothing else
/// configured; anything signed for another region is redirected.
async fn fake_s3(listener: TcpListener, counts: Arc<Counts>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            return;
        };
        let counts = counts.clone();
        tokio::spawn(async move {
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf).to_string();
            let target = head.split_whitespace().nth(1).unwrap_or("").to_string();
            let reply = if signed_region(&head).as_deref() != Some(BUCKET_REGION) {
                counts.redirected.fetch_add(1, Ordering::SeqCst);
                response(
                    "301 Moved Permanently",
                    &[("x-amz-bucket-region", BUCKET_REGION)],
                    "<Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message></Error>",
                )
            } else {
                counts.served_in_region.fetch_add(1, Ordering::SeqCst);
                if target.contains("versioning") {
                    response(
                        "200 OK",
                        &[],
                        r#"<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>"#,
                    )
                } else {
                    response(
                        "404 Not Found",
                        &[],
                        "<Error><Code>NoSuchConfiguration</Code><Message>not configured</Message></Error>",
                    )
                }
            };
            let _ = stream.write_all(reply.as_bytes()).await;
            let _ = stream.shutdown().await;
        });
    }
}

#[tokio::test]
async fn a_redirect_to_the_buckets_region_is_followed_not_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    let counts = Arc::new(Counts::default());
    tokio::spawn(fake_s3(listener, counts.clone()));

    let cloud = common::aws_at(&endpoint).await;
    // ListBuckets said us-east-1 (a stale or wrong region): every first
    // request goes there and is redirected.
    let bucket = cloud
        .read_bucket(&BucketListing {
            name: "far-away".into(),
            creation_date: None,
            region: Some("us-east-1".into()),
        })
        .await;

    assert!(
        counts.redirected.load(Ordering::SeqCst) > 0,
        "the stand-in never redirected: the test proves nothing"
    );
    assert!(counts.served_in_region.load(Ordering::SeqCst) > 0);
    assert_eq!(
        bucket.versioning.present().map(|v| v.status),
        Some(VersioningStatus::Enabled),
        "the facet was read from the bucket's region"
    );
    let json = serde_json::to_value(&bucket).expect("serialises");
    for (facet, value) in json.as_object().expect("object") {
        assert!(
            value.get("unknown").is_none() && !value.to_string().contains("PermanentRedirect"),
            "{facet} reports the redirect as an error: {value}"
        );
    }
    assert!(matches!(bucket.policy, Facet::Absent));
}
