//! Rejections as the spec documents them: a request the pipeline refuses is answered with
//! the operation's own response for that status (exact, by range, or `default`) — a body
//! valid against that response's schema, with the problem written into its human-readable
//! string field (`message`, `detail`, … at the top or one object down) and its `code` where
//! the schema allows — and with RFC 9457 problem+json when the operation documents nothing
//! for that status (or no route matched).

use super::Mock;
use super::answer::encode;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use codegen::model::http::{BodyKind, ResponseSpec, Status};
use openapi_runtime::check::rejection::Rejection;
use openapi_runtime::check::schemas::Direction;
use openapi_runtime::server::{bytes_response, problem};
use serde_json::{Map, Value};
use std::sync::Arc;

/// Keys of a human-readable message, in the order they are tried.
const MESSAGE_KEYS: [&str; 9] = [
    "message",
    "detail",
    "error_description",
    "description",
    "error",
    "msg",
    "reason",
    "title",
    "error_message",
];

/// The response for a rejection of a request to operation `index`.
pub(crate) fn render(mock: &Mock, index: Option<usize>, rejection: Rejection) -> Response {
    let documented = index
        .and_then(|i| Some((i, mock.ops.get(i)?)))
        .and_then(|(i, op)| {
            let ri = for_status(&op.endpoint.responses, rejection.status)?;
            Some((i, ri, &op.endpoint.responses[ri]))
        });
    let Some((index, ri, response)) = documented else {
        return problem(rejection);
    };
    let mut out = documented_body(mock, index, ri, response, &rejection).unwrap_or_else(|| {
        let mut r = Response::new(axum::body::Body::empty());
        *r.status_mut() = StatusCode::from_u16(rejection.status).unwrap_or(StatusCode::BAD_REQUEST);
        r
    });
    if let Some(allow) = rejection
        .allow
        .as_deref()
        .and_then(|a| HeaderValue::from_str(a).ok())
    {
        out.headers_mut().insert(header::ALLOW, allow);
    }
    out
}

/// The documented response for `status`: exact, then its range, then `default`.
pub fn for_status(responses: &[ResponseSpec], status: u16) -> Option<usize> {
    [
        Status::Code(status),
        Status::Range(status / 100),
        Status::Default,
    ]
    .into_iter()
    .find_map(|s| responses.iter().position(|r| r.status == s))
}

/// The documented body carrying the problem; `None` when the response documents no
/// content (then the status alone answers).
fn documented_body(
    mock: &Mock,
    index: usize,
    ri: usize,
    response: &ResponseSpec,
    rejection: &Rejection,
) -> Option<Response> {
    let content = response.content.as_deref().filter(|c| !c.is_empty())?;
    let mi = content
        .iter()
        .position(|m| m.kind == BodyKind::Json)
        .unwrap_or(0);
    let spec = &content[mi];
    let media = if spec.media.contains('*') {
        "application/json".to_owned()
    } else {
        spec.media.clone()
    };
    let detail = message(rejection);
    let body = match spec.kind {
        BodyKind::Json => {
            let schemas = mock.core_schemas();
            let base = base_value(mock, (index, ri, mi), || {
                super::answer::body_value(&mock.values, schemas, spec, false, mock.options.seed)
            });
            let pointer = spec.schema.as_ref().map(|s| s.fragment());
            let valid = |v: &Value| {
                pointer
                    .as_deref()
                    .is_none_or(|p| mock.values.is_valid(schemas, Direction::Response, p, v))
            };
            let full = carry(
                &base,
                &detail,
                Some(&rejection.code),
                Some(rejection.status),
            );
            let message_only = carry(&base, &detail, None, None);
            let chosen = [full, message_only]
                .into_iter()
                .flatten()
                .find(|v| valid(v))
                .unwrap_or_else(|| (*base).clone());
            encode(BodyKind::Json, &chosen)
        }
        BodyKind::Text => detail.into_bytes(),
        kind => encode(
            kind,
            &base_value(mock, (index, ri, mi), || {
                super::answer::body_value(
                    &mock.values,
                    mock.core_schemas(),
                    spec,
                    false,
                    mock.options.seed,
                )
            }),
        ),
    };
    Some(bytes_response(rejection.status, &media, body))
}

