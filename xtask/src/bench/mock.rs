//! `cargo xtask bench mock`: load on `POST /connect/sessions/reconnect` with wrk, against the
//! embedded mock (release build) and, in the same command, a Prism mock of the bundled spec.
//! Prints requests per second, p50/p99 for both, and the ratio. Loopback only.

use super::Args;
use crate::spec_args::workspace_root;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the child when dropped, so no server outlives the command.
pub(super) struct Guard(pub(super) Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What wrk measured.
pub(super) struct Load {
    pub(super) rps: f64,
    pub(super) p50: f64,
    pub(super) p99: f64,
    pub(super) statuses: String,
}

pub(super) fn run(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?} failed: {status}"))
    }
}

pub(super) fn ensure_wrk() -> Result<(), String> {
    if Command::new("wrk").arg("-v").output().is_ok() {
        return Ok(());
    }
    eprintln!("installing wrk (Debian package)…");
    run(Command::new("apt-get").args(["install", "-y", "-qq", "wrk"])).or_else(|_| {
        run(Command::new("apt-get").args(["update", "-qq"]))
            .and_then(|()| run(Command::new("apt-get").args(["install", "-y", "-qq", "wrk"])))
    })
}

pub(super) fn ensure_prism(version: &str) -> Result<std::path::PathBuf, String> {
    if let Ok(p) = std::env::var("PRISM") {
        return Ok(p.into());
    }
    let dir = workspace_root().join("target/bench/prism");
    let bin = dir.join("node_modules/.bin/prism");
    if !bin.exists() {
        eprintln!("installing @stoplight/prism-cli@{version} (npm)…");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        run(Command::new("npm")
            .args(["install", "--silent", "--prefix"])
            .arg(&dir)
            .arg(format!("@stoplight/prism-cli@{version}")))?;
    }
    Ok(bin)
}

pub(super) fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    l.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

pub(super) fn wait_for(port: u16, child: &mut Child, limit: Duration) -> Result<(), String> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("server exited early: {status}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(format!("nothing listened on port {port} within {limit:?}"))
}

/// wrk with `POST /connect/sessions/reconnect` for the mock's seeded connection.
fn load(url: &str, token: &str, args: &Args) -> Result<Load, String> {
    let script = workspace_root().join("xtask/bench/request.lua");
    let env = [
        ("WRK_METHOD", "POST".to_owned()),
        ("WRK_PATH", "/connect/sessions/reconnect".to_owned()),
        (
            "WRK_BODY",
            r#"{"connection_id":"conn-session-1","integration_id":"github"}"#.to_owned(),
        ),
        (
            "WRK_HEADERS",
            format!("Content-Type: application/json\nAuthorization: Bearer {token}"),
        ),
    ];
    load_with(&script, url, &env, args)
}

/// wrk with a Lua script and its environment against `url`.
pub(super) fn load_with(
    script: &std::path::Path,
    url: &str,
    env: &[(&str, String)],
    args: &Args,
) -> Result<Load, String> {
    let out = Command::new("wrk")
        .args([
            "-t2",
            &format!("-c{}", args.connections),
            &format!("-d{}s", args.seconds),
            "--latency",
            "-s",
        ])
        .arg(script)
        .arg(url)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .map_err(|e| format!("wrk: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let find = |prefix: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(prefix))
            .map(str::to_owned)
    };
    let rps = find("Requests/sec:")
        .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        .ok_or(format!("no Requests/sec in wrk output:\n{text}"))?;
    let lat = find("latency_ms").ok_or(format!("no latency line in wrk output:\n{text}"))?;
    let value = |key: &str| {
        lat.split_whitespace()
            .find_map(|kv| kv.strip_prefix(key))
            .and_then(|v| v.parse().ok())
            .unwrap_or(f64::NAN)
    };
    Ok(Load {
        rps,
        p50: value("p50="),
        p99: value("p99="),
        statuses: find("statuses:").unwrap_or_default(),
    })
}

/// Starts `BINARY mock --port PORT` (the Nango mock) and reads its secret key from the
/// banner; stdout keeps being drained so the mock never writes to a closed pipe.
pub(super) fn start_nango_mock(
    binary: &std::path::Path,
    port: u16,
    extra: &[&std::ffi::OsStr],
) -> Result<(Guard, String), String> {
    let mut mock = Guard(
        Command::new(binary)
            .args(["mock", "--port", &port.to_string()])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?,
    );
    let stdout = mock.0.stdout.take().ok_or("the mock has no stdout")?;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(k) = line.trim().strip_prefix("secret key (all scopes):") {
                let _ = tx.send(k.trim().to_owned());
            }
        }
    });
    let key = rx
        .recv_timeout(Duration::from_secs(30))
        .map_err(|_| "the mock did not print its key")?;
    wait_for(port, &mut mock.0, Duration::from_secs(30))?;
    Ok((mock, key))
}

