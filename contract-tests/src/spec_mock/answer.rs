//! The answer to a request that passed every check: which documented response (Prism's
//! `Prefer: code=`, else the first 2xx), which media type (`Accept`; 406 when none can be
//! served), which body (a named example, a valid documented example, or a made value;
//! random per request when dynamic) and the response headers the spec documents.
//!
//! Preferences that cannot be honoured (a code or example the operation does not document)
//! are ignored, as RFC 7240 asks; those honoured are named in `Preference-Applied`.

use super::negotiate::{Accept, Prefer};
use super::values::{self, Values};
use super::{Mock, Op};
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::Response;
use codegen::model::http::{BodyKind, MediaSpec, ResponseSpec, Status};
use openapi_runtime::check::rejection::{Rejection, codes};
use openapi_runtime::check::schemas::{Direction, Schemas};
use openapi_runtime::server::Prepared;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

/// What a request asks of its answer.
#[derive(Clone, Debug)]
pub struct Asks {
    /// `Prefer`.
    pub prefer: Prefer,
    /// `Accept`.
    pub accept: Accept,
    /// The request path (for `--stateful`).
    pub path: String,
}

impl Asks {
    /// Reads the headers that choose the answer.
    pub fn of(headers: &HeaderMap, path: &str) -> Asks {
        let all = |name: header::HeaderName| {
            headers
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .collect::<Vec<_>>()
        };
        Asks {
            prefer: Prefer::parse(all(HeaderName::from_static("prefer"))),
            accept: Accept::parse(all(header::ACCEPT)),
            path: path.to_owned(),
        }
    }
}

/// An answer ready to send again.
#[derive(Clone, Debug)]
pub struct Answer {
    status: u16,
    media: Option<HeaderValue>,
    body: Bytes,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Answer {
    /// The HTTP response (the body is shared, not copied).
    pub fn response(&self, applied: &[String]) -> Response {
        let mut response = Response::new(axum::body::Body::from(self.body.clone()));
        *response.status_mut() = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let h = response.headers_mut();
        if let Some(m) = &self.media {
            h.insert(header::CONTENT_TYPE, m.clone());
        }
        for (name, value) in &self.headers {
            h.append(name.clone(), value.clone());
        }
        if !applied.is_empty()
            && let Ok(v) = HeaderValue::from_str(&applied.join(", "))
        {
            h.insert(HeaderName::from_static("preference-applied"), v);
        }
        response
    }
}

/// Answers already made (not dynamic ones), and the base values of error bodies.
#[derive(Default)]
pub struct Cache {
    answers: RwLock<BTreeMap<Key, Arc<Answer>>>,
    pub(crate) bases: RwLock<BTreeMap<(usize, usize, usize), Arc<Value>>>,
}

/// Operation, response, status, media type, example name.
type Key = (usize, usize, u16, Option<usize>, Option<String>);

impl Cache {
    fn get(&self, key: &Key) -> Option<Arc<Answer>> {
        self.answers.read().ok()?.get(key).cloned()
    }

