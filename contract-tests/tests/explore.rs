//! The spec-driven runner against targets whose defects are known: the mock of a spec with
//! each planted fault (found on its operation, by its check), the correct mock (only the
//! findings the spec itself forces, each explained), and the Nango mock, correct (nothing)
//! and sabotaged (found). Over real HTTP on loopback.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test scaffolding

mod common;

use contract_tests::ContractValidator;
use contract_tests::explore::checks::Check;
use contract_tests::explore::{self, Config, Outcome};
use contract_tests::mock::{self, server::Mock, state};
use contract_tests::spec_mock::faults::Fault;
use contract_tests::spec_mock::{Options, SpecMock};
use std::collections::BTreeSet;
use std::path::Path;

const SHOP: &str = "tests/fixtures/shop.yaml";
const SECRET: &str = "s3cret";

fn shop() -> codegen::load::Loaded {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHOP);
    codegen::check(codegen::Input::read(&file, SHOP).unwrap(), vec![])
}

/// Runs the explorer against the shop mock with `faults` planted.
async fn explore_shop(faults: Vec<Fault>, seed: u64) -> Outcome {
    let options = Options {
        stateful: true,
        credentials: vec![format!("bearer={SECRET}")],
        faults,
        ..Options::default()
    };
    let running = SpecMock::build(&shop(), options)
        .unwrap()
        .start("127.0.0.1:0")
        .await
        .unwrap();
    let validator = ContractValidator::new(shop()).unwrap();
    let mut config = Config::new(running.base_url.clone());
    config.seed = seed;
    config
        .headers
        .push(("Authorization".into(), format!("Bearer {SECRET}")));
    explore::run(&validator, &config, &mut |_| {})
        .await
        .unwrap()
}

fn found(outcome: &Outcome) -> BTreeSet<(String, Check, u16)> {
    outcome
        .findings
        .iter()
        .map(|f| (f.operation.clone(), f.check, f.status))
        .collect()
}

/// What the correct mock of the shop spec is found to do: each is the spec's own gap, the
/// mock answering as HTTP and the generated routers must.
fn forced() -> BTreeSet<(String, Check, u16)> {
    let gap = |op: &str, status| (op.to_owned(), Check::StatusCodeConformance, status);
    [
        // A path id below its `minimum: 1` is refused with 400, which these operations do
        // not document.
        gap("GET /products/{productId}", 400),
        gap("PATCH /products/{productId}", 400),
        gap("DELETE /products/{productId}", 400),
        // `day` must be a date; the report documents only 200 and 401.
        gap("GET /reports/{day}.csv", 400),
        // A body under a Content-Type the operation does not take is 415, not documented.
        gap("POST /products", 415),
        gap("PATCH /products/{productId}", 415),
        // No credentials: 401, though DELETE documents only 403 (for a refused credential).
        gap("DELETE /products/{productId}", 401),
    ]
    .into_iter()
    .collect()
}

#[tokio::test]
async fn the_correct_mock_shows_only_what_the_spec_forces() {
    let outcome = explore_shop(Vec::new(), 0).await;
    assert_eq!(
        found(&outcome),
        forced(),
        "{}",
        explore::report::table(&outcome)
    );
    assert_eq!(outcome.operations.len(), 7);
    assert_eq!(outcome.skipped(), 0);
    assert!(outcome.cases > 100, "{} cases", outcome.cases);
    // createProduct's 201 links to getProduct with the new id.
    assert_eq!(outcome.links, 1);
}

#[tokio::test]
async fn every_planted_fault_is_found_on_its_operation() {
    let expected = [
        (
            Fault::WrongType,
            "GET /products/{productId}",
            Check::ResponseSchemaConformance,
        ),
        (
            Fault::DropRequired,
            "POST /products",
            Check::ResponseSchemaConformance,
        ),
        (Fault::Boundary500, "GET /products", Check::NotAServerError),
        (
            Fault::AcceptMissingRequired,
            "POST /products",
            Check::NegativeDataRejection,
        ),
        (Fault::IgnoreAuth, "GET /products", Check::IgnoredAuth),
        (
            Fault::UndocumentedStatus,
            "POST /products",
            Check::StatusCodeConformance,
        ),
        (
            Fault::WrongContentType,
            "GET /products/{productId}",
            Check::ContentTypeConformance,
        ),
        (
            Fault::CrashNonAscii,
            "POST /products",
            Check::NotAServerError,
        ),
        (
            Fault::UseAfterFree,
            "GET /products/{productId}",
            Check::UseAfterFree,
        ),
    ];
    for (fault, operation, check) in expected {
        let outcome = explore_shop(vec![fault], 0).await;
        let hit = outcome
            .findings
            .iter()
            .find(|f| f.operation == operation && f.check == check);
        let Some(hit) = hit else {
            panic!(
                "{fault:?} not found as {check} on {operation}:\n{}",
                explore::report::table(&outcome)
            );
        };
        assert!(hit.curl.starts_with("curl -X "), "{}", hit.curl);
        assert!(
            !hit.curl.contains(SECRET),
            "credentials are not printed: {}",
            hit.curl
        );
        // Nothing beyond the fault: the spec's own gaps aside, every finding is of the
        // fault's check, or the undocumented 500 a crash also is.
        let extra: Vec<_> = found(&outcome).difference(&forced()).cloned().collect();
        let allowed = |c: Check, status: u16| {
            c == check || (c == Check::StatusCodeConformance && status == 500)
        };
        assert!(
            extra.iter().all(|(_, c, s)| allowed(*c, *s)),
            "{fault:?} also gave {extra:?}"
        );
    }
}

