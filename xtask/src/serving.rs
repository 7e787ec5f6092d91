//! What the serving commands (`mock`, `proxy`) share: their tokio runtime, and memory given
//! back to the system once start-up is over. Building a mock of a large spec peaks at a few times what serving needs (the
//! parsed document with positions, lint, the JSON conversions); mimalloc keeps freed pages
//! for later by default, so a github-api.json mock stayed at ~340 MB RSS where ~140 MB is
//! live. mimalloc reads its options from the environment when the process starts, so the
//! command re-executes itself once with `MIMALLOC_PURGE_DELAY=0` (freed pages returned at
//! once). Short commands (lint, codegen) keep the default, which is faster for them.

/// The variable mimalloc reads; set means "already done" (or chosen by the user).
const PURGE_DELAY: &str = "MIMALLOC_PURGE_DELAY";

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
        let _ = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env(PURGE_DELAY, "0")
            .exec();
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
