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
    // `exec` only returns on failure; then the command runs in this process.
    let _ = exec_self(&[]);
}

/// Re-executes this command (same PID, same arguments) with `env` added and the memory
/// settings of [`return_freed_memory`] wherever the user chose none; returns only on
/// failure, with the reason.
#[cfg(unix)]
fn exec_self(env: &[(&str, &std::ffi::OsStr)]) -> String {
    use std::os::unix::process::CommandExt;
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return format!("cannot find this executable: {e}"),
    };
    let mut command = std::process::Command::new(exe);
    command
        .args(std::env::args_os().skip(1))
        .envs(env.iter().copied());
    for variable in [PURGE_DELAY, EAGER_COMMIT] {
        if std::env::var_os(variable).is_none() {
            command.env(variable, "0");
        }
    }
    command.exec().to_string()
}

#[cfg(not(unix))]
fn exec_self(_: &[(&str, &std::ffi::OsStr)]) -> String {
    "this system cannot replace a process image".into()
}

/// The variable naming the file a command handed over to its fresh image.
const PREPARED: &str = "XTASK_PREPARED";
/// When the first image started, in milliseconds since the Unix epoch.
const STARTED: &str = "XTASK_STARTED_MS";
/// How handed-over files are named in the temporary directory (only such a file is ever
/// removed by the fresh image).
const PREPARED_PREFIX: &str = "xtask-prepared-";

/// Writes what a server needs (`write`) to a new temporary file and re-executes this
/// command with that file named in its environment, freed memory returned promptly (see
/// [`return_freed_memory`]). The fresh image holds only what it reads back: nothing of
/// what preparing it left behind in this one, whose pages the allocator could not give
/// back. Returns only when that cannot be done, with the reason; the caller then serves in
/// this process.
pub fn hand_over(
    started: std::time::SystemTime,
    write: impl FnOnce(&std::fs::File) -> Result<(), String>,
) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let path = std::env::temp_dir().join(format!(
        "{PREPARED_PREFIX}{}-{nanos}.json",
        std::process::id()
    ));
    let file = match std::fs::File::create_new(&path) {
        Ok(f) => f,
        Err(e) => return format!("cannot create {}: {e}", path.display()),
    };
    let reason = match write(&file) {
        Ok(()) => exec_with(&path, started),
        Err(e) => e,
    };
    let _ = std::fs::remove_file(&path);
    reason
}

/// Re-executes this command with the handed-over file; returns only on failure.
fn exec_with(path: &std::path::Path, started: std::time::SystemTime) -> String {
    let millis = started
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
        .to_string();
    exec_self(&[
        (PREPARED, path.as_os_str()),
        (STARTED, std::ffi::OsStr::new(&millis)),
    ])
}

/// In a fresh image ([`hand_over`]): the handed-over file, opened and then removed from
/// the disk, and when the first image started. `None` when this image was not handed
/// anything.
pub fn handed_over() -> Option<Result<(std::fs::File, std::time::SystemTime), String>> {
    let path = std::path::PathBuf::from(std::env::var_os(PREPARED)?);
    let ours = path.parent() == Some(std::env::temp_dir().as_path())
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(PREPARED_PREFIX));
    if !ours {
        return Some(Err(format!(
            "{PREPARED}={} is not a file this command writes",
            path.display()
        )));
    }
    let opened = std::fs::File::open(&path).map_err(|e| format!("{}: {e}", path.display()));
    let _ = std::fs::remove_file(&path);
    let started = std::env::var(STARTED)
        .ok()
        .and_then(|m| m.parse::<u64>().ok())
        .map_or_else(std::time::SystemTime::now, |m| {
            std::time::UNIX_EPOCH + std::time::Duration::from_millis(m)
        });
    Some(opened.map(|file| (file, started)))
}

/// Another command of this executable, without the hand-over in its environment.
pub fn sibling(args: &[std::ffi::OsString]) -> std::io::Result<std::process::Command> {
    let mut command = std::process::Command::new(std::env::current_exe()?);
    command.args(args);
    for variable in [PREPARED, STARTED] {
        command.env_remove(variable);
    }
    Ok(command)
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
