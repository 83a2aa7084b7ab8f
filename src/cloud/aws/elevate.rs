//! `sts:AssumeRole` with MFA, and a new client set that acts as the role.
//! The temporary credentials go straight from the response into
//! `aws_credential_types::Credentials` (zeroed on drop, redacted in
//! `Debug`) inside the new SDK configuration; nothing else keeps them.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;

use super::AwsCloud;
use crate::cloud::error::{Failure, classify};
use crate::cloud::{CloudError, Elevation, ElevationError, ElevationRequest};
use crate::model::text::safe;

pub(super) async fn assume_role(
    cloud: &AwsCloud,
    request: ElevationRequest,
) -> Result<Elevation, ElevationError> {
    let ElevationRequest {
        role_arn,
        mfa_serial,
        code,
        external_id,
        duration_seconds,
        session_name,
        source_identity,
    } = request;
    if !(900..=43_200).contains(&duration_seconds) {
        return Err(ElevationError::BadDuration(duration_seconds));
    }
    let mut call = cloud
        .sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name(&session_name)
        .duration_seconds(duration_seconds)
        .set_serial_number(mfa_serial.clone())
        .set_external_id(external_id)
        .set_source_identity(source_identity);
    if let Some(code) = &code {
        call = call.token_code(code.expose());
    }
    let result = {
        let _permit = cloud.permit().await;
        call.send().await
    };
    // The code is spent whatever the answer: wipe it now.
    drop(code);
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            return Err(match classify(&e) {
                Failure::AccessDenied(d) | Failure::Other(d) => {
                    ElevationError::from_sts(&role_arn, mfa_serial.as_deref(), duration_seconds, d)
                }
                other => ElevationError::Cloud(CloudError::from(other)),
            });
        }
    };
    let assumed_role_arn = out
        .assumed_role_user()
        .map(|u| safe(u.arn()))
        .unwrap_or_default();
    let Some(c) = out.credentials else {
        return Err(ElevationError::Cloud(CloudError::Other(
            "AssumeRole answered without credentials".into(),
        )));
    };
    let expires_at_ms = c.expiration.to_millis().unwrap_or(0);
    let expiry = UNIX_EPOCH + Duration::from_millis(u64::try_from(expires_at_ms).unwrap_or(0));
    let credentials = Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        Some(expiry),
        "vigil-elevation",
    );
    let sdk = cloud
        .sdk
        .to_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build();
    tracing::info!(role = %role_arn, session = %session_name, "elevated");
    Ok(Elevation {
        cloud: Arc::new(AwsCloud::from_sdk(sdk, cloud.options.clone())),
        role_arn,
        assumed_role_arn,
        session_name,
        expires_at_ms,
    })
}
