//! `cargo xtask mock`: the embedded Nango mock as a standalone server.

use contract_tests::mock::{self, server::Mock, state};
use std::path::PathBuf;
use std::process::ExitCode;

/// Flags of `cargo xtask mock`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 3003)]
    port: u16,
    /// Address to bind (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Persist the state here (atomically) and reload it at start; a corrupt file is refused.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Reproduce the real server's known deviations from its spec (401 `payload`, DELETE
    /// unknown → 400, `metadata: null`, `webhook_url_override`), so contract runs show drift.
    #[arg(long)]
    faithful: bool,
}

/// Starts the mock and serves until interrupted.
pub fn run(args: Args) -> ExitCode {
    let key = match mock::secret_key_from_env() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let initial = match args.state.as_deref().map(state::State::load).transpose() {
        Ok(Some(Some(s))) => s,
        Ok(_) => state::State::seeded(&key),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    runtime.block_on(async move {
        let sabotage = match mock::Sabotage::from_env() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        };
        let started = match sabotage {
            Some(s) => {
                eprintln!("warning: NANGO_MOCK_SABOTAGE: this mock is deliberately broken ({s:?})");
                mock::start_sabotaged(Mock::new(initial, args.state.clone()), &format!("{}:{}", args.host, args.port), s).await
            }
            None => mock::start_with(Mock::new(initial, args.state.clone()), &format!("{}:{}", args.host, args.port), args.faithful).await,
        };
        let running = match started {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(1);
            }
        };
        let mode = if args.faithful { " (faithful: the real server's deviations)" } else { "" };
        println!("Nango mock listening on {}{mode}", running.base_url);
        println!("  secret key (all scopes):           {key}");
        println!("  read-only key (connections:read):  {}", state::READ_ONLY_KEY);
        println!("  integrations: github, slack");
        println!("  connections:  conn-session-1 (github, via connect session, metadata {{\"team\":\"core\"}}, tags {{\"env\":\"prod\"}})");
        println!("                conn-legacy-1  (github, created without a connect session)");
        println!("  control: POST /_mock/connect/complete {{\"token\": …}}, POST /_mock/connections/{{id}}/expire?provider_config_key=…");
        if let Some(path) = &args.state {
            println!("  state file: {}", path.display());
        }
        // Serve until the process is interrupted.
        std::future::pending::<()>().await;
        drop(running);
        ExitCode::SUCCESS
    })
}
