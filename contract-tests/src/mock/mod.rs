//! The embedded, stateful Nango mock: the generated router over [`server::Mock`], plus
//! mock-only control endpoints under `/_mock/` that play the end user in the Connect UI.

pub mod server;
pub mod state;
pub mod store;

use axum::extract::{Path, Query, State as Shared};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use server::{Mock, connection_json, iso_offset, now_ms};
use state::{Connection, SessionKind};
use std::collections::BTreeMap;
use store::Change;

/// Why the mock could not start.
#[derive(Debug)]
pub enum MockError {
    /// An environment variable has a value the mock cannot use.
    Environment(String),
    /// The generated router could not be built from its embedded spec.
    Router(generated::server::RouterError),
    /// The address cannot be bound.
    Bind {
        /// The address asked for.
        addr: String,
        /// What the OS said.
        source: std::io::Error,
    },
}

impl std::fmt::Display for MockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MockError::Environment(m) => f.write_str(m),
            MockError::Router(e) => write!(f, "cannot build the router: {e}"),
            MockError::Bind { addr, source } => write!(f, "cannot bind {addr}: {source}"),
        }
    }
}

impl std::error::Error for MockError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MockError::Environment(_) => None,
            MockError::Router(e) => Some(e),
            MockError::Bind { source, .. } => Some(source),
        }
    }
}

/// The secret key: `NANGO_SECRET_KEY` (must be a UUID v4) or the documented development key.
pub fn secret_key_from_env() -> Result<String, MockError> {
    match std::env::var("NANGO_SECRET_KEY") {
        Ok(key) if server::is_uuid_v4_pub(&key) => Ok(key),
        Ok(_) => Err(MockError::Environment(
            "NANGO_SECRET_KEY must be a UUID v4 (Nango rejects anything else)".into(),
        )),
        Err(_) => Ok(state::DEV_SECRET_KEY.into()),
    }
}

fn json(status: StatusCode, value: serde_json::Value) -> Response {
    (status, axum::Json(value)).into_response()
}

fn unknown_token() -> Response {
    json(
        StatusCode::UNAUTHORIZED,
        serde_json::json!({"error": {"code": "unknown_connect_session_token", "message": "Authentication failed. The provided connect session token does not match any account."}}),
    )
}

/// `POST /_mock/connect/complete {"token": …, "connection_id"?: …}`: the end user finishing
/// the Connect UI. A reconnect session refreshes the connection's credentials and keeps its
/// id, metadata, tags and `created_at`; a create session makes a new connection.
/// Most bytes a control endpoint reads: its bodies are a token and an id.
const CONTROL_BODY_LIMIT: usize = 64 * 1024;

/// A control endpoint's body, or the JSON error answering it (413 past the limit, read or
/// declared, or when it cannot be read).
async fn control_body(request: axum::extract::Request) -> Result<axum::body::Bytes, Response> {
    let declared = openapi_runtime::server::declared_length(request.headers());
    let too_large = || {
        json(
            StatusCode::PAYLOAD_TOO_LARGE,
            serde_json::json!({"error": {"code": "payload_too_large", "message": format!("The body is larger than {CONTROL_BODY_LIMIT} bytes")}}),
        )
    };
    if declared.is_some_and(|n| n > CONTROL_BODY_LIMIT as u64) {
        return Err(too_large());
    }
    axum::body::to_bytes(request.into_body(), CONTROL_BODY_LIMIT)
        .await
        .map_err(|_| too_large())
}

