//! Validates requests and responses against the effective spec.
//!
//! Operations come from the model's description (`codegen::model::http`), the same one the
//! generated client and router are emitted from; requests are checked by the runtime's
//! checks (`openapi_runtime::check`), the very code generated routers run, so the validator
//! and a generated server cannot disagree about a request. The document's schemas (2020-12
//! form) are registered once, read as OpenAPI says (`readOnly` properties are not required
//! in requests, `writeOnly` ones not in responses) unless [`ContractValidator::strict`];
//! one validator per schema position is compiled on first use and kept. Every schema
//! violation names the instance path, the keyword that failed, and where that keyword is
//! written (the spec or the overlay that put it there).

use codegen::load::Loaded;
use codegen::load::pointer::JsonPointer;
use codegen::load::source::Location;
use codegen::model::http::{self, Status};
use openapi_runtime::check::rejection::{Part, Rejection, codes};
use openapi_runtime::check::schemas::{Direction, Reading, Schemas};
use openapi_runtime::check::{self, Compiled, Incoming};
use openapi_runtime::operation as op;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};

/// A validator compiled on first use (or why it could not be compiled), shared between threads.
/// Response bodies longer than this are read with their arrays streamed
/// ([`crate::large_body`]): bounded memory instead of ~15× the text.
pub const STREAM_ABOVE: usize = 1024 * 1024;

type LazyValidator = Arc<OnceLock<Result<jsonschema::Validator, String>>>;

/// What kind of disagreement with the spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// No operation of the spec matches the method and path.
    UnknownOperation,
    /// The status is not documented (no exact code, range or `default`).
    UndocumentedStatus,
    /// A body arrived without a Content-Type.
    MissingContentType,
    /// The Content-Type is not one the response (or request) documents.
    UnexpectedContentType,
    /// A JSON media type, but the body does not parse.
    NotJson,
    /// The body breaks the schema.
    Schema,
    /// A required parameter is missing or a parameter breaks its schema.
    Parameter,
    /// A query parameter the operation does not declare.
    UndeclaredParameter,
    /// A required request body is missing.
    MissingBody,
    /// The request satisfies none of the operation's security alternatives.
    Security,
    /// A required documented response header is missing or breaks its schema.
    Header,
    /// The contract suite expected another status or `error.code`.
    Expectation,
    /// A response that cannot have a body (204, 304, 1xx, or the answer to HEAD) came with one.
    BodyNotAllowed,
    /// The request broke the contract, yet the server answered 2xx.
    NegativeDataAccepted,
    /// The request satisfied none of the operation's security alternatives, yet the server
    /// answered 2xx.
    IgnoredAuth,
    /// The spec itself cannot check this exchange (a schema it names does not compile,
    /// e.g. a `$ref` to nothing): the exchange is skipped, not failed.
    SpecProblem,
}

impl Kind {
    /// Stable name, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::UnknownOperation => "unknown_operation",
            Kind::UndocumentedStatus => "undocumented_status",
            Kind::MissingContentType => "missing_content_type",
            Kind::UnexpectedContentType => "unexpected_content_type",
            Kind::NotJson => "not_json",
            Kind::Schema => "schema",
            Kind::Parameter => "parameter",
            Kind::UndeclaredParameter => "undeclared_parameter",
            Kind::MissingBody => "missing_body",
            Kind::Security => "security",
            Kind::Header => "header",
            Kind::Expectation => "expectation",
            Kind::BodyNotAllowed => "body_not_allowed",
            Kind::NegativeDataAccepted => "negative_data_accepted",
            Kind::IgnoredAuth => "ignored_auth",
            Kind::SpecProblem => "spec_problem",
        }
    }
}

/// One disagreement between an exchange and the spec.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Violation {
    /// What kind.
    pub kind: Kind,
    /// Human text.
    pub message: String,
    /// JSON pointer into the body (`/data/expires_at`); empty for the whole body.
    pub instance_path: String,
    /// The failing keyword's absolute pointer in the spec (`#/components/schemas/X/required`).
    pub keyword: String,
    /// Where that keyword is written (`spec/nango.yaml:81:9`), when known.
    pub location: Option<String>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: ", self.kind.as_str())?;
        if !self.instance_path.is_empty() {
            write!(f, "at {} ", self.instance_path)?;
        }
        write!(f, "{}", self.message)?;
        if !self.keyword.is_empty() {
            write!(f, " [{}", self.keyword)?;
            if let Some(l) = &self.location {
                write!(f, " @ {l}")?;
            }
            write!(f, "]")?;
        }
        Ok(())
    }
}

