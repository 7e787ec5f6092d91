//! Runtime of the generated axum server: the request pipeline every handler shares.
//!
//! Order (documented, and what Nango's server does): content type (415) → body size (413)
//! → JSON syntax (400 `invalid_json`) → authentication (401) → parameters and body validated
//! against the spec's JSON Schemas (400 `invalid_query_params` / `invalid_uri_params` /
//! `invalid_headers` / `invalid_body`) → typed decode → handler. Errors are
//! `{"error": {"code", "message", "errors": [{"code", "message", "path"}]}}`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;

/// One problem with one part of a request.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldError {
    /// What kind of problem (`invalid_type`, `required`, `pattern`, `unrecognized_keys`…).
    pub code: String,
    /// Human text.
    pub message: String,
    /// Where in the input (`["end_user", "id"]`); empty for the whole input.
    pub path: Vec<String>,
}

/// An error answer: status plus `{"error": {...}}` body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// HTTP status.
    pub status: u16,
    /// `error.code`.
    pub code: String,
    /// `error.message`.
    pub message: Option<String>,
    /// `error.errors`.
    pub errors: Vec<FieldError>,
}

impl Rejection {
    /// An error with a status, code and message.
    pub fn new(status: u16, code: impl Into<String>, message: impl Into<String>) -> Rejection {
        Rejection {
            status,
            code: code.into(),
            message: Some(message.into()),
            errors: Vec::new(),
        }
    }

    /// An error listing field problems (no message).
    pub fn with_errors(status: u16, code: impl Into<String>, errors: Vec<FieldError>) -> Rejection {
        Rejection {
            status,
            code: code.into(),
            message: None,
            errors,
        }
    }

    /// The JSON body.
    pub fn body(&self) -> serde_json::Value {
        let mut error = serde_json::Map::new();
        error.insert("code".into(), self.code.clone().into());
        if let Some(m) = &self.message {
            error.insert("message".into(), m.clone().into());
        }
        if !self.errors.is_empty() {
            error.insert(
                "errors".into(),
                serde_json::to_value(&self.errors).unwrap_or_default(),
            );
        }
        serde_json::json!({ "error": error })
    }
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        json_response(status, crate::to_json(&self.body()), &[])
    }
}

fn json_response(
    status: StatusCode,
    body: Vec<u8>,
    extra: &[(header::HeaderName, String)],
) -> Response {
    let mut response = Response::new(axum::body::Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in extra {
        if let Ok(v) = HeaderValue::from_str(value) {
            response.headers_mut().insert(name.clone(), v);
        }
    }
    response
}

/// Turns an operation's encoded response into an HTTP response.
pub fn respond((status, body): (u16, Option<(&'static str, Vec<u8>)>)) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match body {
        Some((media, bytes)) => {
            let mut r = Response::new(axum::body::Body::from(bytes));
            if let Ok(v) = HeaderValue::from_str(media) {
                r.headers_mut().insert(header::CONTENT_TYPE, v);
            }
            r
        }
        None => Response::new(axum::body::Body::empty()),
    };
    *response.status_mut() = status;
    response
}

/// What the request presented for authentication. Secrets are redacted from `Debug`.
#[derive(Clone, Default)]
pub struct Credentials {
    /// The raw `Authorization` header.
    pub authorization: Option<String>,
    /// The token after `Bearer ` (may be empty when the header is malformed).
    pub bearer: Option<String>,
    /// The API key, for API-key schemes.
    pub api_key: Option<String>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown = |o: &Option<String>| o.as_ref().map(|_| "***");
        f.debug_struct("Credentials")
            .field("authorization", &shown(&self.authorization))
            .field("bearer", &shown(&self.bearer))
            .field("api_key", &shown(&self.api_key))
            .finish()
    }
}

/// How an operation authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthScheme {
    /// No credentials needed.
    None,
    /// `Authorization: Bearer …`
    Bearer,
    /// `Authorization: Basic …`
    Basic,
    /// API key in this header.
    ApiKeyHeader(&'static str),
    /// API key in this query parameter.
    ApiKeyQuery(&'static str),
}

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// Path segment.
    Path,
    /// Query string.
    Query,
    /// Header.
    Header,
    /// Cookie.
    Cookie,
}

/// The JSON type a parameter's string is coerced to before validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// Kept as a string.
    String,
    /// `true`/`false`.
    Boolean,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// Repeated or comma-separated values of this type.
    Array(&'static ParamType),
    /// `deepObject` keys (`name[key]=value`) or exploded form keys.
    Object,
}

/// One parameter of an operation.
#[derive(Clone, Copy, Debug)]
pub struct ParamSpec {
    /// Name on the wire.
    pub wire: &'static str,
    /// Where.
    pub location: Location,
    /// Required by the spec.
    pub required: bool,
    /// Coercion target.
    pub ty: ParamType,
    /// `explode` (arrays as repeated keys).
    pub explode: bool,
    /// JSON pointer of its schema in the embedded spec (empty: not validated).
    pub schema: &'static str,
}

/// How a request body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// JSON.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// Text.
    Text,
    /// Raw bytes.
    Bytes,
}

