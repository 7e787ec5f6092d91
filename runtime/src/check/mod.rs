//! Request checks against an operation's description, independent of any HTTP stack: the
//! generated axum router runs them in order around `authenticate` and stops at the first
//! rejection; the contract validator runs them all on recorded traffic and reports every
//! problem. One implementation, so the two cannot disagree.
//!
//! The order (what Nango's server does, and what the router answers first): content type
//! (415) → body size (413, the router's) → body syntax (400 `invalid_json`) → security (401)
//! → path, query, header and cookie parameters (400, one part at a time) → body schema (400).

pub mod form;
pub mod params;
pub mod rejection;
pub mod schemas;
pub mod security;

use crate::operation::{BodyKind, Location, Media, Operation};
use rejection::{FieldError, Part, Rejection, codes};
use schemas::{Direction, SchemaError, Schemas};
use serde_json::{Map, Value};

/// A request as the checks read it.
#[derive(Clone, Debug, Default)]
pub struct Incoming<'a> {
    /// Path parameters by template name, as raw (percent-encoded) segments.
    pub path: Vec<(&'a str, &'a str)>,
    /// Query pairs, decoded (`+` and `%XX`, lossily for invalid UTF-8).
    pub query: Vec<(String, String)>,
    /// Headers (name, value); names are compared case-insensitively.
    pub headers: Vec<(&'a str, &'a str)>,
}

impl<'a> Incoming<'a> {
    /// A request from its path parameters, raw query string and headers.
    pub fn new(
        path: Vec<(&'a str, &'a str)>,
        query: &str,
        headers: Vec<(&'a str, &'a str)>,
    ) -> Incoming<'a> {
        Incoming {
            path,
            query: form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            headers,
        }
    }

    /// The first header called `name`.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The cookie called `name`, from any `Cookie` header.
    pub fn cookie(&self, name: &str) -> Option<&'a str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("cookie"))
            .flat_map(|(_, v)| v.split(';'))
            .filter_map(|kv| kv.trim().split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v)
    }

    /// The `Content-Type` header.
    pub fn content_type(&self) -> Option<&'a str> {
        self.header("content-type")
    }
}

pub use crate::operation::is_multipart;

impl Compiled {
    /// The typed tree of the form (or multipart) body whose schema is at `pointer`.
    pub fn form_tree(&self, pointer: &str) -> Option<&form::FormTree> {
        self.forms.get(pointer)
    }
}

/// The compiled validators of one operation: one per parameter and per body media type
/// (`None` where the description names no schema).
#[derive(Debug)]
pub struct Compiled {
    params: Vec<Option<jsonschema::Validator>>,
    media: Vec<Option<jsonschema::Validator>>,
    /// The typed tree of each form body, by schema pointer.
    forms: std::collections::BTreeMap<String, form::FormTree>,
}

