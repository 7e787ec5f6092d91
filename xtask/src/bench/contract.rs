//! `cargo xtask bench contract`: our spec-driven runner against schemathesis 4.32.5
//! `--checks all`, on the same targets, in one run: the mock of each spec once correct and
//! once per planted fault (`cargo xtask mock --fault`). A runner finds a fault when it
//! reports, on the faulty target, a failure (operation and check, or schemathesis' code)
//! it does not report on the correct one; a fault that changed no answer in either run
//! (the spec gives it nowhere to act) is left out. Printed as one table: defects found, requests
//! the target answered, wall time, and the time ratio. Loopback only.

use super::Args;
use crate::spec_args::workspace_root;
use contract_tests::ContractValidator;
use contract_tests::explore::{self, Config};
use contract_tests::spec_mock::faults::Fault;
use contract_tests::spec_mock::{Options, SpecMock};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The token the mocks accept for every bearer-kind scheme, and the runners send.
const TOKEN: &str = "bench-token";

/// One runner on one target.
struct Run {
    failures: BTreeSet<String>,
    requests: u64,
    time: Duration,
    /// Answers the planted fault changed.
    fired: u64,
}

/// The default targets: the shop fixture and train-travel (3.1, oauth2) from the corpus.
fn default_specs() -> Vec<PathBuf> {
    let root = workspace_root();
    vec![
        root.join("contract-tests/tests/fixtures/shop.yaml"),
        root.join("../shared/specs/corpus/train-travel.yaml"),
    ]
}

