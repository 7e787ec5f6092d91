//! Planted defects (`cargo xtask mock --fault NAME`): a mock of any spec that breaks its
//! contract in one known way, so a contract runner (ours, schemathesis) can be shown to find
//! it. Never on by default. Each fault applies to every operation it can:
//!
//! | name | what the mock does |
//! |---|---|
//! | `wrong-type` | a 2xx JSON body's first scalar property gets a value of another type |
//! | `drop-required` | a 2xx JSON body loses the first property its schema requires |
//! | `boundary-500` | 500 when a request carries a number equal to a documented `maximum` |
//! | `accept-missing-required` | a body missing only required properties is answered as valid |
//! | `ignore-auth` | missing or refused credentials are answered as valid |
//! | `undocumented-status` | 2xx answers are sent as 299 |
//! | `wrong-content-type` | 2xx bodies are labelled `text/html` |
//! | `crash-non-ascii` | 500 `text/plain` when the path, query or body has non-ASCII text |
//! | `use-after-free` | `--stateful` DELETE answers as documented but keeps the item |

use super::Mock;
use crate::docs::at;
use crate::synth::Synth;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use openapi_runtime::check::rejection::{Rejection, codes};
use openapi_runtime::check::schemas::Direction;
use serde_json::Value;

/// One planted defect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// A response property of the wrong type.
    WrongType,
    /// A required response property dropped.
    DropRequired,
    /// A 500 at a boundary value.
    Boundary500,
    /// A body missing required properties accepted.
    AcceptMissingRequired,
    /// Credentials not checked.
    IgnoreAuth,
    /// 2xx answered with an undocumented status.
    UndocumentedStatus,
    /// 2xx bodies under an undocumented Content-Type.
    WrongContentType,
    /// A 500 on non-ASCII input.
    CrashNonAscii,
    /// A deleted resource still readable.
    UseAfterFree,
}

impl Fault {
    /// Every fault.
    pub const ALL: [Fault; 9] = [
        Fault::WrongType,
        Fault::DropRequired,
        Fault::Boundary500,
        Fault::AcceptMissingRequired,
        Fault::IgnoreAuth,
        Fault::UndocumentedStatus,
        Fault::WrongContentType,
        Fault::CrashNonAscii,
        Fault::UseAfterFree,
    ];

    /// Its name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Fault::WrongType => "wrong-type",
            Fault::DropRequired => "drop-required",
            Fault::Boundary500 => "boundary-500",
            Fault::AcceptMissingRequired => "accept-missing-required",
            Fault::IgnoreAuth => "ignore-auth",
            Fault::UndocumentedStatus => "undocumented-status",
            Fault::WrongContentType => "wrong-content-type",
            Fault::CrashNonAscii => "crash-non-ascii",
            Fault::UseAfterFree => "use-after-free",
        }
    }

    /// Reads a name.
    pub fn parse(name: &str) -> Result<Fault, String> {
        Fault::ALL
            .into_iter()
            .find(|f| f.as_str() == name)
            .ok_or_else(|| {
                let known: Vec<&str> = Fault::ALL.iter().map(|f| f.as_str()).collect();
                format!("unknown fault `{name}` (known: {})", known.join(", "))
            })
    }
}

/// Set on a rejection's response when a fault says to answer as if it had passed.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Overlooked;

impl Mock {
    /// Counts an answer a fault changed.
    pub(crate) fn fire(&self) {
        self.fired
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether a fault is planted.
    pub(crate) fn has(&self, fault: Fault) -> bool {
        self.options.faults.contains(&fault)
    }

    /// Whether a fault makes the mock overlook this rejection.
    pub(crate) fn overlooks(&self, rejection: &Rejection) -> bool {
        let auth = matches!(
            rejection.code.as_ref(),
            codes::MISSING_CREDENTIALS
                | codes::INVALID_CREDENTIALS
                | codes::UNSUPPORTED_CREDENTIALS
        );
        let missing_only = rejection.code == codes::INVALID_BODY
            && !rejection.errors.is_empty()
            && rejection.errors.iter().all(|e| e.code == "required");
        (auth && self.has(Fault::IgnoreAuth))
            || (missing_only && self.has(Fault::AcceptMissingRequired))
    }

    /// The request, read whole, or the answer a fault gives it before any check (a 500).
    pub(crate) async fn crash_first(
        &self,
        index: usize,
        request: axum::extract::Request,
    ) -> Result<axum::extract::Request, Response> {
        let (parts, body) = request.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, self.options.body_limit).await else {
            return Err(super::errors::render(
                self,
                Some(index),
                Rejection::new(413, codes::PAYLOAD_TOO_LARGE, "The body is too large."),
            ));
        };
        let target = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        match self.crash(index, target, &bytes) {
            Some(crashed) => Err(crashed),
            None => Ok(axum::extract::Request::from_parts(
                parts,
                axum::body::Body::from(bytes),
            )),
        }
    }

