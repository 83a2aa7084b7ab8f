//! How AWS errors become facts.
//!
//! Every failed read is sorted into one of four outcomes: *not configured*
//! (a fact about the resource: [`Facet::Absent`]), *access denied*,
//! *throttled* (after the SDK's own retries) and *other* — the last three make
//! the facet [`Facet::Unknown`], never a pass and never a crash.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::model::{Facet, UnknownReason};

/// Error codes that mean "this bucket (or account) has no such configuration".
/// Sources: the "Errors" section of each S3 Get* API reference page.
pub const NOT_CONFIGURED_CODES: &[&str] = &[
    "NoSuchBucketPolicy",
    "ServerSideEncryptionConfigurationNotFoundError",
    "NoSuchPublicAccessBlockConfiguration",
    "OwnershipControlsNotFoundError",
    "NoSuchLifecycleConfiguration",
    "ReplicationConfigurationNotFoundError",
    "ObjectLockConfigurationNotFoundError",
    "NoSuchTagSet",
    "NoSuchEntity",
    "NoSuchConfiguration",
];

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "AllAccessDisabled",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "InvalidAccessKeyId",
    "SignatureDoesNotMatch",
];

const THROTTLED_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "SlowDown",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "RequestThrottled",
    "RequestThrottledException",
];

const EXPIRED_CODES: &[&str] = &[
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "TokenRefreshRequired",
];

/// What a failed call means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The resource has no such configuration: a fact, not an error.
    NotConfigured,
    AccessDenied(String),
    Throttled(String),
    /// The session's credentials expired.
    Expired(String),
    /// The endpoint could not be reached (connection, DNS, timeout).
    Unreachable(String),
    /// No credentials, an unknown profile, or another client-side problem.
    Credentials(String),
    NotImplemented(String),
    /// S3 says the bucket lives in another region (301 `PermanentRedirect`).
    WrongRegion(Option<String>),
    Other(String),
}

impl Failure {
    /// The reason a facet is unknown, for failures that make it unknown.
    pub fn unknown_reason(&self) -> (UnknownReason, String) {
        match self {
            Failure::NotConfigured => (UnknownReason::Other, "not configured".into()),
            Failure::AccessDenied(d) => (UnknownReason::AccessDenied, d.clone()),
            Failure::Throttled(d) => (UnknownReason::Throttled, d.clone()),
            Failure::NotImplemented(d) => (UnknownReason::NotImplemented, d.clone()),
            Failure::Expired(d) => (UnknownReason::Other, format!("session expired: {d}")),
            Failure::Unreachable(d) => (UnknownReason::Other, format!("unreachable: {d}")),
            Failure::Credentials(d) => (UnknownReason::Other, format!("credentials: {d}")),
            Failure::WrongRegion(r) => (
                UnknownReason::Other,
                format!(
                    "bucket is in another region ({})",
                    r.as_deref().unwrap_or("?")
                ),
            ),
            Failure::Other(d) => (UnknownReason::Other, d.clone()),
        }
    }
}

/// An error and its causes, each said once, on one line. The SDK's own
/// `DisplayErrorContext` ends with the `Debug` dump of the whole chain
/// (newlines escaped), which is no message for a person.
pub fn causes(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        // A wrapper often repeats its source's text; keep the fuller one.
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    crate::model::text::safe(&parts.join(": "))
}

/// Sort an SDK error into a [`Failure`].
pub fn classify<E>(err: &SdkError<E, HttpResponse>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let detail = || causes(err);
    match err {
        SdkError::ServiceError(se) => {
            let code = se.err().code().unwrap_or("");
            let message = se.err().message().unwrap_or("");
            let status = se.raw().status().as_u16();
            let short = if message.is_empty() {
                crate::model::text::safe(code)
            } else {
                crate::model::text::safe(&format!("{code}: {message}"))
            };
            if NOT_CONFIGURED_CODES.contains(&code) {
                Failure::NotConfigured
            } else if ACCESS_DENIED_CODES.contains(&code) || status == 403 {
                Failure::AccessDenied(short)
            } else if THROTTLED_CODES.contains(&code) || status == 429 || status == 503 {
                Failure::Throttled(short)
            } else if EXPIRED_CODES.contains(&code) {
                Failure::Expired(short)
            } else if code == "PermanentRedirect" || status == 301 {
                let region = se
                    .raw()
                    .headers()
                    .get("x-amz-bucket-region")
                    .map(str::to_string);
                Failure::WrongRegion(region)
            } else if code == "NotImplemented" || status == 501 {
                Failure::NotImplemented(short)
            } else if short.is_empty() {
                Failure::Other(format!("HTTP {status}"))
            } else {
                Failure::Other(short)
            }
        }
        SdkError::TimeoutError(_) => Failure::Unreachable("timed out".into()),
        SdkError::DispatchFailure(df) => {
            if df.is_io() || df.is_timeout() {
                Failure::Unreachable(detail())
            } else {
                let d = detail();
                if looks_like_credentials_problem(&d) {
                    Failure::Credentials(d)
                } else {
                    Failure::Unreachable(d)
                }
            }
        }
        SdkError::ConstructionFailure(_) => {
            let d = detail();
            if looks_like_credentials_problem(&d) {
                Failure::Credentials(d)
            } else {
                Failure::Other(d)
            }
        }
        SdkError::ResponseError(_) => Failure::Other(detail()),
        _ => Failure::Other(detail()),
    }
}