    fn put(&self, key: Key, answer: Answer) -> Arc<Answer> {
        let answer = Arc::new(answer);
        if let Ok(mut map) = self.answers.write() {
            map.insert(key, answer.clone());
        }
        answer
    }
}

/// The response to answer with: Prefer's `code` when the operation documents it (exactly,
/// by range or as `default`), else the first documented 2xx (`2XX` and `default` as 200),
/// else the first documented response. `(index in responses, status)`; `None` when the
/// operation documents no response.
pub fn pick(responses: &[ResponseSpec], code: Option<u16>) -> Option<(usize, u16, bool)> {
    if let Some(code) = code {
        let covering = [
            Status::Code(code),
            Status::Range(code / 100),
            Status::Default,
        ]
        .into_iter()
        .find_map(|s| responses.iter().position(|r| r.status == s));
        if let Some(i) = covering {
            return Some((i, code, true));
        }
    }
    let success = responses
        .iter()
        .position(|r| matches!(r.status, Status::Code(c) if (200..300).contains(&c)))
        .or_else(|| responses.iter().position(|r| r.status == Status::Range(2)))
        .or_else(|| responses.iter().position(|r| r.status == Status::Default));
    let i = success.or(if responses.is_empty() { None } else { Some(0) })?;
    let status = match responses[i].status {
        Status::Code(c) => c,
        Status::Range(d) if d != 2 => d * 100,
        _ => 200,
    };
    Some((i, status, false))
}

/// Answers operation `index`: the stateful store's answer when the operation has a role in
/// it, else the documented one.
pub(crate) fn respond(
    mock: &Mock,
    index: usize,
    asks: &Asks,
    prepared: Prepared<()>,
) -> Result<Response, Rejection> {
    let Some(op) = mock.ops.get(index) else {
        return Err(Rejection::not_found());
    };
    if let (Some(store), Some(role)) = (&mock.store, &op.role)
        && asks.prefer.code.is_none()
    {
        let body = prepared.optional_body::<Value>().ok().flatten();
        return super::stateful::respond(mock, store, index, role, asks, body);
    }
    documented(mock, index, op, asks)
}

/// The documented answer (no store involved).
pub(crate) fn documented(
    mock: &Mock,
    index: usize,
    op: &Op,
    asks: &Asks,
) -> Result<Response, Rejection> {
    let Some((ri, status, code_applied)) = pick(&op.endpoint.responses, asks.prefer.code) else {
        return Ok(Answer {
            status: 200,
            media: None,
            body: Bytes::new(),
            headers: Vec::new(),
        }
        .response(&[]));
    };
    let response = &op.endpoint.responses[ri];
    let mut applied = Vec::new();
    if code_applied {
        applied.push(format!("code={status}"));
    }
    let content = response.content.as_deref().unwrap_or(&[]);
    let media = choose_media(content, &asks.accept)?;
    let dynamic = asks.prefer.dynamic.unwrap_or(mock.options.dynamic);
    if asks.prefer.dynamic == Some(true) {
        applied.push("dynamic=true".into());
    }
    let example = match (media, &asks.prefer.example) {
        (Some(m), Some(name)) => {
            values::named(mock.values.examples(), &content[m].pointer.fragment())
                .into_iter()
                .find(|(n, _)| n == name)
        }
        _ => None,
    };
    if let Some((name, _)) = &example {
        applied.push(format!("example={name}"));
    }
    let key: Key = (
        index,
        ri,
        status,
        media,
        example.as_ref().map(|(n, _)| n.clone()),
    );
    if !dynamic && let Some(answer) = mock.answers.get(&key) {
        return Ok(answer.response(&applied));
    }
    let seed = if dynamic {
        mock.request_seed()
    } else {
        mock.options.seed
    };
    let body = media.map(|m| {
        let spec = &content[m];
        let value = match &example {
            Some((_, v)) => v.clone(),
            None => body_value(&mock.values, mock.core_schemas(), spec, dynamic, seed),
        };
        (m, value)
    });
    let answer = build(mock, response, status, content, body, &asks.accept, seed);
    if dynamic {
        Ok(answer.response(&applied))
    } else {
        Ok(mock.answers.put(key, answer).response(&applied))
    }
}

/// The documented media type to answer with: `None` for a response without content; 406
/// when the request accepts none of them.
pub fn choose_media(content: &[MediaSpec], accept: &Accept) -> Result<Option<usize>, Rejection> {
    if content.is_empty() {
        return Ok(None);
    }
    match accept.choose(content.iter().map(|m| m.media.as_str())) {
        Some(i) => Ok(Some(i)),
        None => {
            let documented: Vec<&str> = content.iter().map(|m| m.media.as_str()).collect();
            Err(Rejection::new(
                406,
                codes::NOT_ACCEPTABLE,
                format!(
                    "None of the media types this response has ({}) is acceptable to the request's Accept header",
                    documented.join(", ")
                ),
            ))
        }
    }
}

/// The body value of one media type: a made value when dynamic; else the first valid
/// documented example, else a made value; `{}`/`""` when there is neither schema nor example.
pub fn body_value(
    values: &Values,
    schemas: &Schemas,
    spec: &MediaSpec,
    dynamic: bool,
    seed: u64,
) -> Value {
    let schema = spec.schema.as_ref().map(|s| s.fragment());
    if !dynamic || schema.is_none() {
        let examples = values::documented(
            schemas.document().unwrap_or(&Value::Null),
            values.examples(),
            &spec.pointer.fragment(),
        );
        if let Some(v) =
            values.first_valid(schemas, Direction::Response, schema.as_deref(), examples)
        {
            return v;
        }
    }
    match &schema {
        Some(s) => values.make(schemas, Direction::Response, s, seed),
        None if spec.kind == BodyKind::Json => Value::Object(Default::default()),
        None => Value::String(String::new()),
    }
}

/// An answer with `body` (`(media index, value)`) and the response's documented headers.
pub(crate) fn build(
    mock: &Mock,
    response: &ResponseSpec,
    status: u16,
    content: &[MediaSpec],
    body: Option<(usize, Value)>,
    accept: &Accept,
    seed: u64,
) -> Answer {
    let (media, bytes) = match body {
        Some((m, value)) => {
            let spec = &content[m];
            let concrete = accept.concrete(&spec.media);
            (
                HeaderValue::from_str(&concrete).ok(),
                Bytes::from(encode(spec.kind, &value)),
            )
        }
        None => (None, Bytes::new()),
    };
    Answer {
        status,
        media,
        body: bytes,
        headers: headers(mock, response, seed),
    }
}

/// A value as the bytes of a body of `kind`.
pub fn encode(kind: BodyKind, value: &Value) -> Vec<u8> {
    match (kind, value) {
        (BodyKind::Json, v) => serde_json::to_vec(v).unwrap_or_default(),
        (BodyKind::Form, Value::Object(fields)) => {
            let mut out = form_urlencoded::Serializer::new(String::new());
            for (k, v) in fields {
                match v {
                    Value::Array(items) => {
                        for item in items {
                            out.append_pair(k, &scalar_text(item));
                        }
                    }
                    v => {
                        out.append_pair(k, &scalar_text(v));
                    }
                }
            }
            out.finish().into_bytes()
        }
        (_, Value::String(s)) => s.clone().into_bytes(),
        (_, Value::Null) => Vec::new(),
        (_, v) => v.to_string().into_bytes(),
    }
}

/// A scalar as text (`"a"` → `a`, `1` → `1`); anything else as JSON.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Values for the response's documented headers (simple style), from their examples or
/// schemas. Headers HTTP itself manages are not sent.
fn headers(mock: &Mock, response: &ResponseSpec, seed: u64) -> Vec<(HeaderName, HeaderValue)> {
    const MANAGED: [&str; 5] = [
        "content-type",
        "content-length",
        "transfer-encoding",
        "connection",
        "set-cookie",
    ];
    let mut out = Vec::new();
    for h in &response.headers {
        if MANAGED.contains(&h.name.to_ascii_lowercase().as_str()) {
            continue;
        }
        let Some(schema) = &h.schema else { continue };
        let Ok(name) = HeaderName::from_bytes(h.name.as_bytes()) else {
            continue;
        };
        let pointer = schema.fragment();
        let holder = pointer.strip_suffix("/schema").unwrap_or(&pointer);
        let documented = values::documented(mock.response_doc(), mock.values.examples(), holder);
        let schemas = mock.core_schemas();
        let mut candidates: Vec<Value> = mock
            .values
            .first_valid(schemas, Direction::Response, Some(&pointer), documented)
            .into_iter()
            .collect();
        candidates.extend((0..4).map(|i| {
            mock.values
                .make(schemas, Direction::Response, &pointer, seed.wrapping_add(i))
        }));
        if let Some(value) = candidates
            .iter()
            .find_map(|v| HeaderValue::from_str(&header_text(v)).ok())
        {
            out.push((name, value));
        }
    }
    out
}

/// A header value in `simple` style: arrays comma-joined, objects as `k,v,k,v`.
fn header_text(v: &Value) -> String {
    match v {
        Value::Array(items) => items.iter().map(scalar_text).collect::<Vec<_>>().join(","),
        Value::Object(map) => map
            .iter()
            .flat_map(|(k, v)| [k.clone(), scalar_text(v)])
            .collect::<Vec<_>>()
            .join(","),
        other => scalar_text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn responses(keys: &[&str]) -> Vec<ResponseSpec> {
        keys.iter()
            .map(|k| ResponseSpec {
                status: Status::parse(k).unwrap_or(Status::Default),
                key: (*k).to_owned(),
                content: Some(Vec::new()),
                headers: Vec::new(),
                doc: None,
            })
            .collect()
    }

    #[test]
    fn the_first_success_unless_a_documented_code_is_preferred() {
        let r = responses(&["201", "204", "404", "4XX", "default"]);
        assert_eq!(pick(&r, None), Some((0, 201, false)));
        assert_eq!(pick(&r, Some(404)), Some((2, 404, true)));
        assert_eq!(pick(&r, Some(409)), Some((3, 409, true)));
        assert_eq!(pick(&r, Some(503)), Some((4, 503, true)));
        assert_eq!(
            pick(&responses(&["400", "2XX"]), None),
            Some((1, 200, false))
        );
        assert_eq!(pick(&responses(&["400"]), Some(500)), Some((0, 400, false)));
        assert_eq!(pick(&[], None), None);
    }

    #[test]
    fn bodies_and_headers_are_encoded_per_kind() {
        let v = serde_json::json!({"a": 1, "b": ["x", "y"]});
        assert_eq!(encode(BodyKind::Form, &v), b"a=1&b=x&b=y".to_vec());
        assert_eq!(
            encode(BodyKind::Text, &serde_json::json!("hi")),
            b"hi".to_vec()
        );
        assert_eq!(
            encode(BodyKind::Json, &serde_json::json!("hi")),
            b"\"hi\"".to_vec()
        );
        assert_eq!(header_text(&v), "a,1,b,[\"x\",\"y\"]");
        assert_eq!(header_text(&serde_json::json!([1, 2])), "1,2");
    }
}
