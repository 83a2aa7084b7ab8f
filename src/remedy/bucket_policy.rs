//! Editing a bucket policy without disturbing it: the document is split into
//! its top-level members and its statements *as written* (serde_json's
//! `RawValue`), so every statement vigil does not touch is kept byte for
//! byte, in its place; only the statement added or removed differs.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::RemedyError;
use crate::policy::public::{StatementVerdict, statement_verdict};
use crate::policy::{Policy, insecure_transport};

/// A policy's top-level members in order, each value as written.
struct RawMembers(Vec<(String, Box<RawValue>)>);

impl<'de> serde::Deserialize<'de> for RawMembers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawMembers;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawMembers, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push((k, v));
                }
                Ok(RawMembers(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A bucket policy split for editing.
pub struct RawPolicy {
    members: Vec<(String, Box<RawValue>)>,
    /// Which member is `Statement`.
    statement_member: usize,
    /// The statements as written, in order.
    pub statements: Vec<Box<RawValue>>,
    /// The engine's reading of the same document.
    pub parsed: Policy,
}

impl RawPolicy {
    /// Split `text`. A document the policy engine cannot read, or one whose
    /// shape is ambiguous (two `Statement` members), is refused: vigil does
    /// not rewrite what it cannot read.
    pub fn parse(bucket: &str, text: &str) -> Result<RawPolicy, RemedyError> {
        let malformed = |why: String| RemedyError::MalformedState {
            what: format!("the policy of bucket {bucket}"),
            why,
        };
        let parsed = Policy::parse(text).map_err(|e| malformed(e.to_string()))?;
        let RawMembers(members) =
            serde_json::from_str(text).map_err(|e| malformed(e.to_string()))?;
        let positions: Vec<usize> = members
            .iter()
            .enumerate()
            .filter(|(_, (k, _))| k == "Statement")
            .map(|(i, _)| i)
            .collect();
        let [statement_member] = positions[..] else {
            return Err(malformed(format!(
                "expected one Statement member, found {}",
                positions.len()
            )));
        };
        let raw = members[statement_member].1.get();
        let statements: Vec<Box<RawValue>> = if raw.trim_start().starts_with('[') {
            serde_json::from_str(raw).map_err(|e| malformed(e.to_string()))?
        } else {
            vec![RawValue::from_string(raw.to_string()).map_err(|e| malformed(e.to_string()))?]
        };
        if statements.len() != parsed.statements.len() {
            return Err(malformed(format!(
                "{} statements as written but {} as parsed",
                statements.len(),
                parsed.statements.len()
            )));
        }
        Ok(RawPolicy {
            members,
            statement_member,
            statements,
            parsed,
        })
    }

    /// The document with these statements in place of the old ones, every
    /// other member as written.
    pub fn render(&self, statements: &[&str]) -> String {
        let mut out = String::from("{");
        for (i, (key, value)) in self.members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&serde_json::to_string(key).unwrap_or_else(|_| "\"\"".into()));
            out.push(':');
            if i == self.statement_member {
                out.push('[');
                out.push_str(&statements.join(","));
                out.push(']');
            } else {
                out.push_str(value.get());
            }
        }
        out.push('}');
        out
    }
}

/// The statement AWS documents for enforcing encryption in transit: deny
/// every S3 action on the bucket and its objects when `aws:SecureTransport`
/// is false. Sid and shape as in the AWS Config rule
/// `s3-bucket-ssl-requests-only` remediation and the S3 User Guide,
/// "Security best practices for Amazon S3" → "Enforce encryption of data in
/// transit".
pub fn deny_insecure_transport_statement(partition: &str, bucket: &str, sid: &str) -> String {
    serde_json::json!({
        "Sid": sid,
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [
            format!("arn:{partition}:s3:::{bucket}"),
            format!("arn:{partition}:s3:::{bucket}/*"),
        ],
        "Condition": { "Bool": { "aws:SecureTransport": "false" } }
    })
    .to_string()
}

