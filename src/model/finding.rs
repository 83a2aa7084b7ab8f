//! What a rule concluded about one resource.

use serde::{Deserialize, Serialize};

/// How bad a failing check is. Ordered: `Critical` is the greatest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "informational" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }
}

/// The verdict of one rule on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Fail,
    Pass,
    /// The rule could not decide: a facet it needs is unknown. Never a pass.
    Unknown,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Fail => "fail",
            Status::Pass => "pass",
            Status::Unknown => "unknown",
        }
    }
}

/// What decided a finding: the deciding statement, grant or setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// One line a person reads.
    pub summary: String,
    /// Where in the document or configuration, e.g. `policy:Statement[2]`,
    /// `acl:Grants[1]`, `public_access_block.RestrictPublicBuckets`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl Evidence {
    pub fn new(summary: impl Into<String>) -> Self {
        Evidence {
            summary: summary.into(),
            path: None,
        }
    }

    pub fn at(summary: impl Into<String>, path: impl Into<String>) -> Self {
        Evidence {
            summary: summary.into(),
            path: Some(path.into()),
        }
    }
}

/// One rule's verdict on one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    /// The resource's ARN.
    pub resource: String,
    pub region: String,
    pub severity: Severity,
    pub status: Status,
    /// Why, in words (for `unknown`: what could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub evidence: Vec<Evidence>,
    /// The remediation id that fixes it, when one exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remediation: Option<String>,
    /// Framework controls, e.g. `CIS-AWS-3.0:2.1.4`, `FSBP:S3.8`.
    pub frameworks: Vec<String>,
}
