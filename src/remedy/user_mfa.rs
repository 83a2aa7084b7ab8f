//! `user-require-mfa`: the policy AWS documents for "deny everything without
//! MFA", attached to one user as an inline policy.
//!
//! Source: IAM User Guide, "AWS: Allows MFA-authenticated IAM users to manage
//! their own credentials on the Security credentials page"
//! (reference_policies_examples_aws_my-sec-creds-self-manage). Its
//! `DenyAllExceptListedIfNoMFA` statement denies every action except those
//! needed to set up and use MFA unless `aws:MultiFactorAuthPresent` is true;
//! `BoolIfExists` makes long-term access keys (where the key is absent) count
//! as "no MFA". The Allow statements let the user manage their own
//! credentials and MFA device, so a user without a device can still enrol
//! one. The document is used as AWS publishes it.

use crate::model::change::Change;
use crate::model::iam::User;

/// The inline policy's name on the user.
pub const POLICY_NAME: &str = "vigil-require-mfa";

/// The documented policy, as AWS publishes it.
pub const DOCUMENT: &str = r#"{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowViewAccountInfo",
            "Effect": "Allow",
            "Action": [
                "iam:GetAccountPasswordPolicy",
                "iam:GetAccountSummary",
                "iam:ListVirtualMFADevices"
            ],
            "Resource": "*"
        },
        {
            "Sid": "AllowManageOwnPasswords",
            "Effect": "Allow",
            "Action": [
                "iam:ChangePassword",
                "iam:GetUser"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnAccessKeys",
            "Effect": "Allow",
            "Action": [
                "iam:CreateAccessKey",
                "iam:DeleteAccessKey",
                "iam:ListAccessKeys",
                "iam:UpdateAccessKey"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnSigningCertificates",
            "Effect": "Allow",
            "Action": [
                "iam:DeleteSigningCertificate",
                "iam:ListSigningCertificates",
                "iam:UpdateSigningCertificate",
                "iam:UploadSigningCertificate"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnSSHPublicKeys",
            "Effect": "Allow",
            "Action": [
                "iam:DeleteSSHPublicKey",
                "iam:GetSSHPublicKey",
                "iam:ListSSHPublicKeys",
                "iam:UpdateSSHPublicKey",
                "iam:UploadSSHPublicKey"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnGitCredentials",
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceSpecificCredential",
                "iam:DeleteServiceSpecificCredential",
                "iam:ListServiceSpecificCredentials",
                "iam:ResetServiceSpecificCredential",
                "iam:UpdateServiceSpecificCredential"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnVirtualMFADevice",
            "Effect": "Allow",
            "Action": [
                "iam:CreateVirtualMFADevice",
                "iam:DeleteVirtualMFADevice"
            ],
            "Resource": "arn:aws:iam::*:mfa/${aws:username}"
        },
        {
            "Sid": "AllowManageOwnUserMFA",
            "Effect": "Allow",
            "Action": [
                "iam:DeactivateMFADevice",
                "iam:EnableMFADevice",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice"
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}"
        },
        {
            "Sid": "DenyAllExceptListedIfNoMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:GetUser",
                "iam:ListMFADevices",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice",
                "sts:GetSessionToken"
            ],
            "Resource": "*",
            "Condition": {
                "BoolIfExists": {
                    "aws:MultiFactorAuthPresent": "false"
                }
            }
        }
    ]
}"#;

/// The document for a partition (`aws`, `aws-cn`, `aws-us-gov`).
pub fn document(partition: &str) -> String {
    DOCUMENT.replace("arn:aws:", &format!("arn:{partition}:"))
}

/// The change that attaches it to `user`, and the state it replaces.
pub fn changes(user: &User, partition: &str) -> (Change, Change) {
    let before = Change::UserInlinePolicy {
        user: user.name.clone(),
        name: POLICY_NAME.into(),
        document: user
            .inline_policies
            .iter()
            .find(|p| p.name == POLICY_NAME)
            .map(|p| p.document.clone()),
    };
    let after = Change::UserInlinePolicy {
        user: user.name.clone(),
        name: POLICY_NAME.into(),
        document: Some(document(partition)),
    };
    (before, after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Context, Decision, Policy, Request, RequestPrincipal, evaluate};

    fn request(action: &str, mfa: Option<bool>) -> Request {
        let mut context = Context::default();
        if let Some(m) = mfa {
            context.insert("aws:MultiFactorAuthPresent", m.to_string());
        }
        context.insert("aws:username", "bob");
        Request {
            principal: RequestPrincipal::aws("arn:aws:iam::111122223333:user/bob"),
            action: action.into(),
            resource: "arn:aws:s3:::some-bucket".into(),
            context,
        }
    }

    #[test]
    fn deny_all_except_listed_if_no_mfa_denies_without_mfa_and_with_long_term_keys() {
        let mfa = Policy::parse(&document("aws")).unwrap();
        let admin = Policy::parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        )
        .unwrap();
        let decide =
            |action: &str, m: Option<bool>| evaluate(&[&admin, &mfa], &request(action, m)).decision;
        // long-term access key: the key is absent, BoolIfExists denies
        assert_eq!(decide("s3:GetObject", None), Decision::ExplicitDeny);
        assert_eq!(decide("s3:GetObject", Some(false)), Decision::ExplicitDeny);
        // signed in with MFA: the admin policy applies again
        assert_eq!(decide("s3:GetObject", Some(true)), Decision::Allow);
        // enrolling a device stays possible without MFA
        assert_eq!(decide("iam:EnableMFADevice", None), Decision::Allow);
        assert_eq!(decide("sts:GetSessionToken", Some(false)), Decision::Allow);
    }
}