async fn complete(Shared(mock): Shared<Mock>, request: axum::extract::Request) -> Response {
    let body = match control_body(request).await {
        Ok(b) => b,
        Err(answer) => return answer,
    };
    let Ok(request) = serde_json::from_slice::<serde_json::Value>(&body) else {
        return json(
            StatusCode::BAD_REQUEST,
            serde_json::json!({"error": {"code": "invalid_json", "message": "expected {\"token\": …}"}}),
        );
    };
    let Some(token) = request
        .get("token")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
    else {
        return unknown_token();
    };
    let wanted_id = request
        .get("connection_id")
        .and_then(|c| c.as_str())
        .map(str::to_owned);
    let now = now_ms();
    let outcome = mock.with_state(|s, changes| {
        match s.sessions.get(&token) {
            Some(session) if !session.used && session.expires_at_ms > now => {}
            _ => return None,
        }
        // A token works once: the session goes.
        let session = s.remove_session(&token)?;
        changes.push(Change::DropSessions(vec![token.clone()]));
        let kind = session.kind;
        let stamp = iso_offset(now);
        match kind {
            SessionKind::Reconnect { connection_id, integration_id } => {
                let c = s.connection_mut(&integration_id, &connection_id)?;
                c.expired = false;
                c.updated_at = stamp;
                c.credentials.insert("access_token".into(), format!("gho_refreshed_{now}").into());
                changes.push(Change::Connection(Box::new(c.clone())));
                Some(connection_json(c, true))
            }
            SessionKind::Create { allowed_integrations, tags } => {
                let integration = allowed_integrations.first().cloned().or_else(|| s.integrations.keys().next().cloned())?;
                // Connections are unique per (integration, connection_id), as in Nango: a
                // session completed for an existing pair re-authorizes it, its data kept.
                if let Some(id) = &wanted_id
                    && let Some(c) = s.connection_mut(&integration, id)
                {
                    c.expired = false;
                    c.updated_at = stamp;
                    c.credentials.insert("access_token".into(), format!("gho_refreshed_{now}").into());
                    changes.push(Change::Connection(Box::new(c.clone())));
                    return Some(connection_json(c, true));
                }
                let id = s.next_id;
                s.next_id += 1;
                let c = Connection {
                    id,
                    connection_id: wanted_id.unwrap_or_else(|| format!("conn-{id}")),
                    provider: s.integrations.get(&integration).cloned().unwrap_or_else(|| integration.clone()),
                    provider_config_key: integration,
                    created_with_session: true,
                    metadata: serde_json::Map::new(),
                    tags,
                    credentials: serde_json::json!({"type": "OAUTH2", "access_token": format!("gho_new_{id}")}).as_object().cloned().unwrap_or_default(),
                    expired: false,
                    created_at: stamp.clone(),
                    updated_at: stamp,
                    last_fetched_at: None,
                };
                let out = connection_json(&c, true);
                changes.push(Change::Connection(Box::new(c.clone())));
                changes.push(Change::NextId(s.next_id));
                s.connections.push(c);
                Some(out)
            }
        }
    })
    .await;
    match outcome {
        Ok(Some(connection)) => json(StatusCode::OK, connection),
        Ok(None) => unknown_token(),
        Err(e) => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"error": {"code": "server_error", "message": e}}),
        ),
    }
}

/// `POST /_mock/connections/{id}/expire?provider_config_key=…`: the provider revoked the
/// credentials; GET connection answers 424 until a reconnect completes.
async fn expire(
    Shared(mock): Shared<Mock>,
    Path(id): Path<String>,
    Query(query): Query<BTreeMap<String, String>>,
) -> Response {
    let integration = query
        .get("provider_config_key")
        .cloned()
        .unwrap_or_default();
    match mock
        .with_state(|s, changes| {
            s.connection_mut(&integration, &id)
                .map(|c| {
                    c.expired = true;
                    changes.push(Change::Connection(Box::new(c.clone())));
                })
                .is_some()
        })
        .await
    {
        Ok(true) => json(StatusCode::OK, serde_json::json!({"success": true})),
        Ok(false) => json(
            StatusCode::NOT_FOUND,
            serde_json::json!({"error": {"code": "not_found", "message": "Failed to find connection"}}),
        ),
        Err(e) => json(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"error": {"code": "server_error", "message": e}}),
        ),
    }
}

/// Rewrites answers the way Nango's real server deviates from its own spec
/// (`../shared/nango-api.md` §3.1, §6, §7, §9): 401 bodies carry `payload: {}`, GET connection
/// adds `webhook_url_override` and sends `metadata: null` when empty, DELETE of an unknown
/// connection answers 400 `unknown_connection` instead of 404.
async fn faithful(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let status = response.status();
    let is_connection = path.starts_with("/connections/");
    let rewrite = status == StatusCode::UNAUTHORIZED
        || (is_connection && method == axum::http::Method::GET && status == StatusCode::OK)
        || (is_connection
            && method == axum::http::Method::DELETE
            && status == StatusCode::NOT_FOUND);
    if !rewrite {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return Response::from_parts(parts, axum::body::Body::from(bytes));
    };
    let mut status = parts.status;
    if status == StatusCode::UNAUTHORIZED {
        value["error"]["payload"] = serde_json::json!({});
    } else if status == StatusCode::OK {
        value["webhook_url_override"] = serde_json::Value::Null;
        if value["metadata"]
            .as_object()
            .is_some_and(serde_json::Map::is_empty)
        {
            value["metadata"] = serde_json::Value::Null;
        }
    } else {
        status = StatusCode::BAD_REQUEST;
        value = serde_json::json!({"error": {"code": "unknown_connection"}});
    }
    json(status, value)
}

