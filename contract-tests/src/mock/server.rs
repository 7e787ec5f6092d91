//! The mock's behaviour: Nango's documented contract (`../shared/nango-api.md` §3–§8) on the
//! generated `Server` trait. The generated router already answered 415, 413, invalid JSON,
//! missing auth and schema violations before any of this runs.

use super::state::{
    Connection, SCOPE_CONNECTIONS_DELETE, SCOPE_CONNECTIONS_READ, SCOPE_SESSIONS_WRITE, Session,
    SessionKind, State,
};
use super::store::{Change, Store, Writer};
use generated::operations::{
    CreateConnectSessionResponse, CreateReconnectSessionResponse, DeleteConnectionParams,
    DeleteConnectionResponse, GetConnectionParams, GetConnectionResponse,
};
use generated::server::{Credentials, Part, Rejection, Server, codes};
use generated::types::{
    ConnectSession, ConnectSessionEnvelope, ConnectSessionInput, ConnectSessionReconnectInput,
    DeleteConnectionResult, StdError, StdErrorError, StdErrorWithPayload, StdErrorWithPayloadError,
};
use serde::de::DeserializeOwned;
use serde_json::json;
use std::sync::{Arc, Mutex};
use subtle::ConstantTimeEq;

/// Connect session lifetime (Nango's `CONNECT_SESSION_TTL_MS`).
const SESSION_TTL_MS: i64 = 30 * 60 * 1000;

/// The shared mock: state behind a lock, optionally persisted after every change.
#[derive(Clone, Debug)]
pub struct Mock {
    /// The environment.
    pub state: Arc<Mutex<State>>,
    /// Where changes are kept (`--state`): committed by the writer thread before the answer.
    pub store: Option<Writer>,
    /// Base of `connect_link`.
    pub connect_url: String,
    /// Accept any credentials (a deliberately broken build, to prove the judges can fail).
    pub ignore_auth: bool,
}

/// Who called: the scopes of the key used.
#[derive(Clone, Debug)]
pub struct Principal {
    scopes: Vec<String>,
}