#[tokio::test]
async fn findings_are_shrunk_to_the_value_that_matters() {
    let outcome = explore_shop(vec![Fault::Boundary500], 0).await;
    let f = outcome
        .findings
        .iter()
        .find(|f| f.check == Check::NotAServerError)
        .unwrap();
    // `limit` at its maximum is the whole reproduction: the other query parameters went.
    assert_eq!(
        f.curl
            .lines()
            .last()
            .unwrap()
            .split('\'')
            .nth(1)
            .unwrap()
            .rsplit('/')
            .next(),
        Some("products?limit=50"),
        "{}",
        f.curl
    );
    let f = explore_shop(vec![Fault::UseAfterFree], 0).await;
    let uaf = f
        .findings
        .iter()
        .find(|f| f.check == Check::UseAfterFree)
        .unwrap();
    // The flow is the reproduction: create, delete, read again.
    let methods: Vec<&str> = uaf
        .curl
        .lines()
        .map(|l| l.split(' ').nth(2).unwrap())
        .collect();
    assert_eq!(methods, ["POST", "DELETE", "GET"], "{}", uaf.curl);
}

#[tokio::test]
async fn the_same_seed_sends_the_same_requests() {
    let a = explore_shop(vec![Fault::WrongType], 7).await;
    let b = explore_shop(vec![Fault::WrongType], 7).await;
    assert_eq!((a.cases, a.requests), (b.cases, b.requests));
    let curls = |o: &Outcome| {
        o.findings
            .iter()
            .map(|f| f.curl.clone())
            .collect::<Vec<_>>()
    };
    let strip = |v: Vec<String>| {
        v.into_iter()
            .map(|c| {
                c.split("127.0.0.1:")
                    .map(|p| p.split_once('/').map_or(p, |x| x.1).to_owned())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(curls(&a)), strip(curls(&b)));
}

async fn explore_nango(sabotage: Option<mock::Sabotage>) -> Outcome {
    let key = "6f1c2b0e-8a3d-4e5f-9a7b-0c1d2e3f4a5b";
    let m = Mock::new(state::State::seeded(key), None);
    let running = match sabotage {
        Some(s) => mock::start_sabotaged(m, "127.0.0.1:0", s).await.unwrap(),
        None => mock::start_with(m, "127.0.0.1:0", false).await.unwrap(),
    };
    let target = contract_tests::suite::Target {
        base_url: running.base_url.clone(),
        secret_key: key.into(),
        read_only_key: None,
        integration: "github".into(),
        session_connection: Some("conn-session-1".into()),
        legacy_connection: None,
        destructive: true,
    };
    let mut config = Config::new(running.base_url.clone());
    config.nango(&target);
    explore::run(&common::nango_validator(), &config, &mut |_| {})
        .await
        .unwrap()
}

#[tokio::test]
async fn the_nango_mock_has_no_findings_and_its_sabotage_is_found() {
    let outcome = explore_nango(None).await;
    assert!(
        outcome.findings.is_empty(),
        "{}",
        explore::report::table(&outcome)
    );
    assert!(outcome.cases > 100);

    let outcome = explore_nango(Some(mock::Sabotage::IgnoreAuth)).await;
    assert!(
        found(&outcome).contains(&(
            "POST /connect/sessions/reconnect".to_owned(),
            Check::IgnoredAuth,
            201
        )),
        "{}",
        explore::report::table(&outcome)
    );
    let outcome = explore_nango(Some(mock::Sabotage::DropToken)).await;
    let dropped = outcome
        .findings
        .iter()
        .find(|f| f.check == Check::ResponseSchemaConformance && f.status == 201)
        .unwrap_or_else(|| panic!("{}", explore::report::table(&outcome)));
    let v = dropped.violation.as_ref().unwrap();
    assert!(
        v.location.as_deref().unwrap_or("").contains("nango"),
        "{v:?}"
    );
}

#[tokio::test]
async fn an_unreachable_server_is_an_error_not_findings() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let validator = ContractValidator::new(shop()).unwrap();
    let mut config = Config::new(format!("http://127.0.0.1:{port}"));
    config.timeout = std::time::Duration::from_secs(2);
    let e = explore::run(&validator, &config, &mut |_| {})
        .await
        .unwrap_err();
    assert!(e.to_string().contains("does not answer"), "{e}");
}
