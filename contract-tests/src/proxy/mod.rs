//! A validating proxy for any OpenAPI document: every request is forwarded to the upstream
//! unchanged — invalid ones too, so a client's mistakes reach the server as they would
//! without the proxy — and the request and the upstream's answer are checked against the
//! spec on the way. Violations are printed as they happen and kept as report rows and HAR
//! entries (secrets redacted).
//!
//! With `reject_invalid`, a request the validator refuses is answered by the proxy itself,
//! exactly as the spec's mock answers it (the documented response for 400/401/415 when
//! there is one, RFC 9457 problem+json otherwise), and never reaches the upstream.
//!
//! Bodies are buffered (they must be to be validated) up to `body_limit` each way; chunked
//! bodies are read whole and forwarded with a length. An upstream that does not answer gives
//! 502 problem+json. Requests go to the upstream given and nowhere else: no redirect is
//! followed and no proxy from the environment is used.

pub mod record;

use crate::ContractValidator;
use crate::recorded::{self, Rules, Seen};
use crate::report::Row;
use crate::spec_mock::{self, SpecMock};
use crate::validator::Report;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderName, HeaderValue, Response, StatusCode};
use record::{Redact, Side};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the proxy runs.
#[derive(Clone, Debug)]
pub struct Options {
    /// Base URL of the server behind the proxy (`http://127.0.0.1:8080`, with a base path
    /// if it has one). A request to `/p?q` goes to `{upstream}/p?q`.
    pub upstream: String,
    /// Answer invalid requests here instead of forwarding them.
    pub reject_invalid: bool,
    /// Largest body read each way (413 for a larger request, 502 for a larger response).
    pub body_limit: usize,
    /// How long the upstream may take to answer.
    pub timeout: Duration,
    /// Print each violation to stderr as it happens.
    pub print: bool,
    /// Judge clients' requests strictly: their problems fail the exchange (by default they
    /// are counted apart, and only the upstream's answer decides).
    pub strict_requests: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            upstream: String::new(),
            reject_invalid: false,
            body_limit: 64 << 20,
            timeout: Duration::from_secs(60),
            print: true,
            strict_requests: false,
        }
    }
}

/// Why a proxy could not be built.
#[derive(Debug)]
pub enum ProxyError {
    /// The upstream is not an `http://` or `https://` URL.
    Upstream(String),
    /// The HTTP client could not be built.
    Client(String),
    /// The mock that answers invalid requests could not be built.
    Mock(spec_mock::BuildError),
}

impl std::fmt::Display for ProxyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProxyError::Upstream(u) => write!(
                f,
                "--upstream `{u}` is not an http:// or https:// URL (help: e.g. --upstream http://127.0.0.1:8080)"
            ),
            ProxyError::Client(e) => write!(f, "cannot build the HTTP client: {e}"),
            ProxyError::Mock(e) => write!(f, "cannot build the rejecting mock: {e}"),
        }
    }
}

impl std::error::Error for ProxyError {}

/// What the proxy has seen so far.
#[derive(Clone, Debug, Default)]
pub struct Recording {
    /// One row per exchange, judged as [`crate::recorded`] says.
    pub rows: Vec<Row>,
    /// One HAR 1.2 entry per exchange, secrets redacted.
    pub entries: Vec<Value>,
}

impl Recording {
    /// The entries as a HAR 1.2 document.
    pub fn har(&self) -> Value {
        record::har(&self.entries)
    }
}

struct Shared {
    validator: ContractValidator,
    client: reqwest::Client,
    upstream: String,
    base_paths: Vec<String>,
    rejecter: Option<axum::Router>,
    redact: Redact,
    options: Options,
    recording: Mutex<Recording>,
    exchanges: AtomicUsize,
}

/// A validating proxy in front of one upstream.
#[derive(Clone)]
pub struct Proxy {
    shared: Arc<Shared>,
}

impl Proxy {
    /// A proxy validating against `validator`'s spec.
    pub fn new(validator: ContractValidator, options: Options) -> Result<Proxy, ProxyError> {
        let upstream = options.upstream.trim_end_matches('/').to_owned();
        let valid_url = reqwest::Url::parse(&upstream)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some());
        if !valid_url {
            return Err(ProxyError::Upstream(options.upstream.clone()));
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(options.timeout)
            .connect_timeout(options.timeout.min(Duration::from_secs(10)))
            .build()
            .map_err(|e| ProxyError::Client(e.to_string()))?;
        let rejecter = if options.reject_invalid {
            let mock = SpecMock::build(validator.loaded(), spec_mock::Options::default())
                .map_err(ProxyError::Mock)?;
            Some(mock.into_router())
        } else {
            None
        };
        let redact = Redact::for_spec(validator.http());
        Ok(Proxy {
            shared: Arc::new(Shared {
                base_paths: crate::har::base_paths(&validator),
                validator,
                client,
                upstream,
                rejecter,
                redact,
                options,
                recording: Mutex::new(Recording::default()),
                exchanges: AtomicUsize::new(0),
            }),
        })
    }

