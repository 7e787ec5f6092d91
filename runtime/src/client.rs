//! Runtime of the generated reqwest client: the HTTP plumbing every operation shares.

use crate::DecodeError;
use std::time::Duration;

/// A secret that never appears in `Debug` output or logs.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The value, for building the request.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// What can go wrong calling an operation (documented error statuses are not errors:
/// they are variants of the operation's response type).
#[derive(Debug)]
pub enum Error {
    /// The request could not be built (e.g. a parameter that cannot be serialized).
    InvalidRequest(String),
    /// Connection, TLS, timeout…
    Transport(reqwest::Error),
    /// A status the spec does not document for this operation, with the raw body.
    UndocumentedStatus {
        /// HTTP status.
        status: u16,
        /// Raw body.
        body: Vec<u8>,
    },
    /// The body does not match the documented type.
    Decode {
        /// HTTP status.
        status: u16,
        /// Where decoding failed.
        path: String,
        /// What serde said.
        message: String,
        /// The start of the body.
        snippet: String,
    },
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::UndocumentedStatus { status, body } => {
                write!(f, "undocumented status {status}: {}", crate::snippet(body))
            }
            Error::Decode {
                status,
                path,
                message,
                snippet,
            } => {
                write!(
                    f,
                    "status {status}: body does not match the spec at `{path}`: {message} (body: {snippet})"
                )
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            _ => None,
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        match e {
            DecodeError::UndocumentedStatus { status, body } => {
                Error::UndocumentedStatus { status, body }
            }
            DecodeError::Body {
                status,
                path,
                message,
                snippet,
            } => Error::Decode {
                status,
                path,
                message,
                snippet,
            },
        }
    }
}

/// How a parameter is serialized (OpenAPI `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `form`
    Form,
    /// `simple`
    Simple,
    /// `deepObject`
    DeepObject,
    /// `spaceDelimited`
    SpaceDelimited,
    /// `pipeDelimited`
    PipeDelimited,
}

