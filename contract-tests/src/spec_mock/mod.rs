//! A mock of any OpenAPI 3.0 or 3.1 document, interpreted from the model at start-up: the
//! generated routers' request pipeline ([`openapi_runtime::server`]) in front of answers
//! made from the spec's examples and schemas. Nothing is generated or compiled at run time.
//!
//! - Requests are checked as generated routers check them; a rejection is answered with the
//!   operation's documented response for its status ([`errors`]), else problem+json.
//! - Security: one of the operation's alternatives must be satisfied; `--credential`
//!   values make only those valid ([`Credentials`]).
//! - Answers: Prism's `Prefer` (`code`, `example`, `dynamic`) and `Accept` choose status,
//!   example and media type ([`answer`]); bodies are valid examples or made values.
//! - `--stateful`: collections and items inferred from paths act as a store ([`stateful`]).

pub mod answer;
pub mod errors;
pub mod faults;
pub mod negotiate;
pub mod prepared;
pub mod stateful;
pub mod values;

use axum::extract::{Request, State};
use axum::response::Response;
use codegen::load::Loaded;
use codegen::model::http::{self, Endpoint, Http, UNSATISFIABLE};
use openapi_runtime::check::rejection::{Rejection, codes};
use openapi_runtime::check::security::{Credential, Credentials as Presented};
use openapi_runtime::operation::Operation;
use openapi_runtime::server::{Core, Host, RouterError, RouterOptions, Routes, serve_with};
pub use prepared::Prepared;
use std::collections::BTreeMap;
use std::sync::Arc;
use values::Values;

/// How the mock answers.
#[derive(Clone, Debug)]
pub struct Options {
    /// Seed of made values (the same seed gives the same answers).
    pub seed: u64,
    /// Random values per request (as `Prefer: dynamic=true` on every request).
    pub dynamic: bool,
    /// Act as a store of the resources the paths describe.
    pub stateful: bool,
    /// `SCHEME=VALUE` flags: the only credential value accepted for that security scheme
    /// (a token, a key, or `user:password`); other schemes accept any well-formed one.
    pub credentials: Vec<String>,
    /// Largest accepted request body in bytes (413 above).
    pub body_limit: usize,
    /// Planted defects ([`faults`]); none by default.
    pub faults: Vec<faults::Fault>,
    /// Longest time a request body may take to arrive (408 after).
    pub body_timeout: std::time::Duration,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            seed: 0,
            dynamic: false,
            stateful: false,
            credentials: Vec::new(),
            body_limit: 10 * 1024 * 1024,
            faults: Vec::new(),
            body_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// Credential values by security scheme name (`--credential SCHEME=VALUE`): a scheme
/// listed here accepts only its value; the others accept any well-formed credential.
#[derive(Clone, Debug, Default)]
pub(crate) struct Credentials {
    values: BTreeMap<String, String>,
}

impl Credentials {
    /// Parses `SCHEME=VALUE` flags against the document's schemes (the value is the token,
    /// the key, or `user:password` for basic).
    pub(crate) fn parse(flags: &[String], http: &Http) -> Result<Credentials, String> {
        let mut values = BTreeMap::new();
        for flag in flags {
            let Some((scheme, value)) = flag.split_once('=') else {
                return Err(format!("--credential {flag}: expected SCHEME=VALUE"));
            };
            let Some(defined) = http.schemes.iter().find(|s| s.name == scheme) else {
                let known: Vec<&str> = http.schemes.iter().map(|s| s.name.as_str()).collect();
                return Err(format!(
                    "--credential {scheme}=…: the spec defines no security scheme `{scheme}` (it defines: {})",
                    if known.is_empty() {
                        "none".into()
                    } else {
                        known.join(", ")
                    }
                ));
            };
            if defined.kind == http::SchemeKind::Basic && !value.contains(':') {
                return Err(format!(
                    "--credential {scheme}=…: `{scheme}` is basic; give user:password"
                ));
            }
            values.insert(scheme.to_owned(), value.to_owned());
        }
        Ok(Credentials { values })
    }

    /// Whether what was presented for `scheme` is acceptable.
    fn accepts(&self, scheme: &str, presented: &Credential) -> bool {
        let Some(expected) = self.values.get(scheme) else {
            return true;
        };
        let eq = |a: &str| subtle_eq(a.as_bytes(), expected.as_bytes());
        match presented {
            Credential::Bearer(t) | Credential::Http(t) | Credential::ApiKey(t) => eq(t),
            Credential::Basic { user, password } => eq(&format!("{user}:{password}")),
            Credential::Other => true,
        }
    }
}

/// Constant-time equality of two secrets of the same length.
fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// An operation the mock does not serve, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// `METHOD /path`.
    pub operation: String,
    /// Why.
    pub reason: String,
}