/// A compile error as the reason an exchange is not checked.
fn unchecked(error: &str) -> String {
    format!("not checked: {error} (help: `cargo xtask lint` locates the spec's errors)")
}

/// The verdict on one exchange.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// `METHOD /template` of the matched operation, when one matched (shared with the
    /// validator: a check allocates nothing for it).
    pub operation: Option<Arc<str>>,
    /// Everything wrong; empty means valid.
    pub violations: Vec<Violation>,
}

impl Report {
    /// Whether the exchange conforms.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    fn violation(&mut self, kind: Kind, message: impl Into<String>) {
        self.violations.push(Violation {
            kind,
            message: message.into(),
            instance_path: String::new(),
            keyword: String::new(),
            location: None,
        });
    }
}

/// One operation, found by method and path template, with its responses resolved once.
#[derive(Debug)]
struct Operation {
    method: String,
    label: Arc<str>,
    segments: Vec<Segment>,
    /// What the runtime's request checks read.
    described: op::Operation,
    /// The request's compiled validators, on first use.
    compiled: OnceLock<Result<Compiled, String>>,
    responses: Vec<ResponseEntry>,
    documented: String,
}

/// A documented response: its media types, each with the validator of its schema.
#[derive(Debug)]
struct ResponseEntry {
    status: Status,
    label: String,
    /// `None` when the response's `$ref` does not resolve.
    content: Option<Vec<MediaEntry>>,
    /// Documented headers: name, required, and the validator of the schema.
    headers: Vec<HeaderEntry>,
}

#[derive(Debug)]
struct HeaderEntry {
    name: String,
    required: bool,
    schema: Option<(JsonPointer, LazyValidator)>,
}

#[derive(Debug)]
struct MediaEntry {
    media: String,
    json: bool,
    schema: Option<(JsonPointer, LazyValidator)>,
}

impl Operation {
    /// The documented response for a status: the exact code, else its `NXX` range, else
    /// `default`.
    fn response(&self, status: u16) -> Option<&ResponseEntry> {
        let by = |wanted: Status| self.responses.iter().find(|r| r.status == wanted);
        by(Status::Code(status))
            .or_else(|| by(Status::Range(status / 100)))
            .or_else(|| by(Status::Default))
    }
}

#[derive(Debug)]
enum Segment {
    Literal(String),
    /// `{name}` possibly with literal text around it (`{id}.json`).
    Param {
        prefix: String,
        suffix: String,
    },
}

impl Segment {
    fn parse(raw: &str) -> Segment {
        match (raw.find('{'), raw.rfind('}')) {
            (Some(open), Some(close)) if open < close => Segment::Param {
                prefix: raw[..open].to_owned(),
                suffix: raw[close + 1..].to_owned(),
            },
            _ => Segment::Literal(raw.to_owned()),
        }
    }

    fn matches(&self, actual: &[u8]) -> bool {
        match self {
            Segment::Literal(l) => l.as_bytes() == actual,
            Segment::Param { prefix, suffix } => {
                actual.len() > prefix.len() + suffix.len()
                    && actual.starts_with(prefix.as_bytes())
                    && actual.ends_with(suffix.as_bytes())
            }
        }
    }
}

/// Why a validator could not be built for a spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValidatorError {
    /// The spec did not load; its diagnostics (in the [`Loaded`] given) say why.
    NotLoaded,
    /// `jsonschema` cannot register the document (its message).
    Registry(String),
}

impl std::fmt::Display for ValidatorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ValidatorError::NotLoaded => f.write_str("the spec did not load (see its diagnostics)"),
            ValidatorError::Registry(m) => write!(f, "cannot register the spec's schemas: {m}"),
        }
    }
}

impl std::error::Error for ValidatorError {}

/// Validates exchanges against one effective spec.
pub struct ContractValidator {
    loaded: Loaded,
    schemas: Schemas,
    operations: Vec<Operation>,
    /// Indices into `operations` by method ([`method_index`]) and number of path segments,
    /// in `operations`' order.
    by_shape: Vec<Vec<Vec<usize>>>,
    validators: Mutex<BTreeMap<(String, bool), LazyValidator>>,
    http: http::Http,
}

