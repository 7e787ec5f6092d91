//! The request pipeline of generated axum routers: the checks of [`crate::check`] in order,
//! `authenticate` between security and parameters, typed decoding, the handler, and every
//! rejection rendered by the server ([`Host::reject`], RFC 9457 problem+json by default).
//!
//! Order: content type (415) → body size (413) → body syntax (400 `invalid_json`) →
//! credentials present for some security alternative (401), then `authenticate` → path,
//! query, header and cookie parameters (400, one part at a time) → body schema (400) →
//! typed decode → handler. Unknown paths are 404; unknown methods 405 with `Allow`.

pub use crate::check::rejection::{FieldError, PROBLEM_JSON, Part, Rejection, codes};
pub use crate::check::schemas::Reading;
pub use crate::check::security::{Credential, Credentials};

use crate::check::schemas::{SchemaError, Schemas};
use crate::check::{self, Compiled, Incoming};
use crate::operation::Operation;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::MethodRouter;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

/// Why a router could not be built: the embedded spec (or one of its schemas) cannot be
/// compiled. The spec was checked when the crate was generated, so this means the crate's
/// `spec.json` was edited or does not match the generated code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RouterError {
    /// The embedded spec is not JSON, or `jsonschema` cannot register it.
    Spec(String),
    /// One schema of the spec cannot be compiled.
    Schema {
        /// Its JSON pointer in the embedded spec.
        pointer: String,
        /// What `jsonschema` said.
        message: String,
    },
    /// A path template the router cannot hold next to the others (say, two parameters in
    /// one segment).
    Route {
        /// The template.
        path: String,
        /// What the matcher said.
        message: String,
    },
}

impl std::fmt::Display for RouterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RouterError::Spec(m) => write!(f, "the embedded spec cannot be used: {m}"),
            RouterError::Schema { pointer, message } => {
                write!(f, "the schema at {pointer} cannot be compiled: {message}")
            }
            RouterError::Route { path, message } => {
                write!(f, "the path {path} cannot be routed: {message}")
            }
        }
    }
}

impl std::error::Error for RouterError {}

impl From<SchemaError> for RouterError {
    fn from(e: SchemaError) -> RouterError {
        match e {
            SchemaError::Document(m) => RouterError::Spec(m),
            SchemaError::Schema { pointer, message } => RouterError::Schema { pointer, message },
        }
    }
}

/// Router settings.
#[derive(Clone, Debug)]
pub struct RouterOptions {
    /// Largest accepted body in bytes (413 above). Default 1 MiB.
    pub body_limit: usize,
    /// Reject query parameters the operation does not declare (400). Default true.
    pub reject_unknown_query: bool,
    /// How schemas are read: OpenAPI's `readOnly`/`writeOnly` rule (default) or JSON Schema
    /// as written.
    pub reading: Reading,
    /// Compile an operation's validators at its first request instead of when it is added
    /// (a router over a large spec starts at once; a schema that does not compile is then a
    /// 500 for that operation, not an error when building). Default false.
    pub lazy: bool,
    /// Longest time a request's body may take to arrive, once its headers have and its
    /// credentials are accepted (408 after). Default 30 s.
    pub body_timeout: std::time::Duration,
}

