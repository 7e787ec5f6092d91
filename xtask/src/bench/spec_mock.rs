//! `cargo xtask bench mock --spec FILE`: the mock of any document against Prism's mock of
//! the same file, in one run. Two requests made from the spec and accepted by the contract
//! validator — a GET with a path parameter and a POST with a JSON body — are loaded with
//! wrk on each server; start-up (spawn to listening), requests/s, p50/p99 and peak RSS are
//! printed with the ratios and the goals. Our mock runs as `cargo xtask mock` runs it (this
//! very binary, whatever profile built it). Loopback only.

use super::Args;
use super::mock::{Guard, Load, ensure_prism, ensure_wrk, free_port, load_with};
use crate::spec_args::workspace_root;
use contract_tests::ContractValidator;
use contract_tests::requests::{self, Made};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One server under test.
struct Server {
    name: &'static str,
    guard: Guard,
    port: u16,
    startup: Duration,
}

/// What our peak covers: the mock is served by a fresh image of the command, whose peak the
/// kernel counts from its start; preparing the spec before it peaks higher (github-api.json:
/// ~250 MiB for about a second).
const SERVING_PEAK: &str = "the serving image's; preparing the spec peaks higher before it";

/// How long a server may take to start.
const START_LIMIT: Duration = Duration::from_secs(120);

fn start(name: &'static str, mut command: Command, port: u16) -> Result<Server, String> {
    let started = Instant::now();
    // Guarded from the start, so a server that never listens is killed too.
    let mut guard = Guard(
        command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{name}: {e}"))?,
    );
    super::mock::wait_for(port, &mut guard.0, START_LIMIT)?;
    Ok(Server {
        name,
        guard,
        port,
        startup: started.elapsed(),
    })
}

