//! Runtime of the generated reqwest client: requests built from each operation's
//! description ([`Request`]), credentials placed per the operation's security
//! ([`credentials`]), and the HTTP round trip every generated method is one call to.

pub mod credentials;
mod request;

pub use credentials::{Credential, Credentials};
pub use request::{Request, encode_segment};

use crate::DecodeError;
use credentials::Placement;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
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
    /// The answer is not what the spec documents: an undocumented status, or a body that
    /// does not decode into the documented type (status, raw body or path and snippet kept).
    Response(DecodeError),
    /// The client cannot be built: a base URL without an `http`/`https` scheme or a host,
    /// or with a query or fragment; a default header that is not a valid header.
    InvalidConfig(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Response(e) => e.fmt(f),
            Error::InvalidConfig(m) => write!(f, "invalid client configuration: {m}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Response(e) => Some(e),
            Error::InvalidRequest(_) | Error::InvalidConfig(_) => None,
        }
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Error {
        Error::Response(e)
    }
}

/// An operation's decoder: status and body → its response enum.
pub type Decoder<R> = fn(u16, &[u8]) -> Result<R, DecodeError>;

/// What came back for a request, before decoding.
#[derive(Clone, Debug)]
pub struct RawResponse {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub body: Vec<u8>,
}

impl RawResponse {
    /// The `Content-Type`, when it is text.
    pub fn content_type(&self) -> Option<&str> {
        self.headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
    }
}

/// A decoded answer with the status and headers it came with (rate limits, request ids).
/// Derefs to the typed response; `into_result` splits it as [`crate::Answer`] does.
#[derive(Clone, Debug)]
pub struct Answered<R> {
    status: u16,
    headers: reqwest::header::HeaderMap,
    value: R,
}

impl<R> Answered<R> {
    /// An answer from its parts (for implementations of a generated `Client` trait that
    /// do not go over HTTP, such as test doubles).
    pub fn new(status: u16, headers: reqwest::header::HeaderMap, value: R) -> Answered<R> {
        Answered {
            status,
            headers,
            value,
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The response headers.
    pub fn headers(&self) -> &reqwest::header::HeaderMap {
        &self.headers
    }

    /// The typed response.
    pub fn into_inner(self) -> R {
        self.value
    }

    /// Status, headers and the typed response.
    pub fn into_parts(self) -> (u16, reqwest::header::HeaderMap, R) {
        (self.status, self.headers, self.value)
    }
}

impl<R: crate::Answer> Answered<R> {
    /// The 2xx answer as `Ok`, any other as an [`crate::ErrorResponse`] (see
    /// [`crate::Answer::into_result`]); the headers are dropped (read them first).
    pub fn into_result(self) -> Result<R::Success, crate::ErrorResponse<R>> {
        self.value.into_result()
    }
}

impl<R: crate::Answer> From<R> for Answered<R> {
    /// An answer with the response's own status and no headers.
    fn from(value: R) -> Answered<R> {
        Answered::new(value.status(), Default::default(), value)
    }
}

impl<R> std::ops::Deref for Answered<R> {
    type Target = R;
    fn deref(&self) -> &R {
        &self.value
    }
}

/// The HTTP exchange of a call.
type Exchange<'a> = Pin<Box<dyn Future<Output = Result<RawResponse, Error>> + Send + 'a>>;

/// The pending answer of one operation: the exchange, then the operation's decoder.
///
/// A named future rather than an `async` block: with one async block per operation, a crate
/// of a thousand operations made the compiler build and prove `Send` for a thousand future
/// types; every operation's method returns this one type instead.
#[must_use = "a call does nothing until awaited"]
pub struct Call<'a, R> {
    exchange: Exchange<'a>,
    decode: Decoder<R>,
}

impl<R> Future for Call<'_, R> {
    type Output = Result<Answered<R>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match this.exchange.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Ready(Ok(raw)) => Poll::Ready(
                (this.decode)(raw.status, &raw.body)
                    .map(|value| Answered::new(raw.status, raw.headers, value))
                    .map_err(Error::from),
            ),
        }
    }
}

impl<R> std::fmt::Debug for Call<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Call")
    }
}

