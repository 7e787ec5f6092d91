//! HAR 1.2 files (recorded traffic): every entry's request and response checked offline,
//! by the rules of [`crate::recorded`].

use crate::recorded::{self, Rules, Seen};
use crate::redact::Redact;
use crate::report::Row;
use crate::validator::ContractValidator;
use serde::Deserialize;

#[derive(Deserialize)]
struct Har {
    log: Log,
}

#[derive(Deserialize)]
struct Log {
    entries: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    request: Request,
    response: Response,
}

#[derive(Deserialize)]
struct Header {
    name: String,
    /// Absent on a form parameter that is a file.
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Request {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<Header>,
    post_data: Option<PostData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostData {
    mime_type: Option<String>,
    #[serde(default)]
    text: String,
    /// Not in HAR 1.2 for requests, but written by browsers' exporters and our proxy.
    encoding: Option<String>,
    /// A form body as name/value pairs, which exporters may write instead of `text`.
    #[serde(default)]
    params: Vec<Header>,
}

impl PostData {
    /// The body's bytes: `text` (decoded when base64), else `params` as a form body.
    fn body(&self) -> Vec<u8> {
        if self.text.is_empty() && !self.params.is_empty() {
            let mut form = form_urlencoded::Serializer::new(String::new());
            for p in &self.params {
                form.append_pair(&p.name, &p.value);
            }
            return form.finish().into_bytes();
        }
        bytes(&self.text, self.encoding.as_deref())
    }
}

#[derive(Deserialize)]
struct Response {
    /// Exporters write 0 or -1 for requests that got no answer (aborted, blocked): read as 0.
    #[serde(deserialize_with = "status")]
    status: u16,
    #[serde(default)]
    headers: Vec<Header>,
    /// Required by HAR 1.2, left out by some exporters for answers without a body.
    #[serde(default)]
    content: Content,
}

/// A status as any JSON number; what is not an HTTP status (negative, fractional, too
/// large) is 0, "no answer".
fn status<'de, D: serde::Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    Ok(n.as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .filter(|s| *s <= 999)
        .unwrap_or(0))
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Content {
    mime_type: Option<String>,
    #[serde(default)]
    text: String,
    encoding: Option<String>,
}

/// `https://host/base/path?q` → `/path?q`, dropping a server base path the spec declares.
pub(crate) fn path_of(url: &str, base_paths: &[String]) -> String {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = without_scheme
        .find('/')
        .map_or("/", |i| &without_scheme[i..]);
    for base in base_paths.iter().filter(|b| !b.is_empty()) {
        if let Some(rest) = path.strip_prefix(base.as_str())
            && (rest.starts_with('/') || rest.starts_with('?'))
        {
            return rest.to_owned();
        }
    }
    path.to_owned()
}

fn header<'h>(headers: &'h [Header], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case(name))
        .map(|h| h.value.as_str())
}

/// Why a file could not be read as HAR 1.2 (serde's message names the line and column).
#[derive(Debug)]
pub struct HarError(pub serde_json::Error);

impl std::fmt::Display for HarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "not a HAR 1.2 file: {}", self.0)
    }
}

