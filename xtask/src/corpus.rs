//! `cargo xtask corpus`: every real spec of a directory → load, lint, generate a crate →
//! `cargo check` each crate (dependencies warmed once, one shared target dir) → a table.

use crate::scratch::{Scratch, first_error};
use crate::spec_args::workspace_root;
use codegen::diag::Tally;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Flags of `cargo xtask corpus`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Directories of OpenAPI documents (default: ../shared/specs/corpus and ../shared/specs/nango).
    dirs: Vec<PathBuf>,
    /// Also write the rows as JSON.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Generate only; do not run `cargo check`.
    #[arg(long)]
    no_check: bool,
    /// Measure generation in a release build (rebuilds and re-runs this command in release).
    #[arg(long)]
    bench: bool,
    /// Also run each crate's examples test: every example valid against its own schema must
    /// decode into the generated type and encode back equal. Prints `examples K/N decoded
    /// (M invalid, skipped)` per spec and the total; exit 1 when one does not.
    #[arg(long)]
    examples: bool,
}

/// What a crate's examples test reported.
#[derive(serde::Serialize, Default, Clone)]
struct ExampleCounts {
    decoded: usize,
    valid: usize,
    invalid: usize,
    /// Valid examples that did not round-trip: where, and why.
    failures: Vec<String>,
}

#[derive(serde::Serialize)]
struct Row {
    spec: String,
    version: String,
    operations: usize,
    types: usize,
    generate_ms: f64,
    lines: usize,
    fallbacks: usize,
    lint_errors: usize,
    check_s: Option<f64>,
    result: String,
    examples: Option<ExampleCounts>,
}

fn specs(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| {
            std::fs::read_dir(d)
                .into_iter()
                .flatten()
                .filter_map(Result::ok)
                .map(|e| e.path())
        })
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
        })
        .collect();
    out.sort();
    out
}

fn crate_name(path: &Path, taken: &mut Vec<String>) -> String {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
    let parent = path
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|s| s.to_str())
        .unwrap_or("");
    let raw = if stem == "spec" || stem == "openapi" {
        format!("{parent}_{stem}")
    } else {
        stem.to_owned()
    };
    let mut name = crate::codegen::crate_ident(&raw);
    let base = name.clone();
    let mut n = 2;
    while taken.contains(&name) {
        name = format!("{base}_{n}");
        n += 1;
    }
    taken.push(name.clone());
    name
}

