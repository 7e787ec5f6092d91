//! `cargo xtask lint`.

use crate::spec_args::{self, SpecArgs};
use clap::ValueEnum;
use codegen::diag::{self, Tally};
use std::process::ExitCode;

/// Output format.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// rustc-like text with source snippets.
    Human,
    /// One JSON object: `{"diagnostics": [...], "errors": N, "warnings": N}`.
    Json,
    /// The errors as rustc-like text, then the count of errors and warnings (what a mock
    /// prints of its spec).
    Errors,
}

/// Flags of `cargo xtask lint`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    spec: SpecArgs,
    /// How to print the findings.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
}

/// Runs the lint and prints the findings.
pub fn run(args: Args) -> ExitCode {
    let (spec, overlays) = match args.spec.read() {
        Ok(inputs) => inputs,
        Err(d) => {
            spec_args::print_plain(&d);
            return ExitCode::from(1);
        }
    };
    let names: Vec<String> = std::iter::once(spec.name.clone())
        .chain(overlays.iter().map(|o| o.name.clone()))
        .collect();
    let loaded = codegen::check(spec, overlays);
    let tally = Tally::of(&loaded.diagnostics);
    match args.format {
        Format::Human => {
            let color = spec_args::use_color(&std::io::stdout());
            print!(
                "{}",
                diag::render_human(&loaded.diagnostics, &loaded.sources, color)
            );
            println!("{}: {tally}", names.join(" + "));
        }
        Format::Errors => {
            let color = spec_args::use_color(&std::io::stdout());
            let errors = spec_args::errors_of(&loaded.diagnostics);
            print!("{}", diag::render_human(&errors, &loaded.sources, color));
            println!("{}: {tally}", names.join(" + "));
        }
        Format::Json => {
            let out = serde_json::json!({
                "files": names,
                "diagnostics": diag::render_json(&loaded.diagnostics, &loaded.sources),
                "errors": tally.errors,
                "warnings": tally.warnings,
            });
            println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
        }
    }
    if tally.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
