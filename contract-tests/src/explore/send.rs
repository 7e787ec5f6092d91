//! Sending a made request to the server under test, and what came back.

use crate::requests::Made;
use std::time::Duration;

/// The most of one answer's body kept: a hostile or broken server cannot exhaust memory.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// An answer as the checks read it.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// Headers, names lower-case.
    pub headers: Vec<(String, String)>,
    /// The body (whole up to [`MAX_BODY`]: schema checks read all of it).
    pub body: Vec<u8>,
    /// Whether the body was longer than [`MAX_BODY`] and cut (its schema is not checked).
    pub truncated: bool,
}

impl Answer {
    /// A header's value (first one), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The Content-Type, when there is one.
    pub fn content_type(&self) -> Option<&str> {
        self.header("content-type")
    }
}

/// Why a request got no answer: the text, and whether the request could not even be built
/// here (a header value no client can send — not the server's doing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendError(pub String, pub bool);

impl SendError {
    /// An error of the exchange (the server's side).
    pub fn new(text: impl Into<String>) -> SendError {
        SendError(text.into(), false)
    }

    /// Whether the request could not be built here.
    pub fn local(&self) -> bool {
        self.1
    }
}

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One HTTP client for a run, pointed at a base URL.
#[derive(Clone, Debug)]
pub struct Sender {
    client: reqwest::Client,
    base_url: String,
}

impl Sender {
    /// A client for `base_url` (`http://127.0.0.1:3003`, a trailing `/` or a path prefix
    /// kept), answering each request within `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Sender, SendError> {
        let parsed = reqwest::Url::parse(base_url)
            .map_err(|e| SendError::new(format!("--base-url {base_url}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(SendError::new(format!(
                "--base-url {base_url}: expected an http:// or https:// URL"
            )));
        }
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SendError::new(e.to_string()))?;
        Ok(Sender {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
        })
    }

    /// The URL a request target goes to.
    pub fn url(&self, target: &str) -> String {
        format!("{}{target}", self.base_url)
    }

    /// Sends `made`; a connection failure or timeout is an error, any status an answer.
    pub async fn send(&self, made: &Made) -> Result<Answer, SendError> {
        let method = reqwest::Method::from_bytes(made.method.as_bytes())
            .map_err(|e| SendError(format!("method {}: {e}", made.method), true))?;
        let mut request = self.client.request(method, self.url(&made.target));
        for (name, value) in &made.headers {
            request = request.header(name.as_str(), value.as_str());
        }
        if let Some((_, bytes)) = &made.body {
            request = request.body(bytes.clone());
        }
        let response = request
            .send()
            .await
            .map_err(|e| SendError(describe(&e), e.is_builder()))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut response = response;
        let mut body = Vec::new();
        let mut truncated = false;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| SendError::new(describe(&e)))?
        {
            if body.len() + chunk.len() > MAX_BODY {
                // Enough to report; the rest is not held in memory.
                truncated = true;
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer {
            status,
            headers,
            body,
            truncated,
        })
    }
}

/// A client error with its causes (reqwest's own text is only the outermost).
fn describe(error: &reqwest::Error) -> String {
    let mut text = crate::error_chain(error);
    if error.is_timeout() {
        text.push_str(" (timed out)");
    }
    text
}

/// A request as a curl command a person can paste (`base` is the server's base URL); the
/// values of `secret` headers (lower-case names) are redacted as [`crate::redact`] does it,
/// so reports kept as CI artifacts hold no credential.
pub fn curl(made: &Made, base: &str, secret: &[String]) -> String {
    let body = made.body.as_ref().map_or(&[][..], |(_, b)| b.as_slice());
    crate::curl::command(
        &made.method,
        &format!("{base}{}", made.target),
        &made.headers,
        body,
        &crate::redact::Redact::new(secret.to_vec(), Vec::new()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curl_quotes_what_a_shell_would_split() {
        let made = Made {
            method: "POST".into(),
            target: "/pets?q=a b".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: Some(("application/json".into(), br#"{"name":"O'Hara"}"#.to_vec())),
        };
        assert_eq!(
            curl(&made, "http://127.0.0.1:1", &[]),
            r#"curl -X POST 'http://127.0.0.1:1/pets?q=a b' -H 'content-type: application/json' --data-binary '{"name":"O'\''Hara"}'"#
        );
    }

    #[test]
    fn credentials_are_redacted_in_reproductions() {
        let made = Made {
            method: "GET".into(),
            target: "/pets".into(),
            headers: vec![("Authorization".into(), "Bearer s3cret".into())],
            body: None,
        };
        assert_eq!(
            curl(&made, "http://h", &["authorization".into()]),
            "curl -X GET 'http://h/pets' -H 'Authorization: Bearer [REDACTED]'"
        );
    }

    #[test]
    fn excerpts_cut_on_characters() {
        let a = Answer {
            status: 200,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: "ééé".as_bytes().to_vec(),
            truncated: false,
        };
        let excerpt = crate::report::Excerpt::cut(a.status, a.content_type(), &a.body, 2);
        assert_eq!(excerpt.body, "éé…");
        assert_eq!(a.content_type(), Some("text/plain"));
    }

    #[test]
    fn base_urls_must_be_http() {
        assert!(Sender::new("ftp://x", Duration::from_secs(1)).is_err());
        assert!(Sender::new("127.0.0.1:80", Duration::from_secs(1)).is_err());
        let s = Sender::new("http://127.0.0.1:1/api/", Duration::from_secs(1)).unwrap();
        assert_eq!(s.url("/pets"), "http://127.0.0.1:1/api/pets");
    }
}
