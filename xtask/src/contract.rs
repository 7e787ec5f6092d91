//! `cargo xtask contract`: generated cases for any spec against a running server
//! (`--spec … --base-url …`), the Nango suite with the generated cases of the effective
//! Nango spec (no `--spec`), recorded traffic (`--har`) or one body (`check`).

use crate::spec_args::{self, SpecArgs};
use clap::Subcommand;
use contract_tests::{ContractValidator, explore, html, report};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `cargo xtask contract`.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    spec: SpecArgs,
    /// Validate every entry of a HAR 1.2 file (recorded traffic) offline.
    #[arg(long, value_name = "FILE", conflicts_with = "base_url")]
    har: Option<PathBuf>,
    /// Run the suite against this live server (secret key from NANGO_SECRET_KEY) instead of
    /// the embedded mock.
    #[arg(long, value_name = "URL")]
    base_url: Option<String>,
    /// Live runs: a connection created with a connect session [env NANGO_CONNECTION_ID].
    #[arg(long, value_name = "ID")]
    connection_id: Option<String>,
    /// Live runs: a connection created without one [env NANGO_LEGACY_CONNECTION_ID].
    #[arg(long, value_name = "ID")]
    legacy_connection_id: Option<String>,
    /// Run the embedded mock in `--faithful` mode (the real server's deviations).
    #[arg(long, conflicts_with = "base_url")]
    faithful: bool,
    /// Live runs: the integration of those connections [env NANGO_INTEGRATION_ID, default github].
    #[arg(long, value_name = "KEY")]
    integration: Option<String>,
    /// A header for every generated request, as curl takes it (`-H 'Authorization: Bearer
    /// …'`); repeatable. Credentials given here are also spoiled for `ignored_auth`.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// NAME=VALUE: valid generated requests use VALUE (JSON, else a string) for every
    /// parameter and body property named NAME: the id of a resource that exists on the
    /// server, so a valid request is not refused for naming nothing; repeatable.
    #[arg(long = "value", value_name = "NAME=VALUE")]
    values: Vec<String>,
    /// Seed of the generated values (the same seed sends the same requests).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Cases made from further seeds per operation, beyond the systematic ones.
    #[arg(long, value_name = "N", default_value_t = 10)]
    max_examples: usize,
    /// Checks to apply: `all` or names separated by commas (not_a_server_error,
    /// status_code_conformance, content_type_conformance, response_schema_conformance,
    /// response_headers_conformance, negative_data_rejection, positive_data_acceptance,
    /// ignored_auth, use_after_free, unsupported_method).
    #[arg(long, value_name = "LIST", default_value = "all")]
    checks: String,
    /// Seconds one generated request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
    /// Without --spec: run the 30 Nango scenarios only, not the generated cases.
    #[arg(long)]
    scenarios_only: bool,
    /// Also write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Also write a JSON report.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Also write an HTML report: one self-contained page, filterable by verdict.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// With --har: clients' request problems fail their exchange too (by default they are
    /// counted apart and the server's answer alone decides).
    #[arg(long, requires = "har")]
    strict_requests: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check one response body: prints VALID or INVALID and one line per violation.
    ///
    /// Exit status: 0 valid, 1 invalid, 2 usage or spec errors.
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
struct CheckArgs {
    #[command(flatten)]
    spec: SpecArgs,
    /// HTTP method of the exchange.
    #[arg(long)]
    method: String,
    /// The request path (a concrete path or the spec's template).
    #[arg(long)]
    path: String,
    /// The response status.
    #[arg(long)]
    status: u16,
    /// The response Content-Type.
    #[arg(long, default_value = "application/json")]
    content_type: String,
    /// File holding the response body (`-` for standard input).
    body_file: PathBuf,
}