/// The request body of an operation.
#[derive(Clone, Copy, Debug)]
pub struct BodySpec {
    /// Media type.
    pub media: &'static str,
    /// Encoding.
    pub kind: BodyKind,
    /// Required by the spec.
    pub required: bool,
    /// JSON pointer of its schema (empty: not validated).
    pub schema: &'static str,
}

/// What the router knows about one operation.
#[derive(Clone, Copy, Debug)]
pub struct OperationSpec {
    /// Parameters; path parameters are numbered by position (`p0`, `p1`…) in the route.
    pub params: &'static [ParamSpec],
    /// The body, if any.
    pub body: Option<BodySpec>,
    /// Authentication.
    pub auth: AuthScheme,
}

/// Router settings.
#[derive(Clone, Debug)]
pub struct RouterOptions {
    /// Largest accepted body in bytes (413 above). Default 1 MiB.
    pub body_limit: usize,
    /// Reject query parameters the operation does not declare (400). Default true.
    pub reject_unknown_query: bool,
}

impl Default for RouterOptions {
    fn default() -> RouterOptions {
        RouterOptions {
            body_limit: 1024 * 1024,
            reject_unknown_query: true,
        }
    }
}

/// Compiled validators for one operation.
pub struct OperationValidators {
    params: Vec<Option<jsonschema::Validator>>,
    body: Option<jsonschema::Validator>,
}

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
}

impl std::fmt::Display for RouterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RouterError::Spec(m) => write!(f, "the embedded spec cannot be used: {m}"),
            RouterError::Schema { pointer, message } => {
                write!(f, "the schema at {pointer} cannot be compiled: {message}")
            }
        }
    }
}

impl std::error::Error for RouterError {}

/// Every operation's validators, compiled once from the embedded spec.
pub struct Validators {
    operations: Vec<OperationValidators>,
}

impl Validators {
    /// Registers the spec once and compiles one validator per parameter and body.
    pub fn build(spec: &str, operations: &[OperationSpec]) -> Result<Validators, RouterError> {
        let document: serde_json::Value =
            serde_json::from_str(spec).map_err(|e| RouterError::Spec(e.to_string()))?;
        let base = "urn:openapi:spec";
        let registry = jsonschema::Registry::new()
            .add(base, document)
            .and_then(|r| r.prepare())
            .map_err(|e| RouterError::Spec(e.to_string()))?;
        let compile = |pointer: &str| -> Result<Option<jsonschema::Validator>, RouterError> {
            if pointer.is_empty() {
                return Ok(None);
            }
            let schema = serde_json::json!({ "$ref": format!("{base}{pointer}") });
            jsonschema::options()
                .with_registry(&registry)
                .should_validate_formats(true)
                .build(&schema)
                .map(Some)
                .map_err(|e| RouterError::Schema {
                    pointer: pointer.to_owned(),
                    message: e.to_string(),
                })
        };
        let mut out = Vec::with_capacity(operations.len());
        for op in operations {
            let params = op
                .params
                .iter()
                .map(|p| compile(p.schema))
                .collect::<Result<Vec<_>, _>>()?;
            let body = match op.body {
                Some(b) => compile(b.schema)?,
                None => None,
            };
            out.push(OperationValidators { params, body });
        }
        Ok(Validators { operations: out })
    }

    /// The validators of operation `index`.
    pub fn operation(&self, index: usize) -> Option<&OperationValidators> {
        self.operations.get(index)
    }
}

/// A request that passed every check, ready for typed decoding.
pub struct Prepared<P> {
    /// Who is calling (for authenticated operations).
    pub principal: Option<P>,
    params: serde_json::Map<String, serde_json::Value>,
    body: Option<serde_json::Value>,
    raw_body: Vec<u8>,
}

