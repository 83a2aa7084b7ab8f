//! Shared by the remediation, journal and session tests: a `Cloud` that
//! records every write, and "does this finding fail" through the rule
//! catalogue when the rule exists, or the policy engine and facets directly
//! until it lands.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::Value;
use vigil::cloud::{
    BucketListing, Cloud, CloudError, Elevation, ElevationError, ElevationRequest, LogQuery,
};
use vigil::model::change::Change;
use vigil::model::iam::IamInventory;
use vigil::model::logs::{LogEventPage, LogGroup};
use vigil::model::s3::{Bucket, ObjectOwnership, PublicAccessBlock, SseAlgorithm};
use vigil::model::{CallerIdentity, Facet};
use vigil::policy::public::{BucketInput, bucket_publicity};
use vigil::policy::{AccessKind, Context, Decision, Policy, Request, RequestPrincipal};
use vigil::rules::{AccountContext, BucketContext, Check};

/// Delegates to `inner`, recording every write it is asked to make.
pub struct Recording {
    pub inner: Arc<dyn Cloud>,
    pub writes: Mutex<Vec<Change>>,
    pub elevations: Mutex<usize>,
}

impl Recording {
    pub fn new(inner: Arc<dyn Cloud>) -> Arc<Recording> {
        Arc::new(Recording {
            inner,
            writes: Mutex::new(Vec::new()),
            elevations: Mutex::new(0),
        })
    }

    pub fn writes(&self) -> Vec<Change> {
        self.writes.lock().unwrap().clone()
    }
}

#[async_trait]
impl Cloud for Recording {
    fn backend_name(&self) -> &'static str {
        self.inner.backend_name()
    }
    async fn caller_identity(&self) -> Result<CallerIdentity, CloudError> {
        self.inner.caller_identity().await
    }
    async fn list_buckets(&self) -> Result<Vec<BucketListing>, CloudError> {
        self.inner.list_buckets().await
    }
    async fn read_bucket(&self, listing: &BucketListing) -> Bucket {
        self.inner.read_bucket(listing).await
    }
    async fn account_public_access_block(&self, account_id: &str) -> Facet<PublicAccessBlock> {
        self.inner.account_public_access_block(account_id).await
    }
    async fn iam_inventory(&self) -> Result<IamInventory, CloudError> {
        self.inner.iam_inventory().await
    }
    async fn list_log_groups(&self) -> Result<Vec<LogGroup>, CloudError> {
        self.inner.list_log_groups().await
    }
    async fn filter_log_events(&self, query: &LogQuery) -> Result<LogEventPage, CloudError> {
        self.inner.filter_log_events(query).await
    }
    async fn apply(&self, change: &Change) -> Result<(), CloudError> {
        self.writes.lock().unwrap().push(change.clone());
        self.inner.apply(change).await
    }
    async fn current_state(&self, change: &Change) -> Result<Change, CloudError> {
        self.inner.current_state(change).await
    }
    async fn elevate(&self, request: ElevationRequest) -> Result<Elevation, ElevationError> {
        *self.elevations.lock().unwrap() += 1;
        self.inner.elevate(request).await
    }
}

pub fn listing(name: &str) -> BucketListing {
    BucketListing {
        name: name.into(),
        creation_date: None,
        region: None,
    }
}

