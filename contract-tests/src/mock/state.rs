//! The mock's data: API keys, integrations, connections and connect sessions, seeded with a
//! fixed environment that scripts and other tools can rely on.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The development secret key used when `NANGO_SECRET_KEY` is not set (a UUID v4).
pub const DEV_SECRET_KEY: &str = "6f1c2b0e-8a3d-4e5f-9a7b-0c1d2e3f4a5b";
/// A second key with only `environment:connections:read`, so scopes are real.
pub const READ_ONLY_KEY: &str = "0d9c8b7a-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
/// Scope needed to create connect sessions.
pub const SCOPE_SESSIONS_WRITE: &str = "environment:connect_sessions:write";
/// Scope needed to read connections.
pub const SCOPE_CONNECTIONS_READ: &str = "environment:connections:read";
/// Scope needed to delete connections.
pub const SCOPE_CONNECTIONS_DELETE: &str = "environment:connections:delete";

/// An API key and what it may do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    /// The secret (a UUID v4).
    pub secret: String,
    /// Granted scopes.
    pub scopes: Vec<String>,
}

/// A connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    /// Numeric id.
    pub id: i64,
    /// The id the customer chose.
    pub connection_id: String,
    /// Integration key.
    pub provider_config_key: String,
    /// Provider name.
    pub provider: String,
    /// Whether it was created through a connect session (reconnect requires it).
    pub created_with_session: bool,
    /// Custom metadata.
    pub metadata: serde_json::Map<String, serde_json::Value>,
    /// Tags.
    pub tags: BTreeMap<String, String>,
    /// Credentials as returned.
    pub credentials: serde_json::Map<String, serde_json::Value>,
    /// Whether credentials are marked expired (GET answers 424).
    pub expired: bool,
    /// Creation time (ISO 8601).
    pub created_at: String,
    /// Last update (ISO 8601).
    pub updated_at: String,
    /// Last credential read, if any.
    pub last_fetched_at: Option<String>,
}

/// What a connect session was made for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SessionKind {
    /// Creates a new connection on one of these integrations.
    Create {
        /// Allowed integrations (empty: any).
        allowed_integrations: Vec<String>,
        /// Tags to put on the connection.
        tags: BTreeMap<String, String>,
    },
    /// Re-authorizes this connection.
    Reconnect {
        /// The connection id.
        connection_id: String,
        /// Its integration.
        integration_id: String,
    },
}

/// A connect session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// `nango_connect_session_` + 64 hex.
    pub token: String,
    /// Expiry, Unix milliseconds.
    pub expires_at_ms: i64,
    /// What it does.
    pub kind: SessionKind,
    /// Whether it was already completed (a token works once).
    pub used: bool,
}

/// Most live connect sessions kept: past it the oldest go first (a mock under endless
/// reconnect load stays flat in memory; 30 minutes of Nango-speed use fits well within).
pub const MAX_SESSIONS: usize = 100_000;

/// The whole environment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// API keys: from the environment at every start, never written to the state file (a
    /// new `NANGO_SECRET_KEY` is the key that works; the file holds no secret).
    #[serde(skip_serializing, default)]
    pub keys: Vec<ApiKey>,
    /// Integration key → provider.
    pub integrations: BTreeMap<String, String>,
    /// Connections by (integration, connection id).
    pub connections: Vec<Connection>,
    /// Sessions by token.
    pub sessions: BTreeMap<String, Session>,
    /// Next numeric connection id.
    pub next_id: i64,
    /// Sessions by expiry, oldest first (expiry grows with creation: one TTL for all), so
    /// sweeping and the cap cost amortized constant time. Rebuilt from `sessions` when
    /// they are loaded.
    #[serde(skip)]
    pub by_expiry: std::collections::VecDeque<(i64, String)>,
}

/// The seed time, so seeded rows are stable across runs.
const SEED_TIME: &str = "2026-01-01T00:00:00.000+00:00";