/// What merging the transport statement into a bucket's policy gives:
/// `None` when the policy already denies plain HTTP for the bucket and its
/// objects (nothing to do).
pub fn with_transport_enforced(
    partition: &str,
    bucket: &str,
    current: Option<&str>,
) -> Result<Option<String>, RemedyError> {
    const SID: &str = "AllowSSLRequestsOnly";
    let Some(text) = current else {
        let st = deny_insecure_transport_statement(partition, bucket, SID);
        return Ok(Some(format!(
            r#"{{"Version":"2012-10-17","Statement":[{st}]}}"#
        )));
    };
    let raw = RawPolicy::parse(bucket, text)?;
    if insecure_transport(Some(&raw.parsed), bucket).denies_insecure_transport {
        return Ok(None);
    }
    // Sids must be unique within a policy; keep AWS's when it is free.
    let taken = |s: &str| {
        raw.parsed
            .statements
            .iter()
            .any(|st| st.sid.as_deref() == Some(s))
    };
    let sid = (1..)
        .map(|n| {
            if n == 1 {
                SID.to_string()
            } else {
                format!("{SID}{n}")
            }
        })
        .find(|s| !taken(s))
        .unwrap_or_else(|| SID.to_string());
    let added = deny_insecure_transport_statement(partition, bucket, &sid);
    let mut statements: Vec<&str> = raw.statements.iter().map(|s| s.get()).collect();
    statements.push(&added);
    Ok(Some(raw.render(&statements)))
}

/// The policy without its public statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    /// The new document; `None` when no statement is left (delete the policy).
    pub after: Option<String>,
    /// Each removed statement's position and why it is public.
    pub removed: Vec<(usize, String)>,
}