/// How an operation authenticates.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthKind {
    /// No credentials.
    None,
    /// `Authorization: Bearer …`
    Bearer,
    /// `Authorization: Basic …`
    Basic,
    /// An API key header.
    ApiKeyHeader(&'static str),
    /// An API key query parameter.
    ApiKeyQuery(&'static str),
}

/// A request being built by a generated operation.
#[derive(Debug)]
pub struct Request {
    method: reqwest::Method,
    path: String,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    cookies: Vec<String>,
    body: Option<(String, Vec<u8>)>,
    auth: AuthKind,
}

fn scalar(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

fn to_value<T: serde::Serialize + ?Sized>(
    name: &str,
    value: &T,
) -> Result<serde_json::Value, Error> {
    serde_json::to_value(value)
        .map_err(|e| Error::InvalidRequest(format!("parameter `{name}`: {e}")))
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
pub fn encode_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The value of a path parameter, encoded (`simple` style: arrays comma-joined).
pub fn path_param<T: serde::Serialize>(name: &str, value: &T) -> Result<String, Error> {
    let v = to_value(name, value)?;
    let raw = match &v {
        serde_json::Value::Array(items) => items
            .iter()
            .filter_map(scalar)
            .collect::<Vec<_>>()
            .join(","),
        other => scalar(other).unwrap_or_default(),
    };
    Ok(encode_segment(&raw))
}

impl Request {
    /// A request for `method` on `path` (already filled and encoded).
    pub fn new(method: &str, path: String, auth: AuthKind) -> Request {
        Request {
            method: reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET),
            path,
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            auth,
        }
    }

    /// Adds a query parameter serialized per `style`/`explode`; `None` adds nothing.
    pub fn query<T: serde::Serialize>(
        &mut self,
        name: &str,
        value: &T,
        style: Style,
        explode: bool,
    ) -> Result<(), Error> {
        match to_value(name, value)? {
            serde_json::Value::Null => {}
            serde_json::Value::Array(items) => {
                let items: Vec<String> = items.iter().filter_map(scalar).collect();
                let sep = match style {
                    Style::SpaceDelimited => Some(" "),
                    Style::PipeDelimited => Some("|"),
                    _ if explode => None,
                    _ => Some(","),
                };
                match sep {
                    None => self
                        .query
                        .extend(items.into_iter().map(|i| (name.to_owned(), i))),
                    Some(sep) => self.query.push((name.to_owned(), items.join(sep))),
                }
            }
            serde_json::Value::Object(map) => match (style, explode) {
                (Style::DeepObject, _) => {
                    for (k, v) in &map {
                        deep(&mut self.query, &format!("{name}[{k}]"), v);
                    }
                }
                (_, true) => self.query.extend(
                    map.iter()
                        .filter_map(|(k, v)| scalar(v).map(|v| (k.clone(), v))),
                ),
                (_, false) => {
                    let flat: Vec<String> = map
                        .iter()
                        .filter_map(|(k, v)| scalar(v).map(|v| format!("{k},{v}")))
                        .collect();
                    self.query.push((name.to_owned(), flat.join(",")));
                }
            },
            other => {
                if let Some(v) = scalar(&other) {
                    self.query.push((name.to_owned(), v));
                }
            }
        }
        Ok(())
    }

    /// Adds a header (`simple` style); `None` adds nothing.
    pub fn header<T: serde::Serialize>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        let v = to_value(name, value)?;
        let text = match &v {
            serde_json::Value::Null => return Ok(()),
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(scalar)
                .collect::<Vec<_>>()
                .join(","),
            other => scalar(other).unwrap_or_default(),
        };
        self.headers.push((name.to_owned(), text));
        Ok(())
    }

    /// Adds a cookie; `None` adds nothing.
    pub fn cookie<T: serde::Serialize>(&mut self, name: &str, value: &T) -> Result<(), Error> {
        if let Some(v) = scalar(&to_value(name, value)?) {
            self.cookies.push(format!("{name}={v}"));
        }
        Ok(())
    }

    /// A JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(
        &mut self,
        media: &str,
        body: &T,
    ) -> Result<(), Error> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(format!("body: {e}")))?;
        self.body = Some((media.to_owned(), bytes));
        Ok(())
    }

    /// An `application/x-www-form-urlencoded` body (nested values as deepObject keys).
    pub fn form<T: serde::Serialize + ?Sized>(&mut self, body: &T) -> Result<(), Error> {
        let mut pairs = Vec::new();
        if let serde_json::Value::Object(map) = to_value("body", body)? {
            for (k, v) in &map {
                deep(&mut pairs, k, v);
            }
        }
        let encoded = pairs
            .iter()
            .map(|(k, v)| format!("{}={}", encode_segment(k), encode_segment(v)))
            .collect::<Vec<_>>()
            .join("&");
        self.body = Some((
            "application/x-www-form-urlencoded".to_owned(),
            encoded.into_bytes(),
        ));
        Ok(())
    }

    /// A raw body with its media type.
    pub fn raw(&mut self, media: &str, body: Vec<u8>) {
        self.body = Some((media.to_owned(), body));
    }
}

fn deep(out: &mut Vec<(String, String)>, key: &str, value: &serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                deep(out, &format!("{key}[{k}]"), v);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                deep(out, &format!("{key}[{i}]"), v);
            }
        }
        other => {
            if let Some(v) = scalar(other) {
                out.push((key.to_owned(), v));
            }
        }
    }
}

/// Credentials a client sends; secrets are redacted from `Debug`.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    /// Bearer token (`Authorization: Bearer …`).
    pub bearer: Option<Secret>,
    /// API key (header or query, as the operation says).
    pub api_key: Option<Secret>,
    /// User and password for basic auth.
    pub basic: Option<(String, Secret)>,
}

/// A client over reqwest (rustls). Cheap to clone; share one per process.
#[derive(Clone, Debug)]
pub struct ReqwestClient {
    base_url: String,
    http: reqwest::Client,
    credentials: Credentials,
}

/// Settings for [`ReqwestClient`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    credentials: Credentials,
}

impl ClientBuilder {
    /// Overall request timeout (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Connect timeout (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Sends `Authorization: Bearer <token>` on operations that require it.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials.bearer = Some(Secret::new(token));
        self
    }

    /// Sends the API key where operations require it.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credentials.api_key = Some(Secret::new(key));
        self
    }

    /// Sends basic auth where operations require it.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials.basic = Some((user.into(), Secret::new(password)));
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<ReqwestClient, Error> {
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(self.user_agent)
            .build()
            .map_err(Error::Transport)?;
        Ok(ReqwestClient {
            base_url: self.base_url.trim_end_matches('/').to_owned(),
            http,
            credentials: self.credentials,
        })
    }
}