impl Default for RouterOptions {
    fn default() -> RouterOptions {
        RouterOptions {
            body_limit: 1024 * 1024,
            reject_unknown_query: true,
            reading: Reading::Directional,
            lazy: false,
            body_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// What every handler shares: the spec's schemas, the compiled validators of each served
/// operation (by its index in the generated crate) and the router options.
#[derive(Debug)]
pub struct Core {
    schemas: Schemas,
    compiled: Vec<OnceLock<Result<Compiled, SchemaError>>>,
    options: RouterOptions,
}

impl Core {
    /// The spec's registered schemas (to compile validators of responses, say).
    pub fn schemas(&self) -> &Schemas {
        &self.schemas
    }

    /// The router options.
    pub fn options(&self) -> &RouterOptions {
        &self.options
    }

    /// The validators of operation `index`, compiled now if the router is lazy.
    fn compiled(&self, index: usize, op: &Operation) -> Result<&Compiled, Rejection> {
        let slot = self
            .compiled
            .get(index)
            .ok_or_else(|| Rejection::new(500, "server_error", "this operation is not served"))?;
        let compiled = match slot.get() {
            Some(c) => c,
            None if self.options.lazy => slot.get_or_init(|| Compiled::new(op, &self.schemas)),
            None => {
                return Err(Rejection::new(
                    500,
                    "server_error",
                    "this operation is not served",
                ));
            }
        };
        compiled
            .as_ref()
            .map_err(|e| Rejection::new(500, "server_error", e.to_string()))
    }
}

/// The state of a generated router: the core and the server that renders rejections.
/// Implemented by the generated `Shared<S>`.
pub trait Host: Send + Sync + 'static {
    /// The validators and options.
    fn core(&self) -> &Core;
    /// Turns a rejection into the response the API documents for it.
    fn reject(&self, rejection: Rejection) -> Response;
    /// Turns a rejection of a request to operation `index` (`None`: no operation matched)
    /// into a response; by default as [`Host::reject`] does.
    fn reject_in(&self, index: Option<usize>, rejection: Rejection) -> Response {
        let _ = index;
        self.reject(rejection)
    }
}

/// RFC 9457 `application/problem+json` for a rejection (the default of generated servers).
pub fn problem(rejection: Rejection) -> Response {
    let body = crate::to_json(&rejection.problem_json());
    let mut response = bytes_response(rejection.status, PROBLEM_JSON, body);
    if let Some(allow) = rejection
        .allow
        .as_deref()
        .and_then(|a| HeaderValue::from_str(a).ok())
    {
        response.headers_mut().insert(header::ALLOW, allow);
    }
    response
}

/// A response with a status, a media type and a body.
pub fn bytes_response(status: u16, media: &str, body: Vec<u8>) -> Response {
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(media) {
        response.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    response
}

/// An operation's encoded answer: status and, when there is a body, its media type and bytes.
pub type Encoded = (u16, Option<(&'static str, Vec<u8>)>);

/// Turns an operation's encoded answer into an HTTP response.
pub fn respond((status, body): Encoded) -> Response {
    match body {
        Some((media, bytes)) => bytes_response(status, media, bytes),
        None => {
            let mut response = Response::new(axum::body::Body::empty());
            *response.status_mut() =
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            response
        }
    }
}

/// The axum route of a path template: parameters renamed by position (`{p0}`), so
/// templates that name the same segment differently never conflict. A segment with more
/// than a parameter in it (`{name}.json`, `{base}...{head}`) becomes one capture of the
/// whole segment (axum's matcher takes one whole-segment parameter only); the runtime
/// checks its literals and splits it ([`crate::operation::path_values`]), and a path
/// without them is 404.
pub fn route_path(template: &str) -> String {
    let mut i = 0;
    let segments: Vec<String> = template
        .split('/')
        .map(|segment| {
            if segment.contains('{') && segment.contains('}') {
                i += 1;
                format!("{{p{}}}", i - 1)
            } else {
                segment.to_owned()
            }
        })
        .collect();
    let out = segments.join("/");
    if out.is_empty() { "/".into() } else { out }
}

/// Builds a generated router: each served operation is added with its handler, then
/// [`Routes::finish`] groups them by path (405 with `Allow` for other methods) and adds 404.
pub struct Routes<T> {
    core: Core,
    paths: BTreeMap<String, (MethodRouter<Arc<T>>, Vec<String>)>,
    /// Every route so far, as axum will hold them (to refuse one it would panic on).
    matcher: matchit::Router<()>,
}

impl<T: Host> Routes<T> {
    /// Registers the embedded spec (`operations` is how many the crate has, served or not).
    pub fn new(
        spec: &str,
        operations: usize,
        options: RouterOptions,
    ) -> Result<Routes<T>, RouterError> {
        let document: serde_json::Value =
            serde_json::from_str(spec).map_err(|e| RouterError::Spec(e.to_string()))?;
        Routes::from_document(document, operations, options)
    }

    /// As [`Routes::new`], from the parsed spec (schemas in JSON Schema 2020-12 form).
    pub fn from_document(
        document: serde_json::Value,
        operations: usize,
        options: RouterOptions,
    ) -> Result<Routes<T>, RouterError> {
        let schemas = Schemas::new(document, options.reading)?;
        let mut compiled = Vec::new();
        compiled.resize_with(operations, OnceLock::new);
        Ok(Routes {
            core: Core {
                schemas,
                compiled,
                options,
            },
            paths: BTreeMap::new(),
            matcher: matchit::Router::new(),
        })
    }

    /// Serves operation `index` (described by `op`) with `route` (its method's handler).
    /// An operation whose method and path shape another one already has is not served: no
    /// router could tell the two apart, and the first in the spec wins.
    pub fn add(
        &mut self,
        index: usize,
        op: &Operation,
        route: MethodRouter<Arc<T>>,
    ) -> Result<(), RouterError> {
        let path = route_path(&op.path);
        let method = op.method.to_ascii_uppercase();
        if self
            .paths
            .get(&path)
            .is_some_and(|(_, methods)| methods.contains(&method))
        {
            return Ok(());
        }
        if !self.paths.contains_key(&path) {
            self.matcher
                .insert(path.as_str(), ())
                .map_err(|e| RouterError::Route {
                    path: op.path.to_string(),
                    message: e.to_string(),
                })?;
        }
        if !self.core.options.lazy {
            let compiled = Compiled::new(op, &self.core.schemas)?;
            if let Some(slot) = self.core.compiled.get(index) {
                let _ = slot.set(Ok(compiled));
            }
        }
        match self.paths.remove(&path) {
            Some((existing, mut methods)) => {
                methods.push(method);
                self.paths.insert(path, (existing.merge(route), methods));
            }
            None => {
                self.paths.insert(path, (route, vec![method]));
            }
        }
        Ok(())
    }

    /// The router, with the state `host` makes of the core.
    pub fn finish(self, host: impl FnOnce(Core) -> T) -> axum::Router {
        self.finish_shared(host).0
    }

    /// As [`Routes::finish`], also returning the state the router holds (to render the
    /// errors [`crate::listen::serve`] answers before routing as the host does).
    pub fn finish_shared(self, host: impl FnOnce(Core) -> T) -> (axum::Router, Arc<T>) {
        let shared = Arc::new(host(self.core));
        let mut router: axum::Router<Arc<T>> = axum::Router::new();
        for (path, (route, methods)) in self.paths {
            let allow = methods.join(", ");
            let route = route.fallback(
                move |axum::extract::State(host): axum::extract::State<Arc<T>>| {
                    let allow = allow.clone();
                    async move { host.reject_in(None, Rejection::method_not_allowed(allow)) }
                },
            );
            router = router.route(&path, route);
        }
        let router = router
            .fallback(
                |axum::extract::State(host): axum::extract::State<Arc<T>>| async move {
                    host.reject_in(None, Rejection::not_found())
                },
            )
            .with_state(shared.clone());
        (router, shared)
    }
}

/// A request that passed every check, ready for typed decoding.
pub struct Prepared<P> {
    principal: Option<P>,
    params: serde_json::Map<String, serde_json::Value>,
    /// Where each parameter travels, to name the part a decoding problem is in.
    locations: Vec<(String, crate::operation::Location)>,
    body: Option<serde_json::Value>,
    raw_body: Vec<u8>,
    /// A multipart body with its files as [`crate::FilePart`]s, to decode.
    multipart: Option<serde_json::Value>,
}

impl<P> Prepared<P> {
    /// The authenticated principal of an operation that requires credentials.
    pub fn principal(&mut self) -> Result<P, Rejection> {
        self.principal.take().ok_or_else(|| {
            Rejection::new(401, codes::MISSING_CREDENTIALS, "Authentication failed.")
        })
    }

    /// The principal of an operation whose credentials are optional (`None`: none presented).
    pub fn optional_principal(&mut self) -> Option<P> {
        self.principal.take()
    }

    /// Decodes the parameters struct.
    pub fn params<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        decode(serde_json::Value::Object(self.params.clone()), Part::Query).map_err(|mut r| {
            // Name the part of the parameter that failed (its wire name comes first).
            let part = r
                .errors
                .first()
                .and_then(|e| e.path.first())
                .and_then(|name| self.locations.iter().find(|(n, _)| n == name))
                .map(|(_, l)| match l {
                    crate::operation::Location::Path => Part::Path,
                    crate::operation::Location::Query => Part::Query,
                    crate::operation::Location::Header => Part::Header,
                    crate::operation::Location::Cookie => Part::Cookie,
                });
            if let Some(part) = part {
                r.code = match part {
                    Part::Path => codes::INVALID_PATH_PARAMS,
                    Part::Header | Part::Cookie => codes::INVALID_HEADERS,
                    _ => codes::INVALID_QUERY_PARAMS,
                }
                .into();
                r.errors.iter_mut().for_each(|e| e.part = part);
            }
            r
        })
    }

    /// Decodes the JSON (or form) body.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        decode(
            self.body.clone().unwrap_or(serde_json::Value::Null),
            Part::Body,
        )
    }

    /// Decodes an optional body.
    pub fn optional_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Rejection> {
        match &self.body {
            None => Ok(None),
            Some(v) => decode(v.clone(), Part::Body).map(Some),
        }
    }

    /// The raw body bytes (text and binary bodies).
    pub fn raw_body(&self) -> Vec<u8> {
        self.raw_body.clone()
    }

    /// Decodes a `multipart/form-data` body into its generated struct (file parts keep
    /// their names and content types). A body that is not multipart is 400.
    pub fn multipart_body<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        match &self.multipart {
            Some(v) => decode(v.clone(), Part::Body),
            None => Err(Rejection::new(
                400,
                codes::INVALID_BODY,
                "A multipart/form-data body is required",
            )),
        }
    }

    /// Decodes an optional `multipart/form-data` body.
    pub fn optional_multipart_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Rejection> {
        match &self.multipart {
            None => Ok(None),
            Some(v) => decode(v.clone(), Part::Body).map(Some),
        }
    }

    /// The body as text.
    pub fn text_body(&self) -> Result<String, Rejection> {
        String::from_utf8(self.raw_body.clone())
            .map_err(|e| Rejection::new(400, codes::INVALID_BODY, e.to_string()))
    }
}

/// Typed decoding of a value that passed its schema; a failure (a type the schema allows
/// and Rust cannot hold) is 400 naming the path.
fn decode<T: DeserializeOwned>(value: serde_json::Value, part: Part) -> Result<T, Rejection> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path: Vec<String> = e
            .path()
            .iter()
            .map(|s| s.to_string())
            .filter(|s| s != "?")
            .collect();
        let code = if part == Part::Body {
            codes::INVALID_BODY
        } else {
            codes::INVALID_QUERY_PARAMS
        };
        Rejection::with_errors(
            400,
            code,
            vec![FieldError {
                code: "invalid_type".into(),
                message: e.inner().to_string(),
                part,
                path,
                keyword: None,
            }],
        )
    })
}

