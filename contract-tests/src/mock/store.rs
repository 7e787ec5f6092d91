//! The mock's state on disk (`--state FILE`): an SQLite database, one transaction per
//! change, written only when something changed.
//!
//! - **Durability:** WAL journal, `synchronous = NORMAL`: a committed change is in the
//!   operating system's hands before the answer goes out, so it survives `kill -9` of the
//!   mock (not a power cut — a mock does not need an fsync per request).
//! - **Throughput:** a [`Writer`] thread commits whatever is queued as one transaction.
//! - **One process:** the database is opened with an exclusive lock held for the
//!   process's life; a second mock on the same file refuses to start instead of losing
//!   writes.
//! - **Versioned:** `PRAGMA user_version` names the schema; [`MIGRATIONS`] bring an older
//!   database up to date, and a JSON state file of earlier mocks is imported (and kept
//!   beside it as `FILE.json-v0`).
//! - **Validated:** every row is read back through the spec's types at start; a row that
//!   does not fit is reported by table and key and the mock refuses to start.
//! - **No secrets:** keys come from the environment at every start and are never stored.

use super::state::{Connection, Session, State};
use rusqlite::{Connection as Db, OptionalExtension, params};
use std::collections::BTreeMap;
use std::path::Path;

/// The schema, one step per version (`user_version` is the number of steps applied).
const MIGRATIONS: &[&str] = &["
    CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE integrations (key TEXT PRIMARY KEY, provider TEXT NOT NULL);
    CREATE TABLE connections (
        provider_config_key TEXT NOT NULL,
        connection_id TEXT NOT NULL,
        row TEXT NOT NULL,
        PRIMARY KEY (provider_config_key, connection_id)
    );
    CREATE TABLE sessions (token TEXT PRIMARY KEY, expires_at_ms INTEGER NOT NULL, row TEXT NOT NULL);
"];

/// One change to the state, as the store writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Change {
    /// A session created or updated.
    Session(Session),
    /// Sessions swept (expired, used, or the oldest past the cap).
    DropSessions(Vec<String>),
    /// A connection created or updated (unique per integration and connection id).
    Connection(Box<Connection>),
    /// A connection deleted.
    DropConnection {
        /// Its integration.
        integration: String,
        /// Its id.
        connection_id: String,
    },
    /// The next numeric connection id.
    NextId(i64),
}