impl<P> Prepared<P> {
    /// Takes the authenticated principal (present for every operation that requires auth).
    pub fn principal(&mut self) -> Result<P, Rejection> {
        self.principal
            .take()
            .ok_or_else(|| Rejection::new(401, "unauthorized", "Authentication failed."))
    }

    /// Decodes the parameters struct.
    pub fn params<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        decode(
            serde_json::Value::Object(self.params.clone()),
            "invalid_query_params",
        )
    }

    /// Decodes the JSON (or form) body.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, Rejection> {
        decode(
            self.body.clone().unwrap_or(serde_json::Value::Null),
            "invalid_body",
        )
    }

    /// Decodes an optional body.
    pub fn optional_body<T: DeserializeOwned>(&self) -> Result<Option<T>, Rejection> {
        match &self.body {
            None => Ok(None),
            Some(v) => decode(v.clone(), "invalid_body").map(Some),
        }
    }

    /// The raw body bytes (text and binary bodies).
    pub fn raw_body(&self) -> Vec<u8> {
        self.raw_body.clone()
    }

    /// The body as text.
    pub fn text_body(&self) -> Result<String, Rejection> {
        String::from_utf8(self.raw_body.clone())
            .map_err(|e| Rejection::new(400, "invalid_body", e.to_string()))
    }
}

fn decode<T: DeserializeOwned>(value: serde_json::Value, code: &str) -> Result<T, Rejection> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path: Vec<String> = e
            .path()
            .iter()
            .map(|s| s.to_string())
            .filter(|s| s != "?")
            .collect();
        Rejection::with_errors(
            400,
            code,
            vec![FieldError {
                code: "invalid_type".into(),
                message: e.inner().to_string(),
                path,
            }],
        )
    })
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn is_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

fn coerce(raw: &str, ty: ParamType) -> serde_json::Value {
    match ty {
        ParamType::Boolean => match raw {
            "true" => serde_json::Value::Bool(true),
            "false" => serde_json::Value::Bool(false),
            _ => raw.into(),
        },
        ParamType::Integer => raw
            .parse::<i64>()
            .map(Into::into)
            .unwrap_or_else(|_| raw.into()),
        ParamType::Number => raw
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(serde_json::Value::Number)
            .unwrap_or_else(|| raw.into()),
        _ => raw.into(),
    }
}

fn schema_errors(
    validator: &jsonschema::Validator,
    instance: &serde_json::Value,
    prefix: &[String],
) -> Vec<FieldError> {
    validator
        .iter_errors(instance)
        .map(|e| {
            let mut path: Vec<String> = prefix.to_vec();
            path.extend(
                e.instance_path()
                    .to_string()
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.replace("~1", "/").replace("~0", "~")),
            );
            FieldError {
                code: e.kind().keyword().to_owned(),
                message: e.to_string(),
                path,
            }
        })
        .collect()
}

fn percent_decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