/// The body length a request declares (`Content-Length`), when it declares one.
pub fn declared_length(headers: &axum::http::HeaderMap) -> Option<u64> {
    headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse().ok())
}

/// Runs the checks up to (not including) typed decoding.
async fn prepare<P, A, F>(
    core: &Core,
    index: usize,
    op: &Operation,
    request: axum::extract::Request,
    authenticate: A,
) -> Result<Prepared<P>, Rejection>
where
    A: FnOnce(Credentials) -> F,
    F: std::future::Future<Output = Result<P, Rejection>>,
{
    let compiled = core.compiled(index, op)?;
    let (parts, body) = request.into_parts();
    // The raw segments (axum matched the route, so the path has the template's shape): each
    // parameter's style is read before percent-decoding, so an encoded `,` stays a comma.
    // A segment routed whole (`{name}.json`) without its literals is another path: 404.
    let path_values = crate::operation::path_values(&op.path, parts.uri.path())
        .ok_or_else(Rejection::not_found)?;
    let headers: Vec<(&str, &str)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?)))
        .collect();
    let incoming = Incoming::new(path_values, parts.uri.query().unwrap_or(""), headers);
    // 1. Content type (from the headers).
    let media = check::media(op, incoming.content_type())?;
    // 2. Security, then authentication: before a byte of the body is read, so a client
    //    without credentials cannot make the server hold its body.
    let principal = match check::security::credentials(op, &incoming)? {
        Some(credentials) if !credentials.is_empty() => Some(authenticate(credentials).await?),
        _ => None,
    };
    // 3. Size, within the body timeout; a declared length over the limit is refused unread.
    let limit = core.options.body_limit;
    let too_large = || {
        Rejection::new(
            413,
            codes::PAYLOAD_TOO_LARGE,
            format!("The body is larger than {limit} bytes"),
        )
    };
    if declared_length(&parts.headers).is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    let bytes =
        match tokio::time::timeout(core.options.body_timeout, axum::body::to_bytes(body, limit))
            .await
        {
            Ok(Ok(bytes)) => bytes.to_vec(),
            Ok(Err(e)) => {
                let inner = e.into_inner();
                if inner.is::<http_body_util::LengthLimitError>() {
                    return Err(too_large());
                }
                // Broken framing (a malformed chunk size), a connection that ended early.
                return Err(Rejection::new(
                    400,
                    codes::INVALID_BODY,
                    format!("The body could not be read: {inner}"),
                ));
            }
            Err(_) => {
                return Err(Rejection::new(
                    408,
                    codes::REQUEST_TIMEOUT,
                    format!(
                        "The body did not arrive within {} s",
                        core.options.body_timeout.as_secs()
                    ),
                ));
            }
        };
    // 4. Syntax (a multipart body read into a view to validate and one to decode).
    let (parsed, multipart) =
        match media.filter(|m| check::is_multipart(&m.media) && !bytes.is_empty()) {
            Some(m) => {
                let read = check::multipart_body(compiled, m, incoming.content_type(), &bytes)?;
                (Some(read.validate), Some(read.decode))
            }
            None => (
                check::parse_body(op, compiled, media, incoming.content_type(), &bytes)?,
                None,
            ),
        };
    // 5. Parameters.
    let (params, mut problems) =
        check::params(op, compiled, &incoming, core.options.reject_unknown_query);
    if !problems.is_empty() {
        return Err(problems.remove(0));
    }
    // 6. Body.
    check::body(op, compiled, media, parsed.as_ref(), bytes.len())?;
    Ok(Prepared {
        principal,
        params,
        locations: op
            .params
            .iter()
            .map(|p| (p.name.to_string(), p.location))
            .collect(),
        body: parsed,
        raw_body: bytes,
        multipart,
    })
}