/// An open state database.
pub struct Store {
    db: Db,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

fn sql(e: rusqlite::Error) -> String {
    e.to_string()
}

impl Store {
    /// Opens (or creates) the database at `path`, takes its lock, brings its schema up to
    /// date, and reads the state; a new database is filled with `seed`. A JSON state file
    /// of an earlier mock is imported. Keys are not stored: the caller puts the
    /// environment's back.
    pub fn open(path: &Path, seed: impl FnOnce() -> State) -> Result<(Store, State), String> {
        let legacy = legacy_json(path)?;
        let mut db = Db::open(path).map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        let in_use = |e: rusqlite::Error| {
            let busy = matches!(
                e.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
            );
            if busy {
                format!(
                    "{} is in use by another mock; two mocks on one state would lose writes",
                    path.display()
                )
            } else {
                format!("cannot open {}: {e}", path.display())
            }
        };
        db.busy_timeout(std::time::Duration::from_millis(200))
            .map_err(in_use)?;
        // The lock is taken at the first access and held until the process ends: a second
        // mock on this file stops here.
        db.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(in_use)?;
        db.pragma_update(None, "journal_mode", "WAL")
            .map_err(in_use)?;
        db.pragma_update(None, "synchronous", "NORMAL")
            .map_err(in_use)?;
        db.execute_batch("BEGIN EXCLUSIVE; COMMIT;")
            .map_err(in_use)?;
        let version: i64 = db
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(sql)?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(format!(
                "{} has schema version {version}; this mock knows up to {known} (a newer mock wrote it)",
                path.display()
            ));
        }
        let fresh = version == 0;
        for (i, step) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let tx = db.transaction().map_err(sql)?;
            tx.execute_batch(step).map_err(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)
                .map_err(sql)?;
            tx.commit().map_err(sql)?;
        }
        let mut store = Store { db };
        if fresh {
            let state = match legacy {
                Some(state) => state,
                None => seed(),
            };
            store.replace(&state)?;
        }
        let state = store.read().map_err(|e| {
            format!(
                "{} is not a valid mock state ({e}); refusing to start rather than overwrite it",
                path.display()
            )
        })?;
        Ok((store, state))
    }

    /// Writes the whole state (a new database).
    fn replace(&mut self, state: &State) -> Result<(), String> {
        let tx = self.db.transaction().map_err(sql)?;
        tx.execute("DELETE FROM integrations", []).map_err(sql)?;
        tx.execute("DELETE FROM connections", []).map_err(sql)?;
        tx.execute("DELETE FROM sessions", []).map_err(sql)?;
        for (key, provider) in &state.integrations {
            tx.execute(
                "INSERT INTO integrations (key, provider) VALUES (?1, ?2)",
                params![key, provider],
            )
            .map_err(sql)?;
        }
        let mut changes: Vec<Change> = state
            .connections
            .iter()
            .cloned()
            .map(|c| Change::Connection(Box::new(c)))
            .collect();
        changes.extend(state.sessions.values().cloned().map(Change::Session));
        changes.push(Change::NextId(state.next_id));
        for c in &changes {
            write(&tx, c)?;
        }
        tx.commit().map_err(sql)
    }

    /// Applies `changes` as one transaction: all of them or none.
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), String> {
        if changes.is_empty() {
            return Ok(());
        }
        let tx = self.db.transaction().map_err(sql)?;
        for c in changes {
            write(&tx, c)?;
        }
        tx.commit().map_err(sql)
    }

    /// Refuses (or allows again) every write.
    pub fn set_read_only(&self, read_only: bool) -> Result<(), String> {
        self.db
            .pragma_update(None, "query_only", read_only)
            .map_err(sql)
    }

    /// The state as stored (without keys), every row checked.
    pub fn read(&self) -> Result<State, String> {
        let mut integrations = BTreeMap::new();
        let mut stmt = self
            .db
            .prepare("SELECT key, provider FROM integrations ORDER BY key")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(sql)?;
        for row in rows {
            let (k, v) = row.map_err(sql)?;
            integrations.insert(k, v);
        }
        let mut connections: Vec<Connection> = Vec::new();
        let mut stmt = self
            .db
            .prepare("SELECT provider_config_key, connection_id, row FROM connections")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(sql)?;
        for row in rows {
            let (integration, id, text) = row.map_err(sql)?;
            let c: Connection = serde_json::from_str(&text)
                .map_err(|e| format!("connection `{id}` on `{integration}`: {e}"))?;
            connections.push(c);
        }
        connections.sort_by_key(|c| c.id);
        let mut sessions = BTreeMap::new();
        let mut stmt = self
            .db
            .prepare("SELECT token, row FROM sessions")
            .map_err(sql)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(sql)?;
        for row in rows {
            let (token, text) = row.map_err(sql)?;
            let s: Session = serde_json::from_str(&text).map_err(|e| {
                format!(
                    "session `{}…`: {e}",
                    token.chars().take(30).collect::<String>()
                )
            })?;
            sessions.insert(token, s);
        }
        let next_id: i64 = self
            .db
            .query_row("SELECT value FROM meta WHERE key = 'next_id'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(sql)?
            .unwrap_or_else(|| connections.iter().map(|c| c.id).max().unwrap_or(0) + 1);
        let state = State {
            keys: Vec::new(),
            integrations,
            connections,
            sessions,
            next_id,
            by_expiry: std::collections::VecDeque::new(),
        };
        state.validate()?;
        Ok(state)
    }
}

/// What the writer thread is asked.
enum Job {
    /// Write these changes; say how it went.
    Apply(
        Vec<Change>,
        tokio::sync::oneshot::Sender<Result<(), String>>,
    ),
    /// Refuse (or allow) writes from now on.
    ReadOnly(bool, tokio::sync::oneshot::Sender<Result<(), String>>),
}

