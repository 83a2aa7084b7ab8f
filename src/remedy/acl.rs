//! ACL remediations: removing public grants, and disabling ACLs.
//!
//! S3 User Guide, "Controlling ownership of objects and disabling ACLs":
//! with `BucketOwnerEnforced` "ACLs no longer affect permissions", and S3
//! refuses the setting (`InvalidBucketAclWithObjectOwnership`) while the
//! bucket ACL grants access to anyone but the owner ("Prerequisites for
//! disabling ACLs"). So disabling ACLs first reduces the bucket ACL to the
//! owner's grants, and says which grants stop working.

use crate::model::s3::{
    ALL_USERS_URI, AUTHENTICATED_USERS_URI, Acl, AclGrant, Grantee, LOG_DELIVERY_URI,
};

/// Whether a grant is to AllUsers or AuthenticatedUsers.
pub fn is_public_grant(g: &AclGrant) -> bool {
    matches!(&g.grantee, Grantee::Group { uri }
        if uri.trim() == ALL_USERS_URI || uri.trim() == AUTHENTICATED_USERS_URI)
}

/// Whether a grant is to the bucket owner itself.
pub fn is_owner_grant(acl: &Acl, g: &AclGrant) -> bool {
    matches!(&g.grantee, Grantee::CanonicalUser { id, .. } if *id == acl.owner_id)
}

/// A grant in words, for warnings.
pub fn describe(g: &AclGrant) -> String {
    let who = match &g.grantee {
        Grantee::Group { uri } if uri.trim() == ALL_USERS_URI => "AllUsers (anyone)".to_string(),
        Grantee::Group { uri } if uri.trim() == AUTHENTICATED_USERS_URI => {
            "AuthenticatedUsers (any AWS account)".to_string()
        }
        Grantee::Group { uri } if uri.trim() == LOG_DELIVERY_URI => {
            "the S3 log delivery group".to_string()
        }
        Grantee::Group { uri } => format!("group {uri}"),
        Grantee::CanonicalUser { id, .. } => format!("canonical user {id}"),
        Grantee::AmazonCustomerByEmail { email } => format!("account of {email}"),
    };
    format!("{} to {who}", g.permission)
}

/// The ACL without its public grants, and the grants removed.
pub fn without_public_grants(acl: &Acl) -> (Acl, Vec<AclGrant>) {
    let (removed, kept): (Vec<AclGrant>, Vec<AclGrant>) =
        acl.grants.iter().cloned().partition(is_public_grant);
    (
        Acl {
            owner_id: acl.owner_id.clone(),
            grants: kept,
        },
        removed,
    )
}

/// The ACL reduced to the owner's grants (what `BucketOwnerEnforced`
/// accepts), and the grants removed. An owner without any grant gets
/// `FULL_CONTROL`, as S3's own default ACL has.
pub fn owner_only(acl: &Acl) -> (Acl, Vec<AclGrant>) {
    let (kept, removed): (Vec<AclGrant>, Vec<AclGrant>) = acl
        .grants
        .iter()
        .cloned()
        .partition(|g| is_owner_grant(acl, g));
    let grants = if kept.is_empty() {
        vec![AclGrant {
            grantee: Grantee::CanonicalUser {
                id: acl.owner_id.clone(),
                display_name: None,
            },
            permission: "FULL_CONTROL".into(),
        }]
    } else {
        kept
    };
    (
        Acl {
            owner_id: acl.owner_id.clone(),
            grants,
        },
        removed,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acl() -> Acl {
        Acl {
            owner_id: "owner".into(),
            grants: vec![
                AclGrant {
                    grantee: Grantee::CanonicalUser {
                        id: "owner".into(),
                        display_name: None,
                    },
                    permission: "FULL_CONTROL".into(),
                },
                AclGrant {
                    grantee: Grantee::Group {
                        uri: ALL_USERS_URI.into(),
                    },
                    permission: "READ".into(),
                },
                AclGrant {
                    grantee: Grantee::Group {
                        uri: LOG_DELIVERY_URI.into(),
                    },
                    permission: "WRITE".into(),
                },
                AclGrant {
                    grantee: Grantee::CanonicalUser {
                        id: "partner".into(),
                        display_name: None,
                    },
                    permission: "READ".into(),
                },
            ],
        }
    }

    #[test]
    fn only_allusers_and_authenticatedusers_grants_are_removed() {
        let (kept, removed) = without_public_grants(&acl());
        assert_eq!(removed.len(), 1);
        assert_eq!(kept.grants.len(), 3);
        assert!(kept.grants.iter().all(|g| !is_public_grant(g)));
        let (_, none) = without_public_grants(&kept);
        assert!(none.is_empty());
    }

    #[test]
    fn owner_only_keeps_the_owner_and_names_the_rest() {
        let (kept, removed) = owner_only(&acl());
        assert_eq!(kept.grants.len(), 1);
        assert_eq!(removed.len(), 3);
        let words: Vec<String> = removed.iter().map(describe).collect();
        assert!(
            words.iter().any(|w| w.contains("log delivery")),
            "{words:?}"
        );
        assert!(words.iter().any(|w| w.contains("partner")), "{words:?}");
    }
}
