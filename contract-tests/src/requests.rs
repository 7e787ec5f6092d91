//! Requests made from an operation's description: every parameter given a value made from
//! its schema and serialized per its style (the generated client's own code,
//! [`openapi_runtime::client::Request`]), a body made for its first documented media type
//! (JSON preferred), and credentials placed for the first security alternative the given
//! credentials satisfy. Valid by construction where [`crate::synth`] is; callers that must
//! be sure check them with [`crate::ContractValidator::check_request`].

use crate::synth::Synth;
use openapi_runtime::check::schemas::Direction;
use openapi_runtime::client::Request;
use openapi_runtime::client::credentials::{Credentials, Placement};
use openapi_runtime::operation::{BodyKind, Location, Operation};
use serde_json::{Map, Value};

/// Credentials for every scheme of a spec: a bearer token, `user:pass`, an API key and a
/// value for each other `http` scheme (each the given `value`). What a mock that accepts
/// any well-formed credential takes.
pub fn any_credentials(http: &codegen::model::http::Http, value: &str) -> Credentials {
    use openapi_runtime::client::{Credential, Secret};
    let mut c = Credentials {
        bearer: Some(Secret::new(value)),
        basic: Some(("user".into(), Secret::new(value))),
        api_key: Some(Secret::new(value)),
        ..Credentials::default()
    };
    for s in &http.schemes {
        if let codegen::model::http::SchemeKind::Http(_) = s.kind {
            c.set(s.name.clone(), Credential::Http(Secret::new(value)));
        }
    }
    c
}

/// A request ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Made {
    /// Upper-case method.
    pub method: String,
    /// Path and query string (`/pets/1?limit=2`), encoded.
    pub target: String,
    /// Headers (parameters, credentials, `Content-Type`).
    pub headers: Vec<(String, String)>,
    /// Media type and bytes of the body.
    pub body: Option<(String, Vec<u8>)>,
}

impl Made {
    /// The `Content-Type` of the body.
    pub fn content_type(&self) -> Option<&str> {
        self.body.as_ref().map(|(m, _)| m.as_str())
    }
}

/// What a body carries before it is encoded.
#[derive(Clone, Debug, PartialEq)]
pub enum BodyValue {
    /// A value, encoded per the media type (JSON, form, text).
    Value(Value),
    /// Bytes sent as they are (malformed JSON, binary).
    Raw(Vec<u8>),
}

/// A request's content before serialization: parameter values by name and the body with
/// its media type. What generated cases vary and shrink.
#[derive(Clone, Debug, PartialEq)]
pub struct Parts {
    /// Parameter values by name (absent: not sent).
    pub values: Map<String, Value>,
    /// Media type, its encoding and the content.
    pub body: Option<(String, BodyKind, BodyValue)>,
}

/// Parameter values and a body for `op` made from `seed`; `optional` parameters are given
/// values too when true.
pub fn choose(op: &Operation, doc: &Value, seed: u64, optional: bool) -> Parts {
    let mut values = Map::new();
    for (i, p) in op.params.iter().enumerate() {
        if !p.required && !optional {
            continue;
        }
        let mut synth = Synth::new(doc, seed.wrapping_add(i as u64), Direction::Request);
        // Headers and cookies carry visible ASCII only: a few tries for such a value.
        let mut value = Value::Null;
        for attempt in 0..8u64 {
            let v = if p.schema.is_empty() {
                Value::String("x".into())
            } else {
                synth.at(&p.schema)
            };
            let text_ok =
                !matches!(p.location, Location::Header | Location::Cookie) || printable(&v);
            value = v;
            if text_ok {
                break;
            }
            synth = Synth::new(doc, seed.wrapping_add(1000 + attempt), Direction::Request);
        }
        // Absent optional values stay absent; a required one is sent even when null.
        if !value.is_null() || p.required {
            values.insert(p.name.to_string(), value);
        }
    }
    let body = op.body.as_ref().and_then(|body| {
        let m = body
            .media
            .iter()
            .find(|m| m.kind == BodyKind::Json)
            .or_else(|| body.media.first())?;
        let value = if m.schema.is_empty() {
            Value::Object(Map::new())
        } else {
            Synth::new(doc, seed ^ 0xB0D1, Direction::Request).at(&m.schema)
        };
        Some((concrete(&m.media), m.kind, BodyValue::Value(value)))
    });
    Parts { values, body }
}

/// A request to `op` with values made from `seed`; `optional` parameters are given values
/// too when true. Fails only when the description cannot be serialized (a path parameter
/// without a value).
pub fn make(
    op: &Operation,
    doc: &Value,
    seed: u64,
    optional: bool,
    credentials: &Credentials,
) -> Result<Made, String> {
    build(op, &choose(op, doc, seed, optional), credentials)
}

