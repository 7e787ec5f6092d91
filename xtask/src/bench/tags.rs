//! `cargo xtask bench tags`: what per-tag features buy on a large API. For a spec (default
//! GitHub's, 1,000+ operations) this generator's crate and OpenAPI Generator's Rust client
//! (`openapi-generator-cli==7.26.0` from PyPI, the jar run with the machine's Java; rustls
//! like ours) go in one scratch workspace; after the dependencies are checked, each is
//! `cargo check`ed with no incremental cache and the times are printed as ratios:
//! `client` + one tag against all features, all features and `client` alone against
//! OpenAPI Generator's client.

use super::Args;
use super::mock::run;
use crate::scratch::{Scratch, first_error, median};
use crate::spec_args::workspace_root;
use std::path::{Path, PathBuf};
use std::process::Command;

/// OpenAPI Generator's command: `OPENAPI_GENERATOR`, or the PyPI package installed into a
/// venv under `target/bench/` (Java must be on the machine).
fn openapi_generator(root: &Path) -> Result<PathBuf, String> {
    if let Ok(p) = std::env::var("OPENAPI_GENERATOR") {
        return Ok(p.into());
    }
    let venv = root.join("target/bench/venv");
    let bin = venv.join("bin/openapi-generator-cli");
    if !bin.exists() {
        eprintln!("installing openapi-generator-cli==7.26.0 (PyPI)…");
        run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
        run(Command::new(venv.join("bin/pip")).args([
            "install",
            "-q",
            "--disable-pip-version-check",
            "openapi-generator-cli==7.26.0",
        ]))?;
    }
    Ok(bin)
}

/// Writes OpenAPI Generator's Rust client for `spec` into `out`, on rustls.
fn generate_oag(root: &Path, spec: &Path, out: &Path) -> Result<(), String> {
    let bin = openapi_generator(root)?;
    let _ = std::fs::remove_dir_all(out);
    let output = Command::new(&bin)
        .args(["generate", "-g", "rust", "--skip-validate-spec", "-i"])
        .arg(spec)
        .arg("-o")
        .arg(out)
        .arg("--additional-properties=packageName=oag")
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if !output.status.success() {
        return Err(format!(
            "OpenAPI Generator failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let manifest = out.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    // Its default TLS is native-tls (OpenSSL); ours is rustls. Compare like with like.
    let text = text.replace("default = [\"native-tls\"]", "default = [\"rustls\"]");
    std::fs::write(&manifest, text).map_err(|e| e.to_string())
}

/// The tag features of the crate, smallest first, with how many operations each has; and
/// how many operations there are.
fn tags_by_size(spec: &Path) -> Result<(Vec<(String, usize)>, usize), String> {
    let input = codegen::Input::read(spec, spec.display().to_string()).map_err(|d| d.message)?;
    let loaded = codegen::load(input, vec![]);
    let doc = loaded.document.ok_or("the spec did not load")?;
    let (model, _) = codegen::model::build(&doc);
    let features = codegen::model::features::plan(&model, codegen::model::features::Mode::Always)
        .ok_or("the spec has no tags")?;
    let mut sizes: Vec<(String, usize)> = features
        .names
        .iter()
        .enumerate()
        .filter(|(_, name)| *name != "other-schemas")
        .map(|(i, name)| {
            let ops = features
                .operations
                .iter()
                .filter(
                    |g| matches!(g, codegen::model::features::Gate::Any(set) if set.contains(&i)),
                )
                .count();
            (name.clone(), ops)
        })
        .collect();
    sizes.sort_by_key(|(name, ops)| (*ops, name.clone()));
    Ok((sizes, model.operations.len()))
}

/// Runs `bench tags`.
pub fn bench(args: &Args) -> Result<(), String> {
    let root = workspace_root();
    let spec = match &args.spec {
        Some(s) => s.clone(),
        None => root.join("../shared/specs/corpus/github-api.json"),
    };
    let dir = root.join("target/bench-tags");
    let ws = dir.join("ws");
    eprintln!("generating both crates…");
    let _ = std::fs::remove_dir_all(ws.join("ours"));
    super::compile::generate_here(
        &spec,
        &ws.join("ours"),
        "ours",
        codegen::model::features::Mode::Always,
    )?;
    generate_oag(&root, &spec, &ws.join("oag"))?;
    let (sizes, total) = tags_by_size(&spec)?;
    let median_tag = sizes
        .get(sizes.len() / 2)
        .map(|(n, _)| n.clone())
        .ok_or("no tag")?;
    let tag = args.tag.clone().unwrap_or(median_tag);
    let tag_ops = sizes.iter().find(|(n, _)| *n == tag).map_or(0, |(_, o)| *o);
    let (largest, largest_ops) = sizes.last().cloned().ok_or("no tag")?;
    let scratch = Scratch::new(
        &root,
        &ws,
        &dir.join("target"),
        &["ours".into(), "oag".into()],
    )?;
    let one_tag = format!("client,{tag}");
    let big_tag = format!("client,{largest}");
    let configs: Vec<(&str, &str, Vec<&str>)> = vec![
        ("ours", "all features", vec!["--all-features"]),
        (
            "ours",
            "client only (all tags)",
            vec!["--features", "client"],
        ),
        (
            "ours",
            "client + one tag",
            vec!["--no-default-features", "--features", one_tag.as_str()],
        ),
        ("oag", "OpenAPI Generator client", vec![]),
        (
            "ours",
            "client + the largest tag",
            vec!["--no-default-features", "--features", big_tag.as_str()],
        ),
    ];
    eprintln!("checking dependencies…");
    for (member, _, flags) in &configs {
        let (_, out) = scratch.check(member, flags);
        let out = out.map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(format!("{member}: {}", first_error(&out)));
        }
    }
    let runs = args.runs.unwrap_or(1).max(1);
    let mut times = Vec::new();
    for (member, label, flags) in &configs {
        let samples: Vec<f64> = (0..runs).map(|_| scratch.check(member, flags).0).collect();
        let t = median(samples);
        eprintln!("{label}: {t:.1} s");
        times.push(t);
    }
    let (all, client, one, oag, big) = (times[0], times[1], times[2], times[3], times[4]);
    println!(
        "cargo check of {} ({runs} run(s) each, median, CARGO_INCREMENTAL=0, dependencies warm)",
        spec.display()
    );
    for ((_, label, flags), t) in configs.iter().zip(&times) {
        println!("{label:<28} {t:>8.1} s   {}", flags.join(" "));
    }
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "client + `{tag}` ({tag_ops} of {} operations) ÷ all features: {:.2} (goal ≤ 0.20, {})",
        total,
        one / all,
        verdict(one / all <= 0.20)
    );
    println!(
        "client + `{largest}` ({largest_ops} operations, the largest tag) ÷ all features: {:.2}",
        big / all
    );
    println!(
        "all features ÷ OpenAPI Generator: {:.2} (goal ≤ 1.00, {})",
        all / oag,
        verdict(all <= oag)
    );
    println!(
        "client only ÷ OpenAPI Generator: {:.2} (goal ≤ 0.50, {})",
        client / oag,
        verdict(client / oag <= 0.5)
    );
    Ok(())
}
