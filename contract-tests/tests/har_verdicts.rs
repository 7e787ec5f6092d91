//! Recorded traffic judged as a team reading staging traffic needs: a HAR of a small shop's
//! traffic with ten planted faults (each must be caught, by its own kind) among exchanges a
//! well-behaved server produces (each must pass, invalid requests rejected as documented
//! included), and `strict_requests` turning clients' problems into failures.

#![allow(clippy::unwrap_used)] // test scaffolding

use contract_tests::recorded::Rules;
use contract_tests::report::{self, Row, Verdict};
use contract_tests::{ContractValidator, Kind};
use serde_json::{Value, json};

const BEARER: (&str, &str) = ("Authorization", "Bearer s3cret-token");

fn validator() -> ContractValidator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shop.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    let loaded = codegen::check(
        codegen::Input::new("tests/fixtures/shop.yaml", &text),
        vec![],
    );
    ContractValidator::new(loaded).unwrap()
}

/// One HAR entry: request (method, URL path, headers, JSON body) and answer.
fn entry(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    status: u16,
    response_headers: &[(&str, &str)],
    response: &str,
) -> Value {
    let list = |h: &[(&str, &str)]| -> Vec<Value> {
        h.iter()
            .map(|(n, v)| json!({"name": n, "value": v}))
            .collect()
    };
    let mut request = json!({
        "method": method,
        "url": format!("https://shop.example{path}"),
        "headers": list(headers),
    });
    if let Some(b) = body {
        request["postData"] = json!({"mimeType": "application/json", "text": b});
    }
    json!({
        "request": request,
        "response": {
            "status": status,
            "headers": list(response_headers),
            "content": {"mimeType": "", "text": response},
        }
    })
}

const JSON: (&str, &str) = ("Content-Type", "application/json");
const PRODUCT: &str = r#"{"id":1,"name":"Widget","price":9.5}"#;
const PAGE: &str = r#"{"data":[{"id":1,"name":"Widget","price":9.5}],"next":null}"#;
const ERROR: &str = r#"{"error":{"code":"invalid_body","message":"name must be a string"}}"#;