/// Does `rule` fail for this bucket? Through the rule when the catalogue
/// has it; otherwise straight from the engine and the facets.
pub fn bucket_fails(
    rule: &str,
    bucket: &Bucket,
    account_id: &str,
    account_bpa: &Facet<PublicAccessBlock>,
) -> bool {
    if let Some(r) = vigil::rules::rule(rule)
        && let Check::Bucket(f) = r.check
    {
        let ctx = BucketContext {
            bucket,
            account_id,
            account_public_access_block: account_bpa,
            trail_buckets: &[],
        };
        return f(&vigil::rules::BucketFacts::new(&ctx))
            .is_some_and(|v| v.status == vigil::model::finding::Status::Fail);
    }
    let policy = bucket.policy.present().and_then(|p| Policy::parse(p).ok());
    let grants = bucket
        .acl
        .present()
        .map(|a| a.grants.clone())
        .unwrap_or_default();
    let publicity = bucket_publicity(&BucketInput {
        bucket: &bucket.name,
        account_id,
        policy: policy.as_ref(),
        acl_grants: &grants,
        bucket_bpa: bucket.public_access_block.present(),
        account_bpa: account_bpa.present(),
        object_ownership: bucket.ownership.present().copied(),
    });
    match rule {
        "s3-bucket-bpa-off" => !bucket
            .public_access_block
            .present()
            .is_some_and(|b| b.all_on()),
        "s3-public-read" => publicity.public_for.contains(&AccessKind::Read),
        "s3-public-write" => publicity.public_for.contains(&AccessKind::Write),
        "s3-insecure-transport" => {
            !vigil::policy::insecure_transport(policy.as_ref(), &bucket.name)
                .denies_insecure_transport
        }
        "s3-no-default-encryption" => bucket.encryption.present().is_none(),
        "s3-not-kms-encrypted" => !bucket
            .encryption
            .present()
            .is_some_and(|e| e.algorithm != SseAlgorithm::Aes256),
        "s3-logging-off" => bucket.logging.present().is_none(),
        "s3-acls-enabled" => {
            bucket.ownership.present() != Some(&ObjectOwnership::BucketOwnerEnforced)
        }
        other => panic!("no fallback check for {other}"),
    }
}

/// Does an account-level rule fail for `resource`?
pub fn account_fails(
    rule: &str,
    resource: &str,
    account_id: &str,
    account_bpa: &Facet<PublicAccessBlock>,
    iam: &IamInventory,
) -> bool {
    let iam_facet = Facet::Present(iam.clone());
    if let Some(r) = vigil::rules::rule(rule)
        && let Check::Account(f) = r.check
    {
        let principals = vigil::rules::principal_reports(&iam_facet, account_id, 0);
        let ctx = AccountContext {
            account_id,
            region: "us-east-1",
            account_public_access_block: account_bpa,
            iam: &iam_facet,
            now_ms: 0,
            principals: &principals,
        };
        return f(&ctx)
            .iter()
            .any(|(res, v)| res == resource && v.status == vigil::model::finding::Status::Fail);
    }
    match rule {
        "s3-account-bpa-off" => !account_bpa.present().is_some_and(|b| b.all_on()),
        "iam-multiple-active-keys" => iam.users.iter().filter(|u| u.arn == resource).any(|u| {
            u.access_keys
                .present()
                .is_some_and(|k| k.iter().filter(|k| k.status == "Active").count() > 1)
        }),
        "iam-console-user-without-mfa" => {
            // Mitigated when the user's own policies deny work without MFA.
            let u = iam
                .users
                .iter()
                .find(|u| u.arn == resource)
                .expect("the user");
            !denies_without_mfa(u)
        }
        other => panic!("no fallback check for {other}"),
    }
}

/// Whether the user's inline policies deny an ordinary call without MFA.
pub fn denies_without_mfa(u: &vigil::model::iam::User) -> bool {
    let policies: Vec<Policy> = u
        .inline_policies
        .iter()
        .filter_map(|p| Policy::parse(&p.document).ok())
        .collect();
    let refs: Vec<&Policy> = policies.iter().collect();
    let request = Request {
        principal: RequestPrincipal::aws(&u.arn),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::any/x".into(),
        context: Context::new().with("aws:username", u.name.clone()),
    };
    vigil::policy::evaluate(&refs, &request).decision == Decision::ExplicitDeny
}

/// A bucket as JSON that compares equal exactly when the configuration
/// means the same: policies parsed, ACL grants as a set, read times and
/// S3's own (approximate on the test server) IsPublic dropped.
pub fn normalised_bucket(b: &Bucket) -> Value {
    let mut v = serde_json::to_value(b).unwrap();
    let o = v.as_object_mut().unwrap();
    o.remove("creation_date");
    o.remove("policy_status");
    if let Some(p) = o.get_mut("policy").and_then(|p| p.get_mut("value"))
        && let Some(text) = p.as_str()
    {
        *p = serde_json::from_str(text).unwrap_or(Value::String(text.into()));
    }
    if let Some(grants) = o
        .get_mut("acl")
        .and_then(|a| a.pointer_mut("/value/grants"))
        .and_then(Value::as_array_mut)
    {
        for g in grants.iter_mut() {
            if let Some(grantee) = g.get_mut("Grantee").and_then(Value::as_object_mut) {
                grantee.remove("DisplayName");
            }
        }
        grants.sort_by_key(|g| g.to_string());
    }
    v
}
