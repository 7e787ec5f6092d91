//! `cargo xtask mock`: the embedded Nango mock as a standalone server, or with `--spec` a
//! mock of any OpenAPI document.

use crate::serving;
use crate::spec_args::{self, SpecArgs};
use contract_tests::mock::{self, server::Mock, state};
use contract_tests::spec_mock::{self, Prepared, SpecMock};
use std::path::PathBuf;
use std::process::{ExitCode, Stdio};

/// Flags of `cargo xtask mock`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Mock this OpenAPI document (3.0 or 3.1, YAML or JSON) instead of Nango.
    #[arg(long, value_name = "FILE")]
    spec: Option<PathBuf>,
    /// Overlay to apply to --spec, in order; repeatable.
    #[arg(long = "overlay", value_name = "FILE", requires = "spec")]
    overlays: Vec<PathBuf>,
    /// Apply no overlay to --spec.
    #[arg(long, requires = "spec", conflicts_with = "overlays")]
    no_overlay: bool,
    /// Seed of made values: the same seed gives the same answers (--spec).
    #[arg(long, default_value_t = 0, requires = "spec")]
    seed: u64,
    /// Random data on every request, as `Prefer: dynamic=true` (--spec).
    #[arg(long, requires = "spec")]
    dynamic: bool,
    /// Keep the resources the paths describe: POST creates, GET reads, DELETE deletes (--spec).
    #[arg(long, requires = "spec")]
    stateful: bool,
    /// SCHEME=VALUE: accept only this token, key or user:password for the security scheme
    /// SCHEME; repeatable. Without it any well-formed credential is accepted (--spec).
    #[arg(long = "credential", value_name = "SCHEME=VALUE", requires = "spec")]
    credentials: Vec<String>,
    /// Plant a defect, to show that a contract runner finds it (wrong-type, drop-required,
    /// boundary-500, accept-missing-required, ignore-auth, undocumented-status,
    /// wrong-content-type, crash-non-ascii, use-after-free); repeatable.
    #[arg(long = "fault", value_name = "NAME", requires = "spec")]
    faults: Vec<String>,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 3003)]
    port: u16,
    /// Address to bind (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Keep the state in this SQLite database (one transaction per change, kept across
    /// restarts and kill -9; a JSON state of an earlier mock is imported). A file another
    /// mock holds, or with a row the spec does not allow, is refused.
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Reproduce the real server's known deviations from its spec (401 `payload`, DELETE
    /// unknown → 400, `metadata: null`, `webhook_url_override`), so contract runs show drift.
    #[arg(long)]
    faithful: bool,
}

/// Starts the mock and serves until interrupted.
pub fn run(args: Args) -> ExitCode {
    if args.spec.is_some() {
        return run_spec(args);
    }
    let key = match mock::secret_key_from_env() {
        Ok(k) => k,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let served = match args.state.as_deref() {
        Some(path) => match Mock::open(path, &key) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        },
        None => Mock::new(state::State::seeded(&key), None),
    };
    let runtime = match crate::serving::runtime() {
        Ok(r) => r,
        Err(code) => return code,
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
                mock::start_sabotaged(served, &format!("{}:{}", args.host, args.port), s).await
            }
            None => mock::start_with(served, &format!("{}:{}", args.host, args.port), args.faithful).await,
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

/// `--spec`: the mock of any document. It serves as soon as it is built; lint runs after,
/// and its findings are reported without stopping anything.
fn run_spec(args: Args) -> ExitCode {
    let files = SpecArgs {
        spec: args.spec.clone(),
        overlays: args.overlays.clone(),
        no_overlay: args.no_overlay,
    };
    let faults = match args
        .faults
        .iter()
        .map(|f| spec_mock::faults::Fault::parse(f))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: --fault {e}");
            return ExitCode::from(2);
        }
    };
    let options = spec_mock::Options {
        faults,
        seed: args.seed,
        dynamic: args.dynamic,
        stateful: args.stateful,
        credentials: args.credentials.clone(),
        ..spec_mock::Options::default()
    };
    let (prepared, lint, started) = match prepare(&files) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let mock = match SpecMock::from_prepared(prepared, options) {
        Ok(m) => m,
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
    runtime.block_on(async move {
        let running = match mock.start(&addr).await {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: cannot bind {addr}: {e}");
                return ExitCode::from(1);
            }
        };
        let summary = &running.summary;
        let name = files.spec.as_ref().map_or_else(String::new, |p| p.display().to_string());
        let ready = started.elapsed().unwrap_or_default().as_millis();
        println!("Mock of {name} listening on {} (ready in {ready} ms)", running.base_url);
        println!("  operations: {} served, {} skipped", summary.served, summary.skipped.len());
        for s in &summary.skipped {
            println!("  skipped {}: {}", s.operation, s.reason);
        }
        println!("  Prefer: code=N | example=NAME | dynamic=true chooses the answer; Accept its media type");
        match lint {
            Lint::Here(loaded) => {
                let color = spec_args::use_color(&std::io::stderr());
                std::thread::spawn(move || spec_args::report_lint(&loaded, color, SERVED));
            }
            Lint::Apart => lint_apart(&files),
        }
        std::future::pending::<()>().await;
        drop(running);
        ExitCode::SUCCESS
    })
}

