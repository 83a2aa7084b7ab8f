//! Who in the account can reach one bucket: read its objects, write them, or
//! change its policy or ACL — from the principals' identity policies and the
//! bucket policy together (ACLs are not part of this view).
//!
//! Within one account (IAM User Guide, "Policy evaluation logic" →
//! "Evaluating identity-based policies with resource-based policies"): an
//! Allow in either the identity policies or the bucket policy suffices, and
//! an explicit Deny in either wins. Permissions boundaries ("Permissions
//! boundaries for IAM entities" → "Evaluating effective permissions with
//! boundaries"): they limit what identity policies grant; an implicit deny in
//! a boundary does *not* limit what a resource-based policy grants to an IAM
//! user, but *does* limit what it grants to an IAM role's ARN (only a grant to
//! the session principal escapes it). A bucket policy naming the account
//! (`arn:aws:iam::ACCOUNT:root`) "delegates authority to the account" ("AWS
//! JSON policy elements: Principal" → "AWS account principals"): it grants no
//! one by itself, the identity policy must still allow.
//!
//! Conditions: a condition on a key the principal determines
//! (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
//! `aws:username`, `aws:PrincipalTag/…`) is evaluated; any other key
//! (network, TLS, time, MFA, `aws:userid`, …) is taken as one the caller can
//! meet in an Allow and avoid in a Deny, and is named in the grant, so a
//! grant with conditions reads "allowed if …". A Deny blocks an action only
//! when it covers every object (or the bucket) and holds on principal keys
//! alone.

mod matching;

use serde::Serialize;

use self::matching::{BucketArns, ResourceTarget, Scope, StatementMatch, statement_match};
use super::condition::Context;
use super::document::{Effect, Policy, PrincipalBlock, Statement};
use super::eval::{RequestPrincipal, action_matches, principal_matches, principals_contain};
use super::principals::{Fact, IamAnalysis, Identity, PolicyOrigin, PrincipalKind};
use crate::model::Facet;
use crate::model::s3::Bucket;
use crate::model::text::safe;

/// What a principal can do to the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Capability {
    /// Read objects or list them.
    Read,
    /// Put or delete objects.
    Write,
    /// Change the bucket policy or an ACL (and so hand out more access).
    ChangePermissions,
}

/// The actions that stand for each capability, and what they act on.
const ACTIONS: [(Capability, &str, ResourceTarget); 10] = [
    (Capability::Read, "s3:GetObject", ResourceTarget::Object),
    (
        Capability::Read,
        "s3:GetObjectVersion",
        ResourceTarget::Object,
    ),
    (Capability::Read, "s3:ListBucket", ResourceTarget::Bucket),
    (Capability::Write, "s3:PutObject", ResourceTarget::Object),
    (Capability::Write, "s3:DeleteObject", ResourceTarget::Object),
    (
        Capability::Write,
        "s3:DeleteObjectVersion",
        ResourceTarget::Object,
    ),
    (
        Capability::ChangePermissions,
        "s3:PutBucketPolicy",
        ResourceTarget::Bucket,
    ),
    (
        Capability::ChangePermissions,
        "s3:DeleteBucketPolicy",
        ResourceTarget::Bucket,
    ),
    (
        Capability::ChangePermissions,
        "s3:PutBucketAcl",
        ResourceTarget::Bucket,
    ),
    (
        Capability::ChangePermissions,
        "s3:PutObjectAcl",
        ResourceTarget::Object,
    ),
];

/// Which policy a grant comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantSource {
    /// One of the principal's identity policies.
    IdentityPolicy,
    /// The bucket policy.
    BucketPolicy,
    /// The root user holds every permission.
    RootUser,
}

/// One statement that lets the principal perform an action on the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachGrant {
    /// Identity policy, bucket policy or root.
    pub source: GrantSource,
    /// The identity policy and how the principal holds it.
    pub origin: Option<PolicyOrigin>,
    /// The statement's JSON path.
    pub statement: Option<String>,
    /// Its `Sid`, made safe for a terminal.
    pub sid: Option<String>,
    /// In words: ``identity: group `developers` → policy `X`, Statement[0]``
    /// or `bucket policy Statement[1] (Sid "PartnerRead")`.
    pub summary: String,
    /// Condition keys the caller must meet (empty: unconditional).
    pub conditions: Vec<String>,
}

