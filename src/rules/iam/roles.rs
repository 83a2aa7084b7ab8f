//! Role trust policies: who may assume each role, and whether it truly needs
//! MFA (the `BoolIfExists` trap; IAM User Guide, "AWS global condition
//! context keys" → `aws:MultiFactorAuthPresent`).

use super::{each, unknown};
use crate::model::finding::Evidence;
use crate::policy::principals::{Fact, PrincipalKind, PrincipalReport, RoleTrust};
use crate::rules::{AccountContext, Verdict};

fn trust(r: &PrincipalReport) -> Option<Result<&RoleTrust, String>> {
    match r.trust.as_ref()? {
        Fact::Known(t) => Some(Ok(t)),
        Fact::Unknown(why) => Some(Err(why.clone())),
    }
}

/// Roles that IAM principals assume (people, scripts), where MFA matters.
/// Roles only AWS services or federated identity providers assume, and
/// third-party roles whose every grant needs `sts:ExternalId`, get no finding:
/// those callers never present MFA to STS.
pub(super) fn mfa_not_required(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::Role], |r| {
        Some(match trust(r)? {
            Err(why) => unknown(why),
            Ok(t) if !t.assumed_by_iam_principals => return None,
            Ok(t) => match &t.iam_principal_mfa_bypass {
                None => Verdict::pass(
                    "every sts:AssumeRole request without MFA is refused",
                    vec![Evidence::at(
                        "trust policy requires MFA",
                        "AssumeRolePolicyDocument",
                    )],
                ),
                Some(bypass) => Verdict::fail(
                    format!("assumed without MFA: {bypass}"),
                    vec![Evidence::at(bypass.clone(), "AssumeRolePolicyDocument")],
                ),
            },
        })
    })
}

/// A role another account may assume should demand the `sts:ExternalId` its
/// owner agreed with that account (IAM User Guide, "Access to AWS accounts
/// owned by third parties": the confused deputy problem).
pub(super) fn external_without_external_id(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::Role], |r| {
        Some(match trust(r)? {
            Err(why) => unknown(why),
            Ok(t) if t.analysis.external_without_external_id.is_empty() => Verdict::pass(
                if t.analysis.external_accounts.is_empty() {
                    "no other account may assume the role".to_string()
                } else {
                    format!(
                        "accounts {} must present an sts:ExternalId",
                        t.analysis.external_accounts.join(", ")
                    )
                },
                Vec::new(),
            ),
            Ok(t) => Verdict::fail(
                format!(
                    "account{} {} may assume the role without an sts:ExternalId",
                    if t.analysis.external_without_external_id.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    t.analysis.external_without_external_id.join(", ")
                ),
                t.analysis
                    .reasons
                    .iter()
                    .filter(|x| x.contains("without an sts:ExternalId"))
                    .map(|x| Evidence::at(x.clone(), "AssumeRolePolicyDocument"))
                    .collect(),
            ),
        })
    })
}

pub(super) fn trust_public(ctx: &AccountContext<'_>) -> Vec<(String, Verdict)> {
    each(ctx, &[PrincipalKind::Role], |r| {
        Some(match trust(r)? {
            Err(why) => unknown(why),
            Ok(t) if t.analysis.public => Verdict::fail(
                "any AWS principal, in any account, may assume the role",
                t.analysis
                    .reasons
                    .iter()
                    .filter(|x| x.contains("any AWS principal"))
                    .map(|x| Evidence::at(x.clone(), "AssumeRolePolicyDocument"))
                    .collect(),
            ),
            Ok(_) => Verdict::pass("the role does not trust everyone", Vec::new()),
        })
    })
}