impl Compiled {
    /// Compiles every schema the operation's request names, read in the request direction.
    pub fn new(op: &Operation, schemas: &Schemas) -> Result<Compiled, SchemaError> {
        let compile = |pointer: &str| -> Result<Option<jsonschema::Validator>, SchemaError> {
            if pointer.is_empty() {
                return Ok(None);
            }
            schemas.compile(Direction::Request, pointer).map(Some)
        };
        let params = op
            .params
            .iter()
            .map(|p| compile(&p.schema))
            .collect::<Result<_, _>>()?;
        let media = match &op.body {
            Some(b) => b
                .media
                .iter()
                .map(|m| compile(&m.schema))
                .collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        let forms = op
            .body
            .iter()
            .flat_map(|b| b.media.iter())
            .filter(|m| {
                (m.kind == BodyKind::Form || is_multipart(&m.media)) && !m.schema.is_empty()
            })
            .map(|m| (m.schema.to_string(), schemas.form_tree(&m.schema)))
            .collect();
        Ok(Compiled {
            params,
            media,
            forms,
        })
    }
}

/// Most problems reported for one value: a 50 MB array of wrong items gives the first
/// hundred, not millions.
pub const MAX_ERRORS: usize = 100;

/// Longest excerpt of a value a message quotes.
const EXCERPT: usize = 80;

/// Whether a value is small enough to quote whole in a message.
fn small(value: &Value, depth: usize) -> bool {
    match value {
        Value::String(s) => s.len() <= EXCERPT,
        Value::Array(items) => {
            depth < 2 && items.len() <= 8 && items.iter().all(|v| small(v, depth + 1))
        }
        Value::Object(map) => {
            depth < 2 && map.len() <= 8 && map.values().all(|v| small(v, depth + 1))
        }
        _ => true,
    }
}

/// The start of a value's JSON, cut after [`EXCERPT`] bytes (never serializing the rest).
fn excerpt(value: &Value) -> String {
    struct Capped(Vec<u8>);
    impl std::io::Write for Capped {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let room = EXCERPT.saturating_sub(self.0.len());
            if room == 0 {
                return Err(std::io::Error::other("excerpt full"));
            }
            let n = buf.len().min(room);
            self.0.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Capped(Vec::with_capacity(EXCERPT));
    let full = serde_json::to_writer(&mut out, value).is_ok();
    let mut text = String::from_utf8_lossy(&out.0).into_owned();
    if !full {
        // A cut inside a multi-byte character shows as U+FFFD; drop it.
        text = text.trim_end_matches('\u{FFFD}').to_owned();
        text.push('…');
    }
    text
}

/// Values with more nodes than this get only their first problem listed: `jsonschema`
/// gathers every error before returning any, ~500 bytes each, so listing all of a 1 MiB
/// array of wrong items took 300 MB.
pub const LIST_ALL_UP_TO: usize = 10_000;

/// Whether `value` has more than `limit` nodes (counted without recursion, stopping early).
fn nodes_over(value: &Value, limit: usize) -> bool {
    let mut stack = vec![value];
    let mut seen = 0usize;
    while let Some(v) = stack.pop() {
        seen += 1;
        if seen > limit {
            return true;
        }
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
    false
}

/// Every problem a validator finds in `instance` (at most [`MAX_ERRORS`]; only the first
/// for a value over [`LIST_ALL_UP_TO`] nodes), located under `prefix` in `part`; messages
/// quote a bounded excerpt of a large value.
pub fn schema_errors(
    validator: &jsonschema::Validator,
    instance: &Value,
    part: Part,
    prefix: &[String],
) -> Vec<FieldError> {
    if validator.is_valid(instance) {
        return Vec::new();
    }
    let errors: Box<dyn Iterator<Item = jsonschema::ValidationError<'_>>> =
        if nodes_over(instance, LIST_ALL_UP_TO) {
            Box::new(validator.validate(instance).err().into_iter())
        } else {
            Box::new(validator.iter_errors(instance))
        };
    errors
        .take(MAX_ERRORS)
        .map(|e| {
            let mut path = prefix.to_vec();
            path.extend(
                e.instance_path()
                    .to_string()
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.replace("~1", "/").replace("~0", "~")),
            );
            let message = if small(e.instance(), 0) {
                e.to_string()
            } else {
                e.masked_with(excerpt(e.instance())).to_string()
            };
            FieldError {
                code: schemas::keyword_of(&e).to_owned(),
                message,
                part,
                path,
                keyword: schemas::keyword_pointer(&e),
            }
        })
        .collect()
}

/// Step 1, content type: the documented media type a request's `Content-Type` selects (415 when none does).
/// Without a `Content-Type`, a body is read as the operation's first JSON media type (or
/// its first); an operation without a body accepts JSON or nothing.
pub fn media<'o>(
    op: &'o Operation,
    content_type: Option<&str>,
) -> Result<Option<&'o Media>, Rejection> {
    let Some(body) = &op.body else {
        return match content_type {
            Some(ct) if !crate::operation::is_json(ct) => Err(Rejection::new(
                415,
                codes::INVALID_CONTENT_TYPE,
                "Content-Type header must be application/json",
            )),
            _ => Ok(None),
        };
    };
    match content_type {
        Some(ct) => body.media_for(ct).map(Some).ok_or_else(|| {
            Rejection::new(
                415,
                codes::INVALID_CONTENT_TYPE,
                format!("Content-Type header must be {}", documented(op)),
            )
        }),
        None => Ok(None),
    }
}