    /// The axum router that proxies every method and path.
    pub fn router(&self) -> axum::Router {
        axum::Router::new()
            .fallback(exchange)
            .with_state(self.shared.clone())
    }

    /// A copy of what was recorded so far.
    pub fn recording(&self) -> Recording {
        self.shared
            .recording
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Binds `addr` (`127.0.0.1:0` for a free port) and serves on a task of the current
    /// tokio runtime until `shutdown` completes.
    pub async fn start(
        &self,
        addr: &str,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<Running> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let router = self.router();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(shutdown)
                .await;
        });
        Ok(Running {
            base_url: format!("http://{local}"),
            task,
        })
    }
}

/// A running proxy.
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Waits until the server has shut down (its `shutdown` future completed and open
    /// exchanges finished).
    pub async fn finished(self) {
        let _ = self.task.await;
    }
}

/// Headers that describe one connection, not the message: never forwarded.
fn hop_by_hop(name: &str) -> bool {
    matches!(
        name.to_ascii_lowercase().as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "host"
            | "content-length"
    )
}

fn header_list(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn content_type(headers: &[(String, String)]) -> Option<&str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
}

/// A problem+json answer of the proxy itself.
fn proxy_problem(status: u16, title: &str, detail: &str) -> (Response<Body>, Vec<u8>) {
    let body = serde_json::to_vec(&json!({
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }))
    .unwrap_or_default();
    let mut response = Response::new(Body::from(body.clone()));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    response.headers_mut().insert(
        axum::http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    (response, body)
}

/// The answer to one request, and what to record of it.
struct Answer {
    response: Response<Body>,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// Why the exchange could not be checked, when it could not.
    skipped: Option<String>,
    rejected: bool,
}

impl Answer {
    /// The proxy's own problem+json answer; the exchange is not checked, for `detail`.
    fn own(status: u16, title: &str, detail: String) -> Answer {
        let (response, body) = proxy_problem(status, title, &detail);
        Answer {
            response,
            status,
            headers: vec![("content-type".into(), "application/problem+json".into())],
            body,
            skipped: Some(detail),
            rejected: false,
        }
    }
}

/// One request as the proxy received it.
struct Exchange {
    /// Its number, in arrival order.
    n: usize,
    /// When it arrived (RFC 3339) and the clock then.
    started: String,
    started_at: Instant,
    method: String,
    /// Path and query as sent.
    target: String,
    /// The target as the spec's paths read it (a `servers` base path taken off).
    spec_path: String,
    headers: Vec<(String, String)>,
}

async fn exchange(
    State(shared): State<Arc<Shared>>,
    request: axum::extract::Request,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let exchange = Exchange {
        n: shared.exchanges.fetch_add(1, Ordering::Relaxed),
        started: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        started_at: Instant::now(),
        method: parts.method.as_str().to_owned(),
        spec_path: crate::har::path_of(&target, &shared.base_paths),
        target,
        headers: header_list(&parts.headers),
    };
    let limit = shared.options.body_limit;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(e) => {
            let why = crate::error_chain(&e);
            let (status, title, detail) = if why.contains("length limit") {
                (
                    413,
                    "Payload Too Large",
                    format!("the proxy reads bodies of up to {limit} bytes (--max-body)"),
                )
            } else {
                (
                    400,
                    "Bad Request",
                    format!("the request body could not be read: {why}"),
                )
            };
            let mut answer = Answer::own(status, title, format!("{detail}; not forwarded"));
            let response = std::mem::replace(&mut answer.response, Response::new(Body::empty()));
            record(&shared, &exchange, b"", Report::default(), answer);
            return response;
        }
    };
    let request_report = shared.validator.check_request(
        &exchange.method,
        &exchange.spec_path,
        &exchange.headers,
        content_type(&exchange.headers),
        &bytes,
    );
    let rejection = if request_report.is_valid() {
        None
    } else {
        reject(&shared, &parts, &exchange.spec_path, &bytes).await
    };
    let answer = match rejection {
        Some(answer) => answer,
        None => forward(&shared, &parts, &exchange.target, &bytes).await,
    };
    let mut answer = answer;
    let response = std::mem::replace(&mut answer.response, Response::new(Body::empty()));
    record(&shared, &exchange, &bytes, request_report, answer);
    response
}

