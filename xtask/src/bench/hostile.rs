//! `cargo xtask bench hostile`: normal requests to the Nango mock (as `cargo xtask mock`
//! runs it: this very binary) while hostile clients hold connections — `--connections`
//! slowloris clients trickling header bytes, and as many clients announcing a 1 MiB body
//! without credentials and trickling it. Both reconnect when cut. wrk's p50/p99 are
//! printed for the same load without and with the attack (goal: p99 ≤ 50 ms under it),
//! and the mock's memory. Loopback only.

use super::Args;
use super::mock::{ensure_wrk, free_port, load_with, start_nango_mock};
use super::spec_mock::rss_mib;
use crate::spec_args::workspace_root;
use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// Hostile clients of each kind.
const ATTACKERS: usize = 2_000;

/// What a hostile client sends first.
fn opening(kind: usize) -> &'static [u8] {
    if kind == 0 {
        b"GET /connections/x HTTP/1.1\r\nHost: x\r\n"
    } else {
        b"POST /connect/sessions/reconnect HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048575\r\n\r\n{"
    }
}

/// Keeps `ATTACKERS` connections of `kind` open against `port`, one more byte on each per
/// round, reconnecting those the server cut; counts reconnects.
fn attack(port: u16, kind: usize, stop: Arc<AtomicBool>, cuts: Arc<AtomicU64>) {
    let connect = || {
        let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
        s.write_all(opening(kind)).ok()?;
        // Never wait on a write: a round must not stall on one connection.
        s.set_nonblocking(true).ok()?;
        Some(s)
    };
    let mut sockets: Vec<Option<TcpStream>> = (0..ATTACKERS).map(|_| connect()).collect();
    while !stop.load(Ordering::Relaxed) {
        for slot in &mut sockets {
            let alive = slot.as_mut().is_some_and(|s| match s.write(b"a") {
                Ok(_) => true,
                Err(e) => e.kind() == std::io::ErrorKind::WouldBlock,
            });
            if !alive {
                cuts.fetch_add(1, Ordering::Relaxed);
                *slot = connect();
            }
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Runs the benchmark.
pub fn bench(args: &Args) -> Result<(), String> {
    ensure_wrk()?;
    let binary = std::env::current_exe().map_err(|e| e.to_string())?;
    let port = free_port()?;
    let (mock, key) = start_nango_mock(&binary, port, &[])?;
    let script = workspace_root().join("xtask/bench/request.lua");
    let env = [
        ("WRK_METHOD", "GET".to_owned()),
        (
            "WRK_PATH",
            "/connections/conn-session-1?provider_config_key=github".to_owned(),
        ),
        ("WRK_BODY", String::new()),
        ("WRK_HEADERS", format!("Authorization: Bearer {key}")),
    ];
    let url = format!("http://127.0.0.1:{port}");
    eprintln!("normal load alone for {}s…", args.seconds);
    let calm = load_with(&script, &url, &env, args)?;
    let stop = Arc::new(AtomicBool::new(false));
    let cuts = Arc::new(AtomicU64::new(0));
    let attackers: Vec<_> = (0..2)
        .map(|kind| {
            let (stop, cuts) = (stop.clone(), cuts.clone());
            std::thread::spawn(move || attack(port, kind, stop, cuts))
        })
        .collect();
    std::thread::sleep(Duration::from_secs(3));
    eprintln!(
        "the same load for {}s with {ATTACKERS} slowloris and {ATTACKERS} unauthenticated 1 MiB uploads…",
        args.seconds
    );
    let stormy = load_with(&script, &url, &env, args);
    let rss = rss_mib(mock.0.id(), "VmHWM:").unwrap_or(f64::NAN);
    stop.store(true, Ordering::Relaxed);
    for a in attackers {
        let _ = a.join();
    }
    let stormy = stormy?;
    println!("{:<22} {:>10} {:>9} {:>9}", "", "req/s", "p50 ms", "p99 ms");
    for (name, l) in [("alone", &calm), ("under attack", &stormy)] {
        println!("{:<22} {:>10.0} {:>9.3} {:>9.3}", name, l.rps, l.p50, l.p99);
    }
    println!(
        "p99 under attack {:.1} ms (goal ≤ 50 ms); mock peak RSS {rss:.1} MiB",
        stormy.p99
    );
    drop(mock);
    Ok(())
}
