//! vigil stopped between the intent and the outcome: the next start finds
//! the unfinished entry, verifies where it stands, and can undo it; undo
//! restores the exact prior state and is itself journaled; the incident
//! report shows who did what through which role.

mod remedy_support;

use std::sync::Arc;

use remedy_support::*;
use vigil::cloud::Cloud;
use vigil::cloud::demo::DemoCloud;
use vigil::remedy::journal::{Action, Intent, Record};
use vigil::remedy::{self, Actor, Inputs, Journal, Standing};

fn actor() -> Actor {
    Actor {
        operator: "arn:aws:iam::123456789012:user/demo-operator".into(),
        role_arn: Some("arn:aws:iam::123456789012:role/vigil-lab-remediation".into()),
        session_name: Some("vigil-demo-operator-20260105T143012Z".into()),
    }
}

/// Journal an intent the way `apply` does, then "die": optionally make the
/// writes, never record the outcome.
async fn die_after_intent(cloud: &dyn Cloud, journal: &Journal, write: bool) -> String {
    let plan = remedy::plan_live(
        cloud,
        "bucket-ownership-enforced",
        &Inputs {
            bucket: Some("vigil-lab-acl-allusers".into()),
            ..Inputs::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(plan.steps.len(), 2, "ACL reduced, then ownership");
    let intent = Intent {
        id: vigil::remedy::journal::new_id(1_767_623_412_000),
        time: "2026-01-05T14:30:12Z".into(),
        account_id: "123456789012".into(),
        actor: actor(),
        action: Action::Apply,
        remediation: plan.remediation.clone(),
        title: plan.title.clone(),
        resource: plan.resource.clone(),
        undoes: None,
        steps: plan.steps.clone(),
        warnings: plan.warnings.clone(),
        findings: Vec::new(),
    };
    journal.append(&Record::Intent(intent.clone())).unwrap();
    if write {
        for s in &plan.steps {
            cloud.apply(&s.after).await.unwrap();
        }
    }
    intent.id
}

#[tokio::test]
async fn an_unfinished_entry_whose_writes_were_made_verifies_as_applied_and_undoes_exactly() {
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::embedded(0).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), "123456789012").unwrap();
    let before = normalised_bucket(&demo.read_bucket(&listing("vigil-lab-acl-allusers")).await);
    let id = die_after_intent(demo.as_ref(), &journal, true).await;

    // The next start.
    let unfinished = journal.unfinished().unwrap();
    assert_eq!(unfinished.len(), 1);
    assert_eq!(unfinished[0].id(), id);
    let (standing, outcome) = remedy::verify_unfinished(demo.as_ref(), &journal, &unfinished[0])
        .await
        .unwrap();
    assert_eq!(standing, Standing::Applied);
    assert!(outcome.verification.verified && outcome.recovered.is_some());
    assert!(journal.unfinished().unwrap().is_empty());

    let undone = remedy::undo(demo.as_ref(), &journal, &actor(), &id)
        .await
        .unwrap();
    assert!(undone.succeeded(), "{:?}", undone.outcome);
    assert_eq!(
        normalised_bucket(&demo.read_bucket(&listing("vigil-lab-acl-allusers")).await),
        before
    );
    let undo_entry = journal.entry(&undone.entry_id).unwrap();
    assert_eq!(undo_entry.intent.action, Action::Undo);
    assert_eq!(undo_entry.intent.undoes.as_deref(), Some(id.as_str()));
    // Undo reverses the order: ownership first, then the ACL.
    assert!(matches!(
        undo_entry.intent.steps[0].after,
        vigil::model::change::Change::BucketOwnership { .. }
    ));
    assert!(matches!(
        undo_entry.intent.steps[1].after,
        vigil::model::change::Change::BucketAcl { .. }
    ));
}

#[tokio::test]
async fn an_unfinished_entry_that_wrote_nothing_verifies_as_not_applied_and_undo_has_nothing_to_do()
{
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::embedded(0).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), "123456789012").unwrap();
    let id = die_after_intent(demo.as_ref(), &journal, false).await;
    let err = remedy::undo(demo.as_ref(), &journal, &actor(), &id)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("already as it was"), "{err}");
    let entry = journal.entry(&id).unwrap();
    let (standing, _) = remedy::verify_unfinished(demo.as_ref(), &journal, &entry)
        .await
        .unwrap();
    assert_eq!(standing, Standing::NotApplied);
    assert_eq!(journal.entry(&id).unwrap().status(), "not-applied");
}

/// Someone changed the setting after vigil stopped: it is in neither the
/// entry's prior nor its new state. Verify says so (not "partly in place"),
/// and undo refuses rather than overwrite the other change.
#[tokio::test]
async fn an_unfinished_entry_someone_changed_since_verifies_as_elsewhere() {
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::embedded(0).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), "123456789012").unwrap();
    let id = die_after_intent(demo.as_ref(), &journal, false).await;
    demo.apply(&vigil::model::change::Change::BucketOwnership {
        bucket: "vigil-lab-acl-allusers".into(),
        value: Some(vigil::model::s3::ObjectOwnership::BucketOwnerPreferred),
    })
    .await
    .unwrap();
    let entry = journal.entry(&id).unwrap();
    let (standing, outcome) = remedy::verify_unfinished(demo.as_ref(), &journal, &entry)
        .await
        .unwrap();
    assert_eq!(standing, Standing::Elsewhere);
    assert!(outcome.error.unwrap_or_default().contains("someone else"));
    let err = remedy::undo(demo.as_ref(), &journal, &actor(), &id)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("someone else"), "{err}");
}

#[tokio::test]
async fn the_incident_report_names_who_which_role_and_every_change() {
    let demo: Arc<dyn Cloud> = Arc::new(DemoCloud::embedded(0).unwrap());
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), "123456789012").unwrap();
    let plan = remedy::plan_live(
        demo.as_ref(),
        "bucket-versioning-on",
        &Inputs {
            bucket: Some("vigil-lab-versioning-suspended".into()),
            ..Inputs::default()
        },
    )
    .await
    .unwrap();
    let applied = remedy::apply(demo.as_ref(), &journal, &actor(), &plan)
        .await
        .unwrap();
    remedy::undo(demo.as_ref(), &journal, &actor(), &applied.entry_id)
        .await
        .unwrap();
    journal
        .observe(vigil::remedy::journal::Observation {
            time: "2026-01-05T14:29:00Z".into(),
            kind: "event".into(),
            resource: Some("arn:aws:s3:::vigil-lab-public-policy".into()),
            summary: "PutBucketPolicy by bob-developer | without MFA".into(),
            detail: None,
        })
        .unwrap();
    let md = vigil::remedy::report::markdown(
        "123456789012",
        &journal.read().unwrap(),
        "2026-01-05T15:00:00Z",
    );
    assert!(md.contains("# Incident report"));
    assert!(
        md.contains("vigil-lab-remediation (session vigil-demo-operator-20260105T143012Z)"),
        "{md}"
    );
    assert!(md.contains(&applied.entry_id));
    assert!(md.contains("bucket-versioning-on"));
    assert!(md.contains("undo of"));
    assert!(md.contains("1 undone"), "{md}");
    // An observation's text cannot break the table.
    assert!(md.contains("bob-developer \\| without MFA"), "{md}");
}
