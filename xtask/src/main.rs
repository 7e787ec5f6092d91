//! `cargo xtask`: the project's commands. Thin: parse flags, call the libraries, print,
//! and set the exit code (0 ok, 1 findings or failures, 2 usage errors).

mod bench;
mod bundle;
mod codegen;
mod contract;
mod corpus;
mod lint;
mod mock;
mod proxy;
mod scratch;
mod serving;
mod spec_args;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Loading and generation allocate millions of small nodes, tokens and strings; glibc's
/// allocator spent about a third of stripe's generation time in malloc/free.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Project commands for the Nango OpenAPI toolkit.
#[derive(Parser)]
#[command(name = "cargo xtask", about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load the spec (with overlays) and report every structural problem.
    ///
    /// Exit status: 0 when there is no error (warnings allowed), 1 when there are errors.
    Lint(lint::Args),
    /// Write the effective spec (documented spec + overlays, `$ref`s kept) to a file.
    ///
    /// The format follows the extension: .yaml/.yml or .json. Refuses to write when the
    /// effective spec has errors.
    Bundle(bundle::Args),
    /// Generate the `generated/` crate (types, client, server) from the effective spec.
    ///
    /// With `--check`, regenerate in memory and exit 1 naming the stale files. `--out DIR`
    /// writes only into an empty folder or one generated before (`--force` to override).
    Codegen(codegen::Args),
    /// Run the contract suite (embedded mock by default, `--base-url` for a live server),
    /// validate recorded traffic (`--har FILE`), or check one body (`contract check`).
    ///
    /// Prints a table (operation, status, scenario, verdict, details); exit 1 on any
    /// violation, 2 on usage or spec errors.
    Contract(Box<contract::Args>),
    /// Run the embedded, stateful Nango mock (no Nango account needed), or with `--spec` a
    /// mock of any OpenAPI document.
    ///
    /// Nango: prints its base URL, the seeded keys and data. The key is NANGO_SECRET_KEY (a
    /// UUID v4) or a fixed development key. `--spec`: serves every operation it can, checks
    /// requests as generated routers do, answers with examples or made values.
    Mock(mock::Args),
    /// Put a validating proxy in front of a server for any OpenAPI document.
    ///
    /// Forwards every request unchanged (invalid ones too, unless `--reject-invalid`),
    /// checks requests and answers against the spec and prints each violation as it
    /// happens; on SIGINT/SIGTERM writes `--har`, `--json` and `--html`. Exit 1 when any exchange
    /// broke the contract.
    Proxy(Box<proxy::Args>),
    /// Benchmarks printed as ratios against a baseline run in the same command.
    ///
    /// `mock`: wrk on the embedded mock and on a Prism mock of the same spec.
    /// `compile`: cargo check of the full-Nango crate, this generator ÷ an earlier one.
    /// `tags`: a large API's tag features ÷ all features ÷ OpenAPI Generator's client.
    /// `contract`: the contract runner ÷ schemathesis on servers with planted faults.
    /// `soak`: reconnect load for a fixed time; RSS at start, peak and end.
    /// `hostile`: p99 of normal requests under slowloris and pre-auth upload floods.
    Bench(bench::Args),
    /// Generate and `cargo check` a crate for every spec of a directory (default: the shared
    /// corpus and full Nango); prints a table and `compiled K/N`.
    ///
    /// `--examples` also runs each crate's examples test (every valid example of the spec
    /// decodes into its type and encodes back equal) and prints `examples decoded K/N`.
    Corpus(corpus::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Lint(args) => lint::run(args),
        Command::Bundle(args) => bundle::run(args),
        Command::Codegen(args) => codegen::run(args),
        Command::Contract(args) => contract::run(*args),
        Command::Mock(args) => {
            serving::return_freed_memory();
            mock::run(args)
        }
        Command::Proxy(args) => {
            serving::return_freed_memory();
            proxy::run(*args)
        }
        Command::Bench(args) => bench::run_bench(args),
        Command::Corpus(args) => corpus::run(args),
    }
}