fn documented(op: &Operation) -> String {
    op.body
        .iter()
        .flat_map(|b| b.media.iter())
        .map(|m| m.media.as_ref())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Step 3, syntax: the body as JSON: parsed for JSON media types (400 `invalid_json`),
/// key/value pairs for forms, nothing for text and bytes (and for an empty body). A body
/// without a `Content-Type` cannot be read (415); an operation without a documented body
/// ignores one.
pub fn parse_body(
    op: &Operation,
    compiled: &Compiled,
    media: Option<&Media>,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<Option<Value>, Rejection> {
    if bytes.is_empty() {
        return Ok(None);
    }
    let kind = match (media, &op.body) {
        (Some(m), _) => m.kind,
        (None, None) => return Ok(None),
        (None, Some(_)) => {
            return Err(Rejection::new(
                415,
                codes::MISSING_CONTENT_TYPE,
                format!("A body needs a Content-Type header: {}", documented(op)),
            ));
        }
    };
    match kind {
        BodyKind::Json => serde_json::from_slice::<Value>(bytes)
            .map(Some)
            .map_err(|e| Rejection::new(400, codes::INVALID_JSON, e.to_string())),
        BodyKind::Form => Ok(Some(
            match media.and_then(|m| compiled.forms.get(m.schema.as_ref())) {
                Some(tree) => form::apply(tree, form::decode(bytes)),
                None => params::form_body(media.map_or(&[][..], |m| &m.fields[..]), bytes),
            },
        )),
        BodyKind::Bytes => match media.filter(|m| is_multipart(&m.media)) {
            Some(m) => {
                multipart_body(compiled, m, content_type, bytes).map(|read| Some(read.validate))
            }
            None => Ok(None),
        },
        BodyKind::Text => Ok(None),
    }
}

/// A `multipart/form-data` body of media `media`, read into the view to validate and the
/// view to decode (400 `invalid_body` when it cannot be read).
pub fn multipart_body(
    compiled: &Compiled,
    media: &Media,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<crate::multipart::Read, Rejection> {
    crate::multipart::read(
        content_type.unwrap_or(""),
        bytes.to_vec(),
        compiled.form_tree(&media.schema),
    )
    .map_err(|e| {
        Rejection::new(
            400,
            codes::INVALID_BODY,
            format!("The multipart body cannot be read: {e}"),
        )
    })
}

/// The rejection code of problems in one part of a request.
fn code_of(part: Part) -> &'static str {
    match part {
        Part::Path => codes::INVALID_PATH_PARAMS,
        Part::Query => codes::INVALID_QUERY_PARAMS,
        Part::Header | Part::Cookie => codes::INVALID_HEADERS,
        Part::Body => codes::INVALID_BODY,
        Part::Security => codes::MISSING_CREDENTIALS,
    }
}

fn part_of(location: Location) -> Part {
    match location {
        Location::Path => Part::Path,
        Location::Query => Part::Query,
        Location::Header => Part::Header,
        Location::Cookie => Part::Cookie,
    }
}

/// Step 5, parameters: each read per its style, checked present when required and against its
/// schema; undeclared query keys too when `reject_undeclared`. Returns the values by wire
/// name (for typed decoding) and one rejection per part with problems, path first, then
/// query, then headers and cookies.
pub fn params(
    op: &Operation,
    compiled: &Compiled,
    incoming: &Incoming<'_>,
    reject_undeclared: bool,
) -> (Map<String, Value>, Vec<Rejection>) {
    let mut values = Map::new();
    let mut problems: Vec<FieldError> = Vec::new();
    for (i, p) in op.params.iter().enumerate() {
        let part = part_of(p.location);
        match params::value(p, op, incoming) {
            None if p.required => problems.push(FieldError {
                code: "missing".into(),
                message: format!(
                    "Required {} parameter `{}` is missing",
                    p.location.as_str(),
                    p.name
                ),
                part,
                path: vec![p.name.to_string()],
                keyword: None,
            }),
            None => {}
            Some(v) => {
                if let Some(Some(validator)) = compiled.params.get(i) {
                    problems.extend(schema_errors(validator, &v, part, &[p.name.to_string()]));
                }
                values.insert(p.name.to_string(), v);
            }
        }
    }
    if reject_undeclared {
        for key in params::undeclared_query(op, incoming) {
            problems.push(FieldError {
                code: "unrecognized_keys".into(),
                message: format!("Unrecognized key: \"{key}\""),
                part: Part::Query,
                path: Vec::new(),
                keyword: None,
            });
        }
    }
    let mut rejections = Vec::new();
    for group in [
        &[Part::Path][..],
        &[Part::Query],
        &[Part::Header, Part::Cookie],
    ] {
        let errors: Vec<FieldError> = problems
            .iter()
            .filter(|e| group.contains(&e.part))
            .cloned()
            .collect();
        if !errors.is_empty() {
            rejections.push(Rejection::with_errors(400, code_of(group[0]), errors));
        }
    }
    (values, rejections)
}

/// Step 6, the body against its media type's schema; a required body must be there (text and
/// bytes bodies are checked for presence only).
pub fn body(
    op: &Operation,
    compiled: &Compiled,
    media: Option<&Media>,
    value: Option<&Value>,
    raw_len: usize,
) -> Result<(), Rejection> {
    let Some(body) = &op.body else {
        return Ok(());
    };
    let Some(value) = value else {
        if body.required && raw_len == 0 {
            return Err(Rejection::with_errors(
                400,
                codes::INVALID_BODY,
                vec![FieldError {
                    code: "missing".into(),
                    message: "A request body is required".into(),
                    part: Part::Body,
                    path: Vec::new(),
                    keyword: None,
                }],
            ));
        }
        return Ok(());
    };
    let index = media.and_then(|m| body.media.iter().position(|x| std::ptr::eq(x, m)));
    let Some(Some(validator)) = index.and_then(|i| compiled.media.get(i)) else {
        return Ok(());
    };
    let errors = schema_errors(validator, value, Part::Body, &[]);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Rejection::with_errors(400, codes::INVALID_BODY, errors))
    }
}

