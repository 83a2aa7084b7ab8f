//! Elevation on the demo backend, whose MFA device checks real TOTP codes:
//! a right code elevates and the journal names the role and session; a
//! wrong or reused code is a clear, re-promptable error; the session says
//! "re-elevate soon" before it ends and refuses writes once it has; `drop`
//! ends it early; `--readonly` makes no write and no elevation at all.

mod remedy_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use remedy_support::*;
use vigil::cloud::demo::{DEMO_MFA_SERIAL, DEMO_REMEDIATION_ROLE, DemoCloud, demo_mfa_code};
use vigil::cloud::{Cloud, CloudError, ElevationError, MfaCode};
use vigil::model::change::Change;
use vigil::model::s3::VersioningStatus;
use vigil::remedy::{self, Inputs, Journal};
use vigil::session::{Clock, RoleConfig, Session, SessionError, Status, WriteMode};

struct ManualClock(AtomicI64);

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn role(duration: i32) -> RoleConfig {
    RoleConfig {
        role_arn: DEMO_REMEDIATION_ROLE.into(),
        mfa_serial: Some(DEMO_MFA_SERIAL.into()),
        external_id: None,
        duration_seconds: duration,
        session_name: None,
        source_profile: None,
        origin: "test".into(),
    }
}

async fn session(mode: WriteMode, duration: i32) -> (Session, Arc<Recording>, Arc<ManualClock>) {
    let demo = Recording::new(Arc::new(DemoCloud::embedded(0).unwrap()));
    let clock = Arc::new(ManualClock(AtomicI64::new(now_ms())));
    let base: Arc<dyn Cloud> = demo.clone();
    let identity = base.caller_identity().await.unwrap();
    let s = Session::new(base, identity, Some(role(duration)), mode, clock.clone());
    (s, demo, clock)
}

fn code_now() -> MfaCode {
    MfaCode::new(demo_mfa_code((now_ms() / 1000) as u64)).unwrap()
}

fn wrong_code() -> MfaCode {
    let t = (now_ms() / 1000) as u64;
    let near: Vec<String> = (0..=4).map(|i| demo_mfa_code(t + i * 30 - 60)).collect();
    let wrong = (0..1_000_000u32)
        .map(|n| format!("{n:06}"))
        .find(|c| !near.contains(c))
        .unwrap();
    MfaCode::new(wrong).unwrap()
}

#[tokio::test]
async fn a_right_code_elevates_and_the_journal_names_role_and_session() {
    let (mut s, demo, _) = session(WriteMode::RequireElevation, 900).await;
    assert!(s.needs_elevation());
    assert!(matches!(s.writer(), Err(SessionError::NotElevated { .. })));
    assert_eq!(
        s.status(),
        Status::NotElevated {
            role: Some(DEMO_REMEDIATION_ROLE.into())
        }
    );
    s.elevate(Some(code_now())).await.unwrap();
    assert_eq!(*demo.elevations.lock().unwrap(), 1);
    let Status::Elevated {
        role,
        session_name,
        remaining_secs,
        renew_soon,
        ..
    } = s.status()
    else {
        panic!("{:?}", s.status());
    };
    assert_eq!(role, DEMO_REMEDIATION_ROLE);
    assert!(
        session_name.starts_with(vigil::model::account::VIGIL_SESSION_PREFIX),
        "{session_name}"
    );
    assert!((895..=900).contains(&remaining_secs), "{remaining_secs}");
    assert!(!renew_soon);

    let writer = s.writer().unwrap();
    let me = writer.cloud.caller_identity().await.unwrap();
    assert!(
        me.caller_arn
            .contains(":assumed-role/vigil-lab-remediation/vigil-"),
        "{}",
        me.caller_arn
    );
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(dir.path(), "123456789012").unwrap();
    let plan = remedy::plan_live(
        s.reader().as_ref(),
        "bucket-versioning-on",
        &Inputs {
            bucket: Some("vigil-lab-versioning-suspended".into()),
            ..Inputs::default()
        },
    )
    .await
    .unwrap();
    let applied = remedy::apply(writer.cloud.as_ref(), &journal, &writer.actor, &plan)
        .await
        .unwrap();
    assert!(applied.succeeded());
    let e = journal.entry(&applied.entry_id).unwrap();
    assert_eq!(e.intent.actor.operator, vigil::cloud::demo::DEMO_CALLER);
    assert_eq!(
        e.intent.actor.role_arn.as_deref(),
        Some(DEMO_REMEDIATION_ROLE)
    );
    assert_eq!(
        e.intent.actor.session_name.as_deref(),
        Some(session_name.as_str())
    );
}

#[tokio::test]
async fn a_wrong_code_is_refused_clearly_and_the_prompt_can_try_again() {
    let (mut s, ..) = session(WriteMode::RequireElevation, 900).await;
    let err = s.elevate(Some(wrong_code())).await.unwrap_err();
    let SessionError::Elevation(e) = &err else {
        panic!("{err}")
    };
    assert!(e.is_code_error(), "{e}");
    assert!(matches!(e, ElevationError::CodeRefused(_)), "{e}");
    assert!(err.to_string().contains("try again"), "{err}");
    assert!(s.needs_elevation());
    assert!(s.writer().is_err());
    // The next attempt with the right code works.
    s.elevate(Some(code_now())).await.unwrap();
    assert!(s.writer().is_ok());
}

