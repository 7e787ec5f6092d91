//! `cargo xtask contract`: validate recorded traffic (`--har`) or one body (`check`)
//! against the effective spec.

use crate::spec_args::{self, SpecArgs};
use clap::Subcommand;
use contract_tests::{ContractValidator, report};
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
    /// Also write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Also write a JSON report.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
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
    let errors: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect();
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
    let rows = match &args.har {
        Some(har) => {
            let text = match std::fs::read_to_string(har) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("error: cannot read {}: {e}", har.display());
                    return ExitCode::from(2);
                }
            };
            match contract_tests::har::check(&validator, &text) {
                Ok(rows) => rows,
                Err(e) => {
                    eprintln!("error: {}: {e}", har.display());
                    return ExitCode::from(2);
                }
            }
        }
        None => match run_suite(&args, &validator) {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
    };
    print!("{}", report::table(&rows));
    let writes = [
        (args.junit.as_ref(), report::junit(&rows, "contract")),
        (
            args.json.as_ref(),
            serde_json::to_string_pretty(&report::json(&rows)).unwrap_or_default(),
        ),
    ];
    for (path, text) in writes {
        if let Some(path) = path
            && let Err(e) = std::fs::write(path, text)
        {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(2);
        }
    }
    if report::totals(&rows).failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn env_or(flag: &Option<String>, var: &str) -> Option<String> {
    flag.clone()
        .or_else(|| std::env::var(var).ok().filter(|v| !v.is_empty()))
}

/// The suite against the embedded mock (default) or a live server.
fn run_suite(args: &Args, validator: &ContractValidator) -> Result<Vec<report::Row>, String> {
    use contract_tests::mock::{self, server::Mock, state};
    use contract_tests::suite::{self, Target};
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
                Ok(suite::run(validator, &target).await)
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
                Ok(suite::run(validator, &target).await)
            }
        }
    })
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
