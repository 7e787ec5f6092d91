//! Hostile clients against the pipeline every generated server and mock runs: slow headers
//! (slowloris) are cut at the header timeout, a body is never read before credentials are
//! accepted, a body that stalls is 408, and normal requests are answered meanwhile; a
//! request hyper cannot parse (400, 414, 431) still gets the documented error body.
//! Raw TCP on loopback; the time bounds below only stop a hung test, they measure nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test scaffolding

use contract_tests::spec_mock::{Options, Running, SpecMock};
use openapi_runtime::listen::Limits;
use std::path::Path;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SHOP: &str = "tests/fixtures/shop.yaml";

async fn start() -> Running {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(SHOP);
    let loaded = codegen::check(codegen::Input::read(&file, SHOP).unwrap(), vec![]);
    let options = Options {
        credentials: vec!["bearer=s3cret".into()],
        body_timeout: Duration::from_secs(1),
        ..Options::default()
    };
    let limits = Limits {
        header_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    SpecMock::build(&loaded, options)
        .unwrap()
        .start_with("127.0.0.1:0", limits)
        .await
        .unwrap()
}

fn addr(running: &Running) -> String {
    running.base_url.trim_start_matches("http://").to_owned()
}

/// Reads until the server closes the connection (a test hung past `limit` fails).
async fn read_all(stream: &mut TcpStream, limit: Duration) -> String {
    let mut out = Vec::new();
    let closed = tokio::time::timeout(limit, stream.read_to_end(&mut out)).await;
    assert!(
        closed.is_ok(),
        "the server kept the connection open past {limit:?}"
    );
    String::from_utf8_lossy(&out).into_owned()
}

async fn health(base: &str) -> u16 {
    reqwest::get(format!("{base}/health"))
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn slow_headers_are_cut_and_others_are_served_meanwhile() {
    let running = start().await;
    let mut slow = Vec::new();
    for _ in 0..200 {
        let mut s = TcpStream::connect(addr(&running)).await.unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        slow.push(s);
    }
    assert_eq!(
        health(&running.base_url).await,
        200,
        "served while 200 clients stall"
    );
    // Each stalled connection is closed by the server after the header timeout.
    for s in &mut slow {
        let _ = s.write_all(b"X-Slow: 1\r\n").await;
        let text = read_all(s, Duration::from_secs(10)).await;
        assert!(!text.contains("200 OK"), "{text}");
    }
    assert_eq!(health(&running.base_url).await, 200);
}

#[tokio::test]
async fn a_body_is_not_read_before_credentials_are_accepted() {
    let running = start().await;
    let mut s = TcpStream::connect(addr(&running)).await.unwrap();
    // Headers announce 100 MB; not one byte of it is sent.
    s.write_all(
        b"POST /products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
    )
    .await
    .unwrap();
    let text = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 401"), "{text}");
    // With credentials, a declared length over the limit is refused unread too.
    let mut s = TcpStream::connect(addr(&running)).await.unwrap();
    s.write_all(
        b"POST /products HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n",
    )
    .await
    .unwrap();
    let text = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
}

#[tokio::test]
async fn a_stalled_body_is_408() {
    let running = start().await;
    let mut s = TcpStream::connect(addr(&running)).await.unwrap();
    s.write_all(
        b"POST /products HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"na",
    )
    .await
    .unwrap();
    let text = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("did not arrive within 1 s"), "{text}");
}

#[tokio::test]
async fn a_malformed_chunk_is_400_in_the_error_shape_not_413() {
    let running = start().await;
    let mut s = TcpStream::connect(addr(&running)).await.unwrap();
    s.write_all(
        b"POST /products HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer s3cret\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    )
    .await
    .unwrap();
    let text = read_all(&mut s, Duration::from_secs(10)).await;
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("The body could not be read"), "{text}");
}

/// The JSON body of a raw HTTP/1.1 answer (a test fails when it is not JSON).
fn json_body(answer: &str) -> serde_json::Value {
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {answer}"))
}

/// Sends `raw` and returns the whole answer (the server closes after a parse error).
async fn exchange(running_addr: &str, raw: &[u8]) -> String {
    let mut s = TcpStream::connect(running_addr).await.unwrap();
    s.write_all(raw).await.unwrap();
    read_all(&mut s, Duration::from_secs(10)).await
}

#[tokio::test]
async fn requests_hyper_cannot_parse_get_problem_json() {
    let running = start().await;
    let at = addr(&running);
    let long_target = format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(70_000));
    let many_headers: String = (0..120).map(|i| format!("X-H{i}: v\r\n")).collect();
    let big_headers = format!("GET /health HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n");
    let cases: [(&[u8], &str, &str); 4] = [
        (
            b"GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
            "400",
            "invalid_request",
        ),
        (b"G\x01T /health HTTP/1.1\r\n\r\n", "400", "invalid_request"),
        (long_target.as_bytes(), "414", "uri_too_long"),
        (big_headers.as_bytes(), "431", "header_fields_too_large"),
    ];
    for (raw, status, code) in cases {
        let text = exchange(&at, raw).await;
        assert!(text.starts_with(&format!("HTTP/1.1 {status} ")), "{text}");
        assert!(text.contains("application/problem+json"), "{text}");
        let json = json_body(&text);
        assert_eq!(json["code"], code, "{text}");
        assert_eq!(json["status"].as_u64().unwrap().to_string(), status);
    }
    assert_eq!(health(&running.base_url).await, 200, "still serving");
}

#[tokio::test]
async fn a_parse_error_after_a_good_request_on_the_same_connection_is_answered_in_shape() {
    let running = start().await;
    let text = exchange(
        &addr(&running),
        b"GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nBad Header\r\n\r\n",
    )
    .await;
    assert!(text.starts_with("HTTP/1.1 200 "), "{text}");
    let second = text
        .find("HTTP/1.1 400 ")
        .map(|i| &text[i..])
        .unwrap_or_default();
    assert!(second.contains("\"invalid_request\""), "{text}");
}

#[tokio::test]
async fn nangos_mock_answers_parse_errors_with_std_error() {
    use contract_tests::mock::{server::Mock, state::State};
    let mock = Mock::new(State::seeded("6b4d4f4c-2c3b-4c57-8a55-6a1e4d3c2b1a"), None);
    let running = contract_tests::mock::start(mock, "127.0.0.1:0")
        .await
        .unwrap();
    let at = running.base_url.trim_start_matches("http://").to_owned();
    let text = exchange(&at, b"GET /connections HTTP/1.1\r\nBad Header\r\n\r\n").await;
    assert!(text.starts_with("HTTP/1.1 400 "), "{text}");
    let json = json_body(&text);
    assert_eq!(json["error"]["code"], "invalid_request", "{text}");
}

#[tokio::test]
async fn a_generated_servers_serve_renders_parse_errors_with_its_reject() {
    use contract_tests::mock::{server::Mock, state::State};
    let mock = Mock::new(State::seeded("6b4d4f4c-2c3b-4c57-8a55-6a1e4d3c2b1a"), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let at = listener.local_addr().unwrap().to_string();
    let server = tokio::spawn(generated::server::serve(
        listener,
        mock,
        generated::server::RouterOptions::default(),
        Limits::default(),
    ));
    let many_headers: String = (0..120).map(|i| format!("X-H{i}: v\r\n")).collect();
    let raw = format!("GET /connections HTTP/1.1\r\nHost: x\r\n{many_headers}\r\n");
    let text = exchange(&at, raw.as_bytes()).await;
    assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
    let json = json_body(&text);
    assert_eq!(json["error"]["code"], "header_fields_too_large", "{text}");
    server.abort();
}