    /// A 500 the request's faults call for, before it is checked.
    fn crash(&self, index: usize, target: &str, body: &[u8]) -> Option<Response> {
        let decoded = percent_encoding::percent_decode_str(target).decode_utf8_lossy();
        if self.has(Fault::CrashNonAscii)
            && (!decoded.is_ascii() || !body.is_ascii() && std::str::from_utf8(body).is_ok())
        {
            self.fire();
            return Some(server_error("non-ASCII input"));
        }
        if self.has(Fault::Boundary500) {
            let maxima = self.maxima(index);
            let mut numbers = Vec::new();
            for piece in decoded.split(['/', '?', '&', '=', ',', '.']) {
                if let Ok(n) = piece.parse::<f64>() {
                    numbers.push(n);
                }
            }
            if let Ok(v) = serde_json::from_slice::<Value>(body) {
                collect_numbers(&v, &mut numbers, 0);
            }
            if numbers.iter().any(|n| maxima.contains(n)) {
                self.fire();
                return Some(server_error("a value at its maximum"));
            }
        }
        None
    }

    /// The `maximum`s the operation's parameter and body schemas document.
    fn maxima(&self, index: usize) -> Vec<f64> {
        let mut out = Vec::new();
        let Some(op) = self.ops.get(index) else {
            return out;
        };
        let doc = self.response_doc();
        let schemas = op.op.params.iter().map(|p| p.schema.as_ref()).chain(
            op.op
                .body
                .iter()
                .flat_map(|b| b.media.iter().map(|m| m.schema.as_ref())),
        );
        for fragment in schemas.filter(|s| !s.is_empty()) {
            if let Some(schema) = at(doc, fragment) {
                maxima_in(doc, schema, &mut out, 0);
            }
        }
        out
    }

    /// The answer with the response faults applied.
    pub(crate) async fn spoil(&self, index: usize, mut response: Response) -> Response {
        let status = response.status().as_u16();
        if !(200..300).contains(&status) {
            return response;
        }
        if self.has(Fault::WrongType) || self.has(Fault::DropRequired) {
            response = self.rewrite_body(index, response).await;
        }
        if self.has(Fault::WrongContentType)
            && response.headers().contains_key(header::CONTENT_TYPE)
        {
            self.fire();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        }
        if self.has(Fault::UndocumentedStatus)
            && let Ok(s) = StatusCode::from_u16(299)
        {
            self.fire();
            *response.status_mut() = s;
        }
        response
    }