/// Every check at once, for recorded traffic: all the rejections the router could give
/// this request, in pipeline order (no body-size limit; credentials checked for presence
/// and form only).
pub fn all(
    op: &Operation,
    compiled: &Compiled,
    incoming: &Incoming<'_>,
    body_bytes: &[u8],
    reject_undeclared: bool,
) -> Vec<Rejection> {
    let mut out = Vec::new();
    let media = match media(op, incoming.content_type()) {
        Ok(m) => m,
        Err(r) => {
            out.push(r);
            None
        }
    };
    let parsed = if out.is_empty() {
        match parse_body(op, compiled, media, incoming.content_type(), body_bytes) {
            Ok(v) => v,
            Err(r) => {
                out.push(r);
                None
            }
        }
    } else {
        None
    };
    if let Err(r) = security::credentials(op, incoming) {
        out.push(r);
    }
    let (_, param_problems) = params(op, compiled, incoming, reject_undeclared);
    out.extend(param_problems);
    if out
        .iter()
        .all(|r| r.code != codes::INVALID_CONTENT_TYPE && r.code != codes::INVALID_JSON)
        && let Err(r) = body(op, compiled, media, parsed.as_ref(), body_bytes.len())
    {
        out.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_quote_a_bounded_excerpt_and_errors_are_capped() {
        let validator = jsonschema::validator_for(&json!({"type": "object"})).unwrap();
        let big = Value::String("x".repeat(1_000_000));
        let errors = schema_errors(&validator, &big, Part::Body, &[]);
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.len() < 300, "{}", errors[0].message.len());
        assert!(
            errors[0].message.contains("\"xxxx"),
            "{}",
            errors[0].message
        );
        let small = schema_errors(&validator, &json!(5), Part::Body, &[]);
        assert_eq!(small[0].message, "5 is not of type \"object\"");
        let items = jsonschema::validator_for(&json!({"items": {"type": "integer"}})).unwrap();
        let wrong = Value::Array(vec![json!("no"); 5_000]);
        assert_eq!(
            schema_errors(&items, &wrong, Part::Body, &[]).len(),
            MAX_ERRORS
        );
        // Over the node limit only the first problem is gathered (not one per item).
        let huge = Value::Array(vec![json!("no"); LIST_ALL_UP_TO + 1]);
        let first = schema_errors(&items, &huge, Part::Body, &[]);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].path, ["0"]);
    }

    #[test]
    fn nodes_are_counted_to_the_limit() {
        assert!(!nodes_over(&json!([1, [2, 3], {"a": 4}]), 7));
        assert!(nodes_over(&json!([1, [2, 3], {"a": 4}]), 6));
        assert!(!nodes_over(&json!(null), 1));
    }

    #[test]
    fn excerpts_cut_on_characters() {
        let cut = excerpt(&Value::String("é".repeat(100)));
        assert!(cut.ends_with('…') && !cut.contains('\u{FFFD}'), "{cut}");
        assert_eq!(excerpt(&json!({"a": 1})), r#"{"a":1}"#);
    }
}
