//! The opening morning, reduced (issue 13): the load generator of `scripts/
//! opening-morning.sh` against the real server — 300 families log in during the seconds
//! before the opening and, at the opening instant, enrol their children into 5 périodes
//! of 24 places. Correctness only (never speed): no overbooking, every enrolment answered
//! confirmée or liste d'attente (503s retried), every acknowledged enrolment in the
//! database, no place left empty while a family waits.

use chrono::{Duration, Utc};
use diesel::prelude::*;

use crate::helpers::{PASSWORD, spawn_app};

use api::db::DbConn;
use api::load_seed::{Plan, Prepared};

/// A race of `families` families for `periodes` périodes of 24 places, opening in
/// `opens_in` (time enough for every family to log in first).
pub(crate) fn race(families: usize, periodes: usize, opens_in: Duration, prefix: &str) -> Plan {
    Plan {
        families,
        periodes,
        places: 24,
        opening: Utc::now() + opens_in,
        password: PASSWORD.into(),
        prefix: prefix.into(),
        fair: false,
    }
}

/// Runs the load generator's opening morning against `base_url` (one server, or the proxy
/// in front of several) and checks the families' side: every child answered, nothing
/// acknowledged lost, no overbooking, no place empty while a family waits.
pub(crate) async fn run_the_rush(
    base_url: &str,
    plan: &Plan,
    login_window: std::time::Duration,
) -> loadgen::Report {
    let report = loadgen::run(loadgen::Config {
        base_url: base_url.to_string(),
        prefix: plan.prefix.clone(),
        families: plan.families,
        password: plan.password.clone(),
        activity: format!("essai de charge {}", plan.prefix),
        login_window,
        catalogue_every: std::time::Duration::from_secs(2),
        request_timeout: std::time::Duration::from_secs(30),
    })
    .await
    .expect("the run");
    println!("{report}");
    assert!(report.problems().is_empty(), "{report}");
    assert_eq!(
        report.confirmed,
        plan.periodes * usize::try_from(plan.places).expect("places"),
        "far more children than places: all taken"
    );
    report
}

/// The database agrees with what the families were told: each période's confirmed rows
/// are its capacity and its counter, and each child has exactly one enrolment.
pub(crate) fn assert_the_database_agrees(conn: &mut DbConn, prepared: &Prepared) {
    use api::db::schema::{inscriptions, periodes};
    for periode in &prepared.periode_ids {
        let (capacite, prises): (i32, i32) = periodes::table
            .find(periode)
            .select((periodes::capacite, periodes::places_prises))
            .first(conn)
            .expect("période");
        let confirmed: i64 = inscriptions::table
            .filter(inscriptions::periode_id.eq(periode))
            .filter(inscriptions::statut.eq("confirmee"))
            .count()
            .get_result(conn)
            .expect("count");
        assert_eq!((confirmed, prises), (i64::from(capacite), capacite));
    }
    let total: i64 = inscriptions::table
        .filter(inscriptions::periode_id.eq_any(&prepared.periode_ids))
        .count()
        .get_result(conn)
        .expect("count");
    assert_eq!(
        usize::try_from(total).expect("count"),
        prepared.children,
        "one per child"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_hundred_families_at_the_opening_overbook_nothing_and_lose_nothing() {
    let app = spawn_app().await;
    let plan = race(300, 5, Duration::seconds(12), "ouverture");
    let prepared = {
        let mut conn = app.state.pool.get().expect("conn");
        api::load_seed::prepare(&mut conn, &plan).expect("seed")
    };
    let report = run_the_rush(&app.address, &plan, std::time::Duration::from_secs(10)).await;
    assert_eq!(report.children, prepared.children);
    assert_eq!(
        report.catalogue_unavailable, 0,
        "the catalogue keeps answering during the rush"
    );
    assert_the_database_agrees(&mut app.state.pool.get().expect("conn"), &prepared);

    // The login ceiling phase of the benchmark (`--plafond-secondes`), reduced: more
    // clients than hashing slots keep logging in as the families; every login answers 200
    // or 503, nothing else.
    let ceiling = loadgen::ceiling::measure(
        &app.address,
        &plan.prefix,
        plan.families,
        &plan.password,
        6,
        std::time::Duration::from_secs(2),
    )
    .await
    .expect("the ceiling phase");
    assert!(ceiling.logins.count() > 0, "{ceiling:?}");
    assert_eq!(ceiling.errors, 0, "{ceiling:?}");
}

/// The fair alternative, reduced: 300 families' children have ranked three wishes each
/// among 5 périodes of 24 places; at the close the job runs the draw once. Every place is
/// given, none twice, each child at most once; the waiting lists follow the draw; and the
/// public document re-runs to the same result.
#[tokio::test]
async fn three_hundred_families_drawn_fairly_fill_every_place_once_and_the_draw_re_runs() {
    let app = spawn_app().await;
    let plan = api::load_seed::Plan {
        families: 300,
        periodes: 5,
        places: 24,
        opening: Utc::now() + Duration::minutes(5),
        password: PASSWORD.into(),
        prefix: "equitable".into(),
        fair: true,
    };
    let prepared = {
        let mut conn = app.state.pool.get().expect("conn");
        api::load_seed::prepare(&mut conn, &plan).expect("seed")
    };
    app.state.clock.advance(Duration::minutes(10));
    assert_eq!(api::jobs::run_due_draws(&app.state).await.expect("draw"), 1);

    let view: shared::api::voeux::TirageView = app
        .client
        .get(app.url(&format!("/api/tirages/{}", prepared.periode_ids[0])))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(view.lignes.len(), prepared.children * 3);
    let verified = api::activities::verify_draw::verify(&view);
    assert!(
        verified.differences.is_empty(),
        "{:?}",
        verified.differences
    );
    assert_eq!(
        verified.placed,
        5 * 24,
        "far more wishes than places: all given"
    );

    use api::db::schema::{inscriptions, periodes};
    let mut conn = app.state.pool.get().expect("conn");
    for periode in &prepared.periode_ids {
        let (capacite, prises): (i32, i32) = periodes::table
            .find(periode)
            .select((periodes::capacite, periodes::places_prises))
            .first(&mut conn)
            .expect("période");
        assert_eq!(prises, capacite);
    }
    // Each child holds at most one place; every child not placed waits somewhere.
    let held: Vec<String> = inscriptions::table
        .filter(inscriptions::periode_id.eq_any(&prepared.periode_ids))
        .filter(inscriptions::statut.eq("confirmee"))
        .select(inscriptions::member_id)
        .load(&mut conn)
        .expect("places");
    let placed: std::collections::HashSet<String> = held.iter().cloned().collect();
    assert_eq!(placed.len(), held.len(), "a child placed twice");
    let waiting: std::collections::HashSet<String> = inscriptions::table
        .filter(inscriptions::periode_id.eq_any(&prepared.periode_ids))
        .filter(inscriptions::statut.eq("liste_attente"))
        .select(inscriptions::member_id)
        .load(&mut conn)
        .expect("waiting")
        .into_iter()
        .collect();
    assert_eq!(
        placed.len() + waiting.difference(&placed).count(),
        prepared.children
    );
}