/// One action the principal may perform, and the grants that allow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionReach {
    /// The action, e.g. `s3:GetObject`.
    pub action: String,
    /// Every statement that allows it.
    pub allowed_by: Vec<ReachGrant>,
}

/// One principal that can reach the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalReach {
    /// Root, user or role.
    pub kind: PrincipalKind,
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// The capabilities it has, each with the actions that give it.
    pub capabilities: Vec<CapabilityReach>,
}

/// One capability and the actions that give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapabilityReach {
    /// Read, write or change permissions.
    pub capability: Capability,
    /// The allowed actions of that capability.
    pub actions: Vec<ActionReach>,
}

impl PrincipalReach {
    /// Whether it has `c`.
    pub fn can(&self, c: Capability) -> bool {
        self.capabilities.iter().any(|x| x.capability == c)
    }
}

/// A principal whose reach could not be decided, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnknownReach {
    /// Root, user or role.
    pub kind: PrincipalKind,
    /// Its name.
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Why.
    pub reason: String,
}

/// Who in the account can reach one bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BucketReach {
    /// The bucket's name.
    pub bucket: String,
    /// The bucket policy: `Known(true)` present and parsed, `Known(false)`
    /// none, `Unknown` unreadable or malformed (then a deny it may hold is
    /// not seen, and the grants below are "unless the bucket policy denies").
    pub bucket_policy: Fact<bool>,
    /// The principals with some access, in report order (root, users, roles).
    pub principals: Vec<PrincipalReach>,
    /// Principals whose identity policies could not all be read.
    pub unknown: Vec<UnknownReach>,
    /// What this view leaves out.
    pub notes: Vec<String>,
}

impl BucketReach {
    /// The principals with capability `c`.
    pub fn with(&self, c: Capability) -> impl Iterator<Item = &PrincipalReach> {
        self.principals.iter().filter(move |p| p.can(c))
    }
}

/// What `who` determines about a request, as condition keys.
fn principal_context(
    kind: PrincipalKind,
    name: &str,
    arn: &str,
    account: &str,
    tags: &[(String, String)],
) -> Context {
    let mut ctx = Context::new();
    ctx.insert("aws:PrincipalArn", arn);
    ctx.insert("aws:PrincipalAccount", account);
    ctx.insert(
        "aws:PrincipalType",
        match kind {
            PrincipalKind::Root => "Account",
            PrincipalKind::User => "User",
            _ => "AssumedRole",
        },
    );
    if kind == PrincipalKind::User {
        ctx.insert("aws:username", name);
    }
    for (k, v) in tags {
        ctx.insert(&format!("aws:PrincipalTag/{k}"), v.clone());
    }
    ctx
}

/// The caller the bucket policy sees: the user, the root user, or a session
/// of the role (a role's requests are made by its sessions).
fn request_principal(
    kind: PrincipalKind,
    name: &str,
    arn: &str,
    account: &str,
) -> RequestPrincipal {
    match kind {
        PrincipalKind::Role => RequestPrincipal::aws(&format!(
            "arn:aws:sts::{account}:assumed-role/{name}/vigil-reach"
        )),
        _ => RequestPrincipal::aws(arn),
    }
}

/// How a bucket-policy Allow names the caller.
enum Named {
    /// Not at all.
    No,
    /// Only through its account: delegation, not a grant.
    ViaAccount,
    /// By its own ARN (a user's, or a role's: bounded by the boundary).
    ByArn,
    /// As everyone (`*`, or an Allow with `NotPrincipal`).
    Everyone,
}

fn named_in(st: &Statement, who: &RequestPrincipal, own_arn: &str, account: &str) -> Named {
    match &st.principal {
        None => Named::No,
        Some(PrincipalBlock::NotPrincipal(p)) => {
            if principals_contain(p, who) {
                Named::No
            } else {
                Named::Everyone
            }
        }
        Some(PrincipalBlock::Principal(p)) => {
            if p.is_everyone() {
                return Named::Everyone;
            }
            let root = format!("arn:aws:iam::{account}:root");
            let by_arn = p.aws.iter().any(|e| {
                e != &root
                    && (super::wildcard::matches(e, own_arn)
                        || super::wildcard::matches(e, &who.arn)
                        || super::arn::role(e)
                            .is_some_and(|r| super::arn::assumed_role(&who.arn) == Some(r)))
            });
            if by_arn {
                Named::ByArn
            } else if principals_contain(p, who) {
                Named::ViaAccount
            } else {
                Named::No
            }
        }
    }
}