impl State {
    /// The fixed development environment: integrations `github` and `slack`; connection
    /// `conn-session-1` on github (created through a connect session, metadata
    /// `{"team":"core"}`, tags `{"env":"prod"}`); `conn-legacy-1` on github created without one.
    pub fn seeded(secret_key: &str) -> State {
        let connection = |id: i64,
                          connection_id: &str,
                          with_session: bool,
                          metadata: serde_json::Value,
                          tags: &[(&str, &str)]| Connection {
            id,
            connection_id: connection_id.to_owned(),
            provider_config_key: "github".into(),
            provider: "github".into(),
            created_with_session: with_session,
            metadata: metadata.as_object().cloned().unwrap_or_default(),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            credentials:
                serde_json::json!({"type": "OAUTH2", "access_token": format!("gho_seed_{id}")})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            expired: false,
            created_at: SEED_TIME.into(),
            updated_at: SEED_TIME.into(),
            last_fetched_at: None,
        };
        State {
            keys: keys(secret_key),
            integrations: [("github", "github"), ("slack", "slack")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .into_iter()
                .collect(),
            connections: vec![
                connection(
                    1,
                    "conn-session-1",
                    true,
                    serde_json::json!({"team": "core"}),
                    &[("env", "prod")],
                ),
                connection(2, "conn-legacy-1", false, serde_json::json!({}), &[]),
            ],
            sessions: BTreeMap::new(),
            next_id: 3,
            by_expiry: std::collections::VecDeque::new(),
        }
    }

    /// This state with the keys of `secret_key` (and the read-only key): what a state file
    /// loaded at start gets, so the environment's key is the one that works.
    pub fn with_keys(mut self, secret_key: &str) -> State {
        self.keys = keys(secret_key);
        self
    }

    /// Adds a session after dropping the expired ones and, past [`MAX_SESSIONS`], the
    /// oldest: amortized constant time. Returns the tokens dropped.
    pub fn add_session(&mut self, session: Session, now_ms: i64) -> Vec<String> {
        // After a load the index is empty; entries of completed sessions linger until
        // popped, and are compacted away when they outnumber the live ones.
        if self.by_expiry.len() < self.sessions.len()
            || self.by_expiry.len() > 2 * MAX_SESSIONS.max(self.sessions.len())
        {
            self.rebuild_expiry();
        }
        let mut dropped = Vec::new();
        while let Some((expires, _)) = self.by_expiry.front() {
            let expired = *expires <= now_ms;
            if !expired && self.sessions.len() < MAX_SESSIONS {
                break;
            }
            if let Some((_, token)) = self.by_expiry.pop_front()
                && self.sessions.remove(&token).is_some()
            {
                dropped.push(token);
            }
        }
        self.by_expiry
            .push_back((session.expires_at_ms, session.token.clone()));
        self.sessions.insert(session.token.clone(), session);
        dropped
    }

    /// Removes a session (completed: a token works once). Its place in `by_expiry` is
    /// skipped when reached.
    pub fn remove_session(&mut self, token: &str) -> Option<Session> {
        self.sessions.remove(token)
    }

    /// `by_expiry` made again from `sessions` (after a load).
    fn rebuild_expiry(&mut self) {
        let mut all: Vec<(i64, String)> = self
            .sessions
            .values()
            .map(|s| (s.expires_at_ms, s.token.clone()))
            .collect();
        all.sort();
        self.by_expiry = all.into();
    }

    /// The connection with this id on this integration.
    pub fn connection_mut(
        &mut self,
        integration: &str,
        connection_id: &str,
    ) -> Option<&mut Connection> {
        self.connections
            .iter_mut()
            .find(|c| c.provider_config_key == integration && c.connection_id == connection_id)
    }

    /// Loads a state file; a file that is not a valid state — it does not parse, or a row
    /// holds a value the spec does not allow — is refused (never overwritten).
    pub fn load(path: &std::path::Path) -> Result<Option<State>, String> {
        let refuse = |e: String| {
            format!(
                "{} is not a valid mock state file ({e}); refusing to start rather than overwrite it",
                path.display()
            )
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                let state: State =
                    serde_json::from_slice(&bytes).map_err(|e| refuse(e.to_string()))?;
                state.validate().map_err(refuse)?;
                Ok(Some(state))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Every connection as the API answers it must be a valid `Connection` of the spec
    /// (timestamps included), so no request can later fail on a stored row.
    pub fn validate(&self) -> Result<(), String> {
        for (i, c) in self.connections.iter().enumerate() {
            let json = super::server::connection_json(c, true);
            if let Err(e) = serde_json::from_value::<generated::types::Connection>(json) {
                return Err(format!(
                    "connections[{i}] (`{}` on `{}`): {e}",
                    c.connection_id, c.provider_config_key
                ));
            }
        }
        Ok(())
    }

    /// Writes the state as the JSON file earlier mocks kept (`--state` before SQLite): tests
    /// make such files to show they are imported. Atomic: a temporary file, fsync, rename.
    #[cfg(test)]
    pub(crate) fn save(&self, path: &std::path::Path) -> Result<(), String> {
        use std::io::Write as _;
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| e.to_string())?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let tmp = dir.join(format!(
            ".{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("state")
        ));
        let write = || -> std::io::Result<()> {
            let mut file = std::fs::File::create(&tmp)?;
            file.write_all(&bytes)?;
            file.sync_all()?;
            std::fs::rename(&tmp, path)?;
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            Ok(())
        };
        write().map_err(|e| format!("cannot write {}: {e}", path.display()))
    }
}

/// The keys of an environment: `secret_key` with every scope, and the read-only key.
fn keys(secret_key: &str) -> Vec<ApiKey> {
    vec![
        ApiKey {
            secret: secret_key.to_owned(),
            scopes: [
                SCOPE_SESSIONS_WRITE,
                SCOPE_CONNECTIONS_READ,
                SCOPE_CONNECTIONS_DELETE,
            ]
            .map(String::from)
            .to_vec(),
        },
        ApiKey {
            secret: READ_ONLY_KEY.into(),
            scopes: vec![SCOPE_CONNECTIONS_READ.into()],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_files_round_trip_and_corrupt_ones_are_refused() {
        let dir = std::env::temp_dir().join(format!("mock-state-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("state.json");
        assert_eq!(State::load(&path).unwrap(), None);
        let state = State::seeded(DEV_SECRET_KEY);
        state.save(&path).unwrap();
        // The file holds no key; the environment's key is put back at start.
        assert!(
            !std::fs::read_to_string(&path)
                .unwrap()
                .contains(DEV_SECRET_KEY)
        );
        let loaded = State::load(&path).unwrap().unwrap();
        assert!(loaded.keys.is_empty());
        assert_eq!(loaded.with_keys(DEV_SECRET_KEY), state);
        // A row the spec does not allow is refused at load, not found by a request later.
        let mut bad = State::seeded(DEV_SECRET_KEY);
        bad.connections[0].created_at = "not-a-date".into();
        bad.save(&path).unwrap();
        let e = State::load(&path).unwrap_err();
        assert!(
            e.contains("connections[0] (`conn-session-1` on `github`)"),
            "{e}"
        );
        std::fs::write(&path, "{corrupt").unwrap();
        assert!(State::load(&path).unwrap_err().contains("refusing"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{corrupt");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn sessions_are_swept_and_bounded() {
        let mut state = State::seeded(DEV_SECRET_KEY);
        let session = |token: String, expires_at_ms: i64| Session {
            token,
            expires_at_ms,
            kind: SessionKind::Create {
                allowed_integrations: Vec::new(),
                tags: BTreeMap::new(),
            },
            used: false,
        };
        assert!(state.add_session(session("old".into(), 10), 0).is_empty());
        assert_eq!(state.add_session(session("new".into(), 9_000), 20), ["old"]);
        assert!(state.remove_session("new").is_some());
        assert!(state.remove_session("new").is_none(), "a token works once");
        for i in 0..MAX_SESSIONS + 5 {
            state.add_session(session(format!("t{i:06}"), 10_000 + i as i64), 1_600);
        }
        assert_eq!(state.sessions.len(), MAX_SESSIONS);
        assert!(
            state
                .sessions
                .contains_key(&format!("t{:06}", MAX_SESSIONS + 4))
        );
        assert!(
            !state.sessions.contains_key("t000000"),
            "the oldest go first"
        );
    }
}
