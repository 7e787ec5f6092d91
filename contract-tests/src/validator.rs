//! Validates requests and responses against the effective spec's JSON Schemas.
//!
//! The whole document (schemas in 2020-12 form, see `codegen::load::normalize`) is registered
//! once with `jsonschema`; one validator per schema position is compiled on first use and
//! kept. Every schema violation names the instance path, the keyword that failed, and where
//! that keyword is written (the spec or the overlay that put it there).

use codegen::load::node::Node;
use codegen::load::pointer::JsonPointer;
use codegen::load::source::Location;
use codegen::load::{Loaded, openapi, refs};
use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};

const BASE: &str = "urn:contract:spec";

/// A validator compiled on first use (or why it could not be compiled), shared between threads.
type LazyValidator = std::sync::Arc<OnceLock<Result<jsonschema::Validator, String>>>;

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
    /// A required request body is missing.
    MissingBody,
    /// The contract suite expected another status or `error.code`.
    Expectation,
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
            Kind::MissingBody => "missing_body",
            Kind::Expectation => "expectation",
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

/// The verdict on one exchange.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// `METHOD /template` of the matched operation, when one matched.
    pub operation: Option<String>,
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
    template: String,
    label: String,
    segments: Vec<Segment>,
    pointer: JsonPointer,
    responses: Vec<ResponseEntry>,
    documented: String,
}

/// How a status key matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusKey {
    Code(u16),
    Range(u16),
    Default,
}

/// A documented response: its media types, each with the validator of its schema.
#[derive(Debug)]
struct ResponseEntry {
    key: StatusKey,
    label: String,
    /// `None` when the response's `$ref` does not resolve.
    content: Option<Vec<MediaEntry>>,
}

#[derive(Debug)]
struct MediaEntry {
    media: String,
    json: bool,
    schema: Option<(JsonPointer, LazyValidator)>,
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

