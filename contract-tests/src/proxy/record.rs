//! What the proxy keeps of each exchange: a HAR 1.2 entry with secrets redacted as
//! [`crate::redact`] does it (schemes and cookie names kept, so a replay with `contract
//! --har` still sees the credentials the spec asks for), ready for `contract --har`.

pub use crate::redact::{REDACTED, Redact};
use base64::Engine;
use serde_json::{Value, json};

/// Bodies longer than this are left out of the HAR (their size is kept, with a comment).
pub const RECORDED_BODY_LIMIT: usize = 1 << 20;

/// One side of an exchange, as recorded.
pub struct Side<'a> {
    /// Header names and values, in order.
    pub headers: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

/// A HAR 1.2 entry for one exchange.
#[allow(clippy::too_many_arguments)] // one HAR entry has this many parts
pub fn entry(
    redact: &Redact,
    started: &str,
    millis: f64,
    method: &str,
    url: &str,
    request: Side<'_>,
    status: u16,
    response: Side<'_>,
) -> Value {
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let query = redact.query(query);
    let full_url = if query.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{query}")
    };
    let query_string: Vec<Value> = form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| json!({"name": k, "value": v}))
        .collect();
    let content_type = |headers: &[(String, String)]| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.clone())
    };
    let mut req = json!({
        "method": method,
        "url": full_url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": headers(redact, request.headers),
        "queryString": query_string,
        "headersSize": -1,
        "bodySize": request.body.len(),
    });
    if !request.body.is_empty() {
        let mut post = body(request.body);
        post["mimeType"] = json!(content_type(request.headers).unwrap_or_default());
        req["postData"] = post;
    }
    let mut content = body(response.body);
    content["size"] = json!(response.body.len());
    content["mimeType"] = json!(content_type(response.headers).unwrap_or_default());
    json!({
        "startedDateTime": started,
        "time": millis,
        "request": req,
        "response": {
            "status": status,
            "statusText": axum::http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or(""),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": headers(redact, response.headers),
            "content": content,
            "redirectURL": response
                .headers
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("location"))
                .map_or("", |(_, v)| v.as_str()),
            "headersSize": -1,
            "bodySize": response.body.len(),
        },
        "cache": {},
        "timings": {"send": 0, "wait": millis, "receive": 0},
    })
}

fn headers(redact: &Redact, list: &[(String, String)]) -> Vec<Value> {
    list.iter()
        .map(|(k, v)| json!({"name": k, "value": redact.header(k, v)}))
        .collect()
}

/// A body as HAR text: UTF-8 as is, other bytes in base64, too large ones left out.
fn body(bytes: &[u8]) -> Value {
    if bytes.len() > RECORDED_BODY_LIMIT {
        return json!({
            "text": "",
            "comment": format!("body of {} bytes not recorded (limit {RECORDED_BODY_LIMIT})", bytes.len()),
        });
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => json!({"text": text}),
        Err(_) => json!({
            "text": base64::engine::general_purpose::STANDARD.encode(bytes),
            "encoding": "base64",
        }),
    }
}

/// The HAR document of recorded entries.
pub fn har(entries: &[Value]) -> Value {
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "openapi-toolkit proxy", "version": env!("CARGO_PKG_VERSION")},
            "entries": entries,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_the_rest_kept() {
        let redact = Redact::new(
            vec!["authorization".into(), "x-api-key".into()],
            vec!["api_key".into()],
        );
        assert_eq!(
            redact.header("Authorization", "Bearer s"),
            "Bearer [REDACTED]"
        );
        assert_eq!(redact.header("X-Api-Key", "k"), REDACTED);
        assert_eq!(redact.header("Accept", "a/b"), "a/b");
        assert_eq!(
            redact.query("a=1&api_key=secret&b=%20"),
            format!("a=1&api_key={REDACTED}&b=%20")
        );
        let e = entry(
            &redact,
            "2026-01-01T00:00:00.000Z",
            1.0,
            "POST",
            "http://h/p?api_key=s",
            Side {
                headers: &[("authorization".into(), "Bearer s".into())],
                body: &[0xff, 0x00],
            },
            204,
            Side {
                headers: &[],
                body: b"",
            },
        );
        let text = e.to_string();
        assert!(
            !text.contains("Bearer s") && !text.contains("api_key=s"),
            "{text}"
        );
        assert_eq!(e["request"]["postData"]["encoding"], "base64");
        assert_eq!(e["response"]["statusText"], "No Content");
    }
}