impl std::fmt::Debug for ContractValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContractValidator")
            .field("operations", &self.operations.len())
            .finish()
    }
}

/// The shared lazily-compiled validator of a schema position, in one direction.
fn lazy(
    cache: &Mutex<BTreeMap<(String, bool), LazyValidator>>,
    pointer: &JsonPointer,
    direction: Direction,
) -> LazyValidator {
    match cache.lock() {
        Ok(mut map) => map
            .entry((pointer.to_string(), direction == Direction::Response))
            .or_default()
            .clone(),
        Err(_) => LazyValidator::default(),
    }
}

impl ContractValidator {
    /// Builds the validator for a loaded spec (documented + overlays), reading schemas as
    /// OpenAPI does (`readOnly`/`writeOnly` required properties in one direction only).
    pub fn new(loaded: Loaded) -> Result<ContractValidator, ValidatorError> {
        ContractValidator::with_reading(loaded, Reading::Directional)
    }

    /// Like [`ContractValidator::new`], with JSON Schema read as written in both directions.
    pub fn strict(loaded: Loaded) -> Result<ContractValidator, ValidatorError> {
        ContractValidator::with_reading(loaded, Reading::Strict)
    }

    fn with_reading(loaded: Loaded, reading: Reading) -> Result<ContractValidator, ValidatorError> {
        let doc = loaded.document.as_ref().ok_or(ValidatorError::NotLoaded)?;
        let json = codegen::load::normalize::to_json_schema_2020_lean(doc);
        let schemas =
            Schemas::new(json, reading).map_err(|e| ValidatorError::Registry(e.to_string()))?;
        let validators = Mutex::new(BTreeMap::new());
        let http = http::describe(doc);
        let scheme_table = http.runtime_schemes();
        let mut operations: Vec<Operation> = http
            .endpoints
            .iter()
            .map(|e| {
                let responses: Vec<ResponseEntry> = e
                    .responses
                    .iter()
                    .map(|r| ResponseEntry {
                        status: r.status,
                        label: r.key.clone(),
                        content: r.content.as_ref().map(|content| {
                            content
                                .iter()
                                .map(|m| MediaEntry {
                                    media: m.media.clone(),
                                    json: op::is_json(&m.media),
                                    schema: m.schema.as_ref().map(|p| {
                                        (p.clone(), lazy(&validators, p, Direction::Response))
                                    }),
                                })
                                .collect()
                        }),
                        headers: r
                            .headers
                            .iter()
                            .map(|h| HeaderEntry {
                                name: h.name.clone(),
                                required: h.required,
                                schema: h.schema.as_ref().map(|p| {
                                    (p.clone(), lazy(&validators, p, Direction::Response))
                                }),
                            })
                            .collect(),
                    })
                    .collect();
                let documented = responses
                    .iter()
                    .map(|r| r.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                Operation {
                    method: e.method.clone(),
                    label: Arc::from(e.label()),
                    segments: e.path.split('/').skip(1).map(Segment::parse).collect(),
                    described: e.describe(&scheme_table),
                    compiled: OnceLock::new(),
                    responses,
                    documented,
                }
            })
            .collect();
        // Most literal segments first, so `/connect/sessions/reconnect` beats `/connect/sessions/{id}`.
        operations.sort_by_key(|o| {
            std::cmp::Reverse(
                o.segments
                    .iter()
                    .filter(|s| matches!(s, Segment::Literal(_)))
                    .count(),
            )
        });
        let mut by_shape: Vec<Vec<Vec<usize>>> = vec![Vec::new(); METHODS.len()];
        for (i, o) in operations.iter().enumerate() {
            let Some(by_length) = method_index(&o.method).and_then(|m| by_shape.get_mut(m)) else {
                continue;
            };
            let n = o.segments.len();
            if by_length.len() <= n {
                by_length.resize(n + 1, Vec::new());
            }
            if let Some(list) = by_length.get_mut(n) {
                list.push(i);
            }
        }
        Ok(ContractValidator {
            loaded,
            schemas,
            operations,
            by_shape,
            validators,
            http,
        })
    }

    /// The loaded spec (sources for locations, the document).
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    /// The model's description of the spec's operations and security schemes.
    pub fn http(&self) -> &http::Http {
        &self.http
    }

    /// The document as validation reads it (JSON Schema 2020-12 form, `$ref`s local):
    /// what [`crate::synth::Synth`] makes values from.
    pub fn document(&self) -> &serde_json::Value {
        self.schemas.document().unwrap_or(&serde_json::Value::Null)
    }

    /// The operation of a method and path (query and fragment ignored): only the templates
    /// of that method and number of segments are compared.
    fn find(&self, method: &str, raw_path: &str) -> Option<&Operation> {
        // Bytes, not chars: this runs for every exchange, and `/`, `?`, `#` are ASCII.
        let bytes = raw_path.as_bytes();
        let end = bytes
            .iter()
            .position(|b| matches!(b, b'?' | b'#'))
            .unwrap_or(bytes.len());
        let path = bytes.get(1..end).unwrap_or_default();
        let count = path.iter().filter(|b| **b == b'/').count() + 1;
        let of = |method: usize| {
            self.by_shape
                .get(method)?
                .get(count)?
                .iter()
                .filter_map(|&i| self.operations.get(i))
                .find(|o| {
                    o.segments
                        .iter()
                        .zip(path.split(|b| *b == b'/'))
                        .all(|(s, a)| s.matches(a))
                })
        };
        let index = method_index(method)?;
        // HEAD is GET without content (RFC 9110 §9.3.2): a path without its own HEAD
        // operation answers HEAD as its GET.
        of(index).or_else(|| {
            (METHODS.get(index) == Some(&"HEAD"))
                .then(|| of(0))
                .flatten()
        })
    }

    fn compiled<'v>(
        &self,
        cell: &'v LazyValidator,
        pointer: &JsonPointer,
        direction: Direction,
    ) -> &'v Result<jsonschema::Validator, String> {
        cell.get_or_init(|| {
            self.schemas
                .compile(direction, &pointer.fragment())
                .map_err(|e| e.to_string())
        })
    }

    /// Where a keyword of the spec is written.
    fn locate(&self, keyword: &str) -> Option<String> {
        let pointer = JsonPointer::parse_ref(keyword).ok()?;
        let root = &self.loaded.document.as_ref()?.root;
        let span = root
            .key_span(&pointer)
            .or_else(|| root.pointer(&pointer).map(|n| n.span))?;
        self.loaded
            .sources
            .location(span)
            .map(|l: Location| l.to_string())
    }

    fn violations_with(
        &self,
        report: &mut Report,
        cell: &LazyValidator,
        schema: &JsonPointer,
        direction: Direction,
        instance: &serde_json::Value,
    ) {
        let validator = match self.compiled(cell, schema, direction) {
            Ok(v) => v,
            Err(e) => return report.violation(Kind::SpecProblem, unchecked(e)),
        };
        if validator.is_valid(instance) {
            return;
        }
        for e in check::schema_errors(validator, instance, Part::Body, &[]) {
            let keyword = e.keyword.unwrap_or_default();
            report.violations.push(Violation {
                kind: Kind::Schema,
                message: e.message,
                instance_path: pointer_of(&e.path),
                location: self.locate(&keyword),
                keyword,
            });
        }
    }

    /// Validates a value against the schema at `pointer` (e.g. `#/components/schemas/Connection`),
    /// read as a response body.
    pub fn check_schema(&self, pointer: &str, value: &serde_json::Value) -> Report {
        self.check_schema_for(Direction::Response, pointer, value)
    }

    /// Validates a value against the schema at `pointer`, read for `direction` (a request
    /// body does not need its `readOnly` properties, a response its `writeOnly` ones).
    pub fn check_schema_for(
        &self,
        direction: Direction,
        pointer: &str,
        value: &serde_json::Value,
    ) -> Report {
        let mut report = Report::default();
        match JsonPointer::parse_ref(pointer) {
            Ok(p) => {
                let cell = lazy(&self.validators, &p, direction);
                self.violations_with(&mut report, &cell, &p, direction, value)
            }
            Err(_) => report.violation(Kind::Schema, format!("`{pointer}` is not a JSON pointer")),
        }
        report
    }

    /// The effective spec in JSON Schema 2020-12 form (what validation reads).
    pub fn schema_document(&self) -> serde_json::Value {
        self.loaded
            .document
            .as_ref()
            .map(codegen::load::normalize::to_json_schema_2020)
            .unwrap_or_default()
    }

    /// The operation of an exchange, recorded in the report; or an `unknown_operation` violation.
    fn operation_for(
        &self,
        report: &mut Report,
        method: &str,
        raw_path: &str,
    ) -> Option<&Operation> {
        let found = self.find(method, raw_path);
        match found {
            Some(op) => report.operation = Some(op.label.clone()),
            // The path alone: a query may carry a key.
            None => report.violation(
                Kind::UnknownOperation,
                format!(
                    "no operation {} {} in the spec",
                    method.to_uppercase(),
                    raw_path.split(['?', '#']).next().unwrap_or_default()
                ),
            ),
        }
        found
    }

    /// Checks a response: documented status, content type, and body against its schema.
    pub fn check_response(
        &self,
        method: &str,
        raw_path: &str,
        status: u16,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Report {
        let mut report = Report::default();
        let Some(op) = self.operation_for(&mut report, method, raw_path) else {
            return report;
        };
        let bodiless = !may_have_body(method, status);
        if bodiless && !body.is_empty() {
            report.violation(
                Kind::BodyNotAllowed,
                format!(
                    "a {} answer to {} carries no body (RFC 9110 §6.4.1), yet it has {} byte(s)",
                    status,
                    method.to_uppercase(),
                    body.len()
                ),
            );
        }
        let Some(entry) = op.response(status) else {
            report.violation(
                Kind::UndocumentedStatus,
                format!(
                    "status {status} is not documented (documented: {})",
                    op.documented
                ),
            );
            return report;
        };
        let Some(content) = &entry.content else {
            report.violation(
                Kind::UndocumentedStatus,
                format!("the response for {} does not resolve", entry.label),
            );
            return report;
        };
        // No content to check: none documented, or none allowed (a 304 or the answer to
        // HEAD keeps the Content-Type its GET would have).
        if content.is_empty() || bodiless {
            return report;
        }
        let Some(ct) = content_type else {
            if !body.is_empty() {
                report.violation(Kind::MissingContentType, "the body has no Content-Type");
            }
            return report;
        };
        // Most answers carry the documented media type as written: compared first, as bytes.
        let exact = content.iter().find(|m| m.media == ct);
        let Some(media) =
            exact.or_else(|| content.iter().find(|m| op::media_matches(&m.media, ct)))
        else {
            let documented: Vec<&str> = content.iter().map(|m| m.media.as_str()).collect();
            report.violation(
                Kind::UnexpectedContentType,
                format!(
                    "Content-Type `{ct}` is not documented (documented: {})",
                    documented.join(", ")
                ),
            );
            return report;
        };
        let json = media.json && (exact.is_some() || op::is_json(ct));
        let (Some((pointer, cell)), true) = (&media.schema, json) else {
            return report;
        };
        if body.len() > STREAM_ABOVE {
            self.check_large_body(&mut report, cell, pointer, body);
            return report;
        }
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(instance) => {
                self.violations_with(&mut report, cell, pointer, Direction::Response, &instance)
            }
            Err(e) => report.violation(Kind::NotJson, format!("the body is not JSON: {e}")),
        }
        report
    }

    /// A response body over [`STREAM_ABOVE`] bytes: its arrays streamed where the schema
    /// allows ([`crate::large_body`]), the rest validated whole.
    fn check_large_body(
        &self,
        report: &mut Report,
        cell: &LazyValidator,
        schema: &JsonPointer,
        body: &[u8],
    ) {
        let Some(document) = self.schemas.document() else {
            return report.violation(Kind::SpecProblem, unchecked("the spec is not registered"));
        };
        let direction = Direction::Response;
        let mut items: BTreeMap<String, LazyValidator> = BTreeMap::new();
        let mut check = |fragment: &str, element: &serde_json::Value, path: &[String]| {
            let Ok(p) = JsonPointer::parse_ref(fragment) else {
                return Vec::new();
            };
            let cell = items
                .entry(fragment.to_owned())
                .or_insert_with(|| lazy(&self.validators, &p, direction));
            match self.compiled(cell, &p, direction) {
                Ok(v) => check::schema_errors(v, element, Part::Body, path),
                Err(e) => vec![openapi_runtime::check::rejection::FieldError {
                    code: "schema".into(),
                    message: unchecked(e),
                    part: Part::Body,
                    path: path.to_vec(),
                    keyword: Some(fragment.to_owned()),
                }],
            }
        };
        let streamed = match crate::large_body::read(body, document, &schema.fragment(), &mut check)
        {
            Ok(s) => s,
            Err(e) => return report.violation(Kind::NotJson, format!("the body is not JSON: {e}")),
        };
        let mut shell = Report::default();
        self.violations_with(&mut shell, cell, schema, direction, &streamed.shell);
        let errors = streamed.errors.into_iter().map(|e| Violation {
            kind: Kind::Schema,
            instance_path: pointer_of(&e.path),
            location: e.keyword.as_deref().and_then(|k| self.locate(k)),
            keyword: e.keyword.unwrap_or_default(),
            message: e.message,
        });
        let artefact = |v: &Violation| {
            v.keyword.ends_with("/minItems")
                && streamed
                    .streamed
                    .iter()
                    .any(|(path, _)| pointer_of(path) == v.instance_path)
        };
        report.violations.extend(
            shell
                .violations
                .into_iter()
                .filter(|v| !artefact(v))
                .chain(errors),
        );
    }

    /// Checks a response's headers: each required documented header present, each
    /// documented one that is present valid against its schema (its text read as the
    /// schema's type: `42` is an integer). An unknown operation or undocumented status is
    /// left to [`ContractValidator::check_response`].
    pub fn check_response_headers(
        &self,
        method: &str,
        raw_path: &str,
        status: u16,
        headers: &[(String, String)],
    ) -> Report {
        let mut report = Report::default();
        let Some(op) = self.find(method, raw_path) else {
            return report;
        };
        report.operation = Some(op.label.clone());
        let Some(entry) = op.response(status) else {
            return report;
        };
        for h in &entry.headers {
            // Repeated lines are one value joined by commas (RFC 9110 §5.3).
            let lines: Vec<&str> = headers
                .iter()
                .filter(|(k, _)| k.eq_ignore_ascii_case(&h.name))
                .map(|(_, v)| v.as_str())
                .collect();
            let joined = lines.join(", ");
            let value = (!lines.is_empty()).then_some(joined.as_str());
            let Some(value) = value else {
                if h.required {
                    report.violation(
                        Kind::Header,
                        format!("the required header `{}` is missing", h.name),
                    );
                }
                continue;
            };
            let Some((pointer, cell)) = &h.schema else {
                continue;
            };
            let validator = match self.compiled(cell, pointer, Direction::Response) {
                Ok(v) => v,
                Err(e) => {
                    report.violation(Kind::SpecProblem, unchecked(e));
                    continue;
                }
            };
            // The text read as the schema's type: a string, a JSON scalar, or (simple style)
            // a comma-separated list of them.
            let text = serde_json::Value::String(value.to_owned());
            let typed = serde_json::from_str::<serde_json::Value>(value).ok();
            let list = serde_json::Value::Array(
                value
                    .split(',')
                    .map(str::trim)
                    .map(|p| {
                        serde_json::from_str(p)
                            .unwrap_or_else(|_| serde_json::Value::String(p.to_owned()))
                    })
                    .collect(),
            );
            if validator.is_valid(&text)
                || typed.as_ref().is_some_and(|t| validator.is_valid(t))
                || validator.is_valid(&list)
            {
                continue;
            }
            let instance = typed.unwrap_or(text);
            for e in check::schema_errors(validator, &instance, Part::Header, &[]) {
                let keyword = e.keyword.unwrap_or_default();
                report.violations.push(Violation {
                    kind: Kind::Header,
                    message: format!("header `{}`: {}", h.name, e.message),
                    instance_path: format!("header:{}", h.name),
                    location: self.locate(&keyword),
                    keyword,
                });
            }
        }
        report
    }

    /// Checks a request exactly as a generated router would (the runtime's checks on the
    /// same description): content type, body syntax, security (credentials present for one
    /// alternative), path, query (undeclared keys too), header and cookie parameters, and
    /// the body against its schema. Every problem is reported, not only the first.
    pub fn check_request(
        &self,
        method: &str,
        raw_path: &str,
        headers: &[(String, String)],
        content_type: Option<&str>,
        body: &[u8],
    ) -> Report {
        let mut report = Report::default();
        let Some(op) = self.operation_for(&mut report, method, raw_path) else {
            return report;
        };
        let compiled = op
            .compiled
            .get_or_init(|| Compiled::new(&op.described, &self.schemas).map_err(|e| e.to_string()));
        let compiled = match compiled {
            Ok(c) => c,
            Err(e) => {
                report.violation(Kind::SpecProblem, unchecked(e));
                return report;
            }
        };
        let (path, query) = raw_path.split_once('?').unwrap_or((raw_path, ""));
        let path = path.split('#').next().unwrap_or(path);
        let mut header_list: Vec<(&str, &str)> = headers
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("content-type"))
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        if let Some(ct) = content_type {
            header_list.push(("content-type", ct));
        }
        let path_values = op::path_values(&op.described.path, path).unwrap_or_default();
        let incoming = Incoming::new(path_values, query, header_list);
        for rejection in check::all(&op.described, compiled, &incoming, body, true) {
            self.request_violations(&mut report, rejection);
        }
        report
    }

    /// A runtime rejection as violations of a report.
    fn request_violations(&self, report: &mut Report, rejection: Rejection) {
        let kind = match rejection.code.as_ref() {
            codes::INVALID_CONTENT_TYPE => Kind::UnexpectedContentType,
            codes::MISSING_CONTENT_TYPE => Kind::MissingContentType,
            codes::INVALID_JSON => Kind::NotJson,
            codes::MISSING_CREDENTIALS | codes::UNSUPPORTED_CREDENTIALS => Kind::Security,
            codes::INVALID_BODY => Kind::Schema,
            _ => Kind::Parameter,
        };
        if rejection.errors.is_empty() || matches!(kind, Kind::Security) {
            report.violation(kind, rejection.detail());
            return;
        }
        for e in rejection.errors {
            let kind = match e.code.as_str() {
                "missing" if kind == Kind::Schema => Kind::MissingBody,
                "unrecognized_keys" => Kind::UndeclaredParameter,
                _ => kind,
            };
            let instance_path = match e.part {
                Part::Body | Part::Security => pointer_of(&e.path),
                part => match e.path.split_first() {
                    Some((name, rest)) => format!("{}:{name}{}", part.as_str(), pointer_of(rest)),
                    None => part.as_str().to_owned(),
                },
            };
            let keyword = e.keyword.unwrap_or_default();
            report.violations.push(Violation {
                kind,
                message: e.message,
                instance_path,
                location: self.locate(&keyword),
                keyword,
            });
        }
    }
}