/// The store on a thread of its own: changes are sent in the order they were made (the
/// sender holds the state lock while sending, never while writing), written in batches —
/// everything queued becomes one transaction (group commit) — and each sender hears back
/// once its batch is committed. No async worker waits on disk, and no lock is held
/// across I/O. When a batch fails, memory is read back from the database, so answers
/// (500) and state agree.
#[derive(Clone, Debug)]
pub struct Writer {
    jobs: std::sync::mpsc::Sender<Job>,
}

/// Most changes' senders in one batch.
const BATCH: usize = 512;

impl Writer {
    /// Starts the writer thread over `store`; `state` is what it reloads after a failure.
    /// The thread ends (and the database is closed) when the last `Writer` is dropped.
    pub fn start(
        mut store: Store,
        state: std::sync::Arc<std::sync::Mutex<State>>,
    ) -> Result<Writer, String> {
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("mock-state-writer".into())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut batch = vec![first];
                    while batch.len() < BATCH {
                        match queue.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    store.run(batch, &state);
                }
            })
            .map_err(|e| format!("cannot start the state writer: {e}"))?;
        Ok(Writer { jobs })
    }

    /// Queues `changes`; the receiver hears when they are committed (or why not).
    pub fn submit(
        &self,
        changes: Vec<Change>,
    ) -> tokio::sync::oneshot::Receiver<Result<(), String>> {
        let (done, heard) = tokio::sync::oneshot::channel();
        if let Err(std::sync::mpsc::SendError(Job::Apply(_, done))) =
            self.jobs.send(Job::Apply(changes, done))
        {
            let _ = done.send(Err("the state writer stopped".into()));
        }
        heard
    }

    /// Refuses (or allows again) every write, as a read-only replica would: each change
    /// then fails and is answered 500 with nothing changed. What tests use to make a
    /// write fail.
    pub async fn set_read_only(&self, read_only: bool) -> Result<(), String> {
        let (done, heard) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job::ReadOnly(read_only, done))
            .map_err(|_| "the state writer stopped".to_owned())?;
        heard
            .await
            .map_err(|_| "the state writer stopped".to_owned())?
    }
}

impl Store {
    /// Runs a batch of jobs: the changes of every `Apply` as one transaction.
    fn run(&mut self, batch: Vec<Job>, state: &std::sync::Mutex<State>) {
        let mut changes: Vec<Change> = Vec::new();
        let mut waiting = Vec::new();
        for job in batch {
            match job {
                Job::Apply(c, done) => {
                    changes.extend(c);
                    waiting.push(done);
                }
                Job::ReadOnly(on, done) => {
                    let _ = done.send(self.set_read_only(on));
                }
            }
        }
        let result = self.apply(&changes);
        if result.is_err()
            && let Ok(stored) = self.read()
        {
            let mut memory = state
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let keys = std::mem::take(&mut memory.keys);
            *memory = State { keys, ..stored };
        }
        for done in waiting {
            let _ = done.send(result.clone());
        }
    }
}

/// One change as SQL.
fn write(tx: &rusqlite::Transaction<'_>, change: &Change) -> Result<(), String> {
    match change {
        Change::Session(s) => tx
            .execute(
                "INSERT INTO sessions (token, expires_at_ms, row) VALUES (?1, ?2, ?3)
                 ON CONFLICT(token) DO UPDATE SET expires_at_ms = excluded.expires_at_ms, row = excluded.row",
                params![s.token, s.expires_at_ms, json(s)?],
            )
            .map(|_| ()),
        Change::DropSessions(tokens) => {
            let mut stmt = tx
                .prepare_cached("DELETE FROM sessions WHERE token = ?1")
                .map_err(sql)?;
            for t in tokens {
                stmt.execute(params![t]).map_err(sql)?;
            }
            Ok(())
        }
        Change::Connection(c) => tx
            .execute(
                "INSERT INTO connections (provider_config_key, connection_id, row) VALUES (?1, ?2, ?3)
                 ON CONFLICT(provider_config_key, connection_id) DO UPDATE SET row = excluded.row",
                params![c.provider_config_key, c.connection_id, json(c)?],
            )
            .map(|_| ()),
        Change::DropConnection {
            integration,
            connection_id,
        } => tx
            .execute(
                "DELETE FROM connections WHERE provider_config_key = ?1 AND connection_id = ?2",
                params![integration, connection_id],
            )
            .map(|_| ()),
        Change::NextId(n) => tx
            .execute(
                "INSERT INTO meta (key, value) VALUES ('next_id', ?1)
                 ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                params![n],
            )
            .map(|_| ()),
    }
    .map_err(sql)
}