/// The mock's answer to an invalid request (`reject_invalid`), when it rejects it.
async fn reject(
    shared: &Shared,
    parts: &axum::http::request::Parts,
    spec_path: &str,
    bytes: &[u8],
) -> Option<Answer> {
    use tower_service::Service;
    let mut router = shared.rejecter.clone()?;
    let mut request = axum::http::Request::builder()
        .method(parts.method.clone())
        .uri(spec_path);
    for (k, v) in &parts.headers {
        request = request.header(k, v);
    }
    let request = request.body(Body::from(bytes.to_vec())).ok()?;
    let response = router.call(request).await.ok()?;
    if response.status().is_success() {
        // The mock's pipeline accepts what the validator flagged: forward it.
        return None;
    }
    let status = response.status().as_u16();
    let headers = header_list(response.headers());
    let body = axum::body::to_bytes(response.into_body(), shared.options.body_limit)
        .await
        .ok()?
        .to_vec();
    Some(Answer {
        response: build_response(status, &headers, body.clone()),
        status,
        headers,
        body,
        skipped: None,
        rejected: true,
    })
}

/// The request sent to the upstream and its answer.
async fn forward(
    shared: &Shared,
    parts: &axum::http::request::Parts,
    target: &str,
    bytes: &axum::body::Bytes,
) -> Answer {
    let url = format!("{}{target}", shared.upstream);
    let mut request = shared.client.request(parts.method.clone(), &url);
    for (k, v) in &parts.headers {
        if !hop_by_hop(k.as_str()) {
            request = request.header(k, v);
        }
    }
    let failed = |detail: String| Answer::own(502, "Bad Gateway", detail);
    let upstream = match request.body(bytes.clone()).send().await {
        Ok(r) => r,
        Err(e) => {
            return failed(format!(
                "the upstream {url} did not answer: {}",
                crate::error_chain(&e)
            ));
        }
    };
    let status = upstream.status().as_u16();
    let headers = header_list(upstream.headers());
    let limit = shared.options.body_limit;
    if upstream.content_length().is_some_and(|l| l > limit as u64) {
        return failed(format!(
            "the upstream's answer is larger than {limit} bytes (--max-body)"
        ));
    }
    let body = match read_limited(upstream, limit).await {
        Ok(b) => b,
        Err(e) => return failed(format!("the upstream's answer could not be read: {e}")),
    };
    Answer {
        response: build_response(status, &headers, body.clone()),
        status,
        headers,
        body,
        skipped: None,
        rejected: false,
    }
}

/// Reads a response body, refusing more than `limit` bytes.
async fn read_limited(mut response: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| crate::error_chain(&e))? {
        if out.len() + chunk.len() > limit {
            return Err(format!("larger than {limit} bytes (--max-body)"));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

fn build_response(status: u16, headers: &[(String, String)], body: Vec<u8>) -> Response<Body> {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (k, v) in headers {
        if hop_by_hop(k) {
            continue;
        }
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_bytes(v.as_bytes()),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}

/// Checks the answer, prints what is wrong, and keeps the row and the HAR entry.
fn record(
    shared: &Shared,
    exchange: &Exchange,
    request_body: &[u8],
    request_report: Report,
    answer: Answer,
) {
    let Exchange {
        n,
        started,
        started_at,
        method,
        target,
        spec_path,
        headers: request_headers,
    } = exchange;
    let scenario = if answer.rejected {
        format!("proxy #{n} (rejected by the proxy)")
    } else {
        format!("proxy #{n}")
    };
    let url = format!("{}{target}", shared.upstream);
    let row = match &answer.skipped {
        // The proxy's own answer (413, 502): nothing of the upstream's to check.
        Some(why) => Row::skipped(
            request_report
                .operation
                .as_deref()
                .map_or_else(|| format!("{method} {spec_path}"), str::to_owned),
            answer.status,
            scenario,
            why.clone(),
        ),
        None => {
            let seen = Seen {
                method,
                path: spec_path,
                url: &url,
                request_headers,
                request_content_type: content_type(request_headers),
                request_body,
                status: answer.status,
                response_headers: &answer.headers,
                response_content_type: content_type(&answer.headers),
                response_body: &answer.body,
            };
            let rules = Rules {
                strict_requests: shared.options.strict_requests,
            };
            recorded::judge_with(
                &shared.validator,
                &seen,
                request_report,
                rules,
                &shared.redact,
                scenario,
            )
        }
    };
    if shared.options.print {
        let at = format!("proxy #{n} {} → {}", row.operation, answer.status);
        for v in &row.violations {
            eprintln!("{at}: {v}");
        }
        for v in &row.request_problems {
            eprintln!("{at}: request {v}");
        }
        for note in row.notes.iter().chain(&row.skipped) {
            eprintln!("{at}: {note}");
        }
    }
    let entry = record::entry(
        &shared.redact,
        started,
        started_at.elapsed().as_secs_f64() * 1000.0,
        method,
        &url,
        Side {
            headers: request_headers,
            body: request_body,
        },
        answer.status,
        Side {
            headers: &answer.headers,
            body: &answer.body,
        },
    );
    if let Ok(mut recording) = shared.recording.lock() {
        recording.rows.push(row);
        recording.entries.push(entry);
    }
}