    fn matches(&self, actual: &str) -> bool {
        match self {
            Segment::Literal(l) => l == actual,
            Segment::Param { prefix, suffix } => {
                actual.len() > prefix.len() + suffix.len()
                    && actual.starts_with(prefix.as_str())
                    && actual.ends_with(suffix.as_str())
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
    registry: jsonschema::Registry<'static>,
    operations: Vec<Operation>,
    validators: Mutex<BTreeMap<String, LazyValidator>>,
}

impl std::fmt::Debug for ContractValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ContractValidator")
            .field("operations", &self.operations.len())
            .finish()
    }
}

/// The media type without parameters (`application/json` of `application/json; charset=utf-8`).
fn essence(media: &str) -> &str {
    media.split(';').next().unwrap_or("").trim()
}

fn is_json(media: &str) -> bool {
    let e = essence(media);
    e.eq_ignore_ascii_case("application/json")
        || e.len() >= 5
            && e.is_char_boundary(e.len() - 5)
            && e[e.len() - 5..].eq_ignore_ascii_case("+json")
}

/// Whether a documented media range (`application/*`, `*/*`) covers an actual type.
fn media_matches(documented: &str, actual: &str) -> bool {
    let (d, a) = (essence(documented), essence(actual));
    if d.eq_ignore_ascii_case(a) || d == "*/*" {
        return true;
    }
    match (d.split_once('/'), a.split_once('/')) {
        (Some((dt, "*")), Some((at, _))) => dt.eq_ignore_ascii_case(at),
        _ => false,
    }
}

/// The shared lazily-compiled validator of a schema position.
fn lazy(cache: &Mutex<BTreeMap<String, LazyValidator>>, pointer: &JsonPointer) -> LazyValidator {
    match cache.lock() {
        Ok(mut map) => map.entry(pointer.to_string()).or_default().clone(),
        Err(_) => LazyValidator::default(),
    }
}

/// The media types of a Response or Request Body (`holder` at `holder_at`), each with the
/// shared validator cell of its schema.
fn media_entries(
    holder: &Node,
    holder_at: &JsonPointer,
    cache: &Mutex<BTreeMap<String, LazyValidator>>,
) -> Vec<MediaEntry> {
    let content_at = holder_at.child("content");
    let Some(content) = holder.get("content").and_then(Node::as_object) else {
        return Vec::new();
    };
    content
        .iter()
        .map(|(media, media_node)| MediaEntry {
            media: media.to_owned(),
            json: is_json(media),
            schema: media_node.get("schema").map(|_| {
                let pointer = content_at.child(media).child("schema");
                let cell = lazy(cache, &pointer);
                (pointer, cell)
            }),
        })
        .collect()
}

/// The documented responses of an operation, `$ref`s resolved, in document order.
fn responses_of(
    root: &Node,
    op: &JsonPointer,
    cache: &Mutex<BTreeMap<String, LazyValidator>>,
) -> Vec<ResponseEntry> {
    let at = op.child("responses");
    let Some(obj) = root.pointer(&at).and_then(Node::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, node) in obj.iter() {
        let status = match key {
            "default" => StatusKey::Default,
            k if k.len() == 3 && k.ends_with("XX") => match k[..1].parse() {
                Ok(d) => StatusKey::Range(d),
                Err(_) => continue,
            },
            k => match k.parse() {
                Ok(c) => StatusKey::Code(c),
                Err(_) => continue,
            },
        };
        let content = refs::resolve_chain(root, node, &at.child(key))
            .ok()
            .map(|(response, response_at)| media_entries(response, &response_at, cache));
        out.push(ResponseEntry {
            key: status,
            label: key.to_owned(),
            content,
        });
    }
    out
}

impl ContractValidator {
    /// Builds the validator for a loaded spec (documented + overlays).
    pub fn new(loaded: Loaded) -> Result<ContractValidator, ValidatorError> {
        let doc = loaded.document.as_ref().ok_or(ValidatorError::NotLoaded)?;
        let json = codegen::load::normalize::to_json_schema_2020(doc);
        let registry = jsonschema::Registry::new()
            .add(BASE, json)
            .and_then(|r| r.prepare())
            .map_err(|e| ValidatorError::Registry(e.to_string()))?;
        let validators: Mutex<BTreeMap<String, LazyValidator>> = Mutex::new(BTreeMap::new());
        let mut operations: Vec<Operation> = openapi::operations(&doc.root)
            .into_iter()
            .filter(|o| !o.webhook)
            .map(|o| {
                let responses = responses_of(&doc.root, &o.pointer, &validators);
                let documented = responses
                    .iter()
                    .map(|r| r.label.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                Operation {
                    method: o.method.to_uppercase(),
                    template: o.path.to_owned(),
                    label: format!("{} {}", o.method.to_uppercase(), o.path),
                    segments: o.path.split('/').skip(1).map(Segment::parse).collect(),
                    pointer: o.pointer.clone(),
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
        Ok(ContractValidator {
            loaded,
            registry,
            operations,
            validators,
        })
    }

    /// The loaded spec (sources for locations, the document).
    pub fn loaded(&self) -> &Loaded {
        &self.loaded
    }

    fn root(&self) -> Option<&Node> {
        self.loaded.document.as_ref().map(|d| &d.root)
    }

    fn find(&self, method: &str, raw_path: &str) -> Option<&Operation> {
        let end = raw_path.find(['?', '#']).unwrap_or(raw_path.len());
        let path = raw_path.get(1..end).unwrap_or("");
        // Split once, on the stack: this runs for every exchange.
        let mut segments = [""; 32];
        let mut count = 0;
        for segment in path.split('/') {
            *segments.get_mut(count)? = segment;
            count += 1;
        }
        let actual = &segments[..count];
        self.operations.iter().find(|o| {
            o.segments.len() == count
                && o.method.eq_ignore_ascii_case(method)
                && o.segments.iter().zip(actual).all(|(s, a)| s.matches(a))
        })
    }

    fn compiled<'v>(
        &self,
        cell: &'v LazyValidator,
        pointer: &JsonPointer,
    ) -> &'v Result<jsonschema::Validator, String> {
        cell.get_or_init(|| {
            let key = pointer.to_string();
            let fragment: String = key
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || "#/-._~!$&'()*+,;=:@".contains(c) {
                        c.to_string()
                    } else {
                        format!("%{:02X}", c as u32)
                    }
                })
                .collect();
            jsonschema::options()
                .with_registry(&self.registry)
                .should_validate_formats(true)
                .build(&serde_json::json!({ "$ref": format!("{BASE}{fragment}") }))
                .map_err(|e| format!("cannot compile {key}: {e}"))
        })
    }