/// A row's value as the JSON text stored.
fn json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

/// Where an imported JSON state file of an earlier mock is kept.
fn legacy_path(path: &Path) -> Option<std::path::PathBuf> {
    let name = path.file_name()?.to_str()?;
    Some(path.with_file_name(format!("{name}.json-v0")))
}

/// A JSON state file of an earlier mock at `path`: read, validated, and moved aside so the
/// database can take its place. `None` when `path` is absent or already a database.
fn legacy_json(path: &Path) -> Result<Option<State>, String> {
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(None);
    };
    if bytes.starts_with(b"SQLite format 3\0") || bytes.is_empty() {
        return Ok(None);
    }
    let state = State::load(path)?.ok_or_else(|| format!("{} vanished", path.display()))?;
    let aside = legacy_path(path).ok_or_else(|| format!("{} has no file name", path.display()))?;
    std::fs::rename(path, &aside)
        .map_err(|e| format!("cannot move {} aside: {e}", path.display()))?;
    Ok(Some(state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mock::state::DEV_SECRET_KEY;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("mock-store-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn changes_survive_a_reopen_and_a_second_opener_is_refused() {
        let dir = scratch("reopen");
        let path = dir.join("state.db");
        let (mut store, state) = Store::open(&path, || State::seeded(DEV_SECRET_KEY)).unwrap();
        assert_eq!(state.connections.len(), 2);
        assert!(state.keys.is_empty(), "keys are never stored");
        let second = Store::open(&path, || State::seeded(DEV_SECRET_KEY));
        assert!(second.unwrap_err().contains("in use by another mock"));
        let mut c = state.connections[0].clone();
        c.metadata.insert("k".into(), "v".into());
        store
            .apply(&[
                Change::Connection(Box::new(c.clone())),
                Change::DropConnection {
                    integration: "github".into(),
                    connection_id: "conn-legacy-1".into(),
                },
                Change::NextId(9),
            ])
            .unwrap();
        drop(store);
        let (_store, state) = Store::open(&path, || unreachable!("not fresh")).unwrap();
        assert_eq!(state.connections, vec![c]);
        assert_eq!(state.next_id, 9);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn bad_rows_and_newer_schemas_are_refused() {
        let dir = scratch("bad");
        let path = dir.join("state.db");
        let (store, _) = Store::open(&path, || State::seeded(DEV_SECRET_KEY)).unwrap();
        store
            .db
            .execute(
                "UPDATE connections SET row = json_set(row, '$.created_at', 'not-a-date') WHERE connection_id = 'conn-session-1'",
                [],
            )
            .unwrap();
        drop(store);
        let e = Store::open(&path, || State::seeded(DEV_SECRET_KEY)).unwrap_err();
        assert!(
            e.contains("conn-session-1") && e.contains("refusing"),
            "{e}"
        );
        let db = Db::open(&path).unwrap();
        db.pragma_update(None, "user_version", 99).unwrap();
        drop(db);
        let e = Store::open(&path, || State::seeded(DEV_SECRET_KEY)).unwrap_err();
        assert!(e.contains("schema version 99"), "{e}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_json_state_of_an_earlier_mock_is_imported_and_kept_aside() {
        let dir = scratch("legacy");
        let path = dir.join("state.json");
        let mut old = State::seeded(DEV_SECRET_KEY);
        old.next_id = 42;
        old.save(&path).unwrap();
        let (_store, state) = Store::open(&path, || unreachable!("imported")).unwrap();
        assert_eq!(state.next_id, 42);
        assert!(dir.join("state.json.json-v0").exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}