/// What removing the public statements gives; `Ok(None)` when no statement
/// is public.
pub fn without_public_statements(
    bucket: &str,
    current: &str,
) -> Result<Option<Removal>, RemedyError> {
    let raw = RawPolicy::parse(bucket, current)?;
    let mut removed = Vec::new();
    let mut kept: Vec<&str> = Vec::new();
    for (i, (st, text)) in raw
        .parsed
        .statements
        .iter()
        .zip(&raw.statements)
        .enumerate()
    {
        match statement_verdict(st) {
            StatementVerdict::Public(why) => removed.push((i, why)),
            _ => kept.push(text.get()),
        }
    }
    if removed.is_empty() {
        return Ok(None);
    }
    let after = (!kept.is_empty()).then(|| raw.render(&kept));
    Ok(Some(Removal { after, removed }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::public::{BucketInput, bucket_publicity};

    /// Five statements that have nothing to do with transport or publicity,
    /// written with uneven spacing, a single-string Action, a number and a
    /// condition block, to be kept exactly.
    const FIVE: [&str; 5] = [
        r#"{"Sid":"PartnerRead","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}"#,
        r#"{ "Sid" : "LogDelivery", "Effect":"Allow", "Principal":{"Service":"logging.s3.amazonaws.com"}, "Action":"s3:PutObject", "Resource":"arn:aws:s3:::b/logs/*" }"#,
        r#"{"Sid":"OnlyFromVpc","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringNotEquals":{"aws:SourceVpc":"vpc-0a1b2c3d"}}}"#,
        r#"{"Sid":"OrgList","Effect":"Allow","Principal":"*","Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}"#,
        r#"{"Sid":"MaxKeys","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/batch"},"Action":"s3:ListBucket","Resource":"arn:aws:s3:::b","Condition":{"NumericGreaterThan":{"s3:max-keys":1000}}}"#,
    ];

    fn policy_of(statements: &[&str]) -> String {
        format!(
            "{{\n  \"Version\": \"2012-10-17\",\n  \"Id\": \"kept\",\n  \"Statement\": [\n    {}\n  ]\n}}",
            statements.join(",\n    ")
        )
    }

    /// The statements of `text` as written.
    fn raw_statements(text: &str) -> Vec<String> {
        RawPolicy::parse("b", text)
            .unwrap()
            .statements
            .iter()
            .map(|s| s.get().to_string())
            .collect()
    }

    #[test]
    fn merging_transport_keeps_five_unrelated_statements_byte_for_byte() {
        let before = policy_of(&FIVE);
        let after = with_transport_enforced("aws", "b", Some(&before))
            .unwrap()
            .unwrap();
        let statements = raw_statements(&after);
        assert_eq!(statements.len(), 6);
        assert_eq!(&statements[..5], &FIVE.map(str::to_string)[..]);
        // and in meaning: the engine reads the same five statements
        let p_before = Policy::parse(&before).unwrap();
        let p_after = Policy::parse(&after).unwrap();
        for i in 0..5 {
            assert_eq!(p_before.statements[i].effect, p_after.statements[i].effect);
            assert_eq!(p_before.statements[i].action, p_after.statements[i].action);
            assert_eq!(
                p_before.statements[i].conditions,
                p_after.statements[i].conditions
            );
        }
        assert!(insecure_transport(Some(&p_after), "b").denies_insecure_transport);
        assert!(!insecure_transport(Some(&p_before), "b").denies_insecure_transport);
        // the other members are kept too
        let v: serde_json::Value = serde_json::from_str(&after).unwrap();
        assert_eq!(v["Id"], "kept");
        assert_eq!(v["Version"], "2012-10-17");
    }

    #[test]
    fn transport_already_enforced_is_nothing_to_do() {
        let with = policy_of(&[
            FIVE[0],
            r#"{"Sid":"DenyHttp","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
        ]);
        assert_eq!(
            with_transport_enforced("aws", "b", Some(&with)).unwrap(),
            None
        );
    }

    #[test]
    fn objects_only_transport_statement_gets_the_full_one_added_and_kept() {
        let partial = policy_of(&[
            r#"{"Sid":"AllowSSLRequestsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#,
        ]);
        let after = with_transport_enforced("aws", "b", Some(&partial))
            .unwrap()
            .unwrap();
        let p = Policy::parse(&after).unwrap();
        assert_eq!(p.statements.len(), 2);
        // the Sid AWS uses is taken, so the new one gets a free one
        assert_eq!(
            p.statements[1].sid.as_deref(),
            Some("AllowSSLRequestsOnly2")
        );
        assert!(insecure_transport(Some(&p), "b").denies_insecure_transport);
    }

    #[test]
    fn no_policy_gets_a_new_one_with_the_documented_statement() {
        let after = with_transport_enforced("aws-us-gov", "b", None)
            .unwrap()
            .unwrap();
        let p = Policy::parse(&after).unwrap();
        assert_eq!(p.statements.len(), 1);
        assert!(after.contains("arn:aws-us-gov:s3:::b/*"));
        assert!(after.contains(r#""aws:SecureTransport":"false""#));
    }

    #[test]
    fn single_statement_object_is_kept_as_written_inside_an_array() {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":{}}}"#, FIVE[1]);
        let after = with_transport_enforced("aws", "b", Some(&text))
            .unwrap()
            .unwrap();
        assert_eq!(raw_statements(&after)[0], FIVE[1]);
    }

    #[test]
    fn removing_a_public_statement_keeps_the_five_others_exactly() {
        let public = r#"{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}"#;
        let mut all = FIVE.to_vec();
        all.insert(2, public);
        let before = policy_of(&all);
        let Removal { after, removed } = without_public_statements("b", &before).unwrap().unwrap();
        let after = after.unwrap();
        assert_eq!(removed.len(), 1);
        assert_eq!(removed[0].0, 2);
        assert_eq!(raw_statements(&after), FIVE.map(str::to_string).to_vec());
        let input = |p| BucketInput {
            bucket: "b",
            account_id: "111122223333",
            policy: Some(p),
            acl_grants: &[],
            bucket_bpa: None,
            account_bpa: None,
            object_ownership: None,
        };
        let p_before = Policy::parse(&before).unwrap();
        let p_after = Policy::parse(&after).unwrap();
        assert!(bucket_publicity(&input(&p_before)).policy_is_public);
        assert!(!bucket_publicity(&input(&p_after)).policy_is_public);
    }

    #[test]
    fn restricted_statements_are_not_removed_and_none_public_is_nothing_to_do() {
        // OrgList is Principal * pinned to an organisation: not public.
        assert!(
            without_public_statements("b", &policy_of(&FIVE))
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn removing_the_only_statement_deletes_the_policy() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}]}"#;
        let Removal { after, removed } = without_public_statements("b", text).unwrap().unwrap();
        assert_eq!(after, None);
        assert_eq!(removed.len(), 1);
    }

    #[test]
    fn a_malformed_policy_is_refused_not_rewritten() {
        let broken = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*""#;
        for e in [
            with_transport_enforced("aws", "b", Some(broken)).unwrap_err(),
            without_public_statements("b", broken).unwrap_err(),
        ] {
            assert!(matches!(e, RemedyError::MalformedState { .. }), "{e}");
            assert!(e.to_string().contains("policy of bucket b"), "{e}");
        }
        let twice = r#"{"Version":"2012-10-17","Statement":[],"Statement":[]}"#;
        assert!(with_transport_enforced("aws", "b", Some(twice)).is_err());
    }
}