/// The whole life of one request: prepare it, hand it to `call`, and turn the result (or
/// any rejection, through [`Host::reject`]) into the HTTP response. Generated handlers are
/// one call to this.
pub async fn serve<T, P, A, AF, C, CF>(
    host: &T,
    index: usize,
    op: &Operation,
    request: axum::extract::Request,
    authenticate: A,
    call: C,
) -> Response
where
    T: Host,
    A: FnOnce(Credentials) -> AF,
    AF: std::future::Future<Output = Result<P, Rejection>>,
    C: FnOnce(Prepared<P>) -> CF,
    CF: std::future::Future<Output = Result<Encoded, Rejection>>,
{
    serve_with(
        host,
        index,
        op,
        request,
        authenticate,
        |prepared| async move { call(prepared).await.map(respond) },
    )
    .await
}

/// As [`serve`], for handlers that build the whole response (status, headers, any media
/// type): interpreted servers such as a mock of any spec.
pub async fn serve_with<T, P, A, AF, C, CF>(
    host: &T,
    index: usize,
    op: &Operation,
    request: axum::extract::Request,
    authenticate: A,
    call: C,
) -> Response
where
    T: Host,
    A: FnOnce(Credentials) -> AF,
    AF: std::future::Future<Output = Result<P, Rejection>>,
    C: FnOnce(Prepared<P>) -> CF,
    CF: std::future::Future<Output = Result<Response, Rejection>>,
{
    let headers = request.headers();
    let has_body = headers.contains_key(axum::http::header::TRANSFER_ENCODING)
        || declared_length(headers).is_some_and(|n| n > 0);
    let prepared = match prepare(host.core(), index, op, request, authenticate).await {
        Ok(p) => p,
        Err(r) => {
            // Refused before its body was read (or while it trickled in): the connection is
            // closed after the answer, so the client cannot keep it by sending the rest.
            let unread = has_body && matches!(r.status, 401 | 403 | 404 | 408 | 413 | 415);
            let mut response = host.reject_in(Some(index), r);
            if unread {
                response.headers_mut().insert(
                    axum::http::header::CONNECTION,
                    axum::http::HeaderValue::from_static("close"),
                );
            }
            return response;
        }
    };
    match call(prepared).await {
        Ok(response) => response,
        Err(r) => host.reject_in(Some(index), r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_name_parameters_by_position() {
        assert_eq!(route_path("/a/{x}/b/{y}"), "/a/{p0}/b/{p1}");
        assert_eq!(route_path(""), "/");
        assert_eq!(route_path("/files/{name}.json"), "/files/{p0}");
        assert_eq!(
            route_path("/compare/{base}...{head}/x/{y}"),
            "/compare/{p0}/x/{p1}"
        );
        assert_eq!(route_path("/"), "/");
    }
}
