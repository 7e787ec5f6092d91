//! `cargo xtask codegen`: the effective spec → the `generated/` crate (or `--out DIR`).

use crate::spec_args::{self, SpecArgs, workspace_root};
use codegen::diag::{self, Tally};
use codegen::emit::{self, File};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `cargo xtask codegen`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    spec: SpecArgs,
    /// Write a complete crate to DIR instead of `generated/`.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Regenerate in memory and fail (exit 1) naming every file that differs from disk.
    #[arg(long)]
    check: bool,
}

/// Generates (or checks) the crate.
pub fn run(args: Args) -> ExitCode {
    let (spec, overlays) = match args.spec.read() {
        Ok(inputs) => inputs,
        Err(d) => {
            spec_args::print_plain(&d);
            return ExitCode::from(1);
        }
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| workspace_root().join("generated"));
    let crate_name = match &args.out {
        None => "generated".to_owned(),
        Some(dir) => crate_name_for(dir),
    };
    let files = match generate(spec, overlays, &crate_name) {
        Ok(files) => files,
        Err(code) => return code,
    };
    if args.check {
        return check(&out_dir, &files);
    }
    for f in &files {
        let path = out_dir.join(&f.path);
        let unchanged = std::fs::read_to_string(&path).is_ok_and(|old| old == f.contents);
        if unchanged {
            continue;
        }
        if let Err(e) = path
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&path, &f.contents))
        {
            eprintln!("error: cannot write {}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    let lines: usize = files.iter().map(|f| f.contents.lines().count()).sum();
    eprintln!(
        "generated {} ({} files, {lines} lines)",
        out_dir.display(),
        files.len()
    );
    ExitCode::SUCCESS
}

/// Loads, lints, models and emits; prints the findings. Errors in the spec are reported
/// but do not stop generation: each becomes a documented fallback in the model.
pub fn generate(
    spec: codegen::Input,
    overlays: Vec<codegen::Input>,
    crate_name: &str,
) -> Result<Vec<File>, ExitCode> {
    let loaded = codegen::load(spec, overlays);
    let color = spec_args::use_color(&std::io::stderr());
    let Some(doc) = loaded.document.as_ref() else {
        eprint!(
            "{}",
            diag::render_human(&loaded.diagnostics, &loaded.sources, color)
        );
        eprintln!("error: the spec could not be loaded");
        return Err(ExitCode::from(1));
    };
    let generation = codegen::generate(
        doc,
        &emit::Options {
            crate_name: crate_name.to_owned(),
        },
    );
    let mut all = loaded.diagnostics.clone();
    all.extend(generation.diagnostics);
    diag::sort(&mut all);
    if !all.is_empty() {
        eprint!("{}", diag::render_human(&all, &loaded.sources, color));
        eprintln!("{}", Tally::of(&all));
    }
    generation.files.map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(1)
    })
}

fn crate_name_for(dir: &Path) -> String {
    crate_ident(dir.file_name().and_then(|n| n.to_str()).unwrap_or("api"))
}

/// A Cargo package name from any text: lower-case ASCII alphanumerics, `_` for the rest,
/// prefixed with `api_` when it would start with a digit or be empty.
pub fn crate_ident(raw: &str) -> String {
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) || name.is_empty() {
        format!("api_{name}")
    } else {
        name
    }
}

fn normalize(text: &str) -> String {
    text.replace("\r\n", "\n")
}

fn check(out_dir: &Path, files: &[File]) -> ExitCode {
    let mut stale = Vec::new();
    for f in files {
        match std::fs::read_to_string(out_dir.join(&f.path)) {
            Ok(on_disk) if normalize(&on_disk) == normalize(&f.contents) => {}
            Ok(_) => stale.push(format!("{} (differs)", f.path)),
            Err(_) => stale.push(format!("{} (missing)", f.path)),
        }
    }
    if stale.is_empty() {
        eprintln!(
            "{} is up to date ({} files)",
            out_dir.display(),
            files.len()
        );
        return ExitCode::SUCCESS;
    }
    eprintln!("error: {} is stale:", out_dir.display());
    for s in &stale {
        eprintln!("  {s}");
    }
    eprintln!("help: run `cargo xtask codegen` and commit the result");
    ExitCode::from(1)
}