fn sid_of(st: &Statement) -> Option<String> {
    st.sid.as_deref().filter(|s| !s.is_empty()).map(safe)
}

fn describe(path: &str, sid: &Option<String>) -> String {
    match sid {
        Some(s) => format!("{path} (Sid {s:?})"),
        None => path.to_string(),
    }
}

/// The allowing statements of `policies` for one action, with the
/// conditions the caller must meet.
fn allows<'p>(
    policies: impl Iterator<Item = (usize, &'p Policy)>,
    action: &str,
    target: &Scope<'_>,
    ctx: &Context,
) -> Vec<(usize, &'p Statement, Vec<String>)> {
    let mut out = Vec::new();
    for (i, p) in policies {
        for st in p.statements.iter().filter(|s| s.effect == Effect::Allow) {
            if !action_matches(&st.action, action) {
                continue;
            }
            if let StatementMatch::Applies { caller_keys } =
                statement_match(st, target, ctx, Effect::Allow)
            {
                out.push((i, st, caller_keys));
            }
        }
    }
    out
}

/// What the Denies among `policies` do to this caller's action: `Err` when
/// one blocks it; otherwise the Denies it must avoid (their conditions on
/// keys the caller controls), in words.
fn denies<'p>(
    policies: impl Iterator<Item = (&'static str, &'p Policy)>,
    action: &str,
    target: &Scope<'_>,
    ctx: &Context,
    who: Option<&RequestPrincipal>,
) -> Result<Vec<String>, ()> {
    let mut avoid = Vec::new();
    for (what, p) in policies {
        for st in p.statements.iter().filter(|s| s.effect == Effect::Deny) {
            if !action_matches(&st.action, action)
                || !who.is_none_or(|w| principal_matches(st.principal.as_ref(), w))
            {
                continue;
            }
            match statement_match(st, target, ctx, Effect::Deny) {
                StatementMatch::Applies { .. } => return Err(()),
                StatementMatch::Avoidable { caller_keys } => avoid.push(format!(
                    "not denied by {what} {} (on {})",
                    describe(&st.path, &sid_of(st)),
                    caller_keys.join(", ")
                )),
                StatementMatch::No => {}
            }
        }
    }
    Ok(avoid)
}