/// Resident memory of a process in MiB: `VmRSS` (now) or `VmHWM` (peak), from Linux's
/// `/proc/PID/status`.
pub(super) fn rss_mib(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// The two benchmark requests: a GET with a path parameter, a POST with a JSON body.
fn pick(file: &Path) -> Result<Vec<(&'static str, Made)>, String> {
    let name = file.display().to_string();
    let input = codegen::Input::read(file, &name).map_err(|d| d.message)?;
    let loaded = codegen::load::load(input, Vec::new());
    let doc = loaded.document.clone().ok_or("the spec did not load")?;
    let http = codegen::model::http::describe(&doc);
    let schemes = http.runtime_schemes();
    let json = codegen::load::normalize::to_json_schema_2020(&doc);
    let credentials = requests::any_credentials(&http, "bench-token");
    let validator = ContractValidator::new(loaded).map_err(|e| e.to_string())?;
    let find = |wanted: &dyn Fn(&codegen::model::http::Endpoint) -> bool| {
        http.endpoints.iter().filter(|e| wanted(e)).find_map(|e| {
            requests::valid(&validator, &e.describe(&schemes), &json, &credentials, 8)
        })
    };
    let get = find(&|e| e.method == "GET" && e.path.contains('{'));
    let post = find(&|e| {
        e.method == "POST"
            && e.describe(&schemes).body.as_ref().is_some_and(|b| {
                b.media
                    .iter()
                    .any(|m| m.kind == codegen::model::http::BodyKind::Json)
            })
    });
    let mut picked = Vec::new();
    if let Some(m) = get {
        picked.push(("GET, path parameter", m));
    }
    if let Some(m) = post.filter(|m| m.content_type().is_some_and(|c| c.contains("json"))) {
        picked.push(("POST, JSON body", m));
    }
    if picked.is_empty() {
        return Err(format!(
            "{name} has no GET with a path parameter nor POST with a JSON body to load"
        ));
    }
    Ok(picked)
}

fn wrk_env(made: &Made) -> Vec<(&'static str, String)> {
    let headers: Vec<String> = made
        .headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    let body = made
        .body
        .as_ref()
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .unwrap_or_default();
    vec![
        ("WRK_METHOD", made.method.clone()),
        ("WRK_PATH", made.target.clone()),
        ("WRK_BODY", body),
        ("WRK_HEADERS", headers.join("\n")),
    ]
}

/// Runs `bench mock --spec`.
pub fn bench(args: &Args, file: &Path) -> Result<(), String> {
    ensure_wrk()?;
    let prism = ensure_prism(&args.prism_version)?;
    let requests = pick(file)?;
    let script = workspace_root().join("xtask/bench/request.lua");
    let ours_port = free_port()?;
    let mut ours_cmd = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    ours_cmd
        .args(["mock", "--port", &ours_port.to_string(), "--spec"])
        .arg(file);
    let ours = start("our mock", ours_cmd, ours_port)?;
    let prism_port = free_port()?;
    let mut prism_cmd = Command::new(&prism);
    prism_cmd
        .args(["mock", "-h", "127.0.0.1", "-p", &prism_port.to_string()])
        .arg(file);
    // Prism does not start on some real specs (stripe.yaml: still "Starting Prism…" after
    // two minutes); then ours is measured alone and the ratios are not printed.
    let prism_server = match start("prism mock", prism_cmd, prism_port) {
        Ok(s) => Some(s),
        Err(e) => {
            println!("prism mock: {e}; measuring ours alone");
            None
        }
    };
    eprintln!(
        "loading each server for {}s per request with {} connections…",
        args.seconds, args.connections
    );
    let mut results: Vec<(&str, &Server, Load)> = Vec::new();
    for (label, made) in &requests {
        eprintln!("  {label}: {} {}", made.method, made.target);
        for server in std::iter::once(&ours).chain(prism_server.as_ref()) {
            let url = format!("http://127.0.0.1:{}", server.port);
            // One second first, not counted: validators compile and answers are made on
            // first use, and start-up work (our lint, Prism's compilation) settles.
            let warm = Args {
                seconds: 1,
                ..args.clone()
            };
            load_with(&script, &url, &wrk_env(made), &warm)?;
            let load = load_with(&script, &url, &wrk_env(made), args)?;
            results.push((label, server, load));
        }
    }
    println!(
        "{:<20} {:<12} {:>10} {:>9} {:>9}  statuses",
        "request", "server", "req/s", "p50 ms", "p99 ms"
    );
    for (label, server, l) in &results {
        println!(
            "{:<20} {:<12} {:>10.0} {:>9.3} {:>9.3}  {}",
            label,
            server.name,
            l.rps,
            l.p50,
            l.p99,
            l.statuses.trim_start_matches("statuses:").trim()
        );
    }
    let paired = if prism_server.is_some() { 2 } else { 1 };
    for pair in results.chunks(paired) {
        if let [(label, _, o), (_, _, p)] = pair {
            println!(
                "{label}: throughput ratio (ours ÷ prism) {:.1}x (goal ≥ 10x); our p99 {:.3} ms (goal ≤ 5 ms)",
                o.rps / p.rps,
                o.p99
            );
        }
    }
    let rss = |s: &Server, field| rss_mib(s.guard.0.id(), field).unwrap_or(f64::NAN);
    let (ours_rss, ours_peak) = (rss(&ours, "VmRSS:"), rss(&ours, "VmHWM:"));
    let Some(prism_server) = &prism_server else {
        for (label, _, o) in &results {
            println!("{label}: our p99 {:.3} ms (goal ≤ 5 ms)", o.p99);
        }
        println!(
            "start-up (spawn → listening): ours {:.2} s; RSS after the load {ours_rss:.0} MiB (peak {ours_peak:.0} {SERVING_PEAK})",
            ours.startup.as_secs_f64()
        );
        return Ok(());
    };
    let (prism_rss, prism_peak) = (rss(prism_server, "VmRSS:"), rss(prism_server, "VmHWM:"));
    println!(
        "start-up (spawn → listening): ours {:.2} s, prism {:.2} s (goal for github-api.json: ours ≤ 2 s)",
        ours.startup.as_secs_f64(),
        prism_server.startup.as_secs_f64()
    );
    println!(
        "RSS after the load: ours {ours_rss:.0} MiB, prism {prism_rss:.0} MiB, ratio {:.2} (goal ≤ 0.25); peaks {ours_peak:.0} ({SERVING_PEAK}) and {prism_peak:.0} MiB",
        ours_rss / prism_rss
    );
    Ok(())
}
