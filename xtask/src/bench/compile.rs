//! `cargo xtask bench compile`: how long `cargo check` takes on the crate generated for
//! Nango's full spec (60 operations), with this generator and with an earlier one, in one
//! command. The earlier generator is built from a git worktree of `--baseline` (once; its
//! build is cached under `target/bench-compile/`), both crates go in one scratch workspace
//! with this workspace's `Cargo.lock`, dependencies are checked first, then each crate is
//! checked `--runs` times per feature set with no incremental cache and the medians printed
//! side by side with their ratio.

use super::Args;
use super::mock::run;
use crate::scratch::{Scratch, first_error, median};
use crate::spec_args::workspace_root;
use std::path::Path;
use std::process::Command;

/// The last generator before the runtime crate and `#[derive(Record)]` (structs were
/// written with a `record!` line under them, and the runtime copied into each crate).
pub const BASELINE: &str = "f17c85f32e4b8480ddc3323e6e5956a180e9d0cd";

/// The feature sets timed: (label, cargo flags).
const CONFIGS: [(&str, &[&str]); 3] = [
    ("default features", &[]),
    ("--features client", &["--features", "client"]),
    ("--all-features", &["--all-features"]),
];

/// Writes the crate the current generator makes for `spec` into `out`.
pub fn generate_here(
    spec: &Path,
    out: &Path,
    name: &str,
    tag_features: codegen::model::features::Mode,
) -> Result<(), String> {
    let input = codegen::Input::read(spec, spec.display().to_string()).map_err(|d| d.message)?;
    let loaded = codegen::load(input, vec![]);
    let doc = loaded.document.ok_or("the spec did not load")?;
    let options = codegen::emit::Options {
        crate_name: name.to_owned(),
        runtime: crate::codegen::runtime_path(out),
        derives: Vec::new(),
        tag_features,
    };
    let files = codegen::generate(&doc, &options)
        .files
        .map_err(|e| e.to_string())?;
    for f in files {
        let path = out.join(&f.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(&path, f.contents).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Builds the generator at `rev` (a worktree under `dir`) and has it write the crate.
fn generate_baseline(
    root: &Path,
    dir: &Path,
    rev: &str,
    spec: &Path,
    out: &Path,
) -> Result<(), String> {
    let src = dir.join("baseline-src");
    let stamp = dir.join("baseline-rev");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(rev) {
        let _ = Command::new("git")
            .current_dir(root)
            .args(["worktree", "remove", "--force"])
            .arg(&src)
            .output();
        let _ = std::fs::remove_dir_all(&src);
        run(Command::new("git")
            .current_dir(root)
            .args(["worktree", "add", "--detach"])
            .arg(&src)
            .arg(rev))
        .map_err(|e| format!("{e} (the baseline needs this repository's git history)"))?;
        std::fs::write(&stamp, rev).map_err(|e| e.to_string())?;
    }
    eprintln!("building the baseline generator ({rev})…");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let target = dir.join("baseline-target");
    run(Command::new(&cargo)
        .current_dir(&src)
        .env("CARGO_TARGET_DIR", &target)
        .args(["build", "--quiet", "-p", "xtask"]))?;
    let _ = std::fs::remove_dir_all(out);
    let output = Command::new(target.join("debug/xtask"))
        .current_dir(&src)
        .args(["codegen", "--spec"])
        .arg(spec)
        .arg("--out")
        .arg(out)
        .output()
        .map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "the baseline generator failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(())
}

/// Runs `bench compile`.
pub fn bench(args: &Args) -> Result<(), String> {
    let root = workspace_root();
    let spec = root.join("../shared/specs/nango/spec.yaml");
    let dir = root.join("target/bench-compile");
    let ws = dir.join("ws");
    generate_baseline(&root, &dir, &args.baseline, &spec, &ws.join("before"))?;
    let _ = std::fs::remove_dir_all(ws.join("after"));
    generate_here(
        &spec,
        &ws.join("after"),
        "after",
        codegen::model::features::Mode::Auto,
    )?;
    let scratch = Scratch::new(
        &root,
        &ws,
        &dir.join("target"),
        &["before".into(), "after".into()],
    )?;
    eprintln!("checking dependencies…");
    for member in ["before", "after"] {
        for (_, flags) in CONFIGS {
            let (_, out) = scratch.check(member, flags);
            let out = out.map_err(|e| e.to_string())?;
            if !out.status.success() {
                return Err(format!("{member}: {}", first_error(&out)));
            }
        }
    }
    println!(
        "cargo check of the full-Nango crate alone ({} runs each, median, CARGO_INCREMENTAL=0)",
        args.runs.unwrap_or(5)
    );
    println!(
        "{:<20} {:>10} {:>10} {:>8}",
        "features", "before s", "after s", "ratio"
    );
    for (label, flags) in CONFIGS {
        let mut before = Vec::new();
        let mut after = Vec::new();
        // Interleaved, so a busy moment costs both sides alike.
        for _ in 0..args.runs.unwrap_or(5).max(1) {
            before.push(scratch.check("before", flags).0);
            after.push(scratch.check("after", flags).0);
        }
        let (b, a) = (median(before), median(after));
        println!("{label:<20} {b:>10.2} {a:>10.2} {:>7.2}x", a / b);
    }
    println!(
        "before: the generator at {}; after: this one",
        args.baseline
    );
    Ok(())
}
