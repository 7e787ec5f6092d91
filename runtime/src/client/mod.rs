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
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::InvalidRequest(m) => write!(f, "invalid request: {m}"),
            Error::Transport(e) => write!(f, "transport error: {e}"),
            Error::Response(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport(e) => Some(e),
            Error::Response(e) => Some(e),
            Error::InvalidRequest(_) => None,
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

/// The HTTP exchange of a call: status, content type and body.
type Exchange<'a> =
    Pin<Box<dyn Future<Output = Result<(u16, Option<String>, Vec<u8>), Error>> + Send + 'a>>;

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
    type Output = Result<R, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        match this.exchange.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Ready(Ok((status, _content_type, body))) => {
                Poll::Ready((this.decode)(status, &body).map_err(Error::from))
            }
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
    pub fn send<R>(&self, request: Result<Request, Error>, decode: Decoder<R>) -> Call<'_, R> {
        let exchange: Exchange<'_> = match request {
            Ok(request) => Box::pin(self.execute(request)),
            Err(e) => Box::pin(std::future::ready(Err(e))),
        };
        Call { exchange, decode }
    }

    /// Sends a request; returns status, content type and body.
    pub async fn execute(&self, request: Request) -> Result<(u16, Option<String>, Vec<u8>), Error> {
        let url = format!("{}{}", self.base_url, request.path);
        let mut builder = self.http.request(request.method, url);
        let mut query = request.query;
        let mut cookies = request.cookies;
        for placement in self
            .credentials
            .placements(&request.schemes, &request.security)
        {
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