fn schemathesis() -> Result<PathBuf, String> {
    let path = std::env::var_os("SCHEMATHESIS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("schemathesis"));
    let version = Command::new(&path).arg("--version").output().map_err(|e| {
        format!(
            "{}: {e} (set SCHEMATHESIS, or run ../shared/tools/peers.sh)",
            path.display()
        )
    })?;
    let text = String::from_utf8_lossy(&version.stdout);
    if !text.contains("4.32.5") {
        eprintln!(
            "note: schemathesis is {}, the baseline is 4.32.5",
            text.trim()
        );
    }
    Ok(path)
}

/// Runs the benchmark.
pub fn bench(args: &Args) -> Result<(), String> {
    let st = schemathesis()?;
    let specs = match &args.spec {
        Some(s) => vec![s.clone()],
        None => default_specs(),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut rows = Vec::new();
    for spec in &specs {
        let name = spec
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let loaded = load(spec)?;
        let credentials: Vec<String> = ContractValidator::new(load(spec)?)
            .map_err(|e| e.to_string())?
            .http()
            .schemes
            .iter()
            .filter(|s| s.kind.is_bearer())
            .map(|s| format!("{}={TOKEN}", s.name))
            .collect();
        let target = |fault: Option<Fault>| Options {
            stateful: true,
            credentials: credentials.clone(),
            faults: fault.into_iter().collect(),
            ..Options::default()
        };
        eprintln!("{name}: the correct mock");
        let ours_base = ours(&runtime, spec, &loaded, target(None))?;
        let st_base = theirs(&runtime, &st, spec, &loaded, target(None))?;
        for fault in Fault::ALL {
            eprintln!("{name}: --fault {}", fault.as_str());
            let o = ours(&runtime, spec, &loaded, target(Some(fault)))?;
            let t = theirs(&runtime, &st, spec, &loaded, target(Some(fault)))?;
            if o.fired == 0 && t.fired == 0 {
                println!(
                    "{name}: --fault {} changed no answer (the spec gives it nowhere to act): left out",
                    fault.as_str()
                );
                continue;
            }
            let found = |run: &Run, base: &Run| !run.failures.is_subset(&base.failures);
            rows.push((
                name.clone(),
                fault,
                found(&o, &ours_base),
                found(&t, &st_base),
                o,
                t,
            ));
        }
    }
    println!(
        "\n{:18} {:24} {:>6} {:>9} {:>8}   {:>6} {:>9} {:>8}",
        "spec", "fault", "ours", "requests", "time", "st", "requests", "time"
    );
    let mark = |b: bool| if b { "found" } else { "-" };
    let (mut ours_found, mut st_found, mut ours_time, mut st_time) = (0, 0, 0.0, 0.0);
    let (mut ours_requests, mut st_requests) = (0, 0);
    for (spec, fault, of, tf, o, t) in &rows {
        println!(
            "{:18} {:24} {:>6} {:>9} {:>7.1}s   {:>6} {:>9} {:>7.1}s",
            spec,
            fault.as_str(),
            mark(*of),
            o.requests,
            o.time.as_secs_f64(),
            mark(*tf),
            t.requests,
            t.time.as_secs_f64()
        );
        ours_found += usize::from(*of);
        st_found += usize::from(*tf);
        ours_time += o.time.as_secs_f64();
        st_time += t.time.as_secs_f64();
        ours_requests += o.requests;
        st_requests += t.requests;
    }
    let missed_by_us: Vec<String> = rows
        .iter()
        .filter(|r| r.3 && !r.2)
        .map(|r| format!("{} {}", r.0, r.1.as_str()))
        .collect();
    println!(
        "\ndefects found: ours {ours_found}/{n}, schemathesis {st_found}/{n}; requests: ours {ours_requests}, schemathesis {st_requests}",
        n = rows.len()
    );
    println!(
        "wall time: ours {ours_time:.1}s, schemathesis {st_time:.1}s: {:.3}× (goal ≤ 0.333×, and every defect schemathesis finds)",
        if st_time > 0.0 {
            ours_time / st_time
        } else {
            0.0
        }
    );
    if missed_by_us.is_empty() {
        println!("every defect schemathesis finds, ours finds too");
    } else {
        println!("found by schemathesis only: {}", missed_by_us.join(", "));
    }
    Ok(())
}

fn load(spec: &Path) -> Result<codegen::load::Loaded, String> {
    let input = codegen::Input::read(spec, spec.display().to_string()).map_err(|d| d.message)?;
    Ok(codegen::check(input, Vec::new()))
}

/// Our runner against a fresh mock.
fn ours(
    runtime: &tokio::runtime::Runtime,
    spec: &Path,
    loaded: &codegen::load::Loaded,
    options: Options,
) -> Result<Run, String> {
    let validator = ContractValidator::new(load(spec)?).map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let running = SpecMock::build(loaded, options)
            .map_err(|e| e.to_string())?
            .start("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())?;
        let mut config = Config::new(running.base_url.clone());
        config
            .headers
            .push(("Authorization".into(), format!("Bearer {TOKEN}")));
        let started = Instant::now();
        let outcome = explore::run(&validator, &config, &mut |_| {})
            .await
            .map_err(|e| e.to_string())?;
        Ok(Run {
            failures: outcome
                .findings
                .iter()
                .map(|f| format!("{} {}", f.operation, f.check))
                .collect(),
            requests: running.requests(),
            time: started.elapsed(),
            fired: running.faults_fired(),
        })
    })
}

/// schemathesis `--checks all` against a fresh mock.
fn theirs(
    runtime: &tokio::runtime::Runtime,
    st: &Path,
    spec: &Path,
    loaded: &codegen::load::Loaded,
    options: Options,
) -> Result<Run, String> {
    let running = runtime.block_on(async {
        SpecMock::build(loaded, options)
            .map_err(|e| e.to_string())?
            .start("127.0.0.1:0")
            .await
            .map_err(|e| e.to_string())
    })?;
    let dir = workspace_root().join("target/bench-contract");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let out = Command::new(st)
        .current_dir(&dir)
        .arg("run")
        .arg(spec)
        .args([
            "--url",
            &running.base_url,
            "--checks",
            "all",
            "--seed",
            "1",
            "--no-color",
        ])
        .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
        .output()
        .map_err(|e| format!("schemathesis: {e}"))?;
    let time = started.elapsed();
    let text = String::from_utf8_lossy(&out.stdout);
    if !text.contains("Test cases:") {
        return Err(format!(
            "schemathesis did not run:\n{text}{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(Run {
        failures: contract_tests::schemathesis::failures(&text)
            .into_iter()
            .map(|f| format!("{} {}", f.operation, f.code))
            .collect(),
        requests: running.requests(),
        time,
        fired: running.faults_fired(),
    })
}
