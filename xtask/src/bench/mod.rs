//! `cargo xtask bench`: benchmarks that print ratios against a baseline measured in the
//! same command.
//!
//! - `mock`: wrk load on the embedded Nango mock and on Prism ([`mock`]); with `--spec`, the
//!   mock of that document against Prism's, start-up and memory too ([`spec_mock`]).
//! - `compile`: `cargo check` time of the generated full-Nango crate, this generator against
//!   an earlier one ([`compile`]).
//! - `tags`: per-tag features on a large API, against OpenAPI Generator's client ([`tags`]).
//! - `hostile`: normal load with slowloris and unauthenticated uploads holding connections
//!   ([`hostile`]).
//! - `soak`: reconnect load on the Nango mock for a fixed time, its memory sampled ([`soak`]).
//! - `contract`: the spec-driven contract runner against schemathesis on mocks with planted
//!   faults ([`contract`]).

mod compile;
mod contract;
mod hostile;
mod mock;
mod soak;
mod spec_mock;
mod tags;

use std::process::ExitCode;

/// Flags of `cargo xtask bench`.
#[derive(clap::Args, Clone, Debug)]
pub struct Args {
    /// What to measure.
    #[arg(value_parser = ["mock", "compile", "tags", "contract", "soak", "hostile"])]
    target: String,
    /// `mock`: seconds of load per server; `soak`: seconds of load.
    #[arg(long, default_value_t = 10)]
    seconds: u32,
    /// `mock`: concurrent connections.
    #[arg(long, default_value_t = 32)]
    connections: u32,
    /// `mock`: Prism version (5.15/5.16 hang on malformed JSON; see ../shared/contract-anchors.md).
    #[arg(long, default_value = "5.14.2")]
    prism_version: String,
    /// `compile`: the git revision whose generator is the baseline (default: the generator
    /// before the runtime crate and `#[derive(Record)]`).
    #[arg(long, default_value = compile::BASELINE)]
    baseline: String,
    /// `compile`, `tags`: timed checks per configuration and crate, the median reported
    /// (default 5 for `compile`, 1 for `tags`, whose checks take minutes).
    #[arg(long)]
    runs: Option<usize>,
    /// `mock`: mock this document instead of Nango, against Prism's mock of it.
    /// `tags`: the spec (default: the shared corpus's github-api.json).
    /// `contract`: the one spec to plant faults in (default: the shop fixture and train-travel).
    #[arg(long, value_name = "FILE")]
    spec: Option<std::path::PathBuf>,
    /// `tags`: the tag compiled alone with `client` (default: the median tag by operations).
    #[arg(long)]
    tag: Option<String>,
}

/// Runs the benchmark.
pub fn run_bench(args: Args) -> ExitCode {
    let result = match args.target.as_str() {
        "compile" => compile::bench(&args),
        "tags" => tags::bench(&args),
        "contract" => contract::bench(&args),
        "soak" => soak::bench(&args),
        "hostile" => hostile::bench(&args),
        _ => match &args.spec {
            Some(file) => spec_mock::bench(&args, file),
            None => mock::bench(&args),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