/// What the mock serves.
#[derive(Clone, Debug)]
pub struct Summary {
    /// Operations served.
    pub served: usize,
    /// Operations not served, with their reasons.
    pub skipped: Vec<Skipped>,
}

/// Why the mock cannot be built.
#[derive(Debug)]
pub enum BuildError {
    /// The spec could not be read as OpenAPI 3.x (its diagnostics say why).
    NoDocument,
    /// The router could not be built.
    Router(RouterError),
    /// A flag does not fit the spec.
    Usage(String),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::NoDocument => f.write_str("the spec cannot be read as OpenAPI 3.x"),
            BuildError::Router(e) => write!(f, "cannot build the router: {e}"),
            BuildError::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for BuildError {}

/// One served operation: the runtime's description and the model's facts.
pub(crate) struct Op {
    pub(crate) op: Operation,
    pub(crate) endpoint: Endpoint,
    /// Its place in the inferred resources (`--stateful`).
    pub(crate) role: Option<stateful::Role>,
}

/// The state every request reads.
pub(crate) struct Mock {
    core: Core,
    pub(crate) ops: Vec<Op>,
    pub(crate) values: Values,
    pub(crate) options: Options,
    credentials: Credentials,
    pub(crate) answers: answer::Cache,
    pub(crate) store: Option<stateful::Store>,
    requests: std::sync::atomic::AtomicU64,
    /// How many answers a planted fault changed.
    pub(crate) fired: Arc<std::sync::atomic::AtomicU64>,
}

impl Host for Mock {
    fn core(&self) -> &Core {
        &self.core
    }

    fn reject(&self, rejection: Rejection) -> Response {
        errors::render(self, None, rejection)
    }

    fn reject_in(&self, index: Option<usize>, rejection: Rejection) -> Response {
        if index.is_some() && self.overlooks(&rejection) {
            let mut response = Response::new(axum::body::Body::empty());
            response.extensions_mut().insert(faults::Overlooked);
            return response;
        }
        errors::render(self, index, rejection)
    }
}

impl Mock {
    /// The spec's registered schemas.
    pub(crate) fn core_schemas(&self) -> &openapi_runtime::check::schemas::Schemas {
        self.core.schemas()
    }

    /// The registered document (examples, named examples).
    pub(crate) fn response_doc(&self) -> &serde_json::Value {
        self.core
            .schemas()
            .document()
            .unwrap_or(&serde_json::Value::Null)
    }

    /// A seed for a request's random values (`--dynamic`, `Prefer: dynamic=true`).
    pub(crate) fn request_seed(&self) -> u64 {
        let n = self
            .requests
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.options.seed ^ n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66
    }

    /// Answers a request to one of the operations sharing a route: the first whose
    /// template the path fits (404 when none does).
    async fn dispatch(&self, group: &[usize], request: Request) -> Response {
        let path = request.uri().path();
        let fits = group.iter().copied().find(|&i| {
            self.ops.get(i).is_some_and(|o| {
                openapi_runtime::operation::path_values(&o.op.path, path).is_some()
            })
        });
        match fits {
            Some(index) => self.handle(index, request).await,
            None => self.reject_in(None, Rejection::not_found()),
        }
    }

    async fn handle(&self, index: usize, request: Request) -> Response {
        let Some(op) = self.ops.get(index) else {
            return self.reject_in(None, Rejection::not_found());
        };
        let asks = answer::Asks::of(request.headers(), request.uri().path());
        let faulty = !self.options.faults.is_empty();
        let request = if faulty {
            // Planted defects: the request is read whole first (a fault may answer 500 on it).
            match self.crash_first(index, request).await {
                Ok(r) => r,
                Err(crashed) => return crashed,
            }
        } else {
            request
        };
        let fallback = faulty.then(|| asks.clone());
        let response = serve_with(
            self,
            index,
            &op.op,
            request,
            |presented| async move { self.authenticate(index, &presented) },
            |prepared| async move { answer::respond(self, index, &asks, prepared) },
        )
        .await;
        let Some(fallback) = fallback else {
            return response;
        };
        let response = if response.extensions().get::<faults::Overlooked>().is_some() {
            self.fire();
            answer::documented(self, index, op, &fallback)
                .unwrap_or_else(|r| errors::render(self, Some(index), r))
        } else {
            response
        };
        self.spoil(index, response).await
    }

    /// The status refusing a credential: 401, or the documented 403 when the operation
    /// documents no 401.
    fn auth_status(&self, index: usize) -> u16 {
        match self.ops.get(index) {
            Some(op) if !documents(&op.endpoint, 401) && documents(&op.endpoint, 403) => 403,
            _ => 401,
        }
    }