/// Runs the pipeline up to (not including) typed decoding.
pub async fn prepare<P, A, F>(
    spec: &OperationSpec,
    validators: &OperationValidators,
    options: &RouterOptions,
    path_values: Vec<(String, String)>,
    request: axum::extract::Request,
    authenticate: A,
) -> Result<Prepared<P>, Rejection>
where
    A: FnOnce(Credentials) -> F,
    F: std::future::Future<Output = Result<P, Rejection>>,
{
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    // 1. Content type: present and not what the operation reads → 415.
    if let Some(ct) = header_str(headers, "content-type") {
        let acceptable = match spec.body.map(|b| b.kind) {
            Some(BodyKind::Form) => ct
                .to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded"),
            Some(BodyKind::Text | BodyKind::Bytes) => true,
            Some(BodyKind::Json) | None => is_json(ct),
        };
        if !acceptable {
            let expected = spec.body.map_or("application/json", |b| b.media);
            return Err(Rejection::new(
                415,
                "invalid_content_type",
                format!("Content-Type header must be {expected}"),
            ));
        }
    }
    // 2. Size.
    let bytes = axum::body::to_bytes(body, options.body_limit)
        .await
        .map_err(|_| {
            Rejection::new(
                413,
                "payload_too_large",
                format!("The body is larger than {} bytes", options.body_limit),
            )
        })?
        .to_vec();
    // 3. Syntax.
    let mut body_value = None;
    if let Some(b) = spec.body {
        if !bytes.is_empty() {
            body_value = match b.kind {
                BodyKind::Json => Some(
                    serde_json::from_slice::<serde_json::Value>(&bytes)
                        .map_err(|e| Rejection::new(400, "invalid_json", e.to_string()))?,
                ),
                BodyKind::Form => {
                    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                        .map_err(|e| Rejection::new(400, "invalid_body", e.to_string()))?;
                    Some(serde_json::Value::Object(
                        pairs.into_iter().map(|(k, v)| (k, v.into())).collect(),
                    ))
                }
                BodyKind::Text | BodyKind::Bytes => None,
            };
        }
    } else if !bytes.is_empty() && header_str(headers, "content-type").is_some_and(is_json) {
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .map_err(|e| Rejection::new(400, "invalid_json", e.to_string()))?;
    }
    // 4. Authentication.
    let query: Vec<(String, String)> =
        serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
    let principal = match spec.auth {
        AuthScheme::None => None,
        scheme => {
            let authorization = header_str(headers, "authorization").map(str::to_owned);
            let api_key = match scheme {
                AuthScheme::ApiKeyHeader(name) => header_str(headers, name).map(str::to_owned),
                AuthScheme::ApiKeyQuery(name) => query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone()),
                _ => None,
            };
            let present = match scheme {
                AuthScheme::Bearer | AuthScheme::Basic => authorization.is_some(),
                _ => api_key.is_some(),
            };
            if !present {
                return Err(Rejection::new(
                    401,
                    "missing_auth_header",
                    "Authentication failed. The request is missing the Authorization header.",
                ));
            }
            // HTTP stacks trim trailing whitespace, so `Bearer ` arrives as `Bearer`: an empty token.
            let bearer = authorization.as_deref().map(|a| {
                let a = a.trim();
                if a.eq_ignore_ascii_case("bearer") {
                    String::new()
                } else {
                    a.strip_prefix("Bearer ").unwrap_or(a).trim().to_owned()
                }
            });
            Some(
                authenticate(Credentials {
                    authorization,
                    bearer,
                    api_key,
                })
                .await?,
            )
        }
    };
    // 5. Parameters: coerce, check presence, validate against their schemas.
    let mut params = serde_json::Map::new();
    let mut problems: BTreeMap<&'static str, Vec<FieldError>> = BTreeMap::new();
    for (i, p) in spec.params.iter().enumerate() {
        let value = match p.location {
            Location::Path => path_values
                .iter()
                .find(|(w, _)| w == p.wire)
                .map(|(_, v)| coerce(&percent_decode(v), p.ty)),
            Location::Query => query_value(&query, p),
            Location::Header => header_str(headers, p.wire).map(|v| coerce(v, p.ty)),
            Location::Cookie => header_str(headers, "cookie").and_then(|c| {
                c.split(';')
                    .filter_map(|kv| kv.trim().split_once('='))
                    .find(|(k, _)| *k == p.wire)
                    .map(|(_, v)| coerce(v, p.ty))
            }),
        };
        let code = match p.location {
            Location::Path => "invalid_uri_params",
            Location::Header | Location::Cookie => "invalid_headers",
            Location::Query => "invalid_query_params",
        };
        match value {
            None if p.required => problems.entry(code).or_default().push(FieldError {
                code: "invalid_type".into(),
                message: format!("Required parameter `{}` is missing", p.wire),
                path: vec![p.wire.to_owned()],
            }),
            None => {}
            Some(v) => {
                if let Some(Some(validator)) = validators.params.get(i) {
                    let errors = schema_errors(validator, &v, &[p.wire.to_owned()]);
                    if !errors.is_empty() {
                        problems.entry(code).or_default().extend(errors);
                    }
                }
                params.insert(p.wire.to_owned(), v);
            }
        }
    }
    if options.reject_unknown_query {
        let unknown: Vec<&str> = query
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| {
                let base = k.split('[').next().unwrap_or(k);
                !spec
                    .params
                    .iter()
                    .any(|p| p.location == Location::Query && p.wire == base)
                    && !matches!(spec.auth, AuthScheme::ApiKeyQuery(name) if name == *k)
            })
            .collect();
        if !unknown.is_empty() {
            let mut seen = std::collections::BTreeSet::new();
            for k in unknown.into_iter().filter(|k| seen.insert(*k)) {
                problems
                    .entry("invalid_query_params")
                    .or_default()
                    .push(FieldError {
                        code: "unrecognized_keys".into(),
                        message: format!("Unrecognized key: \"{k}\""),
                        path: Vec::new(),
                    });
            }
        }
    }
    // Path problems first, then query, then headers: one answer names one part.
    for code in [
        "invalid_uri_params",
        "invalid_query_params",
        "invalid_headers",
    ] {
        if let Some(errors) = problems.remove(code) {
            return Err(Rejection::with_errors(400, code, errors));
        }
    }
    // 6. Body against its schema.
    if let Some(b) = spec.body {
        match (&body_value, b.kind) {
            (None, BodyKind::Json | BodyKind::Form) if b.required => {
                return Err(Rejection::with_errors(
                    400,
                    "invalid_body",
                    vec![FieldError {
                        code: "invalid_type".into(),
                        message: "A request body is required".into(),
                        path: Vec::new(),
                    }],
                ));
            }
            (Some(v), _) => {
                if let Some(validator) = &validators.body {
                    let errors = schema_errors(validator, v, &[]);
                    if !errors.is_empty() {
                        return Err(Rejection::with_errors(400, "invalid_body", errors));
                    }
                }
            }
            _ => {}
        }
    }
    Ok(Prepared {
        principal,
        params,
        body: body_value,
        raw_body: bytes,
    })
}