/// Conforming exchanges first (4), then one per planted fault (10), in the order of
/// [`PLANTED`].
fn traffic() -> String {
    let entries = vec![
        // 0: a valid read.
        entry(
            "GET",
            "/products?limit=2",
            &[BEARER],
            None,
            200,
            &[JSON, ("X-Rate-Limit", "99")],
            PAGE,
        ),
        // 1: an invalid body rejected with the documented 400.
        entry(
            "POST",
            "/products",
            &[BEARER, JSON],
            Some(r#"{"name":5}"#),
            400,
            &[JSON],
            ERROR,
        ),
        // 2: no credentials, rejected with the documented 401.
        entry("GET", "/products", &[], None, 401, &[JSON], ERROR),
        // 3: a delete answered 204 without a body.
        entry("DELETE", "/products/1", &[BEARER], None, 204, &[], ""),
        // Planted faults.
        entry(
            "POST",
            "/products",
            &[BEARER, JSON],
            Some(r#"{"name":5,"price":1}"#),
            201,
            &[JSON],
            PRODUCT,
        ),
        entry("GET", "/products", &[], None, 200, &[JSON], PAGE),
        entry(
            "DELETE",
            "/products/2",
            &[BEARER],
            None,
            204,
            &[JSON],
            r#"{"deleted":true}"#,
        ),
        entry("GET", "/products/1", &[BEARER], None, 304, &[JSON], PRODUCT),
        entry(
            "GET",
            "/products/1",
            &[BEARER],
            None,
            200,
            &[JSON],
            r#"{"id":1,"price":9.5}"#,
        ),
        entry(
            "GET",
            "/products",
            &[BEARER],
            None,
            200,
            &[JSON, ("X-Rate-Limit", "5000")],
            PAGE,
        ),
        entry("GET", "/products/1", &[BEARER], None, 500, &[JSON], ERROR),
        entry(
            "GET",
            "/reports/2026-01-01.csv",
            &[BEARER],
            None,
            200,
            &[("Content-Type", "text/html")],
            "<p>",
        ),
        entry("GET", "/orders/7", &[BEARER], None, 200, &[JSON], "{}"),
        entry(
            "GET",
            "/products/1?color=red",
            &[BEARER],
            None,
            200,
            &[JSON],
            PRODUCT,
        ),
    ];
    json!({"log": {"version": "1.2", "entries": entries}}).to_string()
}

/// What each planted fault must be reported as.
const PLANTED: [Kind; 10] = [
    Kind::NegativeDataAccepted,
    Kind::IgnoredAuth,
    Kind::BodyNotAllowed,
    Kind::BodyNotAllowed,
    Kind::Schema,
    Kind::Header,
    Kind::UndocumentedStatus,
    Kind::UnexpectedContentType,
    Kind::UnknownOperation,
    Kind::UndeclaredParameter,
];

fn kinds(list: &[contract_tests::Violation]) -> Vec<Kind> {
    list.iter().map(|v| v.kind).collect()
}

#[test]
fn every_planted_fault_is_caught_and_conforming_traffic_passes() {
    let validator = validator();
    let rows = contract_tests::har::check(&validator, &traffic(), Rules::default()).unwrap();
    assert_eq!(rows.len(), 14);
    for row in &rows[..4] {
        assert_eq!(row.verdict, Verdict::Pass, "{row:#?}");
        assert!(row.violations.is_empty(), "{row:#?}");
    }
    // The rejected invalid requests pass, and say why.
    for row in &rows[1..3] {
        assert!(!row.request_problems.is_empty(), "{row:#?}");
        assert!(
            row.notes[0].starts_with("request invalid: ")
                && row.notes[0].contains("rejected as documented"),
            "{row:#?}"
        );
    }
    assert_eq!(
        kinds(&rows[1].request_problems),
        [Kind::Schema, Kind::Schema]
    );
    assert_eq!(kinds(&rows[2].request_problems), [Kind::Security]);

    // Every planted fault fails its exchange, but the undeclared query parameter (a client
    // problem: servers may ignore what they do not know).
    for row in &rows[4..13] {
        assert_eq!(row.verdict, Verdict::Fail, "{row:#?}");
    }
    for (row, kind) in rows[4..].iter().zip(PLANTED) {
        let found = kinds(&row.violations);
        let problems = kinds(&row.request_problems);
        assert!(
            found.contains(&kind) || problems.contains(&kind),
            "{kind:?} not caught: {row:#?}"
        );
    }
    // The findings of a 2xx answer point at what the request broke.
    let accepted = &rows[4].violations[0];
    assert!(
        accepted
            .message
            .contains("answered 201 to an invalid request")
            && accepted.instance_path == "/name"
            && accepted.keyword.ends_with("/type"),
        "{accepted:?}"
    );
    // An unknown operation is reported once.
    assert_eq!(kinds(&rows[12].violations), [Kind::UnknownOperation]);
    assert!(rows[12].request_problems.is_empty());
    // An undeclared query parameter is the client's problem, not a failure of the server.
    assert_eq!(rows[13].verdict, Verdict::Pass, "{:#?}", rows[13]);
    assert_eq!(
        kinds(&rows[13].request_problems),
        [Kind::UndeclaredParameter]
    );

    let totals = report::totals(&rows);
    assert_eq!((totals.passed, totals.failed, totals.skipped), (5, 9, 0));
    assert_eq!(
        totals.request_problems,
        rows.iter().map(|r| r.request_problems.len()).sum::<usize>()
    );
    assert_eq!(totals.request_problems, 6, "{rows:#?}");
    let table = report::table(&rows);
    assert!(
        table.contains("5 passed, 9 failed, 0 skipped\n")
            && table.contains("; 6 client request problem(s)\n"),
        "{table}"
    );
    // The reproduction hides the credential.
    let shown = rows[4].exchange.as_ref().unwrap();
    assert!(
        shown.curl.contains("Bearer [REDACTED]") && !shown.curl.contains("s3cret"),
        "{}",
        shown.curl
    );
}

#[test]
fn strict_requests_fail_every_exchange_with_a_request_problem() {
    let validator = validator();
    let strict = Rules {
        strict_requests: true,
    };
    let rows = contract_tests::har::check(&validator, &traffic(), strict).unwrap();
    let failed: Vec<&Row> = rows.iter().filter(|r| r.verdict == Verdict::Fail).collect();
    // The two rejected requests and the undeclared parameter fail now.
    assert_eq!(failed.len(), 12);
    for i in [1, 2, 13] {
        assert_eq!(rows[i].verdict, Verdict::Fail, "{:#?}", rows[i]);
        assert!(rows[i].headline().starts_with("request "), "{:#?}", rows[i]);
    }
    assert_eq!(rows[0].verdict, Verdict::Pass);
}

#[test]
fn an_invalid_request_rejected_with_a_broken_error_body_fails_on_the_response() {
    let validator = validator();
    let har = json!({"log": {"entries": [
        entry("POST", "/products", &[BEARER, JSON], Some("{}"), 400, &[JSON], r#"{"message":"bad"}"#),
        entry("POST", "/products", &[BEARER, JSON], Some("{}"), 422, &[JSON], ERROR),
    ]}})
    .to_string();
    let rows = contract_tests::har::check(&validator, &har, Rules::default()).unwrap();
    assert_eq!(rows[0].verdict, Verdict::Fail);
    assert!(
        kinds(&rows[0].violations).contains(&Kind::Schema),
        "{:#?}",
        rows[0]
    );
    assert!(!rows[0].notes[0].contains("rejected as documented"));
    assert_eq!(kinds(&rows[1].violations), [Kind::UndocumentedStatus]);
}

#[test]
fn browsers_quirks_and_the_specs_own_gaps_are_not_failures_of_the_server() {
    let validator = validator();
    let har = json!({"log": {"entries": [
        // 0: an aborted request: nothing came back.
        entry("GET", "/products", &[BEARER], None, 0, &[], ""),
        // 1: HEAD of a GET operation, with the GET's Content-Type and no body.
        entry("HEAD", "/products/1", &[BEARER], None, 200, &[JSON], ""),
        // 2: a CORS preflight.
        entry("OPTIONS", "/products", &[("Access-Control-Request-Method", "POST")], None, 204, &[], ""),
        // 3: an unknown operation whose query carries a key: the report must not repeat it.
        entry("GET", "/orders?api_key=k3y-s3cret", &[], None, 200, &[JSON], "{}"),
        // 4: an invalid request answered by a documented... nothing: 500 is not documented.
        entry("POST", "/products", &[BEARER, JSON], Some("{}"), 500, &[JSON], ERROR),
    ]}})
    .to_string();
    let rows = contract_tests::har::check(&validator, &har, Rules::default()).unwrap();
    assert_eq!(rows[0].verdict, Verdict::Skip, "{:#?}", rows[0]);
    assert_eq!(rows[1].verdict, Verdict::Pass, "{:#?}", rows[1]);
    assert_eq!(rows[1].operation, "GET /products/{productId}");
    assert_eq!(rows[2].verdict, Verdict::Skip, "{:#?}", rows[2]);
    assert_eq!(kinds(&rows[3].violations), [Kind::UnknownOperation]);
    let text = serde_json::to_string(&report::json(&rows)).unwrap();
    assert!(!text.contains("k3y-s3cret"), "{text}");
    assert!(
        rows[4].notes[0].ends_with("; answered 500"),
        "{:#?}",
        rows[4]
    );
    assert_eq!(kinds(&rows[4].violations), [Kind::UndocumentedStatus]);
}

#[test]
fn a_request_the_spec_cannot_check_still_has_its_answer_judged() {
    let spec = r#"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/Missing'}
      responses:
        "201": {description: made}
"#;
    let loaded = codegen::check(codegen::Input::new("t.yaml", spec), vec![]);
    let validator = ContractValidator::new(loaded).unwrap();
    let har = json!({"log": {"entries": [
        entry("POST", "/a", &[JSON], Some("{}"), 418, &[], ""),
        entry("POST", "/a", &[JSON], Some("{}"), 201, &[], ""),
    ]}})
    .to_string();
    let rows = contract_tests::har::check(&validator, &har, Rules::default()).unwrap();
    assert_eq!(rows[0].verdict, Verdict::Fail, "{:#?}", rows[0]);
    assert_eq!(kinds(&rows[0].violations), [Kind::UndocumentedStatus]);
    assert!(
        rows[0].notes[0].starts_with("request not checked"),
        "{:#?}",
        rows[0]
    );
    assert_eq!(rows[1].verdict, Verdict::Pass, "{:#?}", rows[1]);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Whatever a recording holds (odd methods, URLs, headers, statuses, bodies that are not
    /// JSON or not base64), every entry gets exactly one row and nothing panics.
    #[test]
    fn any_recorded_exchange_gets_one_row(
        entries in proptest::collection::vec(
            (
                "[A-Za-z]{0,8}",
                "(https?://[a-z.]{1,10})?(/[a-z0-9{}%?=&._~-]{0,12}){0,4}",
                proptest::collection::vec(("[A-Za-z-]{1,12}", "\\PC{0,20}"), 0..4),
                proptest::option::of("\\PC{0,40}"),
                -5i64..1200,
                "\\PC{0,60}",
                proptest::bool::ANY,
            ),
            0..6,
        )
    ) {
        let validator = validator();
        let list: Vec<Value> = entries
            .iter()
            .map(|(method, url, headers, body, status, response, base64)| {
                let headers: Vec<Value> = headers
                    .iter()
                    .map(|(n, v)| json!({"name": n, "value": v}))
                    .collect();
                let mut request = json!({"method": method, "url": url, "headers": headers});
                if let Some(b) = body {
                    request["postData"] = json!({"mimeType": "application/json", "text": b});
                }
                let encoding = if *base64 { json!("base64") } else { Value::Null };
                json!({
                    "request": request,
                    "response": {"status": status, "headers": headers,
                                 "content": {"text": response, "encoding": encoding}},
                })
            })
            .collect();
        let har = json!({"log": {"entries": list}}).to_string();
        let rows = contract_tests::har::check(&validator, &har, Rules::default()).unwrap();
        proptest::prop_assert_eq!(rows.len(), entries.len());
        let t = report::totals(&rows);
        proptest::prop_assert_eq!(t.passed + t.failed + t.skipped, rows.len());
    }
}