fn looks_like_credentials_problem(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("credential") || d.contains("profile") || d.contains("sso")
}

/// A facet from a read: the value, not configured, or unknown with the reason.
pub fn facet<T, E>(result: Result<T, SdkError<E, HttpResponse>>) -> Facet<T>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(v) => Facet::Present(v),
        Err(e) => facet_from_failure(&classify(&e)),
    }
}

/// A facet for a failure already classified.
pub fn facet_from_failure<T>(failure: &Failure) -> Facet<T> {
    match failure {
        Failure::NotConfigured => Facet::Absent,
        other => {
            let (reason, detail) = other.unknown_reason();
            Facet::unknown(reason, detail)
        }
    }
}

/// An error that stops a whole command (as opposed to one facet).
#[derive(Debug, thiserror::Error)]
pub enum CloudError {
    #[error("no usable AWS credentials: {0}")]
    Credentials(String),
    #[error("cannot reach AWS: {0}")]
    Unreachable(String),
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("throttled by AWS after retries: {0}")]
    Throttled(String),
    #[error("the AWS session has expired: {0}")]
    Expired(String),
    #[error("{0}")]
    Other(String),
}

impl CloudError {
    /// One line a person can act on: what failed and how to fix it.
    pub fn advice(&self) -> &'static str {
        match self {
            CloudError::Credentials(_) => {
                "name a profile of ~/.aws/config with --profile or AWS_PROFILE, run `aws configure` or `aws sso login`, or try `vigil demo`"
            }
            CloudError::Unreachable(_) => {
                "check --endpoint-url / --region and the network; `vigil demo` needs no account"
            }
            CloudError::AccessDenied(_) => {
                "the identity lacks a permission; see the audit policy in the README"
            }
            CloudError::Throttled(_) => "try again later, or lower --concurrency",
            CloudError::Expired(_) => {
                "refresh the credentials (e.g. `aws sso login`) and run again"
            }
            CloudError::Other(_) => "see the log file for details (VIGIL_LOG)",
        }
    }
}

impl From<Failure> for CloudError {
    fn from(f: Failure) -> Self {
        match f {
            Failure::AccessDenied(d) => CloudError::AccessDenied(d),
            Failure::Throttled(d) => CloudError::Throttled(d),
            Failure::Expired(d) => CloudError::Expired(d),
            Failure::Unreachable(d) => CloudError::Unreachable(d),
            Failure::Credentials(d) => CloudError::Credentials(d),
            other => {
                let (_, d) = other.unknown_reason();
                CloudError::Other(d)
            }
        }
    }
}

/// Classify an SDK error straight into a [`CloudError`].
pub fn fatal<E>(what: &str, err: SdkError<E, HttpResponse>) -> CloudError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match CloudError::from(classify(&err)) {
        CloudError::Other(d) => CloudError::Other(format!("{what}: {d}")),
        CloudError::AccessDenied(d) => CloudError::AccessDenied(format!("{what}: {d}")),
        e => e,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Unknown;
    use aws_sdk_s3::operation::get_bucket_policy::GetBucketPolicyError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn service_error(status: u16, code: &str) -> SdkError<GetBucketPolicyError, HttpResponse> {
        let meta = ErrorMetadata::builder()
            .code(code)
            .message("from the service")
            .build();
        let status = StatusCode::try_from(status).expect("a valid status");
        SdkError::service_error(
            GetBucketPolicyError::generic(meta),
            HttpResponse::new(status, SdkBody::empty()),
        )
    }

    #[test]
    fn not_configured_codes_are_absent_not_unknown() {
        let f: Facet<()> = facet(Err(service_error(404, "NoSuchBucketPolicy")));
        assert_eq!(f, Facet::Absent);
        let f: Facet<()> = facet(Err(service_error(
            404,
            "ServerSideEncryptionConfigurationNotFoundError",
        )));
        assert_eq!(f, Facet::Absent);
    }

    #[test]
    fn access_denied_is_unknown_never_a_pass() {
        let f: Facet<()> = facet(Err(service_error(403, "AccessDenied")));
        match f {
            Facet::Unknown(u) => assert_eq!(u.reason, UnknownReason::AccessDenied),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn throttling_after_retries_is_unknown_throttled() {
        for (status, code) in [
            (503, "SlowDown"),
            (400, "ThrottlingException"),
            (429, "TooManyRequestsException"),
        ] {
            let f: Facet<()> = facet(Err(service_error(status, code)));
            match f {
                Facet::Unknown(u) => assert_eq!(u.reason, UnknownReason::Throttled, "{code}"),
                other => panic!("{code}: {other:?}"),
            }
        }
    }

    #[test]
    fn unimplemented_and_other_errors_are_unknown_with_the_code() {
        let f: Facet<()> = facet(Err(service_error(501, "NotImplemented")));
        assert!(matches!(
            f,
            Facet::Unknown(Unknown {
                reason: UnknownReason::NotImplemented,
                ..
            })
        ));
        let f: Facet<()> = facet(Err(service_error(500, "InternalError")));
        match f {
            Facet::Unknown(u) => {
                assert_eq!(u.reason, UnknownReason::Other);
                assert!(u.detail.contains("InternalError"), "{}", u.detail);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn expired_token_stops_the_command_with_advice() {
        let e: CloudError = classify(&service_error(400, "ExpiredToken")).into();
        assert!(matches!(e, CloudError::Expired(_)));
        assert!(e.advice().contains("refresh"));
    }
}