fn query_value(query: &[(String, String)], p: &ParamSpec) -> Option<serde_json::Value> {
    match p.ty {
        ParamType::Array(item) => {
            let values: Vec<&str> = query
                .iter()
                .filter(|(k, _)| k == p.wire)
                .map(|(_, v)| v.as_str())
                .collect();
            if values.is_empty() {
                return None;
            }
            let items: Vec<serde_json::Value> = if p.explode {
                values.into_iter().map(|v| coerce(v, *item)).collect()
            } else {
                values
                    .iter()
                    .flat_map(|v| v.split(','))
                    .map(|v| coerce(v, *item))
                    .collect()
            };
            Some(serde_json::Value::Array(items))
        }
        ParamType::Object => {
            let prefix = format!("{}[", p.wire);
            let map: serde_json::Map<String, serde_json::Value> = query
                .iter()
                .filter_map(|(k, v)| {
                    k.strip_prefix(&prefix)
                        .and_then(|rest| rest.strip_suffix(']'))
                        .map(|key| (key.to_owned(), v.clone().into()))
                })
                .collect();
            (!map.is_empty()).then_some(serde_json::Value::Object(map))
        }
        ty => query
            .iter()
            .find(|(k, _)| k == p.wire)
            .map(|(_, v)| coerce(v, ty)),
    }
}

/// 404 for paths the API does not have.
pub async fn not_found() -> Response {
    Rejection::new(404, "not_found", "No such route").into_response()
}

/// 405 with `Allow` for a method the path does not have.
pub fn method_not_allowed(allow: &'static str) -> Response {
    let body = Rejection::new(
        405,
        "method_not_allowed",
        format!("Allowed methods: {allow}"),
    )
    .body();
    json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        crate::to_json(&body),
        &[(header::ALLOW, allow.to_owned())],
    )
}

/// What every handler shares: the compiled validators and the router options.
pub struct Core {
    /// Validators, one set per operation.
    pub validators: Validators,
    /// Options.
    pub options: RouterOptions,
}

/// The whole life of one request: prepare it (see [`prepare`]), hand it to `call`, and
/// turn the result (or any rejection) into the HTTP response. Generated handlers are one
/// call to this.
#[allow(clippy::too_many_arguments)]
pub async fn serve<P, A, AF, C, CF>(
    core: &Core,
    spec: &OperationSpec,
    index: usize,
    names: &[&str],
    raw: axum::extract::RawPathParams,
    request: axum::extract::Request,
    authenticate: A,
    call: C,
) -> Response
where
    A: FnOnce(Credentials) -> AF,
    AF: std::future::Future<Output = Result<P, Rejection>>,
    C: FnOnce(Prepared<P>) -> CF,
    CF: std::future::Future<Output = Result<(u16, Option<(&'static str, Vec<u8>)>), Rejection>>,
{
    // Routes name path parameters by position (`p0`, `p1`…); map them back to spec names.
    let path_values: Vec<(String, String)> = raw
        .iter()
        .filter_map(|(k, v)| {
            let i: usize = k.strip_prefix('p')?.parse().ok()?;
            Some(((*names.get(i)?).to_owned(), v.to_owned()))
        })
        .collect();
    let Some(validators) = core.validators.operation(index) else {
        return Rejection::new(500, "server_error", "no validators for this operation")
            .into_response();
    };
    let prepared = match prepare(
        spec,
        validators,
        &core.options,
        path_values,
        request,
        authenticate,
    )
    .await
    {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    match call(prepared).await {
        Ok(encoded) => respond(encoded),
        Err(r) => r.into_response(),
    }
}
