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

/// One operation, found by method and path template.
#[derive(Debug)]
struct Operation {
    method: String,
    template: String,
    segments: Vec<Segment>,
    pointer: JsonPointer,
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

fn essence(media: &str) -> String {
    media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

fn is_json(media: &str) -> bool {
    let e = essence(media);
    e == "application/json" || e.ends_with("+json")
}

/// Whether a documented media range (`application/*`, `*/*`) covers an actual type.
fn media_matches(documented: &str, actual: &str) -> bool {
    let (d, a) = (essence(documented), essence(actual));
    if d == a || d == "*/*" {
        return true;
    }
    match (d.split_once('/'), a.split_once('/')) {
        (Some((dt, "*")), Some((at, _))) => dt == at,
        _ => false,
    }
}

impl ContractValidator {
    /// Builds the validator for a loaded spec (documented + overlays).
    pub fn new(loaded: Loaded) -> Result<ContractValidator, String> {
        let doc = loaded.document.as_ref().ok_or("the spec did not load")?;
        let json = codegen::load::normalize::to_json_schema_2020(doc);
        let registry = jsonschema::Registry::new()
            .add(BASE, json)
            .and_then(|r| r.prepare())
            .map_err(|e| format!("cannot register the spec: {e}"))?;
        let mut operations: Vec<Operation> = openapi::operations(&doc.root)
            .into_iter()
            .filter(|o| !o.webhook)
            .map(|o| Operation {
                method: o.method.to_uppercase(),
                template: o.path.to_owned(),
                segments: o.path.split('/').skip(1).map(Segment::parse).collect(),
                pointer: o.pointer.clone(),
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
            validators: Mutex::new(BTreeMap::new()),
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
        let path = raw_path.split(['?', '#']).next().unwrap_or("");
        let actual: Vec<&str> = path.split('/').skip(1).collect();
        let method = method.to_uppercase();
        self.operations.iter().find(|o| {
            o.method == method
                && o.segments.len() == actual.len()
                && o.segments.iter().zip(&actual).all(|(s, a)| s.matches(a))
        })
    }

    fn validator(&self, pointer: &JsonPointer) -> Result<LazyValidator, String> {
        let key = pointer.to_string();
        let cell = {
            let mut map = self
                .validators
                .lock()
                .map_err(|_| "validator cache poisoned".to_owned())?;
            map.entry(key.clone()).or_default().clone()
        };
        cell.get_or_init(|| {
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
        });
        Ok(cell)
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
        let cell = match self.validator(schema) {
            Ok(c) => c,
            Err(e) => return report.violation(kind, e),
        };
        let validator = match cell.get() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return report.violation(kind, e.clone()),
            None => return report.violation(kind, "validator unavailable"),
        };
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
        let Some(op) = self.find(method, raw_path) else {
            report.violation(
                Kind::UnknownOperation,
                format!(
                    "no operation {} {raw_path} in the spec",
                    method.to_uppercase()
                ),
            );
            return report;
        };
        report.operation = Some(format!("{} {}", op.method, op.template));
        let Some(root) = self.root() else {
            return report;
        };
        let responses_at = op.pointer.child("responses");
        let Some(responses) = root.pointer(&responses_at) else {
            report.violation(
                Kind::UndocumentedStatus,
                format!("status {status} is not documented (no responses)"),
            );
            return report;
        };
        let code = status.to_string();
        let range = format!("{}XX", status / 100);
        let Some(key) = [code.as_str(), range.as_str(), "default"]
            .into_iter()
            .find(|k| responses.get(k).is_some())
        else {
            let documented: Vec<&str> = responses
                .as_object()
                .map(|o| o.iter().map(|(k, _)| k).collect())
                .unwrap_or_default();
            report.violation(
                Kind::UndocumentedStatus,
                format!(
                    "status {status} is not documented (documented: {})",
                    documented.join(", ")
                ),
            );
            return report;
        };
        let entry_at = responses_at.child(key);
        let Some(entry) = root.pointer(&entry_at) else {
            return report;
        };
        let Ok((response, response_at)) = refs::resolve_chain(root, entry, &entry_at) else {
            report.violation(
                Kind::UndocumentedStatus,
                format!("the response for {key} does not resolve"),
            );
            return report;
        };
        let content = response.get("content").and_then(Node::as_object);
        self.check_body(
            &mut report,
            content,
            &response_at.child("content"),
            content_type,
            body,
            false,
        );
        report
    }

    fn check_body(
        &self,
        report: &mut Report,
        content: Option<&codegen::load::node::Object>,
        content_at: &JsonPointer,
        content_type: Option<&str>,
        body: &[u8],
        request: bool,
    ) {
        let Some(content) = content.filter(|c| !c.is_empty()) else {
            return;
        };
        if body.is_empty() && request {
            return;
        }
        let Some(ct) = content_type else {
            if !body.is_empty() {
                report.violation(Kind::MissingContentType, "the body has no Content-Type");
            }
            return;
        };
        let Some((media, media_node)) = content.iter().find(|(m, _)| media_matches(m, ct)) else {
            let documented: Vec<&str> = content.iter().map(|(m, _)| m).collect();
            report.violation(
                Kind::UnexpectedContentType,
                format!(
                    "Content-Type `{ct}` is not documented (documented: {})",
                    documented.join(", ")
                ),
            );
            return;
        };
        if !is_json(ct) || media_node.get("schema").is_none() {
            return;
        }
        let instance: serde_json::Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                report.violation(Kind::NotJson, format!("the body is not JSON: {e}"));
                return;
            }
        };
        let schema_at = content_at.child(media).child("schema");
        self.schema_violations(report, &schema_at, &instance, Kind::Schema, "");
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
        let Some(op) = self.find(method, raw_path) else {
            report.violation(
                Kind::UnknownOperation,
                format!(
                    "no operation {} {raw_path} in the spec",
                    method.to_uppercase()
                ),
            );
            return report;
        };
        report.operation = Some(format!("{} {}", op.method, op.template));
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
            let content = body_node.get("content").and_then(Node::as_object);
            self.check_body(
                &mut report,
                content,
                &body_at.child("content"),
                content_type,
                body,
                true,
            );
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
