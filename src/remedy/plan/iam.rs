//! The IAM remediations' plans: deactivating an access key, requiring MFA
//! of a user.

use super::*;

pub(super) fn iam<'a>(current: &Current<'a>) -> Result<&'a IamInventory, RemedyError> {
    current.iam.ok_or_else(|| RemedyError::Unreadable {
        what: "IAM".into(),
        why: "it was not read".into(),
    })
}

pub(super) fn access_key(
    p: &mut Plan,
    inputs: &Inputs,
    current: &Current<'_>,
) -> Result<(), RemedyError> {
    let key_id = need(&inputs.access_key, Need::AccessKey, &p.remediation)?.to_string();
    let iam = iam(current)?;
    let mut owner = None;
    for u in &iam.users {
        if inputs.user.as_deref().is_some_and(|n| n != u.name) {
            continue;
        }
        let keys = read(&u.access_keys, &format!("access keys of {}", u.name))?;
        if let Some(k) = keys.into_iter().flatten().find(|k| k.id == key_id) {
            owner = Some((u, k));
            break;
        }
    }
    let Some((user, key)) = owner else {
        return Err(RemedyError::BadInput(match &inputs.user {
            Some(u) => format!("user {u} has no access key {key_id}"),
            None => format!("no user has the access key {key_id}"),
        }));
    };
    p.resource = user.arn.clone();
    if key.status == "Inactive" {
        p.nothing_to_do = Some(format!(
            "the access key {key_id} of {} is already inactive",
            user.name
        ));
        return Ok(());
    }
    p.warnings.push(format!(
        "every program that signs with {key_id} gets InvalidClientTokenId from now on; the key is kept (not deleted) and undo re-activates it"
    ));
    step(
        p,
        Change::AccessKeyStatus {
            user: user.name.clone(),
            key_id: key_id.clone(),
            status: key.status.clone(),
        },
        Change::AccessKeyStatus {
            user: user.name.clone(),
            key_id,
            status: "Inactive".into(),
        },
    );
    Ok(())
}

pub(super) fn user_mfa_plan(
    p: &mut Plan,
    inputs: &Inputs,
    current: &Current<'_>,
) -> Result<(), RemedyError> {
    let name = need(&inputs.user, Need::User, &p.remediation)?;
    let user = iam(current)?
        .users
        .iter()
        .find(|u| u.name == name)
        .ok_or_else(|| RemedyError::BadInput(format!("no IAM user named {name}")))?;
    p.resource = user.arn.clone();
    let (before, after) = user_mfa::changes(user, current.partition);
    if let Change::UserInlinePolicy {
        document: Some(_), ..
    } = &before
        && !state::same(&before, &after)
    {
        p.warnings.push(format!(
            "{name} already has an inline policy named {}; it is replaced (undo puts it back)",
            user_mfa::POLICY_NAME
        ));
    }
    let devices = read(&user.mfa_devices, &format!("MFA devices of {name}"))?;
    if devices.is_none_or(|d| d.is_empty()) {
        p.warnings.push(format!(
            "{name} has no MFA device: until they enrol one, they can do nothing but set up MFA and change their password"
        ));
    }
    p.warnings.push(
        "access keys without an MFA session (sts:GetSessionToken with a code) are denied everything else from now on".into(),
    );
    p.warnings.push(format!(
        "the policy is inline on {name}, so iam-user-attached-policy (CIS 1.15) will report it; to keep users' permissions in groups, attach the same document to their group instead"
    ));
    step(p, before, after);
    Ok(())
}