    /// A JSON body with a property of the wrong type, or without a required one.
    async fn rewrite_body(&self, index: usize, response: Response) -> Response {
        let json = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(openapi_runtime::operation::is_json);
        if !json {
            return response;
        }
        let (parts, body) = response.into_parts();
        let bytes = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(b) => b,
            Err(_) => return Response::from_parts(parts, axum::body::Body::empty()),
        };
        let Ok(mut value) = serde_json::from_slice::<Value>(&bytes) else {
            return Response::from_parts(parts, axum::body::Body::from(bytes));
        };
        if self.has(Fault::DropRequired) {
            let required = self.required_of(index, parts.status.as_u16());
            if let Some(object) = first_object(&mut value)
                && let Some(name) = required.iter().find(|r| object.contains_key(*r))
            {
                object.remove(name);
                self.fire();
            }
        }
        if self.has(Fault::WrongType)
            && let Some(object) = first_object(&mut value)
            && let Some((_, v)) = object
                .iter_mut()
                .find(|(_, v)| !v.is_object() && !v.is_array() && !v.is_null())
        {
            // A non-null scalar: `null` made a string could still be valid (nullable).
            *v = match v {
                Value::String(_) => Value::from(12345),
                _ => Value::from("wrong type"),
            };
            self.fire();
        }
        let mut parts = parts;
        parts.headers.remove(header::CONTENT_LENGTH);
        Response::from_parts(parts, axum::body::Body::from(value.to_string()))
    }

    /// The properties the 2xx response's schema requires (of its items, for a list).
    fn required_of(&self, index: usize, status: u16) -> Vec<String> {
        let Some(op) = self.ops.get(index) else {
            return Vec::new();
        };
        let doc = self.response_doc();
        let schema = op
            .endpoint
            .responses
            .iter()
            .find(|r| r.status.covers(status))
            .and_then(|r| r.content.as_ref()?.first()?.schema.as_ref())
            .and_then(|p| at(doc, &p.fragment()));
        let Some(schema) = schema else {
            return Vec::new();
        };
        let mut synth = Synth::new(doc, 0, Direction::Response);
        let Some(mut shape) = synth.shape(schema) else {
            return Vec::new();
        };
        if let Some(items) = shape.get("items").cloned()
            && let Some(inner) = synth.shape(&items)
        {
            shape = inner;
        }
        shape
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// The first object of a body: itself, its first item, or its first object property.
fn first_object(value: &mut Value) -> Option<&mut serde_json::Map<String, Value>> {
    match value {
        Value::Array(items) => items.first_mut().and_then(first_object),
        Value::Object(map) => {
            let scalar = map.values().any(|v| !v.is_object() && !v.is_array());
            if scalar {
                return Some(map);
            }
            let key = map
                .iter()
                .find(|(_, v)| v.is_object() || v.is_array())
                .map(|(k, _)| k.clone())?;
            map.get_mut(&key).and_then(first_object)
        }
        _ => None,
    }
}

/// Every `maximum` in a schema, through `$ref`s, properties and items (a few levels).
fn maxima_in(doc: &Value, schema: &Value, out: &mut Vec<f64>, depth: usize) {
    if depth > 6 {
        return;
    }
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => match at(doc, r) {
            Some(s) => s,
            None => return,
        },
        None => schema,
    };
    if let Some(m) = schema.get("maximum").and_then(Value::as_f64) {
        out.push(m);
    }
    if let Some(Value::Object(props)) = schema.get("properties") {
        for p in props.values() {
            maxima_in(doc, p, out, depth + 1);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(s) = schema.get(key) {
            maxima_in(doc, s, out, depth + 1);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Array(list)) = schema.get(key) {
            for s in list {
                maxima_in(doc, s, out, depth + 1);
            }
        }
    }
}

/// Every number in a JSON value (a few levels deep).
fn collect_numbers(value: &Value, out: &mut Vec<f64>, depth: usize) {
    if depth > 8 {
        return;
    }
    match value {
        Value::Number(n) => out.extend(n.as_f64()),
        Value::Array(items) => items
            .iter()
            .for_each(|v| collect_numbers(v, out, depth + 1)),
        Value::Object(map) => map
            .values()
            .for_each(|v| collect_numbers(v, out, depth + 1)),
        _ => {}
    }
}

/// What a crashing server answers.
fn server_error(why: &str) -> Response {
    let mut response = Response::new(axum::body::Body::from(format!("internal error ({why})")));
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_round_trip_and_unknown_ones_are_listed() {
        for f in Fault::ALL {
            assert_eq!(Fault::parse(f.as_str()), Ok(f));
        }
        let e = Fault::parse("nope").unwrap_err();
        assert!(
            e.contains("wrong-type") && e.contains("use-after-free"),
            "{e}"
        );
    }

    #[test]
    fn the_first_object_is_found_through_lists_and_envelopes() {
        let mut v = json!({"data": [{"id": 1}], "next": null});
        assert_eq!(first_object(&mut v).map(|o| o.len()), Some(2));
        let mut v = json!({"data": [{"id": 1}]});
        assert_eq!(
            first_object(&mut v).and_then(|o| o.get("id").cloned()),
            Some(json!(1))
        );
    }
}