impl Principal {
    fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// A body built as JSON, decoded into its generated type; a failure is the mock's own bug
/// and is answered 500, never a panic.
fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, String> {
    serde_json::from_value(value)
        .map_err(|e| format!("the mock built a body the spec does not allow: {e}"))
}

fn error(code: &str, message: &str) -> StdError {
    StdError::default().with_error(StdErrorError::new(code).with_message(message))
}

fn field_error(code: &str, message: &str, path: &[&str]) -> StdError {
    let mut item = serde_json::Map::new();
    item.insert("code".into(), code.into());
    item.insert("message".into(), message.into());
    item.insert(
        "path".into(),
        path.iter().map(|p| serde_json::Value::from(*p)).collect(),
    );
    StdError::default().with_error(StdErrorError::new("invalid_body").with_errors(vec![item]))
}

fn insufficient(scope: &str) -> StdError {
    error(
        "forbidden",
        &format!("Insufficient scope. Required: {scope}"),
    )
}

/// Unix milliseconds now.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// ISO 8601 with milliseconds and `Z` (what `Date.toISOString()` prints).
pub fn iso_z(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// ISO 8601 with `+00:00`, as Nango formats connection timestamps.
pub fn iso_offset(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3f+00:00")
        .to_string()
}

/// `nango_connect_session_` + 64 lowercase hex from the OS CSPRNG.
fn new_token() -> Result<String, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    Ok(format!(
        "nango_connect_session_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// Nango's check: `^[0-9A-F]{8}-[0-9A-F]{4}-[4][0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$` (case-insensitive).
fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            14 => *c == b'4',
            19 => matches!(c.to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b'),
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether a secret key has the shape Nango accepts (UUID v4).
pub fn is_uuid_v4_pub(s: &str) -> bool {
    is_uuid_v4(s)
}

/// The connection as GET returns it.
pub fn connection_json(c: &Connection, with_credentials: bool) -> serde_json::Value {
    json!({
        "id": c.id,
        "connection_id": c.connection_id,
        "provider_config_key": c.provider_config_key,
        "provider": c.provider,
        "errors": [],
        "end_user": null,
        "tags": c.tags,
        "metadata": c.metadata,
        "connection_config": {},
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "last_fetched_at": c.last_fetched_at,
        "credentials": if with_credentials { serde_json::Value::Object(c.credentials.clone()) } else { json!({}) },
    })
}

impl Mock {
    /// A mock over `state`.
    pub fn new(state: State, store: Option<Writer>) -> Mock {
        Mock {
            state: Arc::new(Mutex::new(state)),
            store,
            connect_url: "http://localhost:3009".into(),
            ignore_auth: false,
        }
    }

    /// The state, locked. A panic elsewhere cannot poison it into wrong answers: every
    /// change is made whole or rolled back ([`Mock::transact`]), so the data is consistent.
    pub fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A mock over the state kept at `path` (created with the seeded environment when
    /// new), with `secret_key` as the key that works. Fails when the file is another
    /// mock's, newer than this mock, or holds a row the spec does not allow.
    pub fn open(path: &std::path::Path, secret_key: &str) -> Result<Mock, String> {
        let (store, state) = Store::open(path, || State::seeded(secret_key))?;
        let state = Arc::new(Mutex::new(state.with_keys(secret_key)));
        let writer = Writer::start(store, state.clone())?;
        Ok(Mock {
            state,
            store: Some(writer),
            connect_url: "http://localhost:3009".into(),
            ignore_auth: false,
        })
    }

    /// Runs `f` on the state as one transaction: `f` records what it changed; with a store
    /// the changes are queued (under the state lock, so in the order they were made) and
    /// awaited until committed (not under the lock). When the write fails, the writer has
    /// read the state back from the database and the error is returned: the caller
    /// answers 500 and nothing happened. `f` fails only before it changes anything.
    pub async fn transact<R>(
        &self,
        f: impl FnOnce(&mut State, &mut Vec<Change>) -> Result<R, String>,
    ) -> Result<R, String> {
        let (out, pending) = {
            let mut state = self.lock();
            let mut changes = Vec::new();
            let out = f(&mut state, &mut changes);
            let pending = match (&self.store, &out) {
                (Some(writer), Ok(_)) if !changes.is_empty() => Some(writer.submit(changes)),
                _ => None,
            };
            (out, pending)
        };
        if let Some(committed) = pending {
            committed
                .await
                .map_err(|_| "the state writer stopped".to_owned())??;
        }
        out
    }

    /// [`Mock::transact`] for a change that cannot fail but for the store.
    pub async fn with_state<R>(
        &self,
        f: impl FnOnce(&mut State, &mut Vec<Change>) -> R,
    ) -> Result<R, String> {
        self.transact(|s, changes| Ok(f(s, changes))).await
    }

    async fn session(&self, kind: SessionKind) -> Result<ConnectSessionEnvelope, String> {
        let token = new_token()?;
        let expires_at_ms = now_ms() + SESSION_TTL_MS;
        let link = format!(
            "{}/?session_token={token}",
            self.connect_url.trim_end_matches('/')
        );
        let expires_at = chrono::DateTime::from_timestamp_millis(expires_at_ms)
            .ok_or("the session's expiry is out of range")?
            .fixed_offset();
        let envelope = ConnectSessionEnvelope::new(
            ConnectSession::new(token.clone(), expires_at).with_connect_link(link),
        );
        let now = now_ms();
        self.with_state(|s, changes| {
            let session = Session {
                token: token.clone(),
                expires_at_ms,
                kind,
                used: false,
            };
            changes.push(Change::Session(session.clone()));
            let dropped = s.add_session(session, now);
            if !dropped.is_empty() {
                changes.push(Change::DropSessions(dropped));
            }
        })
        .await?;
        Ok(envelope)
    }
}

/// A 500 body: the reason without file paths (a state file's location stays private).
fn server_error(e: String) -> StdError {
    let message = if e.contains('/') {
        "The server failed; nothing was changed.".to_owned()
    } else {
        e
    };
    error("server_error", &message)
}

/// A rejection in Nango's `StdError` shape: `{"error": {"code", "message"?, "errors"?:
/// [{code, message, path}]}}`, with the codes and messages Nango's server uses where the
/// router's own differ (`missing_auth_header`; zod's `invalid_type` for a missing value).
pub fn std_error(rejection: &Rejection) -> serde_json::Value {
    let (code, message) = match rejection.code.as_ref() {
        codes::MISSING_CREDENTIALS => (
            "missing_auth_header",
            Some(
                "Authentication failed. The request is missing the Authorization header."
                    .to_owned(),
            ),
        ),
        // Nango splits `Bearer ` off whatever the header holds and finds no UUID v4.
        codes::UNSUPPORTED_CREDENTIALS => (
            "invalid_secret_key_format",
            Some("Authentication failed. The provided secret key is not a UUID v4.".to_owned()),
        ),
        codes::MISSING_CONTENT_TYPE => (
            codes::INVALID_CONTENT_TYPE,
            Some("Content-Type header must be application/json".to_owned()),
        ),
        other => (other, rejection.message.clone()),
    };
    let mut error = serde_json::Map::new();
    error.insert("code".into(), code.into());
    if let Some(m) = message {
        error.insert("message".into(), m.into());
    }
    let security = rejection.errors.iter().all(|e| e.part == Part::Security);
    if !rejection.errors.is_empty() && !security {
        let errors: Vec<serde_json::Value> = rejection
            .errors
            .iter()
            .map(|e| {
                let code = if e.code == "missing" {
                    "invalid_type"
                } else {
                    e.code.as_str()
                };
                json!({"code": code, "message": e.message, "path": e.path})
            })
            .collect();
        error.insert("errors".into(), errors.into());
    }
    json!({ "error": error })
}

impl Server for Mock {
    type Principal = Principal;

    fn reject(&self, rejection: Rejection) -> axum::response::Response {
        let body = serde_json::to_vec(&std_error(&rejection)).unwrap_or_default();
        let mut response =
            generated::runtime::server::bytes_response(rejection.status, "application/json", body);
        if let Some(allow) = rejection
            .allow
            .as_deref()
            .and_then(|a| axum::http::HeaderValue::from_str(a).ok())
        {
            response
                .headers_mut()
                .insert(axum::http::header::ALLOW, allow);
        }
        response
    }

    async fn authenticate(&self, credentials: Credentials) -> Result<Principal, Rejection> {
        let fail = |code: &'static str, message: &str| {
            Rejection::new(401, code, format!("Authentication failed. {message}"))
        };
        let token = credentials.bearer().unwrap_or_default().to_owned();
        if token.is_empty() {
            return Err(fail(
                "malformed_auth_header",
                "The Authorization header is malformed.",
            ));
        }
        if !is_uuid_v4(&token) {
            return Err(fail(
                "invalid_secret_key_format",
                "The provided secret key is not a UUID v4.",
            ));
        }
        let keys = self.lock().keys.clone();
        // Compare against every key in constant time, so timing says nothing about near misses.
        let mut found = None;
        for key in &keys {
            if bool::from(key.secret.as_bytes().ct_eq(token.as_bytes())) {
                found = Some(key.scopes.clone());
            }
        }
        match found {
            Some(scopes) => Ok(Principal { scopes }),
            None => Err(fail(
                "unknown_account",
                "The provided authorization header does not match any account.",
            )),
        }
    }

    async fn create_reconnect_session(
        &self,
        principal: Principal,
        body: ConnectSessionReconnectInput,
    ) -> CreateReconnectSessionResponse {
        if !principal.has(SCOPE_SESSIONS_WRITE) {
            return CreateReconnectSessionResponse::Forbidden(insufficient(SCOPE_SESSIONS_WRITE));
        }
        let found = self
            .lock()
            .connections
            .iter()
            .find(|c| {
                c.connection_id == body.connection_id
                    && c.provider_config_key == body.integration_id
            })
            .map(|c| c.created_with_session);
        match found {
            None => CreateReconnectSessionResponse::BadRequest(error(
                "invalid_body",
                "ConnectionID or IntegrationId does not exists",
            )),
            Some(false) => CreateReconnectSessionResponse::BadRequest(error(
                "invalid_body",
                "Can't update a connection that was not created with a session token",
            )),
            Some(true) => {
                let kind = SessionKind::Reconnect {
                    connection_id: body.connection_id,
                    integration_id: body.integration_id,
                };
                match self.session(kind).await {
                    Ok(envelope) => CreateReconnectSessionResponse::Created(envelope),
                    Err(e) => CreateReconnectSessionResponse::InternalServerError(server_error(e)),
                }
            }
        }
    }

    async fn create_connect_session(
        &self,
        principal: Principal,
        body: ConnectSessionInput,
    ) -> CreateConnectSessionResponse {
        if !principal.has(SCOPE_SESSIONS_WRITE) {
            return CreateConnectSessionResponse::Forbidden(insufficient(SCOPE_SESSIONS_WRITE));
        }
        let integrations = self.lock().integrations.clone();
        let allowed = body.allowed_integrations.clone().unwrap_or_default();
        for (i, key) in allowed.iter().enumerate() {
            if !integrations.contains_key(key) {
                let index = i.to_string();
                return CreateConnectSessionResponse::BadRequest(field_error(
                    "custom",
                    "Integration does not exist",
                    &["allowed_integrations", &index],
                ));
            }
        }
        for (field, keys) in [
            (
                "integrations_config_defaults",
                body.integrations_config_defaults
                    .as_ref()
                    .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            ),
            (
                "overrides",
                body.overrides
                    .as_ref()
                    .map(|m| m.keys().cloned().collect::<Vec<_>>()),
            ),
        ] {
            if let Some(missing) = keys
                .unwrap_or_default()
                .into_iter()
                .find(|k| !integrations.contains_key(k))
            {
                return CreateConnectSessionResponse::BadRequest(field_error(
                    "custom",
                    "Integration does not exist",
                    &[field, &missing],
                ));
            }
        }
        if body
            .overrides
            .as_ref()
            .is_some_and(|o| o.values().any(|v| v.docs_connect.is_some()))
        {
            return CreateConnectSessionResponse::Forbidden(error(
                "forbidden",
                "You are not allowed to override the docs connect url",
            ));
        }
        let tags = body.tags.clone().unwrap_or_default();
        match self
            .session(SessionKind::Create {
                allowed_integrations: allowed,
                tags,
            })
            .await
        {
            Ok(envelope) => CreateConnectSessionResponse::Created(envelope),
            Err(e) => CreateConnectSessionResponse::InternalServerError(server_error(e)),
        }
    }

    async fn get_connection(
        &self,
        principal: Principal,
        params: GetConnectionParams,
    ) -> GetConnectionResponse {
        if !principal.has(SCOPE_CONNECTIONS_READ) {
            return GetConnectionResponse::Forbidden(insufficient(SCOPE_CONNECTIONS_READ));
        }
        let with_credentials = principal.has(SCOPE_SESSIONS_WRITE);
        // `last_fetched_at` changes on every read; it is not worth a write.
        let answer = self
            .transact(|s, _| {
                if !s.integrations.contains_key(&params.provider_config_key) {
                    return Ok(GetConnectionResponse::BadRequest(error(
                        "unknown_provider_config",
                        "Provider does not exists",
                    )));
                }
                let Some(c) = s.connection_mut(&params.provider_config_key, &params.connection_id)
                else {
                    return Ok(GetConnectionResponse::NotFound(error(
                        "not_found",
                        "Failed to find connection",
                    )));
                };
                if c.expired {
                    let mut payload = serde_json::Map::new();
                    payload.insert("connection_id".into(), c.connection_id.clone().into());
                    payload.insert(
                        "provider_config_key".into(),
                        c.provider_config_key.clone().into(),
                    );
                    return Ok(GetConnectionResponse::FailedDependency(
                        StdErrorWithPayload::new(
                            StdErrorWithPayloadError::new("invalid_credentials")
                                .with_message(
                                    "The refresh limit has been reached for this connection.",
                                )
                                .with_payload(payload),
                        ),
                    ));
                }
                c.last_fetched_at = Some(iso_offset(now_ms()));
                Ok(GetConnectionResponse::Ok(from_json(connection_json(
                    c,
                    with_credentials,
                ))?))
            })
            .await;
        answer.unwrap_or_else(|e| GetConnectionResponse::InternalServerError(server_error(e)))
    }

    async fn delete_connection(
        &self,
        principal: Principal,
        params: DeleteConnectionParams,
    ) -> DeleteConnectionResponse {
        if !principal.has(SCOPE_CONNECTIONS_DELETE) {
            return DeleteConnectionResponse::Forbidden(insufficient(SCOPE_CONNECTIONS_DELETE));
        }
        let answer = self
            .transact(|s, changes| {
                let deleted = DeleteConnectionResult::new(true);
                let before = s.connections.len();
                s.connections.retain(|c| {
                    !(c.provider_config_key == params.provider_config_key
                        && c.connection_id == params.connection_id)
                });
                if s.connections.len() == before {
                    Ok(DeleteConnectionResponse::NotFound(error(
                        "not_found",
                        "Failed to find connection",
                    )))
                } else {
                    changes.push(Change::DropConnection {
                        integration: params.provider_config_key.clone(),
                        connection_id: params.connection_id.clone(),
                    });
                    Ok(DeleteConnectionResponse::Ok(deleted))
                }
            })
            .await;
        answer.unwrap_or_else(|e| DeleteConnectionResponse::InternalServerError(server_error(e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v4_check_matches_nango() {
        assert!(is_uuid_v4("6f1c2b0e-8a3d-4e5f-9a7b-0c1d2e3f4a5b"));
        assert!(is_uuid_v4("6F1C2B0E-8A3D-4E5F-AA7B-0C1D2E3F4A5B"));
        assert!(!is_uuid_v4("6f1c2b0e-8a3d-3e5f-9a7b-0c1d2e3f4a5b")); // version 3
        assert!(!is_uuid_v4("6f1c2b0e-8a3d-4e5f-7a7b-0c1d2e3f4a5b")); // variant
        assert!(!is_uuid_v4("not-a-uuid"));
    }

    #[test]
    fn tokens_and_timestamps_have_nango_formats() {
        let t = new_token().unwrap();
        assert_eq!(t.len(), "nango_connect_session_".len() + 64);
        assert!(
            t["nango_connect_session_".len()..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(t, new_token().unwrap());
        assert_eq!(iso_z(1_767_226_201_449), "2026-01-01T00:10:01.449Z");
        assert_eq!(
            iso_offset(1_767_226_201_449),
            "2026-01-01T00:10:01.449+00:00"
        );
    }
}
