//! The backend of Nango's "re-authorize a connection" guide, in Rust on the generated client:
//!
//! - `GET /settings/{integration}/{connection}`: checks the connection with GET connection and
//!   reports `needs_reconnect: true` when Nango answers 4xx (the UI then shows "Reconnect").
//! - `POST /sessionToken {connection_id, integration_id}`: creates a reconnect session and returns
//!   `{sessionToken}` for the frontend's Connect UI.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use generated::client::Client;
use generated::operations::GetConnectionParams;
use generated::types::ConnectSessionReconnectInput;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What the settings page needs to know.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Settings {
    /// The connection id.
    pub connection_id: String,
    /// Whether the user must re-authorize (Nango answered 4xx).
    pub needs_reconnect: bool,
    /// The status Nango answered.
    pub status: u16,
}

/// The frontend's request for a session token.
#[derive(Debug, Deserialize)]
pub struct TokenRequest {
    /// The connection to re-authorize.
    pub connection_id: String,
    /// Its integration.
    pub integration_id: String,
}

/// The answer: the token the Connect UI needs.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct TokenResponse {
    /// `nango_connect_session_…`
    #[serde(rename = "sessionToken")]
    pub session_token: String,
}

async fn settings<C: Client + 'static>(
    State(nango): State<Arc<C>>,
    Path((integration, connection)): Path<(String, String)>,
) -> Result<Json<Settings>, (StatusCode, String)> {
    let params = GetConnectionParams::new(connection.clone(), integration)
        .with_force_refresh(false)
        .with_refresh_token(false)
        .with_refresh_github_app_jwt_token(false);
    let answer = nango
        .get_connection(&params)
        .await
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))?;
    let status = answer.status();
    Ok(Json(Settings {
        connection_id: connection,
        needs_reconnect: (400..500).contains(&status),
        status,
    }))
}

async fn session_token<C: Client + 'static>(
    State(nango): State<Arc<C>>,
    Json(request): Json<TokenRequest>,
) -> Result<Json<TokenResponse>, (StatusCode, String)> {
    let input = ConnectSessionReconnectInput::new(request.connection_id, request.integration_id);
    let session = nango
        .create_reconnect_session(&input)
        .await
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))?
        .into_result()
        .map_err(|e| (StatusCode::BAD_GATEWAY, e.to_string()))?;
    Ok(Json(TokenResponse {
        session_token: session.data.token,
    }))
}

/// The backend's routes over any [`Client`] (the reqwest one, or a test double).
pub fn app<C: Client + 'static>(nango: C) -> axum::Router {
    axum::Router::new()
        .route(
            "/settings/{integration}/{connection}",
            axum::routing::get(settings::<C>),
        )
        .route("/sessionToken", axum::routing::post(session_token::<C>))
        .with_state(Arc::new(nango))
}
