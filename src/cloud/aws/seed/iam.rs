//! The lab's IAM: policies, groups, users (passwords, keys, MFA devices),
//! roles and the account alias.

use super::*;

pub(super) async fn seed_iam(
    cloud: &AwsCloud,
    lab: &Lab,
    report: &mut SeedReport,
) -> Result<(), SeedError> {
    let iam = cloud.iam();
    if let Some(alias) = &lab.account_alias {
        let existing = iam
            .list_account_aliases()
            .send()
            .await
            .map_err(|e| err("ListAccountAliases", e))?;
        if !existing.account_aliases().iter().any(|a| a == alias) {
            iam.create_account_alias()
                .account_alias(alias)
                .send()
                .await
                .map_err(|e| err(format!("CreateAccountAlias {alias}"), e))?;
        }
    }
    if let Some(p) = &lab.iam.password_policy {
        iam.update_account_password_policy()
            .minimum_password_length(p.minimum_length)
            .require_symbols(p.require_symbols)
            .require_numbers(p.require_numbers)
            .require_uppercase_characters(p.require_uppercase)
            .require_lowercase_characters(p.require_lowercase)
            .set_max_password_age(p.max_age_days)
            .set_password_reuse_prevention(p.reuse_prevention)
            .send()
            .await
            .map_err(|e| err("UpdateAccountPasswordPolicy", e))?;
    }
    for p in &lab.iam.policies {
        let r = iam
            .create_policy()
            .policy_name(&p.name)
            .policy_document(lab.expand(&p.document))
            .send()
            .await;
        if let Err(e) = r
            && !already_exists(&e)
        {
            return Err(err(format!("CreatePolicy {}", p.name), e));
        }
    }
    for g in &lab.iam.groups {
        if let Err(e) = iam.create_group().group_name(&g.name).send().await
            && !already_exists(&e)
        {
            return Err(err(format!("CreateGroup {}", g.name), e));
        }
        for a in &g.attached {
            iam.attach_group_policy()
                .group_name(&g.name)
                .policy_arn(lab.policy_arn(a))
                .send()
                .await
                .map_err(|e| err(format!("AttachGroupPolicy {}", g.name), e))?;
        }
        for p in &g.inline {
            iam.put_group_policy()
                .group_name(&g.name)
                .policy_name(&p.name)
                .policy_document(lab.expand(&p.document))
                .send()
                .await
                .map_err(|e| err(format!("PutGroupPolicy {}", g.name), e))?;
        }
    }
    for u in &lab.iam.users {
        let name = u.name.as_str();
        let mut create = iam.create_user().user_name(name);
        for (k, v) in &u.tags {
            create = create.tags(
                aws_sdk_iam::types::Tag::builder()
                    .key(k)
                    .value(v)
                    .build()
                    .map_err(|e| SeedError {
                        step: format!("tags {name}"),
                        detail: e.to_string(),
                    })?,
            );
        }
        if let Err(e) = create.send().await
            && !already_exists(&e)
        {
            return Err(err(format!("CreateUser {name}"), e));
        }
        for g in &u.groups {
            iam.add_user_to_group()
                .user_name(name)
                .group_name(g)
                .send()
                .await
                .map_err(|e| err(format!("AddUserToGroup {name}"), e))?;
        }
        for a in &u.attached {
            iam.attach_user_policy()
                .user_name(name)
                .policy_arn(lab.policy_arn(a))
                .send()
                .await
                .map_err(|e| err(format!("AttachUserPolicy {name}"), e))?;
        }
        for p in &u.inline {
            iam.put_user_policy()
                .user_name(name)
                .policy_name(&p.name)
                .policy_document(lab.expand(&p.document))
                .send()
                .await
                .map_err(|e| err(format!("PutUserPolicy {name}"), e))?;
        }
        if u.console_password {
            // A throwaway password for a lab user; it is never printed.
            let password = format!("Lab-{}-{}!x9", name, lab.account_id);
            if let Err(e) = iam
                .create_login_profile()
                .user_name(name)
                .password(password)
                .send()
                .await
                && !already_exists(&e)
            {
                return Err(err(format!("CreateLoginProfile {name}"), e));
            }
        }
        if u.mfa {
            let devices = iam
                .list_mfa_devices()
                .user_name(name)
                .send()
                .await
                .map_err(|e| err(format!("ListMFADevices {name}"), e))?;
            if devices.mfa_devices().is_empty() {
                let device = iam
                    .create_virtual_mfa_device()
                    .virtual_mfa_device_name(name)
                    .send()
                    .await
                    .map_err(|e| err(format!("CreateVirtualMFADevice {name}"), e))?;
                let serial = device
                    .virtual_mfa_device()
                    .map(|d| d.serial_number().to_string())
                    .unwrap_or_default();
                iam.enable_mfa_device()
                    .user_name(name)
                    .serial_number(serial)
                    .authentication_code1("123456")
                    .authentication_code2("654321")
                    .send()
                    .await
                    .map_err(|e| err(format!("EnableMFADevice {name}"), e))?;
            }
        }
        let existing = iam
            .list_access_keys()
            .user_name(name)
            .send()
            .await
            .map_err(|e| err(format!("ListAccessKeys {name}"), e))?;
        let have = existing.access_key_metadata().len();
        for (i, k) in u.access_keys.iter().enumerate() {
            let id = if i < have {
                existing.access_key_metadata()[i]
                    .access_key_id()
                    .unwrap_or_default()
                    .to_string()
            } else {
                // The secret in the answer is dropped unread.
                iam.create_access_key()
                    .user_name(name)
                    .send()
                    .await
                    .map_err(|e| err(format!("CreateAccessKey {name}"), e))?
                    .access_key()
                    .map(|a| a.access_key_id().to_string())
                    .unwrap_or_default()
            };
            iam.update_access_key()
                .user_name(name)
                .access_key_id(id)
                .status(aws_sdk_iam::types::StatusType::from(k.status.as_str()))
                .send()
                .await
                .map_err(|e| err(format!("UpdateAccessKey {name}"), e))?;
        }
        report.users += 1;
    }
    for r in &lab.iam.roles {
        let name = r.name.as_str();
        let trust = lab.expand(&r.trust_policy);
        match iam
            .create_role()
            .role_name(name)
            .assume_role_policy_document(&trust)
            .send()
            .await
        {
            Ok(_) => {}
            Err(e) if already_exists(&e) => {
                iam.update_assume_role_policy()
                    .role_name(name)
                    .policy_document(&trust)
                    .send()
                    .await
                    .map_err(|e| err(format!("UpdateAssumeRolePolicy {name}"), e))?;
            }
            Err(e) => return Err(err(format!("CreateRole {name}"), e)),
        }
        for a in &r.attached {
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(lab.policy_arn(a))
                .send()
                .await
                .map_err(|e| err(format!("AttachRolePolicy {name}"), e))?;
        }
        for p in &r.inline {
            iam.put_role_policy()
                .role_name(name)
                .policy_name(&p.name)
                .policy_document(lab.expand(&p.document))
                .send()
                .await
                .map_err(|e| err(format!("PutRolePolicy {name}"), e))?;
        }
        report.roles += 1;
    }
    Ok(())
}