    /// Where a keyword of the spec is written.
    fn locate(&self, keyword: &str) -> Option<String> {
        let pointer = JsonPointer::parse_ref(keyword).ok()?;
        let root = self.root()?;
        let span = root
            .key_span(&pointer)
            .or_else(|| root.pointer(&pointer).map(|n| n.span))?;
        self.loaded
            .sources
            .location(span)
            .map(|l: Location| l.to_string())
    }

    fn schema_violations(
        &self,
        report: &mut Report,
        schema: &JsonPointer,
        instance: &serde_json::Value,
        kind: Kind,
        prefix: &str,
    ) {
        let cell = lazy(&self.validators, schema);
        self.violations_with(report, &cell, schema, instance, kind, prefix);
    }

    fn violations_with(
        &self,
        report: &mut Report,
        cell: &LazyValidator,
        schema: &JsonPointer,
        instance: &serde_json::Value,
        kind: Kind,
        prefix: &str,
    ) {
        let validator = match self.compiled(cell, schema) {
            Ok(v) => v,
            Err(e) => return report.violation(kind, e.clone()),
        };
        if validator.is_valid(instance) {
            return;
        }
        for e in validator.iter_errors(instance) {
            let keyword = e
                .absolute_keyword_location()
                .and_then(|u| {
                    u.as_str()
                        .split_once('#')
                        .map(|(_, f)| format!("#{}", percent_decode(f)))
                })
                .unwrap_or_default();
            report.violations.push(Violation {
                kind,
                message: e.to_string(),
                instance_path: format!("{prefix}{}", e.instance_path()),
                location: self.locate(&keyword),
                keyword,
            });
        }
    }