fn validator(spec: &SpecArgs) -> Result<ContractValidator, ExitCode> {
    let (spec, overlays) = spec.read().map_err(|d| {
        spec_args::print_plain(&d);
        ExitCode::from(2)
    })?;
    let loaded = codegen::check(spec, overlays);
    let errors = spec_args::errors_of(&loaded.diagnostics);
    if !errors.is_empty() {
        // Reported, not fatal: an exchange the errors make uncheckable is skipped with
        // its reason, every other one is checked.
        eprint!(
            "{}",
            codegen::diag::render_human(
                &errors,
                &loaded.sources,
                spec_args::use_color(&std::io::stderr())
            )
        );
        eprintln!(
            "warning: the spec has {} error(s); checking goes on where they do not matter (`cargo xtask lint` for all)",
            errors.len()
        );
    }
    if loaded.document.is_none() {
        eprintln!("error: the spec cannot be read as OpenAPI 3.x");
        return Err(ExitCode::from(2));
    }
    ContractValidator::new(loaded).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    if let Some(Command::Check(check)) = args.command {
        return run_check(check);
    }
    let validator = match validator(&args.spec) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let config = match explore_config(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if args.spec.spec.is_some() && args.har.is_none() {
        return run_generated(&args, &validator, config);
    }
    let mut explored = None;
    let rows = match &args.har {
        Some(har) => {
            let text = match std::fs::read_to_string(har) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", har.display());
                    return ExitCode::from(2);
                }
            };
            let rules = contract_tests::recorded::Rules {
                strict_requests: args.strict_requests,
            };
            match contract_tests::har::check(&validator, &text, rules) {
                Ok(rows) => rows,
                Err(e) => {
                    eprintln!("error: {}: {e}", har.display());
                    return ExitCode::from(2);
                }
            }
        }
        None => match run_suite(&args, &validator, config) {
            Ok((rows, outcome)) => {
                explored = outcome;
                rows
            }
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    let mut junit = report::junit(&rows, "contract");
    let mut json = report::json(&rows);
    if let Some(outcome) = &explored {
        print!("{}", explore::report::table(outcome));
        println!();
        junit = junit.replace(
            "</testsuites>",
            &format!(
                "{}</testsuites>",
                explore::report::junit_suite(outcome, "generated")
            ),
        );
        if let serde_json::Value::Object(map) = &mut json {
            map.insert("generated".into(), explore::report::json(outcome));
        }
    }
    print!("{}", report::table(&rows));
    let title = match &args.har {
        Some(har) => format!("contract --har {}", har.display()),
        None => "contract: the Nango suite".to_owned(),
    };
    let html = || {
        html::page(&html::Run {
            title: &title,
            rows: Some(&rows),
            generated: explored.as_ref(),
        })
    };
    if let Err(code) = write_reports(&args, junit, &json, html) {
        return code;
    }
    let found = explored.as_ref().is_some_and(|o| !o.findings.is_empty());
    if report::totals(&rows).failed > 0 || found {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes the reports the flags ask for (`--junit`, `--json`, `--html`); the page is made
/// only when asked for.
fn write_reports(
    args: &Args,
    junit: String,
    json: &serde_json::Value,
    html: impl FnOnce() -> String,
) -> Result<(), ExitCode> {
    let write = |path: &PathBuf, text: String| {
        std::fs::write(path, text).map_err(|e| {
            eprintln!("error: cannot write {}: {e}", path.display());
            ExitCode::from(2)
        })
    };
    if let Some(path) = &args.junit {
        write(path, junit)?;
    }
    if let Some(path) = &args.json {
        write(path, serde_json::to_string_pretty(json).unwrap_or_default())?;
    }
    if let Some(path) = &args.html {
        write(path, html())?;
    }
    Ok(())
}

fn env_or(flag: &Option<String>, var: &str) -> Option<String> {
    flag.clone()
        .or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()))
}

/// The run's settings for generated cases, from the flags.
fn explore_config(args: &Args) -> Result<explore::Config, String> {
    let mut config = explore::Config::new(args.base_url.clone().unwrap_or_default());
    for h in &args.headers {
        let Some((name, value)) = h.split_once(':') else {
            return Err(format!("-H {h}: expected 'Name: value'"));
        };
        let name = name.trim();
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!("-H {h}: `{name}` is not a header name"));
        }
        config
            .headers
            .push((name.to_owned(), value.trim().to_owned()));
    }
    for v in &args.values {
        let Some((name, value)) = v.split_once('=') else {
            return Err(format!("--value {v}: expected NAME=VALUE"));
        };
        let value = serde_json::from_str(value)
            .unwrap_or_else(|_| serde_json::Value::String(value.to_owned()));
        config.pins.insert(name.to_owned(), value);
    }
    config.seed = args.seed;
    config.max_examples = args.max_examples;
    config.checks = explore::checks::Check::parse_list(&args.checks)?;
    config.timeout = std::time::Duration::from_secs(args.timeout.max(1));
    Ok(config)
}

/// Generated cases against `config.base_url`, with progress on standard error.
async fn explore_run(
    validator: &ContractValidator,
    config: &explore::Config,
) -> Result<explore::Outcome, String> {
    use std::io::IsTerminal;
    let total = validator.http().endpoints.len();
    let terminal = std::io::stderr().is_terminal();
    let mut done = 0;
    let mut progress = |run: &explore::OperationRun| {
        done += 1;
        let what = match &run.skipped {
            Some(reason) => format!("{} skipped: {reason}", run.operation),
            None => format!("{} {} cases", run.operation, run.cases),
        };
        if terminal {
            // One line redrawn: a bar, the count, the operation just done.
            let filled = done * 24 / total.max(1);
            let line: String = format!(
                "[{}{}] {done}/{total} {what}",
                "#".repeat(filled),
                ".".repeat(24 - filled)
            )
            .chars()
            .take(110)
            .collect();
            eprint!("\r\x1b[2K{line}");
            if done == total {
                eprintln!();
            }
        } else {
            eprintln!("[{done}/{total}] {what}");
        }
    };
    explore::run(validator, config, &mut progress)
        .await
        .map_err(|e| e.to_string())
}