/// The methods an OpenAPI path item can hold.
const METHODS: [&str; 8] = [
    "GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE",
];

/// A method's place in [`METHODS`], in any case; `None` for others.
fn method_index(method: &str) -> Option<usize> {
    METHODS.iter().position(|m| m.eq_ignore_ascii_case(method))
}

/// Whether a response may carry content: not 1xx, 204 or 304, and not the answer to HEAD.
fn may_have_body(method: &str, status: u16) -> bool {
    !(status < 200 || status == 204 || status == 304 || method.eq_ignore_ascii_case("HEAD"))
}

/// An instance path as a JSON pointer (`/data/expires_at`).
fn pointer_of(path: &[String]) -> String {
    let mut out = String::new();
    for segment in path {
        out.push('/');
        out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_headers_are_read_as_their_schema_types() {
        let spec = r#"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          headers:
            X-Count: {required: true, schema: {type: integer}}
            X-Ids: {schema: {type: array, items: {type: integer}}}
"#;
        let v = ContractValidator::new(codegen::check(codegen::Input::new("t.yaml", spec), vec![]))
            .unwrap();
        let h = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let ok =
            v.check_response_headers("GET", "/a", 200, &h(&[("x-count", "3"), ("X-Ids", "1, 2")]));
        assert!(ok.is_valid(), "{:?}", ok.violations);
        let repeated = h(&[("x-count", "3"), ("x-ids", "1"), ("x-ids", "2")]);
        assert!(
            v.check_response_headers("GET", "/a", 200, &repeated)
                .is_valid()
        );
        let bad = v.check_response_headers("GET", "/a", 200, &h(&[("X-Ids", "1,x")]));
        let kinds: Vec<Kind> = bad.violations.iter().map(|v| v.kind).collect();
        assert_eq!(
            kinds,
            [Kind::Header, Kind::Header],
            "missing X-Count, bad X-Ids: {:?}",
            bad.violations
        );
    }

    #[test]
    fn segments() {
        assert!(Segment::parse("{id}.json").matches(b"42.json"));
        assert!(!Segment::parse("{id}.json").matches(b".json"));
        assert!(Segment::parse("users").matches(b"users"));
        assert_eq!(pointer_of(&["a/b".into(), "c".into()]), "/a~1b/c");
    }
}