#[tokio::test]
async fn a_reused_code_is_refused_as_reused() {
    let (mut s, ..) = session(WriteMode::RequireElevation, 900).await;
    let t = (now_ms() / 1000) as u64;
    let code = demo_mfa_code(t);
    s.elevate(Some(MfaCode::new(code.clone()).unwrap()))
        .await
        .unwrap();
    s.drop_elevation();
    let err = s
        .elevate(Some(MfaCode::new(code).unwrap()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, SessionError::Elevation(ElevationError::CodeReused)),
        "{err}"
    );
    assert!(err.to_string().contains("already used"), "{err}");
}

#[tokio::test]
async fn missing_mfa_and_too_long_sessions_are_explained() {
    let (mut s, ..) = session(WriteMode::RequireElevation, 900).await;
    let err = s.elevate(None).await.unwrap_err();
    assert!(
        matches!(
            err,
            SessionError::Elevation(ElevationError::MfaRequired { .. })
        ),
        "{err}"
    );
    let (mut s, ..) = session(WriteMode::RequireElevation, 7200).await;
    let err = s.elevate(Some(code_now())).await.unwrap_err();
    assert!(
        matches!(
            err,
            SessionError::Elevation(ElevationError::DurationTooLong {
                requested: 7200,
                ..
            })
        ),
        "{err}"
    );
}

#[tokio::test]
async fn the_session_warns_before_it_ends_and_refuses_writes_after() {
    let (mut s, _demo, clock) = session(WriteMode::RequireElevation, 900).await;
    s.elevate(Some(code_now())).await.unwrap();
    let writer = s.writer().unwrap();
    let Status::Elevated { expires_at_ms, .. } = s.status() else {
        panic!()
    };
    clock
        .0
        .store(expires_at_ms - 4 * 60 * 1000, Ordering::SeqCst);
    assert!(
        matches!(
            s.status(),
            Status::Elevated {
                renew_soon: true,
                ..
            }
        ),
        "{:?}",
        s.status()
    );
    assert_eq!(s.tick(), None);

    clock.0.store(expires_at_ms + 1, Ordering::SeqCst);
    assert_eq!(
        s.tick(),
        Some(Status::Expired {
            role: DEMO_REMEDIATION_ROLE.into()
        })
    );
    assert!(matches!(s.writer(), Err(SessionError::Expired { .. })));
    assert!(s.needs_elevation());
    // A task still holding the old writer is refused too, before AWS is asked.
    let change = Change::BucketVersioning {
        bucket: "vigil-lab-versioning-suspended".into(),
        status: VersioningStatus::Enabled,
    };
    let err = writer.cloud.apply(&change).await.unwrap_err();
    assert!(matches!(err, CloudError::Expired(_)), "{err}");
    assert!(err.to_string().contains("elevate again"), "{err}");
    let now = s.reader().current_state(&change).await.unwrap();
    assert_eq!(
        now,
        Change::BucketVersioning {
            bucket: "vigil-lab-versioning-suspended".into(),
            status: VersioningStatus::Suspended
        }
    );
}

#[tokio::test]
async fn drop_ends_elevation_early() {
    let (mut s, ..) = session(WriteMode::RequireElevation, 900).await;
    s.elevate(Some(code_now())).await.unwrap();
    let writer = s.writer().unwrap();
    s.drop_elevation();
    assert_eq!(
        s.status(),
        Status::Expired {
            role: DEMO_REMEDIATION_ROLE.into()
        }
    );
    assert!(s.writer().is_err());
    let change = Change::BucketVersioning {
        bucket: "vigil-lab-versioning-suspended".into(),
        status: VersioningStatus::Enabled,
    };
    assert!(matches!(
        writer.cloud.apply(&change).await,
        Err(CloudError::Expired(_))
    ));
    assert!(
        writer.cloud.caller_identity().await.is_err(),
        "reads through a dropped session are refused too"
    );
}

#[tokio::test]
async fn readonly_makes_no_write_and_no_elevation() {
    let (s, demo, _) = session(WriteMode::ReadOnly, 900).await;
    assert_eq!(s.status(), Status::ReadOnly);
    assert!(!s.needs_elevation());
    assert!(matches!(
        s.elevation_job(Some(code_now())),
        Err(SessionError::ReadOnly)
    ));
    assert!(matches!(s.writer(), Err(SessionError::ReadOnly)));
    // Planning (a preview) still works; it only reads.
    let plan = remedy::plan_live(
        s.reader().as_ref(),
        "bucket-bpa-on",
        &Inputs {
            bucket: Some("vigil-lab-public-policy".into()),
            ..Inputs::default()
        },
    )
    .await
    .unwrap();
    assert!(!plan.is_noop());
    assert!(demo.writes().is_empty());
    assert_eq!(*demo.elevations.lock().unwrap(), 0);
}

#[tokio::test]
async fn nothing_secret_shows_in_debug_output() {
    let (s, ..) = session(WriteMode::RequireElevation, 900).await;
    let code = demo_mfa_code((now_ms() / 1000) as u64);
    let job = s
        .elevation_job(Some(MfaCode::new(code.clone()).unwrap()))
        .unwrap();
    let shown = format!("{job:?}");
    assert!(!shown.contains(&code), "{shown}");
    assert!(shown.contains("MfaCode(******)"), "{shown}");
    let done = job.run().await.unwrap();
    let shown = format!("{done:?}");
    assert!(
        !shown.contains(&code) && !shown.to_lowercase().contains("secret"),
        "{shown}"
    );
}