impl ReqwestClient {
    /// Settings for a client of the API at `base_url`.
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            user_agent: concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION")).to_owned(),
            credentials: Credentials::default(),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends a built request (or returns the error that building it gave) and decodes the
    /// answer with the operation's decoder. Generated methods are one call to this.
    pub async fn send<R>(
        &self,
        request: Result<Request, Error>,
        decode: fn(u16, &[u8]) -> Result<R, DecodeError>,
    ) -> Result<R, Error> {
        let (status, _content_type, body) = self.execute(request?).await?;
        Ok(decode(status, &body)?)
    }

    /// Sends a request; returns status, content type and body.
    pub async fn execute(&self, request: Request) -> Result<(u16, Option<String>, Vec<u8>), Error> {
        let url = format!("{}{}", self.base_url, request.path);
        let mut builder = self.http.request(request.method, url);
        let mut query = request.query;
        match request.auth {
            AuthKind::None => {}
            AuthKind::Bearer => {
                if let Some(token) = &self.credentials.bearer {
                    builder = builder.bearer_auth(token.expose());
                }
            }
            AuthKind::Basic => {
                if let Some((user, password)) = &self.credentials.basic {
                    builder = builder.basic_auth(user, Some(password.expose()));
                }
            }
            AuthKind::ApiKeyHeader(name) => {
                if let Some(key) = &self.credentials.api_key {
                    builder = builder.header(name, key.expose());
                }
            }
            AuthKind::ApiKeyQuery(name) => {
                if let Some(key) = &self.credentials.api_key {
                    query.push((name.to_owned(), key.expose().to_owned()));
                }
            }
        }
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if !request.cookies.is_empty() {
            builder = builder.header(reqwest::header::COOKIE, request.cookies.join("; "));
        }
        if let Some((media, bytes)) = request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, media)
                .body(bytes);
        }
        let response = builder.send().await.map_err(Error::Transport)?;
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = response.bytes().await.map_err(Error::Transport)?.to_vec();
        Ok((status, content_type, body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(value: serde_json::Value, style: Style, explode: bool) -> Vec<(String, String)> {
        let mut r = Request::new("GET", "/".into(), AuthKind::None);
        r.query("q", &value, style, explode).unwrap();
        r.query
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn query_styles_follow_openapi() {
        use serde_json::json;
        assert_eq!(
            query(json!(true), Style::Form, true),
            pairs(&[("q", "true")])
        );
        assert_eq!(query(json!(null), Style::Form, true), pairs(&[]));
        assert_eq!(
            query(json!([1, 2]), Style::Form, true),
            pairs(&[("q", "1"), ("q", "2")])
        );
        assert_eq!(
            query(json!([1, 2]), Style::Form, false),
            pairs(&[("q", "1,2")])
        );
        assert_eq!(
            query(json!(["a", "b"]), Style::PipeDelimited, false),
            pairs(&[("q", "a|b")])
        );
        assert_eq!(
            query(json!({"a": 1, "b": {"c": "x"}}), Style::DeepObject, true),
            pairs(&[("q[a]", "1"), ("q[b][c]", "x")])
        );
        assert_eq!(
            query(json!({"a": 1}), Style::Form, true),
            pairs(&[("a", "1")])
        );
        assert_eq!(
            query(json!({"a": 1, "b": 2}), Style::Form, false),
            pairs(&[("q", "a,1,b,2")])
        );
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(path_param("id", &"a b/c?d").unwrap(), "a%20b%2Fc%3Fd");
        assert_eq!(path_param("id", &vec![1, 2]).unwrap(), "1%2C2");
        assert_eq!(encode_segment("safe-._~"), "safe-._~");
    }

    #[test]
    fn secrets_do_not_leak_into_debug() {
        let client = ReqwestClient::builder("http://127.0.0.1:1")
            .bearer_token("s3cr3t")
            .build()
            .unwrap();
        let shown = format!("{client:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains("Secret(***)"), "{shown}");
    }
}
