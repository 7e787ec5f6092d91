//! What the serving commands (`mock`, `proxy`) share: their tokio runtime, and memory given
//! back to the system once start-up is over. Building a mock of a large spec peaks at a few times what serving needs (the
//! parsed document with positions, lint, the JSON conversions); mimalloc keeps freed pages
//! for later by default, so a github-api.json mock stayed at ~340 MB RSS where ~140 MB is
//! live. mimalloc reads its options from the environment when the process starts, so the
//! command re-executes itself once with `MIMALLOC_PURGE_DELAY=0` (freed pages returned at
//! once) and `MIMALLOC_ARENA_EAGER_COMMIT=0` (arena memory committed as it is used, not
//! all at once: with it a github-api.json mock idles at ~77 MiB instead of ~95–103 MiB,
//! and stays at ~82 MiB instead of ~100–108 MiB after serving). Short commands (lint,
//! codegen) keep the defaults, which are faster for them.

/// The variable mimalloc reads; set means "already done" (or chosen by the user).
const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";
/// Whether mimalloc commits a whole arena when it reserves it.
const EAGER_COMMIT: &str = "MIMALLOC_ARENA_EAGER_COMMIT";

/// Re-executes this command with freed memory returned promptly, unless that is already
/// the case; returns (continuing as is) when it cannot.
pub fn return_freed_memory() {
    if std::env::var_os(PURGE_DELAY).is_some() {
        return;
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        // `exec` only returns on failure; then the command runs in this process.
        let mut command = std::process::Command::new(exe);
        command
            .args(std::env::args_os().skip(1))
            .env(PURGE_DELAY, "0");
        if std::env::var_os(EAGER_COMMIT).is_none() {
            command.env(EAGER_COMMIT, "0");
        }
        let _ = command.exec();
    }
}

/// The multi-threaded runtime a server runs on; the error is printed, exit 1.
pub fn runtime() -> Result<tokio::runtime::Runtime, std::process::ExitCode> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::ExitCode::from(1)
        })
}