impl std::error::Error for HarError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// The path part of each `servers` URL the spec declares (`/v1`), without a trailing `/`.
pub(crate) fn base_paths(validator: &ContractValidator) -> Vec<String> {
    validator
        .loaded()
        .document
        .as_ref()
        .and_then(|d| d.root.get("servers"))
        .and_then(|s| s.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|s| s.get("url").and_then(|u| u.as_str()))
                .map(|u| path_of(u, &[]).trim_end_matches('/').to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Checks every entry of a HAR document by the rules of [`crate::recorded`]; one row per
/// entry.
pub fn check(
    validator: &ContractValidator,
    har_text: &str,
    rules: Rules,
) -> Result<Vec<Row>, HarError> {
    let har: Har = serde_json::from_str(har_text).map_err(HarError)?;
    let base_paths = base_paths(validator);
    let redact = Redact::for_spec(validator.http());
    let pairs = |headers: &[Header]| -> Vec<(String, String)> {
        headers
            .iter()
            .map(|h| (h.name.clone(), h.value.clone()))
            .collect()
    };
    let mut rows = Vec::with_capacity(har.log.entries.len());
    for (i, e) in har.log.entries.iter().enumerate() {
        let path = path_of(&e.request.url, &base_paths);
        let (req_ct, req_body) = match &e.request.post_data {
            Some(p) => (
                p.mime_type
                    .clone()
                    .filter(|m| !m.is_empty())
                    .or_else(|| header(&e.request.headers, "content-type").map(str::to_owned)),
                p.body(),
            ),
            None => (
                header(&e.request.headers, "content-type").map(str::to_owned),
                Vec::new(),
            ),
        };
        let body = bytes(
            &e.response.content.text,
            e.response.content.encoding.as_deref(),
        );
        let ct = header(&e.response.headers, "content-type")
            .map(str::to_owned)
            .or_else(|| {
                e.response
                    .content
                    .mime_type
                    .clone()
                    .filter(|m| !m.is_empty())
            });
        let (request_headers, response_headers) =
            (pairs(&e.request.headers), pairs(&e.response.headers));
        let seen = Seen {
            method: &e.request.method,
            path: &path,
            url: &e.request.url,
            request_headers: &request_headers,
            request_content_type: req_ct.as_deref(),
            request_body: &req_body,
            status: e.response.status,
            response_headers: &response_headers,
            response_content_type: ct.as_deref(),
            response_body: &body,
        };
        rows.push(recorded::judge(
            validator,
            &seen,
            rules,
            &redact,
            format!("har #{i}"),
        ));
    }
    Ok(rows)
}

/// A recorded body's bytes: `encoding: "base64"` decoded (text that is not base64 is
/// taken as it is, so the checks say what is wrong with it).
fn bytes(text: &str, encoding: Option<&str>) -> Vec<u8> {
    use base64::Engine;
    match encoding {
        Some(e) if e.eq_ignore_ascii_case("base64") => base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .unwrap_or_else(|_| text.as_bytes().to_vec()),
        _ => text.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::{bytes, path_of};

    #[test]
    fn base64_bodies_are_decoded() {
        assert_eq!(bytes("eyJhIjoxfQ==", Some("base64")), br#"{"a":1}"#);
        assert_eq!(bytes("plain", None), b"plain");
        assert_eq!(bytes("not base64!", Some("base64")), b"not base64!");
    }

    #[test]
    fn exporters_quirks_are_read() {
        let har = r#"{"log": {"entries": [
            {"request": {"method": "GET", "url": "http://h/a"}, "response": {"status": -1}},
            {"request": {"method": "GET", "url": "http://h/a"}, "response": {"status": 200.5, "headers": []}}
        ]}}"#;
        let parsed: super::Har = serde_json::from_str(har).unwrap();
        let statuses: Vec<u16> = parsed
            .log
            .entries
            .iter()
            .map(|e| e.response.status)
            .collect();
        assert_eq!(statuses, [0, 0]);
        assert!(parsed.log.entries[0].response.content.text.is_empty());
        let form: super::PostData = serde_json::from_str(
            r#"{"mimeType": "application/x-www-form-urlencoded", "params": [{"name": "a b", "value": "1&2"}]}"#,
        )
        .unwrap();
        assert_eq!(form.body(), b"a+b=1%262");
    }

    #[test]
    fn urls_become_spec_paths() {
        assert_eq!(
            path_of("https://api.nango.dev/connections/c?x=1", &[]),
            "/connections/c?x=1"
        );
        assert_eq!(path_of("http://h:1/v1/pets", &["/v1".into()]), "/pets");
        assert_eq!(path_of("http://h", &[]), "/");
    }
}