    /// `--credential` values: a credential presented for a configured scheme must be its
    /// value (401 `invalid_credentials`, or the documented 403 when the operation
    /// documents no 401).
    fn authenticate(&self, index: usize, presented: &Presented) -> Result<(), Rejection> {
        if presented.unreadable {
            return Err(Rejection::new(
                self.auth_status(index),
                codes::INVALID_CREDENTIALS,
                "The Authorization header is not a credential of this operation's schemes.",
            ));
        }
        for (scheme, credential) in presented.presented.iter().chain(&presented.others) {
            if !self.credentials.accepts(scheme, credential) {
                let status = self.auth_status(index);
                return Err(Rejection::new(
                    status,
                    codes::INVALID_CREDENTIALS,
                    format!("The credential presented for `{scheme}` is not valid."),
                ));
            }
        }
        Ok(())
    }
}

/// Whether an endpoint documents exactly this status.
fn documents(endpoint: &Endpoint, status: u16) -> bool {
    endpoint
        .responses
        .iter()
        .any(|r| r.status == http::Status::Code(status))
}

/// A mock of one spec, ready to serve.
pub struct SpecMock {
    router: axum::Router,
    summary: Summary,
    fired: Arc<std::sync::atomic::AtomicU64>,
}

impl SpecMock {
    /// Builds the mock of a loaded spec. Lint errors do not stop it: an operation is
    /// skipped only when it cannot be served (see [`Summary::skipped`]).
    pub fn build(loaded: &Loaded, options: Options) -> Result<SpecMock, BuildError> {
        SpecMock::from_prepared(Prepared::new(loaded)?, options)
    }

    /// Builds the mock of a spec made ready to serve ([`Prepared`]).
    pub fn from_prepared(prepared: Prepared, options: Options) -> Result<SpecMock, BuildError> {
        let Prepared {
            http: described,
            document: json,
            examples,
            locations,
        } = prepared;
        let credentials =
            Credentials::parse(&options.credentials, &described).map_err(BuildError::Usage)?;
        let schemes = described.runtime_schemes();
        let router_options = RouterOptions {
            body_limit: options.body_limit,
            lazy: true,
            // OpenAPI does not close the set of query parameters; servers (and Prism) ignore
            // ones they do not know, and so does the mock.
            reject_unknown_query: false,
            body_timeout: options.body_timeout,
            ..RouterOptions::default()
        };
        let mut routes: Routes<Mock> =
            Routes::from_document(json, described.endpoints.len(), router_options)
                .map_err(BuildError::Router)?;
        let mut skipped = Vec::new();
        let mut ops = Vec::new();
        let roles = if options.stateful {
            stateful::infer(&described.endpoints)
        } else {
            vec![None; described.endpoints.len()]
        };
        // Operations by route (method and path shape): templates that differ only inside a
        // segment (`/r/{day}.csv`, `/r/{day}.json`) share one route and are told apart per
        // request.
        let mut groups: BTreeMap<(String, String), (axum::routing::MethodFilter, Vec<usize>)> =
            BTreeMap::new();
        let mut templates: BTreeMap<(String, String), String> = BTreeMap::new();
        for (index, (endpoint, role)) in described.endpoints.iter().zip(roles).enumerate() {
            ops.push(Op {
                op: endpoint.describe(&schemes),
                endpoint: endpoint.clone(),
                role,
            });
            let label = endpoint.label();
            let skip = |reason: String| Skipped {
                operation: label.clone(),
                reason,
            };
            if let Some(reason) = unservable(endpoint, &described) {
                skipped.push(skip(reason));
                continue;
            }
            let Some(method) = axum::http::Method::from_bytes(endpoint.method.as_bytes())
                .ok()
                .and_then(|m| axum::routing::MethodFilter::try_from(m).ok())
            else {
                skipped.push(skip(format!(
                    "the method {} cannot be routed",
                    endpoint.method
                )));
                continue;
            };
            let anonymous = (endpoint.method.clone(), anonymous_template(&endpoint.path));
            if let Some(first) = templates.get(&anonymous) {
                skipped.push(skip(format!("{first} has the same method and path template (parameter names aside), and is served")));
                continue;
            }
            templates.insert(anonymous, label.clone());
            let shape = (
                endpoint.method.clone(),
                openapi_runtime::server::route_path(&endpoint.path),
            );
            groups
                .entry(shape)
                .or_insert((method, Vec::new()))
                .1
                .push(index);
        }
        for (method, indices) in groups.into_values() {
            let Some(&first) = indices.first() else {
                continue;
            };
            let Some(op) = ops.get(first) else { continue };
            let group: Arc<[usize]> = indices.into();
            let members = group.clone();
            let handler = move |State(mock): State<Arc<Mock>>, request: Request| {
                let group = group.clone();
                async move { mock.dispatch(&group, request).await }
            };
            if let Err(e) = routes.add(first, &op.op, axum::routing::on(method, handler)) {
                for &i in members.iter() {
                    if let Some(o) = ops.get(i) {
                        skipped.push(Skipped {
                            operation: o.endpoint.label(),
                            reason: e.to_string(),
                        });
                    }
                }
            }
        }
        let served = ops.len() - skipped.len();
        let store = options.stateful.then(stateful::Store::default);
        let values = Values::new(locations, examples);
        let answers = answer::Cache::default();
        let fired = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let router = routes.finish(|core| Mock {
            core,
            ops,
            values,
            options,
            credentials,
            answers,
            store,
            requests: std::sync::atomic::AtomicU64::new(0),
            fired: fired.clone(),
        });
        Ok(SpecMock {
            router,
            summary: Summary { served, skipped },
            fired,
        })
    }

