//! The validating proxy in front of a deliberately wrong upstream: the shop's spec mock
//! behind a fault switch that plants one defect at a time. Each defect must be reported
//! (printed, in the rows, in the HAR), invalid requests must reach the upstream unless
//! `reject_invalid`, and bodies of any size or framing must pass through unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test scaffolding

use axum::body::Body;
use axum::http::Response;
use contract_tests::proxy::{Options, Proxy};
use contract_tests::spec_mock::{self, SpecMock};
use contract_tests::{ContractValidator, Kind};
use serde_json::{Value, json};
use std::path::Path;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower_service::Service;

const SHOP: &str = "tests/fixtures/shop.yaml";
const TOKEN: &str = "Bearer s3cret-t0ken";

fn load() -> codegen::load::Loaded {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHOP);
    codegen::check(codegen::Input::read(&file, SHOP).unwrap(), vec![])
}

/// The defect the upstream plants in its next answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Fault {
    /// Answers as the spec says (the spec mock).
    None = 0,
    /// 418, which no operation documents.
    UndocumentedStatus,
    /// A product without `price` and with `id: 0`.
    BadBody,
    /// `text/html` where JSON is documented.
    WrongContentType,
    /// `application/json` that does not parse.
    BrokenJson,
    /// A valid product, whatever was sent (and the body's length remembered).
    Accept,
}

struct Upstream {
    fault: AtomicU8,
    received: AtomicUsize,
    last_body: Mutex<Vec<u8>>,
    last_headers: Mutex<Vec<(String, String)>>,
}