/// `parts` serialized as `op` describes (the generated client's own code), with
/// `credentials` placed for the first alternative they satisfy.
pub fn build(op: &Operation, parts: &Parts, credentials: &Credentials) -> Result<Made, String> {
    let mut request = Request::with_params(op, &parts.values).map_err(|e| e.to_string())?;
    if let Some((name, kind, value)) = &parts.body {
        request = match (kind, value) {
            (_, BodyValue::Raw(bytes)) => request.raw(name, bytes.clone()),
            (BodyKind::Json, BodyValue::Value(v)) => {
                request.json(name, v).map_err(|e| e.to_string())?
            }
            (BodyKind::Form, BodyValue::Value(v)) => request.form(v).map_err(|e| e.to_string())?,
            (BodyKind::Text, BodyValue::Value(v)) => request.raw(name, text(v).into_bytes()),
            (BodyKind::Bytes, BodyValue::Value(serde_json::Value::Object(map)))
                if openapi_runtime::check::is_multipart(name) =>
            {
                // A multipart body: each property a part, as the generated client sends it.
                let mut parts = openapi_runtime::multipart::Parts::new();
                for (k, v) in map {
                    match v {
                        // A list travels as repeated parts, one per item.
                        serde_json::Value::Array(items) => {
                            for item in items {
                                parts.value(k, item)?;
                            }
                        }
                        other => parts.value(k, other)?,
                    }
                }
                let (media, bytes) = parts.encode();
                request.raw(&media, bytes)
            }
            (BodyKind::Bytes, BodyValue::Value(_)) => request.raw(name, b"binary".to_vec()),
        };
    }
    let mut headers: Vec<(String, String)> = request.headers().to_vec();
    let mut query: Vec<(String, String)> = request.query().to_vec();
    let mut cookies: Vec<String> = request.cookies().to_vec();
    for placement in credentials.placements(&op.schemes, &op.security) {
        match placement {
            Placement::Bearer(t) => {
                headers.push(("authorization".into(), format!("Bearer {}", t.expose())))
            }
            Placement::Basic(user, password) => {
                use base64::Engine;
                let encoded = base64::engine::general_purpose::STANDARD
                    .encode(format!("{user}:{}", password.expose()));
                headers.push(("authorization".into(), format!("Basic {encoded}")));
            }
            Placement::Authorization(v) => {
                headers.push(("authorization".into(), v.expose().to_owned()))
            }
            Placement::Header(name, v) => headers.push((name, v.expose().to_owned())),
            Placement::Query(name, v) => query.push((name, v.expose().to_owned())),
            Placement::Cookie(name, v) => cookies.push(format!("{name}={}", v.expose())),
        }
    }
    if !cookies.is_empty() {
        headers.push(("cookie".into(), cookies.join("; ")));
    }
    let body = request_body(&request);
    if let Some((media, _)) = &body {
        headers.push(("content-type".into(), media.clone()));
    }
    let mut target = request.path().to_owned();
    if !query.is_empty() {
        let mut encoded = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &query {
            encoded.append_pair(k, v);
        }
        target.push('?');
        target.push_str(&encoded.finish());
    }
    Ok(Made {
        method: op.method.to_string(),
        target,
        headers,
        body,
    })
}

/// The first request of `seeds` tries (optional parameters every other try) that the
/// validator accepts; `None` when none is.
pub fn valid(
    validator: &crate::ContractValidator,
    op: &Operation,
    doc: &Value,
    credentials: &Credentials,
    seeds: u64,
) -> Option<Made> {
    (0..seeds).find_map(|seed| {
        let made = make(op, doc, seed, seed % 2 == 0, credentials).ok()?;
        let body = made.body.as_ref().map_or(&[][..], |(_, b)| b.as_slice());
        validator
            .check_request(
                &made.method,
                &made.target,
                &made.headers,
                made.content_type(),
                body,
            )
            .is_valid()
            .then_some(made)
    })
}

/// The body a built request carries.
fn request_body(request: &Request) -> Option<(String, Vec<u8>)> {
    request.body().map(|(m, b)| (m.to_owned(), b.to_vec()))
}

/// A documented media range as a type a request can carry (`application/*` → JSON).
pub fn concrete(media: &str) -> String {
    match media.split(';').next().map(str::trim) {
        Some("*/*") | Some("application/*") => "application/json".into(),
        Some(m) if m.ends_with("/*") => format!("{}octet-stream", &m[..m.len() - 1]),
        _ => media.to_owned(),
    }
}

/// A value as a text body.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Whether a value serializes to visible ASCII (a header can carry it).
fn printable(value: &Value) -> bool {
    let ok = |s: &str| s.bytes().all(|b| (0x20..0x7f).contains(&b));
    match value {
        Value::String(s) => ok(s),
        Value::Array(items) => items.iter().all(printable),
        Value::Object(map) => map.iter().all(|(k, v)| ok(k) && printable(v)),
        _ => true,
    }
}