/// A client over reqwest (rustls). Cheap to clone; share one per process.
#[derive(Clone, Debug)]
pub struct ReqwestClient {
    base_url: String,
    http: reqwest::Client,
    credentials: Credentials,
    headers: reqwest::header::HeaderMap,
}

/// Settings for [`ReqwestClient`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    base_url: String,
    timeout: Duration,
    connect_timeout: Duration,
    user_agent: String,
    credentials: Credentials,
    http: Option<reqwest::Client>,
    headers: Vec<(String, String)>,
}

impl ClientBuilder {
    /// Sends with your own `reqwest::Client` (its proxy, TLS roots, pool, middleware-free
    /// settings); `timeout`, `connect_timeout` and `user_agent` are then that client's.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// A header sent with every request (an API key the spec makes a header parameter, a
    /// tenant id…); an operation's own parameter of the same name wins.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

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

    /// The bearer token for every http bearer, oauth2 and openIdConnect scheme that has no
    /// credential of its own (`Authorization: Bearer <token>`).
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.credentials.bearer = Some(Secret::new(token));
        self
    }

    /// The API key for every apiKey scheme that has no credential of its own (sent in the
    /// header, query parameter or cookie the scheme names).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.credentials.api_key = Some(Secret::new(key));
        self
    }

    /// User and password for every http basic scheme that has no credential of its own.
    pub fn basic_auth(mut self, user: impl Into<String>, password: impl Into<String>) -> Self {
        self.credentials.basic = Some((user.into(), Secret::new(password)));
        self
    }

    /// The credential of one scheme, by its name under `components/securitySchemes`
    /// (for APIs whose schemes need different tokens or keys).
    pub fn credential(mut self, scheme: impl Into<String>, credential: Credential) -> Self {
        self.credentials.set(scheme, credential);
        self
    }

    /// Builds the client, checking the base URL (an `http` or `https` scheme and a host; a
    /// path prefix such as `/v2` is kept, no query or fragment) and the default headers.
    pub fn build(self) -> Result<ReqwestClient, Error> {
        let base_url = checked_base_url(&self.base_url)?;
        let mut headers = reqwest::header::HeaderMap::new();
        for (name, value) in &self.headers {
            let header =
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                    Error::InvalidConfig(format!("`{name}` is not a valid header name"))
                })?;
            let value = reqwest::header::HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidConfig(format!("the value of header `{name}` is not valid"))
            })?;
            headers.append(header, value);
        }
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .timeout(self.timeout)
                .connect_timeout(self.connect_timeout)
                .user_agent(self.user_agent)
                .build()
                .map_err(Error::Transport)?,
        };
        Ok(ReqwestClient {
            base_url,
            http,
            credentials: self.credentials,
            headers,
        })
    }
}

/// reqwest's form of multipart parts.
fn multipart_form(parts: crate::multipart::Parts) -> Result<reqwest::multipart::Form, Error> {
    use crate::multipart::Part;
    let mut form = reqwest::multipart::Form::new();
    for part in parts.parts {
        form = match part {
            Part::Text {
                name,
                value,
                content_type,
            } => {
                let mut p = reqwest::multipart::Part::text(value);
                if let Some(media) = content_type {
                    p = p
                        .mime_str(media)
                        .map_err(|e| Error::InvalidRequest(e.to_string()))?;
                }
                form.part(name, p)
            }
            Part::File { name, file } => {
                let mut p = reqwest::multipart::Part::bytes(file.bytes);
                if let Some(file_name) = file.file_name {
                    p = p.file_name(file_name);
                }
                let media = file
                    .content_type
                    .unwrap_or_else(|| "application/octet-stream".to_owned());
                p = p.mime_str(&media).map_err(|e| {
                    Error::InvalidRequest(format!("the content type of `{name}`: {e}"))
                })?;
                form.part(name, p)
            }
        };
    }
    Ok(form)
}