    /// What is served and what is skipped.
    pub fn summary(&self) -> &Summary {
        &self.summary
    }

    /// The axum router (to nest or serve yourself).
    pub fn into_router(self) -> axum::Router {
        self.router
    }

    /// Binds `addr` (`127.0.0.1:0` for a free port) and serves on a task of the current
    /// tokio runtime, with the default [`openapi_runtime::listen::Limits`].
    pub async fn start(self, addr: &str) -> std::io::Result<Running> {
        self.start_with(addr, openapi_runtime::listen::Limits::default())
            .await
    }

    /// [`SpecMock::start`] with other connection limits.
    pub async fn start_with(
        self,
        addr: &str,
        limits: openapi_runtime::listen::Limits,
    ) -> std::io::Result<Running> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let local = listener.local_addr()?;
        let requests = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = requests.clone();
        let router = self.router.layer(axum::middleware::from_fn(
            move |request: Request, next: axum::middleware::Next| {
                counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                next.run(request)
            },
        ));
        let task = tokio::spawn(async move {
            let _ = openapi_runtime::listen::serve(listener, router, limits).await;
        });
        Ok(Running {
            base_url: format!("http://{local}"),
            summary: self.summary,
            requests,
            fired: self.fired,
            task,
        })
    }
}

/// The objects that may document examples: every parameter, body and response media type,
/// and response header of every operation.
fn holders(http: &Http) -> Vec<codegen::load::pointer::JsonPointer> {
    let mut out = Vec::new();
    for e in &http.endpoints {
        out.extend(e.params.iter().map(|p| p.pointer.clone()));
        out.extend(
            e.body
                .iter()
                .flat_map(|b| b.content.iter())
                .map(|m| m.pointer.clone()),
        );
        for r in &e.responses {
            out.extend(r.content.iter().flatten().map(|m| m.pointer.clone()));
            out.extend(
                r.headers
                    .iter()
                    .filter_map(|h| h.schema.as_ref().and_then(|s| s.parent())),
            );
        }
    }
    out
}

/// A path template with its parameter names left out (`/a/{}/b`): two templates equal
/// this way are the same route.
fn anonymous_template(path: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                out.push('{');
            }
            '}' if depth > 0 => {
                depth -= 1;
                out.push('}');
            }
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

/// Why an operation cannot be served, if it cannot: every security alternative needs a
/// scheme the document does not define (or of an unknown type), so no request could pass.
fn unservable(endpoint: &Endpoint, http: &Http) -> Option<String> {
    if endpoint.path.contains(['?', '#']) {
        return Some("the path template carries a query string or fragment (OpenAPI paths end before `?`); a request to it cannot be told apart from the template without it".into());
    }
    let impossible = |set: &Vec<usize>| {
        set.iter()
            .any(|&i| i == UNSATISFIABLE || i >= http.schemes.len())
    };
    if !endpoint.security.is_empty() && endpoint.security.iter().all(impossible) {
        return Some("every security alternative names a scheme the document does not define or OpenAPI does not know (see `cargo xtask lint`)".into());
    }
    None
}

/// A running mock.
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// What it serves.
    pub summary: Summary,
    requests: Arc<std::sync::atomic::AtomicU64>,
    fired: Arc<std::sync::atomic::AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Requests answered so far (every one, refused or not).
    pub fn requests(&self) -> u64 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Answers a planted fault changed so far: 0 means the spec gave the faults nowhere to
    /// act (no `maximum` for `boundary-500`, say).
    pub fn faults_fired(&self) -> u64 {
        self.fired.load(std::sync::atomic::Ordering::Relaxed)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}
