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
    #[arg(long, value_name = "FILE")]
    har: Option<PathBuf>,
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
    if loaded.diagnostics.iter().any(|d| d.is_error()) {
        eprint!(
            "{}",
            codegen::diag::render_human(
                &loaded.diagnostics,
                &loaded.sources,
                spec_args::use_color(&std::io::stderr())
            )
        );
        eprintln!("error: the spec has errors; fix them first (`cargo xtask lint`)");
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
    let Some(har) = &args.har else {
        eprintln!(
            "error: nothing to check: pass --har FILE, or use `cargo xtask contract check` for one body"
        );
        return ExitCode::from(2);
    };
    let validator = match validator(&args.spec) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let text = match std::fs::read_to_string(har) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", har.display());
            return ExitCode::from(2);
        }
    };
    let rows = match contract_tests::har::check(&validator, &text) {
        Ok(rows) => rows,
        Err(e) => {
            eprintln!("error: {}: {e}", har.display());
            return ExitCode::from(2);
        }
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