/// A base URL as requests are built on it (no trailing `/`), or why it cannot be one.
fn checked_base_url(text: &str) -> Result<String, Error> {
    let bad = |why: &str| Error::InvalidConfig(format!("base URL `{text}` {why}"));
    if !text.contains("://") {
        return Err(bad("has no scheme (write `https://host` or `http://host`)"));
    }
    let url = reqwest::Url::parse(text.trim()).map_err(|e| bad(&format!("is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(bad("must use http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
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
            http: None,
            headers: Vec::new(),
        }
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends a built request (or returns the error that building it gave) and decodes the
    /// answer with the operation's decoder. Generated methods are one call to this.
    pub fn send<R>(&self, request: Result<Request, Error>, decode: Decoder<R>) -> Call<'_, R> {
        let exchange: Exchange<'_> = match request {
            Ok(request) => Box::pin(self.execute(request)),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        };
        Call { exchange, decode }
    }

    /// Sends a request; returns what came back, undecoded.
    pub async fn execute(&self, request: Request) -> Result<RawResponse, Error> {
        let url = format!("{}{}", self.base_url, request.path);
        let mut builder = self.http.request(request.method, url);
        let placements = self
            .credentials
            .placements(&request.schemes, &request.security);
        // A default header gives way to the operation's own header parameter and to the
        // credentials' header of the same name (never sent twice).
        let set_elsewhere = |name: &str| {
            request
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(name))
                || placements.iter().any(|p| match p {
                    Placement::Bearer(_) | Placement::Basic(..) | Placement::Authorization(_) => {
                        name.eq_ignore_ascii_case("authorization")
                    }
                    Placement::Header(n, _) => n.eq_ignore_ascii_case(name),
                    Placement::Query(..) | Placement::Cookie(..) => false,
                })
        };
        for (name, value) in &self.headers {
            if !set_elsewhere(name.as_str()) {
                builder = builder.header(name, value);
            }
        }
        let mut query = request.query;
        let mut cookies = request.cookies;
        for placement in placements {
            builder = match placement {
                Placement::Bearer(token) => builder.bearer_auth(token.expose()),
                Placement::Basic(user, password) => {
                    builder.basic_auth(user, Some(password.expose()))
                }
                Placement::Authorization(value) => {
                    builder.header(reqwest::header::AUTHORIZATION, value.expose())
                }
                Placement::Header(name, key) => builder.header(name, key.expose()),
                Placement::Query(name, key) => {
                    query.push((name, key.expose().to_owned()));
                    builder
                }
                Placement::Cookie(name, key) => {
                    cookies.push(format!("{name}={}", encode_segment(key.expose())));
                    builder
                }
            };
        }
        if !query.is_empty() {
            builder = builder.query(&query);
        }
        for (name, value) in request.headers {
            builder = builder.header(name, value);
        }
        if !cookies.is_empty() {
            builder = builder.header(reqwest::header::COOKIE, cookies.join("; "));
        }
        if let Some((media, bytes)) = request.body {
            builder = builder
                .header(reqwest::header::CONTENT_TYPE, media)
                .body(bytes);
        }
        if let Some(parts) = request.multipart {
            builder = builder.multipart(multipart_form(parts)?);
        }
        let response = builder.send().await.map_err(Error::Transport)?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(Error::Transport)?.to_vec();
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_checked_when_the_client_is_built() {
        let built = |url: &str| {
            ReqwestClient::builder(url)
                .build()
                .map(|c| c.base_url().to_owned())
        };
        assert_eq!(
            built("https://api.example.com/v2/").ok().as_deref(),
            Some("https://api.example.com/v2")
        );
        assert_eq!(
            built("http://127.0.0.1:8080").ok().as_deref(),
            Some("http://127.0.0.1:8080")
        );
        for bad in [
            "api.example.com",
            "ftp://x.org",
            "https://x.org/?a=1",
            "https://x.org/#f",
            "not a url",
            "http://",
        ] {
            let err = built(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                err.starts_with("invalid client configuration: base URL"),
                "{bad}: {err}"
            );
        }
        let no_scheme = built("api.example.com")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(no_scheme.contains("has no scheme"), "{no_scheme}");
        let header = ReqwestClient::builder("http://x.org")
            .default_header("bad name", "v")
            .build();
        assert!(matches!(header, Err(Error::InvalidConfig(_))));
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