/// What the mock's `lint:` line says the findings change.
const SERVED: &str = "served anyway";

/// Where the spec's lint findings come from once the mock listens.
enum Lint {
    /// This process, which still has the loaded spec.
    Here(codegen::load::Loaded),
    /// `lint --format errors` in a background process: a fresh image has no loaded spec.
    Apart,
}

/// The spec made ready to serve, with where its lint comes from and when the command
/// started. In a fresh image it is read back from what the first one handed over; the
/// first image prepares it and hands it over ([`serving::hand_over`]), returning only when
/// that fails (the mock is then served here). The server then holds only what it keeps:
/// github-api.json's mock is 64 MiB resident after the bench's load instead of 80.
fn prepare(files: &SpecArgs) -> Result<(Prepared, Lint, std::time::SystemTime), ExitCode> {
    let mut started = std::time::SystemTime::now();
    let handed = serving::handed_over();
    let fresh = handed.is_some();
    match handed {
        Some(Ok((file, first))) => match Prepared::read(file) {
            Ok(prepared) => return Ok((prepared, Lint::Apart, first)),
            Err(e) => {
                eprintln!(
                    "note: the prepared spec cannot be read back ({e}); loading the spec here"
                );
                started = first;
            }
        },
        Some(Err(e)) => eprintln!("note: {e}; loading the spec here"),
        None => {}
    }
    let loaded = spec_args::load_document(files)?;
    let prepared = Prepared::new(&loaded).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })?;
    if !fresh {
        let reason = serving::hand_over(started, |file| prepared.write(file));
        eprintln!("note: serving in this process: {reason}");
    }
    Ok((prepared, Lint::Here(loaded), started))
}

/// Lints the spec in a background process (`lint --format errors`): its errors go to
/// stderr, its count becomes the mock's `lint:` line.
fn lint_apart(files: &SpecArgs) {
    let mut args: Vec<std::ffi::OsString> = vec!["lint".into(), "--format".into(), "errors".into()];
    args.extend(files.to_args());
    let child = serving::sibling(&args).and_then(|mut c| c.stdout(Stdio::piped()).spawn());
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            eprintln!("note: cannot lint the spec in the background: {e}");
            return;
        }
    };
    std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut out) = child.stdout.take() {
            let _ = std::io::Read::read_to_string(&mut out, &mut text);
        }
        let _ = child.wait();
        let mut lines: Vec<&str> = text.lines().collect();
        let counts = lines
            .pop()
            .and_then(|l| l.rsplit_once(": "))
            .map(|(_, c)| c.to_owned());
        if !lines.is_empty() {
            eprintln!("{}", lines.join("\n"));
        }
        if let Some(counts) = counts {
            println!("  lint: {counts} ({SERVED}; `cargo xtask lint --spec …` lists them all)");
        }
    });
}