    /// Validates a value against the schema at `pointer` (e.g. `#/components/schemas/Connection`).
    pub fn check_schema(&self, pointer: &str, value: &serde_json::Value) -> Report {
        let mut report = Report::default();
        match JsonPointer::parse_ref(pointer) {
            Ok(p) => self.schema_violations(&mut report, &p, value, Kind::Schema, ""),
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
            None => report.violation(
                Kind::UnknownOperation,
                format!(
                    "no operation {} {raw_path} in the spec",
                    method.to_uppercase()
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
        let entry = op
            .responses
            .iter()
            .find(|r| r.key == StatusKey::Code(status))
            .or_else(|| {
                op.responses
                    .iter()
                    .find(|r| r.key == StatusKey::Range(status / 100))
            })
            .or_else(|| op.responses.iter().find(|r| r.key == StatusKey::Default));
        let Some(entry) = entry else {
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
        self.check_content(&mut report, content, content_type, body, false);
        report
    }

    /// Content type, JSON syntax and schema of a body against documented media types.
    fn check_content(
        &self,
        report: &mut Report,
        content: &[MediaEntry],
        content_type: Option<&str>,
        body: &[u8],
        request: bool,
    ) {
        if content.is_empty() || body.is_empty() && request {
            return;
        }
        let Some(ct) = content_type else {
            if !body.is_empty() {
                report.violation(Kind::MissingContentType, "the body has no Content-Type");
            }
            return;
        };
        let Some(media) = content.iter().find(|m| media_matches(&m.media, ct)) else {
            let documented: Vec<&str> = content.iter().map(|m| m.media.as_str()).collect();
            report.violation(
                Kind::UnexpectedContentType,
                format!(
                    "Content-Type `{ct}` is not documented (documented: {})",
                    documented.join(", ")
                ),
            );
            return;
        };
        let (Some((pointer, cell)), true) = (&media.schema, media.json && is_json(ct)) else {
            return;
        };
        match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(instance) => {
                self.violations_with(report, cell, pointer, &instance, Kind::Schema, "")
            }
            Err(e) => report.violation(Kind::NotJson, format!("the body is not JSON: {e}")),
        }
    }

    /// Checks a request: path, query and header parameters, and the body.
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
        let Some(root) = self.root() else {
            return report;
        };
        let Some(op_node) = root.pointer(&op.pointer) else {
            return report;
        };
        let (path, query) = raw_path.split_once('?').unwrap_or((raw_path, ""));
        let query: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        let actual: Vec<&str> = path.split('/').skip(1).collect();
        let item_at = op.pointer.parent().unwrap_or_default();
        let mut seen: Vec<(String, String)> = Vec::new();
        for (list, at) in [
            (op_node.get("parameters"), op.pointer.child("parameters")),
            (
                root.pointer(&item_at).and_then(|i| i.get("parameters")),
                item_at.child("parameters"),
            ),
        ] {
            for (i, p) in list
                .and_then(Node::as_array)
                .unwrap_or(&[])
                .iter()
                .enumerate()
            {
                let Ok((param, param_at)) = refs::resolve_chain(root, p, &at.index(i)) else {
                    continue;
                };
                let (Some(name), Some(location)) = (
                    param.get("name").and_then(Node::as_str),
                    param.get("in").and_then(Node::as_str),
                ) else {
                    continue;
                };
                if seen.contains(&(name.to_owned(), location.to_owned())) {
                    continue;
                }
                seen.push((name.to_owned(), location.to_owned()));
                let raw: Option<String> = match location {
                    "path" => op
                        .template
                        .split('/')
                        .skip(1)
                        .position(|s| s.contains(&format!("{{{name}}}")))
                        .and_then(|i| actual.get(i))
                        .map(|s| percent_decode(s)),
                    "query" => query
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone()),
                    "header" => headers
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.clone()),
                    _ => None,
                };
                let required = location == "path"
                    || param.get("required").and_then(Node::as_bool) == Some(true);
                match raw {
                    None if required => report.violation(
                        Kind::Parameter,
                        format!("required {location} parameter `{name}` is missing"),
                    ),
                    Some(raw) if param.get("schema").is_some() => {
                        let schema_at = param_at.child("schema");
                        let ty = root
                            .pointer(&schema_at)
                            .and_then(|s| s.get("type"))
                            .and_then(Node::as_str)
                            .unwrap_or("string");
                        let value = coerce(&raw, ty);
                        self.schema_violations(
                            &mut report,
                            &schema_at,
                            &value,
                            Kind::Parameter,
                            &format!("{location}:{name}"),
                        );
                    }
                    _ => {}
                }
            }
        }
        if let Some(rb) = op_node.get("requestBody")
            && let Ok((body_node, body_at)) =
                refs::resolve_chain(root, rb, &op.pointer.child("requestBody"))
        {
            if body.is_empty() && body_node.get("required").and_then(Node::as_bool) == Some(true) {
                report.violation(Kind::MissingBody, "the request body is required");
            }
            let content = media_entries(body_node, &body_at, &self.validators);
            self.check_content(&mut report, &content, content_type, body, true);
        }
        report
    }
}

fn coerce(raw: &str, ty: &str) -> serde_json::Value {
    match ty {
        "boolean" => match raw {
            "true" => true.into(),
            "false" => false.into(),
            _ => raw.into(),
        },
        "integer" => raw
            .parse::<i64>()
            .map(Into::into)
            .unwrap_or_else(|_| raw.into()),
        "number" => raw
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(serde_json::Value::Number)
            .unwrap_or_else(|| raw.into()),
        _ => raw.into(),
    }
}

fn percent_decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ranges_and_segments() {
        assert!(media_matches(
            "application/json",
            "application/json; charset=utf-8"
        ));
        assert!(media_matches("application/*", "application/problem+json"));
        assert!(media_matches("*/*", "text/plain"));
        assert!(!media_matches("application/json", "text/plain"));
        assert!(Segment::parse("{id}.json").matches("42.json"));
        assert!(!Segment::parse("{id}.json").matches(".json"));
        assert!(Segment::parse("users").matches("users"));
    }
}
