//! The principal report: what the console's Principals pane and detail view
//! show, serialisable as it stands.

use serde::Serialize;

use super::credentials::Credentials;
use crate::policy::trust::TrustReport;

/// A fact vigil established, or why it could not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Fact<T> {
    /// Established.
    Known(T),
    /// Could not be established, and why.
    Unknown(String),
}

impl<T> Fact<T> {
    /// The value when known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Fact::Known(v) => Some(v),
            Fact::Unknown(_) => None,
        }
    }

    /// Whether it is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Fact::Unknown(_))
    }
}

/// What kind of principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PrincipalKind {
    /// The account's root user.
    Root,
    /// An IAM user.
    User,
    /// An IAM group (its members inherit its policies).
    Group,
    /// An IAM role.
    Role,
}

impl PrincipalKind {
    /// `root`, `user`, `group`, `role`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::Root => "root",
            PrincipalKind::User => "user",
            PrincipalKind::Group => "group",
            PrincipalKind::Role => "role",
        }
    }
}

/// How a policy is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Attachment {
    /// Embedded in the user, group or role.
    Inline,
    /// A managed policy attached to it.
    Managed,
}

/// Where one identity policy of a principal comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyOrigin {
    /// The group it is inherited from; `None` when the principal holds it.
    pub via_group: Option<String>,
    /// Inline or managed.
    pub attachment: Attachment,
    /// The policy's name.
    pub name: String,
    /// The managed policy's ARN.
    pub arn: Option<String>,
}

impl PolicyOrigin {
    /// ``group `admins` → policy `FullAccess` `` / ``inline policy `x` ``.
    pub fn describe(&self) -> String {
        let policy = match self.attachment {
            Attachment::Inline => format!("inline policy `{}`", self.name),
            Attachment::Managed => format!("policy `{}`", self.name),
        };
        match &self.via_group {
            Some(g) => format!("group `{g}` → {policy}"),
            None => policy,
        }
    }
}

/// One statement that grants a permission, and the chain that brought it to
/// the principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Provenance {
    /// The policy holding the statement.
    pub origin: PolicyOrigin,
    /// JSON path of the statement, e.g. `Statement[0]`.
    pub statement: String,
    /// Its `Sid`, made safe for a terminal.
    pub sid: Option<String>,
    /// The whole chain in words: ``group `admins` → policy
    /// `vigil-lab-AdminAccess`, Statement[0] (Sid "Everything")``.
    pub chain: String,
}

impl Provenance {
    /// Where the statement is, for evidence: `policy/NAME:Statement[0]`,
    /// `inline/NAME:Statement[0]`, prefixed by `group/G/` when inherited.
    pub fn path(&self) -> String {
        let kind = match self.origin.attachment {
            Attachment::Inline => "inline",
            Attachment::Managed => "policy",
        };
        let group = self
            .origin
            .via_group
            .as_ref()
            .map(|g| format!("group/{g}/"))
            .unwrap_or_default();
        format!("{group}{kind}/{}:{}", self.origin.name, self.statement)
    }
}

/// An identity policy of a principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedPolicy {
    /// Where it comes from.
    pub origin: PolicyOrigin,
    /// Why it could not be used (does not parse, not in the inventory).
    pub error: Option<String>,
}

/// One action of an escalation method and the statements that allow it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionProvenance {
    /// The action, e.g. `iam:PassRole`.
    pub action: String,
    /// The Allow statements granting it.
    pub allowed_by: Vec<Provenance>,
}

/// A privilege-escalation method the principal can use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// The actions joined with `+`, in Rhino Security Labs' order.
    pub method: String,
    /// Each action with where it is allowed.
    pub actions: Vec<ActionProvenance>,
}

/// The effective identity permissions of a principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Permissions {
    /// Effectively `*` on `*`.
    pub admin_equivalent: bool,
    /// The statements that make it an administrator.
    pub admin_via: Vec<Provenance>,
    /// Escalation methods available, in catalogue order.
    pub privilege_escalation: Vec<Escalation>,
    /// The engine's reasons, in words.
    pub reasons: Vec<String>,
}

/// Who can assume a role and whether that truly requires MFA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RoleTrust {
    /// The engine's trust verdict: principals, external accounts, external
    /// accounts without `sts:ExternalId`, `*`, requires MFA, bypass in words.
    #[serde(flatten)]
    pub analysis: TrustReport,
    /// IAM principals (not only AWS services, federated identities or
    /// third parties under `sts:ExternalId`) may assume it: MFA matters.
    pub assumed_by_iam_principals: bool,
    /// How an IAM principal assumes it without MFA, in words; `None` when
    /// every such request needs MFA.
    pub iam_principal_mfa_bypass: Option<String>,
}

/// Everything the console shows about one principal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrincipalReport {
    /// Root, user, group or role.
    pub kind: PrincipalKind,
    /// Its name (`<root_account>` for root).
    pub name: String,
    /// Its ARN.
    pub arn: String,
    /// Its IAM path.
    pub path: String,
    /// A user's groups; a group's members.
    pub groups: Vec<String>,
    /// Its identity policies, inherited ones included, in evaluation order.
    pub policies: Vec<AppliedPolicy>,
    /// The permissions boundary's ARN.
    pub permissions_boundary: Option<String>,
    /// Effective permissions: admin-equivalence and escalation methods.
    pub permissions: Fact<Permissions>,
    /// Console password, MFA, access keys (users and root).
    pub credentials: Option<Credentials>,
    /// Who may assume it and whether MFA is truly required (roles).
    pub trust: Option<Fact<RoleTrust>>,
}

/// The ARN of the account's root user.
pub fn root_arn(account_id: &str) -> String {
    format!("arn:aws:iam::{account_id}:root")
}
