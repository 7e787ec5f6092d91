//! `cargo xtask proxy`: a validating proxy in front of a server, for any OpenAPI document.
//! Violations print as they happen; on SIGINT or SIGTERM the HAR, JSON and HTML reports are
//! written and the summary printed.

use crate::spec_args::{self, SpecArgs};
use contract_tests::ContractValidator;
use contract_tests::proxy::{Options, Proxy};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Flags of `cargo xtask proxy`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    files: SpecArgs,
    /// Base URL of the server to forward to (`http://127.0.0.1:8080`).
    #[arg(long, value_name = "URL")]
    upstream: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 3004)]
    port: u16,
    /// Address to bind (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Record the exchanges here as HAR 1.2 (secrets redacted), written at exit.
    #[arg(long, value_name = "FILE")]
    har: Option<PathBuf>,
    /// Write the report (totals and every exchange's violations) here as JSON, at exit.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the HTML report (one self-contained page) here, at exit.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Clients' request problems fail their exchange too (by default they are counted
    /// apart and the upstream's answer alone decides).
    #[arg(long)]
    strict_requests: bool,
    /// Answer invalid requests here (400/401/415, in the spec's documented error shape)
    /// instead of forwarding them.
    #[arg(long)]
    reject_invalid: bool,
    /// Seconds the upstream may take to answer.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
    /// Largest body read each way, in MiB.
    #[arg(long, default_value_t = 64)]
    max_body: usize,
}

/// Loads the spec, starts the proxy, serves until SIGINT/SIGTERM, writes the reports.
/// Exit 1 when any exchange broke the contract.
pub fn run(args: Args) -> ExitCode {
    let loaded = match spec_args::load_document(&args.files) {
        Ok(l) => l,
        Err(code) => return code,
    };
    spec_args::report_lint(
        &loaded,
        spec_args::use_color(&std::io::stderr()),
        "checked anyway",
    );
    let validator = match ContractValidator::new(loaded) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let options = Options {
        upstream: args.upstream.clone(),
        reject_invalid: args.reject_invalid,
        body_limit: args.max_body.saturating_mul(1 << 20),
        timeout: Duration::from_secs(args.timeout),
        print: true,
        strict_requests: args.strict_requests,
    };
    let proxy = match Proxy::new(validator, options) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match crate::serving::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let addr = format!("{}:{}", args.host, args.port);
    runtime.block_on(async {
        let running = match proxy.start(&addr, stop_signal()).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: cannot bind {addr}: {e}");
                return ExitCode::from(1);
            }
        };
        let mode = if args.reject_invalid {
            "invalid requests answered here"
        } else {
            "invalid requests forwarded too"
        };
        println!(
            "Proxy on {} → {} ({mode}); Ctrl-C writes the reports",
            running.base_url, args.upstream
        );
        running.finished().await;
        finish(&proxy, &args)
    })
}

/// Completes on SIGINT or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = interrupt.await;
                    return;
                }
            };
        tokio::select! {
            _ = interrupt => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

/// Writes the HAR and JSON reports and prints the totals.
fn finish(proxy: &Proxy, args: &Args) -> ExitCode {
    let recording = proxy.recording();
    let mut code = ExitCode::SUCCESS;
    let mut write = |path: &PathBuf, value: serde_json::Value| {
        let text = serde_json::to_string_pretty(&value).unwrap_or_default();
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("error: cannot write {}: {e}", path.display());
            code = ExitCode::from(1);
        }
    };
    if let Some(path) = &args.har {
        write(path, recording.har());
    }
    if let Some(path) = &args.json {
        write(path, contract_tests::report::json(&recording.rows));
    }
    if let Some(path) = &args.html {
        let title = format!(
            "proxy in front of {}",
            contract_tests::redact::without_userinfo(&args.upstream)
        );
        let page = contract_tests::html::page(&contract_tests::html::Run {
            title: &title,
            rows: Some(&recording.rows),
            generated: None,
        });
        if let Err(e) = std::fs::write(path, page) {
            eprintln!("error: cannot write {}: {e}", path.display());
            code = ExitCode::from(1);
        }
    }
    let totals = contract_tests::report::totals(&recording.rows);
    println!(
        "{} exchanges: {} conform, {} broke the contract, {} not checked",
        recording.rows.len(),
        totals.passed,
        totals.failed,
        totals.skipped
    );
    print!("{}", contract_tests::report::summary(&totals));
    if totals.failed > 0 {
        return ExitCode::from(1);
    }
    code
}