async fn start_upstream() -> (String, Arc<Upstream>) {
    let state = Arc::new(Upstream {
        fault: AtomicU8::new(Fault::None as u8),
        received: AtomicUsize::new(0),
        last_body: Mutex::new(Vec::new()),
        last_headers: Mutex::new(Vec::new()),
    });
    let mock = SpecMock::build(&load(), spec_mock::Options::default())
        .unwrap()
        .into_router();
    let shared = state.clone();
    let app = axum::Router::new().fallback(move |request: axum::extract::Request| {
        let state = shared.clone();
        let mut mock = mock.clone();
        async move {
            state.received.fetch_add(1, Ordering::SeqCst);
            *state.last_headers.lock().unwrap() = request
                .headers()
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
                .collect();
            let (parts, body) = request.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
            *state.last_body.lock().unwrap() = bytes.to_vec();
            let reply = |status: u16, ct: &str, body: &str| {
                Response::builder()
                    .status(status)
                    .header("content-type", ct)
                    .body(Body::from(body.to_owned()))
                    .unwrap()
            };
            match state.fault.load(Ordering::SeqCst) {
                x if x == Fault::UndocumentedStatus as u8 => reply(418, "application/json", "{}"),
                x if x == Fault::BadBody as u8 => {
                    reply(200, "application/json", r#"{"id": 0, "name": "w"}"#)
                }
                x if x == Fault::WrongContentType as u8 => reply(200, "text/html", "<p>hi</p>"),
                x if x == Fault::BrokenJson as u8 => reply(200, "application/json", "{oops"),
                x if x == Fault::Accept as u8 => reply(
                    201,
                    "application/json",
                    r#"{"id": 7, "name": "Big", "price": 1}"#,
                ),
                _ => mock
                    .call(axum::http::Request::from_parts(parts, Body::from(bytes)))
                    .await
                    .unwrap(),
            }
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, state)
}

async fn start_proxy(upstream: &str, reject_invalid: bool) -> (Proxy, String) {
    let validator = ContractValidator::new(load()).unwrap();
    let proxy = Proxy::new(
        validator,
        Options {
            upstream: upstream.to_owned(),
            reject_invalid,
            ..Options::default()
        },
    )
    .unwrap();
    let running = proxy
        .start("127.0.0.1:0", std::future::pending())
        .await
        .unwrap();
    (proxy, running.base_url)
}

async fn send(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Vec<u8>>,
) -> (u16, String, Vec<u8>) {
    let client = reqwest::Client::new();
    let mut request = client.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{base}{path}"),
    );
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    if let Some(b) = body {
        request = request.body(b);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let ct = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, response.bytes().await.unwrap().to_vec())
}

fn kinds(proxy: &Proxy, row: usize) -> Vec<Kind> {
    proxy.recording().rows[row]
        .violations
        .iter()
        .map(|v| v.kind)
        .collect()
}

#[tokio::test]
async fn every_planted_response_defect_is_reported_and_recorded() {
    let (upstream, state) = start_upstream().await;
    let (proxy, base) = start_proxy(&upstream, false).await;
    let auth = [("authorization", TOKEN)];

    // A correct answer passes through with nothing to report.
    let (status, _, body) = send(&base, "GET", "/products/1", &auth, None).await;
    assert_eq!(status, 200);
    assert!(serde_json::from_slice::<Value>(&body).unwrap()["name"].is_string());
    assert_eq!(kinds(&proxy, 0), vec![]);

    let planted = [
        (Fault::UndocumentedStatus, 418, Kind::UndocumentedStatus),
        (Fault::BadBody, 200, Kind::Schema),
        (Fault::WrongContentType, 200, Kind::UnexpectedContentType),
        (Fault::BrokenJson, 200, Kind::NotJson),
    ];
    for (i, (fault, status, kind)) in planted.iter().enumerate() {
        state.fault.store(*fault as u8, Ordering::SeqCst);
        let (got, _, _) = send(&base, "GET", "/products/1", &auth, None).await;
        assert_eq!(
            got, *status,
            "{fault:?}: the upstream's status passes through"
        );
        let found = kinds(&proxy, i + 1);
        assert!(found.contains(kind), "{fault:?}: {found:?}");
    }
    // The body defect names the instance path, the keyword and where it is written.
    let rows = proxy.recording().rows;
    let bad = &rows[2].violations;
    assert!(
        bad.iter().any(|v| v.keyword.ends_with("/required")
            && v.location
                .as_deref()
                .is_some_and(|l| l.starts_with("tests/fixtures/shop.yaml:"))),
        "{bad:?}"
    );
    assert!(bad.iter().any(|v| v.instance_path == "/id"), "{bad:?}");
    assert_eq!(rows[2].operation, "GET /products/{productId}");

    // The HAR has every exchange, with the token redacted, and reads back as HAR.
    let har = proxy.recording().har();
    let entries = har["log"]["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 5);
    let text = har.to_string();
    assert!(!text.contains("s3cret"), "the token leaked into the HAR");
    assert_eq!(entries[1]["response"]["status"], 418);
    let validator = ContractValidator::new(load()).unwrap();
    let replayed = contract_tests::har::check(&validator, &text, Default::default()).unwrap();
    assert_eq!(replayed.len(), 5);
    // The redacted recording still carries a bearer credential: the valid exchange replays
    // as valid (no `ignored_auth`, no request problem).
    assert_eq!(
        replayed[0].verdict,
        contract_tests::report::Verdict::Pass,
        "{:?}",
        replayed[0]
    );
    assert!(replayed[0].request_problems.is_empty(), "{:?}", replayed[0]);
    assert!(
        replayed[1]
            .violations
            .iter()
            .any(|v| v.kind == Kind::UndocumentedStatus)
    );
    let report = contract_tests::report::json(&proxy.recording().rows);
    assert_eq!(report["totals"]["failed"], 4, "{report}");
}

#[tokio::test]
async fn invalid_requests_reach_the_upstream_unless_rejected() {
    let (upstream, state) = start_upstream().await;
    let (proxy, base) = start_proxy(&upstream, false).await;
    let json_ct = [
        ("authorization", TOKEN),
        ("content-type", "application/json"),
    ];

    // Forwarded as sent: the upstream answers (its own 400) and the request is reported.
    let bad = br#"{"name": 5}"#.to_vec();
    let (status, _, _) = send(&base, "POST", "/products", &json_ct, Some(bad.clone())).await;
    assert_eq!(status, 400);
    assert_eq!(state.received.load(Ordering::SeqCst), 1);
    assert_eq!(*state.last_body.lock().unwrap(), bad);
    // The upstream rejected it as documented: the client's problem, not a failure.
    let row = &proxy.recording().rows[0];
    assert!(
        row.request_problems
            .iter()
            .any(|v| v.kind == Kind::Schema && v.instance_path == "/name"),
        "{row:?}"
    );
    assert_eq!(
        row.verdict,
        contract_tests::report::Verdict::Pass,
        "{row:?}"
    );
    assert!(
        row.notes[0].contains("rejected as documented (400)"),
        "{row:?}"
    );
    // No credentials: forwarded too.
    send(&base, "GET", "/products", &[], None).await;
    assert_eq!(state.received.load(Ordering::SeqCst), 2);
    let row = &proxy.recording().rows[1];
    assert!(
        row.request_problems
            .iter()
            .any(|v| v.kind == Kind::Security),
        "{row:?}"
    );

    // An upstream that accepts the same invalid body breaks the contract.
    state.fault.store(Fault::Accept as u8, Ordering::SeqCst);
    let (status, _, _) = send(&base, "POST", "/products", &json_ct, Some(bad.clone())).await;
    state.fault.store(Fault::None as u8, Ordering::SeqCst);
    assert_eq!(status, 201);
    assert_eq!(kinds(&proxy, 2), [Kind::NegativeDataAccepted]);
    assert_eq!(state.received.load(Ordering::SeqCst), 3);

    // With reject_invalid the proxy answers as the spec documents, and the upstream sees nothing.
    let (strict, strict_base) = start_proxy(&upstream, true).await;
    let before = state.received.load(Ordering::SeqCst);
    let (status, ct, body) = send(&strict_base, "POST", "/products", &json_ct, Some(bad)).await;
    assert_eq!(status, 400);
    assert_eq!(ct, "application/json");
    let error: Value = serde_json::from_slice(&body).unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("price"),
        "{error}"
    );
    let (status, _, _) = send(&strict_base, "GET", "/products", &[], None).await;
    assert_eq!(status, 401);
    let (status, _, _) = send(
        &strict_base,
        "POST",
        "/products",
        &[("authorization", TOKEN), ("content-type", "text/plain")],
        Some(b"x".to_vec()),
    )
    .await;
    assert_eq!(status, 415);
    assert_eq!(state.received.load(Ordering::SeqCst), before);
    assert_eq!(strict.recording().rows.len(), 3);
    assert!(strict.recording().rows[0].scenario.contains("rejected"));
    // A valid request still goes through.
    let (status, _, _) = send(
        &strict_base,
        "GET",
        "/products/1",
        &[("authorization", TOKEN)],
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(state.received.load(Ordering::SeqCst), before + 1);

    // An unknown operation is reported once.
    send(&base, "GET", "/nowhere", &[], None).await;
    let rows = proxy.recording().rows;
    let unknown = rows.last().unwrap();
    assert_eq!(
        unknown
            .violations
            .iter()
            .filter(|v| v.kind == Kind::UnknownOperation)
            .count(),
        1,
        "{unknown:?}"
    );
}

#[tokio::test]
async fn large_and_chunked_bodies_pass_through_and_a_dead_upstream_is_502() {
    let (upstream, state) = start_upstream().await;
    let (proxy, base) = start_proxy(&upstream, false).await;
    state.fault.store(Fault::Accept as u8, Ordering::SeqCst);

    // 12 MB, byte for byte.
    let big: Vec<u8> = (0..12_000_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let (status, _, _) = send(
        &base,
        "POST",
        "/products",
        &[
            ("authorization", TOKEN),
            ("content-type", "application/json"),
        ],
        Some(big.clone()),
    )
    .await;
    assert_eq!(status, 201);
    assert!(
        *state.last_body.lock().unwrap() == big,
        "the 12 MB body changed on the way"
    );
    assert!(
        !kinds(&proxy, 0).is_empty(),
        "12 MB of letters is not the JSON the operation takes"
    );

    // Chunked, written by hand on a raw connection.
    let address = base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let chunked = "POST /products HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret-t0ken\r\n\
Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n\
b\r\n{\"name\": \"C\r\n14\r\nhunked\", \"price\": 2}\r\n0\r\n\r\n";
    stream.write_all(chunked.as_bytes()).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(
        *state.last_body.lock().unwrap(),
        br#"{"name": "Chunked", "price": 2}"#.to_vec()
    );
    let forwarded = state.last_headers.lock().unwrap().clone();
    assert!(
        forwarded
            .iter()
            .any(|(k, v)| k == "content-length" && v == "31"),
        "forwarded with its length: {forwarded:?}"
    );
    assert_eq!(
        kinds(&proxy, 1),
        vec![],
        "a valid chunked request and answer conform"
    );

    // Nothing listens upstream: 502 problem+json, recorded as skipped with the reason.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let (lonely, lonely_base) = start_proxy(&dead, false).await;
    let (status, ct, body) = send(&lonely_base, "GET", "/health", &[], None).await;
    assert_eq!(status, 502);
    assert_eq!(ct, "application/problem+json");
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["status"], json!(502));
    assert!(
        problem["detail"].as_str().unwrap().contains(&dead),
        "{problem}"
    );
    assert!(lonely.recording().rows[0].skipped.is_some());
}

#[test]
fn an_upstream_that_is_not_a_url_is_refused_with_help() {
    let validator = ContractValidator::new(load()).unwrap();
    let error = Proxy::new(
        validator,
        Options {
            upstream: "localhost:8080".into(),
            ..Options::default()
        },
    )
    .err()
    .unwrap();
    assert!(error.to_string().contains("help:"), "{error}");
}