/// Runs the command.
pub fn run(args: Args) -> ExitCode {
    if args.bench && cfg!(debug_assertions) {
        // Re-run in release so generation times mean something.
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.current_dir(workspace_root()).args([
            "run",
            "--quiet",
            "--release",
            "-p",
            "xtask",
            "--",
            "corpus",
        ]);
        cmd.args(&args.dirs);
        if let Some(j) = &args.json {
            cmd.arg("--json").arg(j);
        }
        if args.no_check {
            cmd.arg("--no-check");
        }
        if args.examples {
            cmd.arg("--examples");
        }
        return match cmd.status() {
            Ok(s) if s.success() => ExitCode::SUCCESS,
            _ => ExitCode::from(1),
        };
    }
    let root = workspace_root();
    let dirs = if args.dirs.is_empty() {
        vec![
            root.join("../shared/specs/corpus"),
            root.join("../shared/specs/nango"),
        ]
    } else {
        args.dirs.clone()
    };
    let scratch = root.join("target/corpus");
    let _ = std::fs::remove_dir_all(&scratch);
    if let Err(e) = std::fs::create_dir_all(&scratch) {
        eprintln!("error: cannot create {}: {e}", scratch.display());
        return ExitCode::from(2);
    }
    let mut rows = Vec::new();
    let mut names = Vec::new();
    let mut taken = Vec::new();
    for path in specs(&dirs) {
        let display = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("?")
            .to_owned();
        let name = crate_name(&path, &mut taken);
        let started = Instant::now();
        let row = match generate(&path, &display, &name, &scratch.join(&name)) {
            Ok((version, operations, types, lines, fallbacks, lint_errors)) => {
                names.push(name);
                Row {
                    spec: display,
                    version,
                    operations,
                    types,
                    generate_ms: started.elapsed().as_secs_f64() * 1000.0,
                    lines,
                    fallbacks,
                    lint_errors,
                    check_s: None,
                    result: String::new(),
                    examples: None,
                }
            }
            Err(first) => Row {
                spec: display,
                version: "?".into(),
                operations: 0,
                types: 0,
                generate_ms: started.elapsed().as_secs_f64() * 1000.0,
                lines: 0,
                fallbacks: 0,
                lint_errors: 0,
                check_s: None,
                result: format!("error: {first}"),
                examples: None,
            },
        };
        eprintln!("generated {} ({:.0} ms)", row.spec, row.generate_ms);
        rows.push(row);
    }
    if !args.no_check {
        check(&root, &scratch, &names, &mut rows);
    }
    if args.examples {
        run_examples(&root, &scratch, &names, &mut rows);
    }
    print_table(&rows);
    let failed_examples = print_examples(&rows);
    if let Some(path) = &args.json
        && let Err(e) = std::fs::write(
            path,
            serde_json::to_string_pretty(&rows).unwrap_or_default(),
        )
    {
        eprintln!("error: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    let compiled = rows.iter().filter(|r| r.result.starts_with("ok")).count();
    if (args.no_check || compiled == rows.len()) && !failed_examples {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// Runs the examples test of every generated crate and reads its summary.
fn run_examples(root: &Path, scratch: &Path, names: &[String], rows: &mut [Row]) {
    let Some(workspace) = workspace(root, scratch, names) else {
        return;
    };
    // `names` holds one crate per generated row, in order; a row whose crate then failed
    // to compile keeps its place and is not tested.
    let generated = rows.iter_mut().filter(|r| r.types > 0 || r.lines > 0);
    for (row, name) in generated.zip(names) {
        if row.result.starts_with("error") {
            continue;
        }
        if !scratch.join(name).join("tests/examples.rs").exists() {
            row.examples = Some(ExampleCounts::default());
            continue;
        }
        let counts = match workspace.test_examples(name) {
            Ok(out) => read_examples(&String::from_utf8_lossy(&out.stdout)).unwrap_or_else(|| {
                ExampleCounts {
                    failures: vec![format!("the test did not run: {}", first_error(&out))],
                    ..ExampleCounts::default()
                }
            }),
            Err(e) => ExampleCounts {
                failures: vec![format!("cannot run cargo: {e}")],
                ..ExampleCounts::default()
            },
        };
        eprintln!(
            "{}: examples {}/{} decoded ({} invalid, skipped)",
            row.spec, counts.decoded, counts.valid, counts.invalid
        );
        row.examples = Some(counts);
    }
}

/// `examples K/N decoded (M invalid, skipped)` and the `FAILED at: why` lines of a run.
fn read_examples(stdout: &str) -> Option<ExampleCounts> {
    let line = stdout.lines().find(|l| l.starts_with("examples "))?;
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    let [decoded, valid, invalid] = numbers[..] else {
        return None;
    };
    let failures = stdout
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("FAILED "))
        .map(str::to_owned)
        .collect();
    Some(ExampleCounts {
        decoded,
        valid,
        invalid,
        failures,
    })
}

/// Per spec `examples K/N decoded (M invalid, skipped)`, each failure, then the total;
/// whether any valid example failed.
fn print_examples(rows: &[Row]) -> bool {
    let counted: Vec<(&Row, &ExampleCounts)> = rows
        .iter()
        .filter_map(|r| r.examples.as_ref().map(|e| (r, e)))
        .collect();
    if counted.is_empty() {
        return false;
    }
    let (mut decoded, mut valid, mut invalid) = (0, 0, 0);
    for (row, e) in &counted {
        println!(
            "{:<32} examples {}/{} decoded ({} invalid, skipped)",
            row.spec, e.decoded, e.valid, e.invalid
        );
        for f in &e.failures {
            println!("    FAILED {f}");
        }
        decoded += e.decoded;
        valid += e.valid;
        invalid += e.invalid;
    }
    println!("examples decoded {decoded}/{valid} ({invalid} invalid, skipped)");
    counted.iter().any(|(_, e)| !e.failures.is_empty())
}

type Generated = (String, usize, usize, usize, usize, usize);

fn generate(path: &Path, display: &str, name: &str, out: &Path) -> Result<Generated, String> {
    let input = codegen::Input::read(path, display).map_err(|d| d.message)?;
    let loaded = codegen::load(input, vec![]);
    let Some(doc) = loaded.document.as_ref() else {
        let first = loaded.diagnostics.iter().find(|d| d.is_error());
        let location = first
            .and_then(|d| d.span)
            .and_then(|s| loaded.sources.location(s))
            .map(|l| l.to_string())
            .unwrap_or_default();
        return Err(format!(
            "{location} {}",
            first.map(|d| d.message.as_str()).unwrap_or("did not load")
        ));
    };
    let generation = codegen::generate(
        doc,
        &codegen::emit::Options {
            crate_name: name.to_owned(),
            runtime: crate::codegen::runtime_path(out),
            derives: Vec::new(),
            tag_features: Default::default(),
        },
    );
    let lint_errors =
        Tally::of(&loaded.diagnostics).errors + Tally::of(&generation.diagnostics).errors;
    let fallbacks = generation
        .diagnostics
        .iter()
        .filter(|d| d.code == "codegen-fallback")
        .count();
    let model = generation.model;
    let files = generation.files.map_err(|e| e.to_string())?;
    let mut lines = 0;
    for f in &files {
        let target = out.join(&f.path);
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        std::fs::write(&target, &f.contents).map_err(|e| e.to_string())?;
        if f.path.ends_with(".rs") {
            lines += f.contents.lines().count();
        }
    }
    Ok((
        doc.version_text.clone(),
        model.operations.len(),
        model.types.len(),
        lines,
        fallbacks,
        lint_errors,
    ))
}

/// The scratch workspace of the generated crates (its own target directory), or `None`
/// after saying why it cannot be made.
fn workspace(root: &Path, scratch: &Path, names: &[String]) -> Option<Scratch> {
    Scratch::new(root, scratch, &root.join("target/corpus-target"), names)
        .map_err(|e| eprintln!("error: {e}"))
        .ok()
}

fn check(root: &Path, scratch: &Path, names: &[String], rows: &mut [Row]) {
    let Some(workspace) = workspace(root, scratch, names) else {
        return;
    };
    // Warm the dependencies once with the smallest crate, so each timing is the crate alone.
    if let Some(first) = names.first() {
        eprintln!("checking dependencies…");
        let _ = workspace.check(first, &["--all-features"]);
    }
    let mut by_name = names.iter();
    for row in rows.iter_mut().filter(|r| r.result.is_empty()) {
        let Some(name) = by_name.next() else { break };
        let (secs, out) = workspace.check(name, &["--all-features"]);
        row.check_s = Some(secs);
        row.result = match out {
            Err(e) => format!("error: cannot run cargo: {e}"),
            Ok(out) => {
                let text = String::from_utf8_lossy(&out.stderr);
                let warnings = text
                    .lines()
                    .filter(|l| {
                        l.contains(": warning: ")
                            || l.starts_with("warning: ") && !l.contains("generated")
                    })
                    .count();
                match (out.status.success(), warnings) {
                    (true, 0) => "ok".into(),
                    (true, n) => format!("ok with {n} warnings"),
                    (false, _) => format!("error: {}", first_error(&out)),
                }
            }
        };
        eprintln!("checked {} in {secs:.1} s: {}", row.spec, row.result);
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<32} {:>7} {:>5} {:>6} {:>9} {:>8} {:>9} {:>9}  result",
        "spec", "version", "ops", "types", "gen ms", "lines", "check s", "fallback"
    );
    for r in rows {
        println!(
            "{:<32} {:>7} {:>5} {:>6} {:>9.0} {:>8} {:>9} {:>9}  {}",
            r.spec,
            r.version,
            r.operations,
            r.types,
            r.generate_ms,
            r.lines,
            r.check_s.map_or("-".into(), |s| format!("{s:.1}")),
            r.fallbacks,
            r.result
        );
    }
    print_generation_goal(rows);
    let compiled = rows.iter().filter(|r| r.result.starts_with("ok")).count();
    if rows.iter().any(|r| r.check_s.is_some()) {
        println!("compiled {compiled}/{}", rows.len());
    } else {
        println!(
            "generated {}/{} (not checked)",
            rows.iter()
                .filter(|r| !r.result.starts_with("error"))
                .count(),
            rows.len()
        );
    }
}

/// Issue 7's generation goal: github-api (1,223 operations) in 3 s, every other spec in 1 s;
/// read here as 3 s for a spec of 1,000 operations or more, else 1 s.
fn generation_budget_ms(row: &Row) -> f64 {
    if row.operations >= 1000 {
        3000.0
    } else {
        1000.0
    }
}

fn print_generation_goal(rows: &[Row]) {
    if cfg!(debug_assertions) {
        println!("generation goal: not judged in a debug build (use --bench)");
        return;
    }
    let over: Vec<String> = rows
        .iter()
        .filter(|r| r.generate_ms > generation_budget_ms(r))
        .map(|r| format!("{} ({:.0} ms)", r.spec, r.generate_ms))
        .collect();
    println!(
        "generation goal (≤ 1 s; ≤ 3 s from 1,000 operations): met by {}/{}{}",
        rows.len() - over.len(),
        rows.len(),
        if over.is_empty() {
            String::new()
        } else {
            format!("; over: {}", over.join(", "))
        }
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_summary_and_failures_are_read() {
        let out = "examples 7/9 decoded (3 invalid, skipped)\n  FAILED #/a/example: decode: bad\n  skipped #/b (invalid)\n";
        let counts = read_examples(out).unwrap();
        assert_eq!((counts.decoded, counts.valid, counts.invalid), (7, 9, 3));
        assert_eq!(counts.failures, ["#/a/example: decode: bad"]);
        assert!(read_examples("no summary").is_none());
    }
}