/// A deliberately broken mock, to prove that the judges (our suite, schemathesis, the SDK,
/// Prism) can fail. Chosen with `NANGO_MOCK_SABOTAGE`; never on by default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sabotage {
    /// Any bearer token is accepted.
    IgnoreAuth,
    /// Connect sessions are answered without their `token`.
    DropToken,
}

impl Sabotage {
    /// `NANGO_MOCK_SABOTAGE=ignore-auth|drop-token`, if set.
    pub fn from_env() -> Result<Option<Sabotage>, MockError> {
        match std::env::var("NANGO_MOCK_SABOTAGE").ok().as_deref() {
            None | Some("") => Ok(None),
            Some("ignore-auth") => Ok(Some(Sabotage::IgnoreAuth)),
            Some("drop-token") => Ok(Some(Sabotage::DropToken)),
            Some(other) => Err(MockError::Environment(format!(
                "NANGO_MOCK_SABOTAGE={other}: expected ignore-auth or drop-token"
            ))),
        }
    }
}

/// Drops `data.token` from connect-session answers (the `drop-token` sabotage).
async fn drop_token(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::CREATED {
        return response;
    }
    let (parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(mut v) => {
            if let Some(data) = v.get_mut("data").and_then(|d| d.as_object_mut()) {
                data.remove("token");
            }
            json(parts.status, v)
        }
        Err(_) => Response::from_parts(parts, axum::body::Body::from(bytes)),
    }
}

/// The whole mock application: the generated router plus the control endpoints; with
/// `faithful_mode`, the real server's known deviations from its spec.
pub fn app(mock: Mock, faithful_mode: bool) -> Result<axum::Router, MockError> {
    let api = generated::server::router(mock.clone()).map_err(MockError::Router)?;
    let control = axum::Router::new()
        .route("/_mock/connect/complete", axum::routing::post(complete))
        .route(
            "/_mock/connections/{id}/expire",
            axum::routing::post(expire),
        )
        .with_state(mock);
    let app = control.merge(api);
    Ok(if faithful_mode {
        app.layer(axum::middleware::from_fn(faithful))
    } else {
        app
    })
}

/// A running mock.
#[derive(Debug)]
pub struct Running {
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
    /// The mock, to inspect its state.
    pub mock: Mock,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the mock on `addr` (`127.0.0.1:0` for a free port) inside the current tokio runtime.
pub async fn start(mock: Mock, addr: &str) -> Result<Running, MockError> {
    start_with(mock, addr, false).await
}

/// Like [`start`], optionally reproducing the real server's deviations (`--faithful`).
pub async fn start_with(mock: Mock, addr: &str, faithful_mode: bool) -> Result<Running, MockError> {
    let app = app(mock.clone(), faithful_mode)?;
    serve(app, mock, addr).await
}

/// Binds `addr` and serves `app` on a task of the current runtime.
async fn serve(app: axum::Router, mock: Mock, addr: &str) -> Result<Running, MockError> {
    let bind = |source| MockError::Bind {
        addr: addr.to_owned(),
        source,
    };
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(bind)?;
    let local = listener.local_addr().map_err(bind)?;
    // Requests hyper refuses before routing get Nango's `StdError` too.
    let renderer = mock.clone();
    let limits = openapi_runtime::listen::Limits {
        render: std::sync::Arc::new(move |rejection| {
            generated::server::Server::reject(&renderer, rejection)
        }),
        ..Default::default()
    };
    let task = tokio::spawn(async move {
        let _ = openapi_runtime::listen::serve(listener, app, limits).await;
    });
    Ok(Running {
        base_url: format!("http://{local}"),
        mock,
        task,
    })
}

/// Supplies credentials to requests that have none (the `ignore-auth` sabotage).
async fn inject_auth(
    mut request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    if !request
        .headers()
        .contains_key(axum::http::header::AUTHORIZATION)
    {
        let value =
            axum::http::HeaderValue::from_static("Bearer 6f1c2b0e-8a3d-4e5f-9a7b-0c1d2e3f4a5b");
        request
            .headers_mut()
            .insert(axum::http::header::AUTHORIZATION, value);
    }
    next.run(request).await
}

/// Starts a sabotaged mock (see [`Sabotage`]): to prove the judges can fail.
pub async fn start_sabotaged(
    mut mock: Mock,
    addr: &str,
    sabotage: Sabotage,
) -> Result<Running, MockError> {
    mock.ignore_auth = sabotage == Sabotage::IgnoreAuth;
    let mut app = app(mock.clone(), false)?;
    app = match sabotage {
        Sabotage::DropToken => app.layer(axum::middleware::from_fn(drop_token)),
        Sabotage::IgnoreAuth => app.layer(axum::middleware::from_fn(inject_auth)),
    };
    serve(app, mock, addr).await
}