/// `--spec FILE --base-url URL`: the generated cases of any spec.
fn run_generated(
    args: &Args,
    validator: &ContractValidator,
    mut config: explore::Config,
) -> ExitCode {
    let Some(url) = &args.base_url else {
        eprintln!(
            "error: --spec needs --base-url URL, the server to test (try `cargo xtask mock --spec FILE` for a mock of it)"
        );
        return ExitCode::from(2);
    };
    config.base_url = url.clone();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    println!("generated contract tests against {url}");
    let outcome = match runtime.block_on(explore_run(validator, &config)) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    print!("{}", explore::report::table(&outcome));
    let title = format!("contract: generated cases against {url}");
    let html = || {
        html::page(&html::Run {
            title: &title,
            rows: None,
            generated: Some(&outcome),
        })
    };
    let junit = explore::report::junit(&outcome, "contract");
    if let Err(code) = write_reports(args, junit, &explore::report::json(&outcome), html) {
        return code;
    }
    if outcome.findings.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// The suite against the embedded mock (default) or a live server, then (unless
/// `--scenarios-only`) the generated cases of the effective spec against the same target.
fn run_suite(
    args: &Args,
    validator: &ContractValidator,
    config: explore::Config,
) -> Result<(Vec<report::Row>, Option<explore::Outcome>), String> {
    use contract_tests::mock::{self, server::Mock, state};
    use contract_tests::suite::Target;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        match &args.base_url {
            Some(url) => {
                let secret_key = std::env::var("NANGO_SECRET_KEY")
                    .map_err(|_| "NANGO_SECRET_KEY must hold the secret key of the target")?;
                let target = Target {
                    base_url: url.clone(),
                    secret_key,
                    read_only_key: env_or(&None, "NANGO_READ_ONLY_KEY"),
                    integration: env_or(&args.integration, "NANGO_INTEGRATION_ID")
                        .unwrap_or_else(|| "github".into()),
                    session_connection: env_or(&args.connection_id, "NANGO_CONNECTION_ID"),
                    legacy_connection: env_or(
                        &args.legacy_connection_id,
                        "NANGO_LEGACY_CONNECTION_ID",
                    ),
                    destructive: false,
                };
                println!("contract suite against {url}");
                scenarios_then_generated(args, validator, config, &target).await
            }
            None => {
                let key = mock::secret_key_from_env().map_err(|e| e.to_string())?;
                let running = mock::start_with(
                    Mock::new(state::State::seeded(&key), None),
                    "127.0.0.1:0",
                    args.faithful,
                )
                .await
                .map_err(|e| e.to_string())?;
                println!(
                    "contract suite against the embedded mock at {}",
                    running.base_url
                );
                let target = Target {
                    base_url: running.base_url.clone(),
                    secret_key: key,
                    read_only_key: Some(state::READ_ONLY_KEY.into()),
                    integration: "github".into(),
                    session_connection: Some("conn-session-1".into()),
                    legacy_connection: Some("conn-legacy-1".into()),
                    destructive: true,
                };
                scenarios_then_generated(args, validator, config, &target).await
            }
        }
    })
}

/// The 30 scenarios against `target`, then (unless `--scenarios-only`) the generated cases.
async fn scenarios_then_generated(
    args: &Args,
    validator: &ContractValidator,
    mut config: explore::Config,
    target: &contract_tests::suite::Target,
) -> Result<(Vec<report::Row>, Option<explore::Outcome>), String> {
    let rows = contract_tests::suite::run(validator, target).await;
    if args.scenarios_only {
        return Ok((rows, None));
    }
    config.base_url = target.base_url.clone();
    config.nango(target);
    Ok((rows, Some(explore_run(validator, &config).await?)))
}

fn run_check(args: CheckArgs) -> ExitCode {
    let validator = match validator(&args.spec) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let body = if args.body_file.as_os_str() == "-" {
        let mut buf = Vec::new();
        match std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf) {
            Ok(_) => buf,
            Err(e) => {
                eprintln!("error: cannot read standard input: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        match std::fs::read(&args.body_file) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", args.body_file.display());
                return ExitCode::from(2);
            }
        }
    };
    let report = validator.check_response(
        &args.method,
        &args.path,
        args.status,
        Some(&args.content_type),
        &body,
    );
    if let Some(problem) = report
        .violations
        .iter()
        .find(|v| v.kind == contract_tests::Kind::SpecProblem)
    {
        println!("NOT CHECKED");
        println!("- {problem}");
        return ExitCode::from(2);
    }
    if report.is_valid() {
        println!("VALID");
        return ExitCode::SUCCESS;
    }
    println!("INVALID");
    for v in &report.violations {
        println!("- {v}");
    }
    ExitCode::from(1)
}