impl IamAnalysis<'_> {
    /// Who in the account can read, write or change the permissions of
    /// `bucket`, from identity policies and the bucket policy together.
    pub fn bucket_reach(&self, bucket: &Bucket) -> BucketReach {
        let account = self.account_id;
        let mut notes = vec![
            "ACL grants are not part of this view; Organizations SCPs and RCPs, session policies \
             and VPC endpoint policies are not read, and can only take access away"
                .to_string(),
        ];
        let (policy, bucket_policy) = match &bucket.policy {
            Facet::Present(text) => match Policy::parse(text) {
                Ok(p) => (Some(p), Fact::Known(true)),
                Err(e) => (
                    None,
                    Fact::Unknown(format!("the bucket policy does not parse: {e}")),
                ),
            },
            Facet::Absent => (None, Fact::Known(false)),
            Facet::Unknown(u) => (None, Fact::Unknown(format!("bucket policy unknown: {u}"))),
        };
        if let Fact::Unknown(why) = &bucket_policy {
            notes.push(format!(
                "{why}: the grants below hold unless the bucket policy denies them, and grants it \
                 may make are missing"
            ));
        }
        let arns = BucketArns::new(&bucket.name);
        let mut principals = Vec::new();
        let mut unknown = Vec::new();
        for e in &self.entries {
            if e.kind == PrincipalKind::Group {
                continue; // groups make no requests; their members are users
            }
            let tags: Vec<(String, String)> = match e.kind {
                PrincipalKind::User => self.iam.users[e.index]
                    .tags
                    .iter()
                    .map(|t| (t.key.clone(), t.value.clone()))
                    .collect(),
                PrincipalKind::Role => self.iam.roles[e.index]
                    .tags
                    .iter()
                    .map(|t| (t.key.clone(), t.value.clone()))
                    .collect(),
                _ => Vec::new(),
            };
            let ctx = principal_context(e.kind, &e.name, &e.arn, account, &tags);
            let who = request_principal(e.kind, &e.name, &e.arn, account);
            let identity = if e.kind == PrincipalKind::Root {
                None
            } else {
                match self.identity(e) {
                    Ok(id) => Some(id),
                    Err(why) => {
                        unknown.push(UnknownReach {
                            kind: e.kind,
                            name: e.name.clone(),
                            arn: e.arn.clone(),
                            reason: why,
                        });
                        continue;
                    }
                }
            };
            let mut capabilities: Vec<CapabilityReach> = Vec::new();
            for (capability, action, target) in ACTIONS {
                let scope = Scope {
                    arns: &arns,
                    target,
                };
                // Any explicit Deny wins: identity policies, the boundary, the bucket policy.
                let identity_policies = identity.iter().flat_map(|id| {
                    id.named
                        .iter()
                        .map(|n| ("identity policy", n.policy))
                        .chain(id.boundary.map(|b| ("the permissions boundary", b)))
                });
                let Ok(mut avoid) = denies(identity_policies, action, &scope, &ctx, None) else {
                    continue;
                };
                match policy.as_ref().map(|p| {
                    denies(
                        std::iter::once(("bucket policy", p)),
                        action,
                        &scope,
                        &ctx,
                        Some(&who),
                    )
                }) {
                    Some(Err(())) => continue,
                    Some(Ok(more)) => avoid.extend(more),
                    None => {}
                }
                let boundary_allows = |id: &Identity<'_>| match id.boundary {
                    None => true,
                    Some(b) => !allows(std::iter::once((0, b)), action, &scope, &ctx).is_empty(),
                };
                let mut grants = Vec::new();
                match &identity {
                    None => grants.push(ReachGrant {
                        source: GrantSource::RootUser,
                        origin: None,
                        statement: None,
                        sid: None,
                        summary: "root user: every permission".into(),
                        conditions: Vec::new(),
                    }),
                    Some(id) => {
                        if boundary_allows(id) {
                            for (i, st, conditions) in allows(
                                id.named.iter().map(|n| n.policy).enumerate(),
                                action,
                                &scope,
                                &ctx,
                            ) {
                                let origin = id.origins[i].clone();
                                let sid = sid_of(st);
                                grants.push(ReachGrant {
                                    source: GrantSource::IdentityPolicy,
                                    summary: format!(
                                        "identity: {}, {}",
                                        origin.describe(),
                                        describe(&st.path, &sid)
                                    ),
                                    origin: Some(origin),
                                    statement: Some(st.path.clone()),
                                    sid,
                                    conditions,
                                });
                            }
                        }
                    }
                }
                if let Some(p) = &policy {
                    for (_, st, conditions) in allows(std::iter::once((0, p)), action, &scope, &ctx)
                    {
                        let counts = match named_in(st, &who, &e.arn, account) {
                            Named::No | Named::ViaAccount => false,
                            Named::Everyone => true,
                            // A grant to a role's ARN is bounded by its boundary.
                            Named::ByArn => {
                                e.kind != PrincipalKind::Role
                                    || identity.as_ref().is_none_or(boundary_allows)
                            }
                        };
                        if counts && e.kind != PrincipalKind::Root {
                            let sid = sid_of(st);
                            grants.push(ReachGrant {
                                source: GrantSource::BucketPolicy,
                                origin: None,
                                summary: format!("bucket policy {}", describe(&st.path, &sid)),
                                statement: Some(st.path.clone()),
                                sid,
                                conditions,
                            });
                        }
                    }
                }
                if grants.is_empty() {
                    continue;
                }
                for g in &mut grants {
                    g.conditions.extend(avoid.iter().cloned());
                }
                let reach = ActionReach {
                    action: action.to_string(),
                    allowed_by: grants,
                };
                match capabilities.iter_mut().find(|c| c.capability == capability) {
                    Some(c) => c.actions.push(reach),
                    None => capabilities.push(CapabilityReach {
                        capability,
                        actions: vec![reach],
                    }),
                }
            }
            if !capabilities.is_empty() {
                principals.push(PrincipalReach {
                    kind: e.kind,
                    name: e.name.clone(),
                    arn: e.arn.clone(),
                    capabilities,
                });
            }
        }
        BucketReach {
            bucket: bucket.name.clone(),
            bucket_policy,
            principals,
            unknown,
            notes,
        }
    }
}

/// [`IamAnalysis::bucket_reach`] for one bucket without keeping the analysis.
pub fn bucket_reach(
    iam: &crate::model::iam::IamInventory,
    account_id: &str,
    bucket: &Bucket,
) -> BucketReach {
    IamAnalysis::new(iam, account_id).bucket_reach(bucket)
}

#[cfg(test)]
mod tests;