/// The problem in one line: the rejection's message, or where its first problem is and
/// what it is (`query /limit: "abc" is not of type "integer"`).
pub fn message(rejection: &Rejection) -> String {
    match (&rejection.message, rejection.errors.first()) {
        (None, Some(first)) => {
            let more = match rejection.errors.len() {
                1 => String::new(),
                2 => " (and 1 more problem)".to_owned(),
                n => format!(" (and {} more problems)", n - 1),
            };
            let pointer = first.pointer();
            let at = if pointer.is_empty() {
                String::new()
            } else {
                format!(" {pointer}")
            };
            format!("{}{at}: {}{more}", first.part.as_str(), first.message)
        }
        _ => rejection.detail(),
    }
}

/// The valid value an error body starts from, made once per response and media type.
fn base_value(mock: &Mock, key: (usize, usize, usize), make: impl FnOnce() -> Value) -> Arc<Value> {
    if let Ok(cache) = mock.answers.bases.read()
        && let Some(v) = cache.get(&key)
    {
        return v.clone();
    }
    let value = Arc::new(make());
    if let Ok(mut cache) = mock.answers.bases.write() {
        cache.insert(key, value.clone());
    }
    value
}

/// `base` with the problem written in: the first message key holding a string (at the top,
/// else in the first object-valued property that has one) gets `detail`; with `code`, a
/// string `code` next to it gets the rejection's code and a numeric `status` the status.
/// `None` when there is no place for the message.
pub fn carry(base: &Value, detail: &str, code: Option<&str>, status: Option<u16>) -> Option<Value> {
    fn place(
        obj: &mut Map<String, Value>,
        detail: &str,
        code: Option<&str>,
        status: Option<u16>,
    ) -> bool {
        let Some(key) = MESSAGE_KEYS
            .iter()
            .find(|k| obj.get(**k).is_some_and(Value::is_string))
        else {
            return false;
        };
        obj.insert((*key).to_owned(), Value::String(detail.to_owned()));
        match (code, obj.get("code")) {
            (Some(code), Some(Value::String(_))) => {
                obj.insert("code".into(), Value::String(code.to_owned()));
            }
            // A numeric code is the status (`{code: 400, message}`).
            (Some(_), Some(Value::Number(_))) if status.is_some() => {
                obj.insert("code".into(), Value::from(status.unwrap_or_default()));
            }
            _ => {}
        }
        if let Some(status) = status
            && obj.get("status").is_some_and(Value::is_number)
        {
            obj.insert("status".into(), Value::from(status));
        }
        true
    }
    let mut value = base.clone();
    let Value::Object(top) = &mut value else {
        return match base {
            Value::String(_) => Some(Value::String(detail.to_owned())),
            _ => None,
        };
    };
    if place(top, detail, code, status) {
        return Some(value);
    }
    let placed = top
        .values_mut()
        .filter_map(Value::as_object_mut)
        .any(|inner| place(inner, detail, code, status));
    placed.then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_problem_goes_into_the_message_field_top_or_nested() {
        let flat = json!({"message": "x", "code": "y", "status": 1});
        assert_eq!(
            carry(&flat, "bad id", Some("invalid_uri_params"), Some(400)),
            Some(json!({"message": "bad id", "code": "invalid_uri_params", "status": 400}))
        );
        let nested = json!({"error": {"code": "c", "message": "m"}});
        assert_eq!(
            carry(&nested, "d", Some("k"), None),
            Some(json!({"error": {"code": "k", "message": "d"}}))
        );
        assert_eq!(carry(&json!({"n": 1}), "d", None, None), None);
        assert_eq!(carry(&json!("s"), "d", None, None), Some(json!("d")));
    }

    #[test]
    fn a_status_finds_its_exact_then_range_then_default_response() {
        let r = |k: &str| ResponseSpec {
            status: Status::parse(k).unwrap_or(Status::Default),
            key: k.into(),
            content: None,
            headers: Vec::new(),
            doc: None,
        };
        let list = vec![r("200"), r("401"), r("4XX"), r("default")];
        assert_eq!(for_status(&list, 401), Some(1));
        assert_eq!(for_status(&list, 415), Some(2));
        assert_eq!(for_status(&list, 503), Some(3));
        assert_eq!(for_status(&list[..2], 400), None);
    }
}
