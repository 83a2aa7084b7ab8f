//! A fact about a resource that vigil tried to read.
//!
//! Three states, never collapsed (STYLE.md, "Three states for every fact"):
//! the document, "not configured", or "could not read, and why". An
//! `AccessDenied` is `Unknown`, never a pass.

use serde::{Deserialize, Serialize};

/// Why a facet could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownReason {
    /// The caller lacks permission for the read.
    AccessDenied,
    /// AWS throttled the read and the SDK's retries ran out.
    Throttled,
    /// The endpoint does not implement the call (an emulator, a gap).
    NotImplemented,
    /// Anything else: network, a malformed answer, a service error.
    Other,
}

impl std::fmt::Display for UnknownReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UnknownReason::AccessDenied => "access denied",
            UnknownReason::Throttled => "throttled",
            UnknownReason::NotImplemented => "not implemented by the endpoint",
            UnknownReason::Other => "error",
        })
    }
}

/// The reason and the service's own words for an unreadable facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    pub reason: UnknownReason,
    pub detail: String,
}

impl std::fmt::Display for Unknown {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.detail.is_empty() {
            write!(f, "{}", self.reason)
        } else {
            write!(f, "{}: {}", self.reason, self.detail)
        }
    }
}

/// One facet of a resource: read, not configured, or unknown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "snake_case")]
pub enum Facet<T> {
    Present(T),
    /// Read successfully, and AWS said it is not configured
    /// (`NoSuchBucketPolicy`, `NoSuchPublicAccessBlockConfiguration`, …).
    Absent,
    Unknown(Unknown),
}

impl<T> Facet<T> {
    pub fn unknown(reason: UnknownReason, detail: impl Into<String>) -> Self {
        Facet::Unknown(Unknown {
            reason,
            detail: detail.into(),
        })
    }

    /// The value when present.
    pub fn present(&self) -> Option<&T> {
        match self {
            Facet::Present(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Facet::Unknown(_))
    }

    pub fn as_ref(&self) -> Facet<&T> {
        match self {
            Facet::Present(v) => Facet::Present(v),
            Facet::Absent => Facet::Absent,
            Facet::Unknown(u) => Facet::Unknown(u.clone()),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Facet<U> {
        match self {
            Facet::Present(v) => Facet::Present(f(v)),
            Facet::Absent => Facet::Absent,
            Facet::Unknown(u) => Facet::Unknown(u),
        }
    }
}