/// wrk on `POST /connect/sessions/reconnect` of the Nango mock at `url`.
pub(super) fn load_reconnects(url: &str, token: &str, args: &Args) -> Result<Load, String> {
    load(url, token, args)
}

/// Runs `bench mock`.
pub fn bench(args: &Args) -> Result<(), String> {
    ensure_wrk()?;
    let prism = ensure_prism(&args.prism_version)?;
    let root = workspace_root();
    eprintln!("building the mock in release…");
    run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .current_dir(&root)
            .args(["build", "--release", "--quiet", "-p", "xtask"]),
    )?;
    // Our mock, release build.
    let ours_port = free_port()?;
    let (_ours, key) = start_nango_mock(&root.join("target/release/xtask"), ours_port, &[])?;
    // The same mock keeping its state in SQLite (`--state`).
    let state = root.join("target/bench/state.db");
    std::fs::create_dir_all(root.join("target/bench")).map_err(|e| e.to_string())?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", state.display()));
    }
    let stored_port = free_port()?;
    let (_stored, _) = start_nango_mock(
        &root.join("target/release/xtask"),
        stored_port,
        &["--state".as_ref(), state.as_os_str()],
    )?;
    // Prism on the bundled effective spec.
    let bundle = root.join("target/bench/nango.yaml");
    std::fs::create_dir_all(root.join("target/bench")).map_err(|e| e.to_string())?;
    let loaded = codegen::check(
        codegen::Input::read(&root.join("spec/nango.yaml"), "spec/nango.yaml")
            .map_err(|d| d.message)?,
        vec![
            codegen::Input::read(
                &root.join("spec/nango.overlay.yaml"),
                "spec/nango.overlay.yaml",
            )
            .map_err(|d| d.message)?,
        ],
    );
    let doc = loaded.document.ok_or("the spec did not load")?;
    std::fs::write(
        &bundle,
        codegen::bundle::render(&doc, codegen::bundle::Format::Yaml).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let prism_port = free_port()?;
    let mut prism_child = Guard(
        Command::new(&prism)
            .args(["mock", "-h", "127.0.0.1", "-p", &prism_port.to_string()])
            .arg(&bundle)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{}: {e}", prism.display()))?,
    );
    wait_for(prism_port, &mut prism_child.0, Duration::from_secs(60))?;
    eprintln!(
        "loading each server for {}s with {} connections…",
        args.seconds, args.connections
    );
    let ours_load = load(&format!("http://127.0.0.1:{ours_port}"), &key, args)?;
    let stored_load = load(&format!("http://127.0.0.1:{stored_port}"), &key, args)?;
    let prism_load = load(&format!("http://127.0.0.1:{prism_port}"), &key, args)?;
    println!(
        "{:<22} {:>10} {:>9} {:>9}  statuses",
        "server", "req/s", "p50 ms", "p99 ms"
    );
    for (name, l) in [
        ("embedded mock", &ours_load),
        ("mock with --state", &stored_load),
        ("prism mock", &prism_load),
    ] {
        println!(
            "{:<22} {:>10.0} {:>9.3} {:>9.3}  {}",
            name,
            l.rps,
            l.p50,
            l.p99,
            l.statuses.trim_start_matches("statuses:").trim()
        );
    }
    println!(
        "throughput ratio (mock ÷ prism): {:.1}x (goal ≥ 10x); mock p99 {:.3} ms (goal ≤ 5 ms)",
        ours_load.rps / prism_load.rps,
        ours_load.p99
    );
    println!(
        "--state ÷ in memory: {:.2} (goal ≥ 0.5: every session is one SQLite transaction)",
        stored_load.rps / ours_load.rps
    );
    Ok(())
}
