//! `cargo xtask bundle`.

use crate::spec_args::{self, SpecArgs};
use codegen::diag::{self, Tally};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Flags of `cargo xtask bundle`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    spec: SpecArgs,
    /// Where to write the effective spec; .yaml, .yml or .json.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
}

/// Loads, lints and writes the effective spec.
pub fn run(args: Args) -> ExitCode {
    let Some(format) = codegen::bundle::Format::from_path(&args.out) else {
        eprintln!(
            "error: --out must end in .yaml, .yml or .json: {}",
            args.out.display()
        );
        return ExitCode::from(2);
    };
    let (spec, overlays) = match args.spec.read() {
        Ok(inputs) => inputs,
        Err(d) => {
            spec_args::print_plain(&d);
            return ExitCode::from(1);
        }
    };
    let loaded = codegen::check(spec, overlays);
    let tally = Tally::of(&loaded.diagnostics);
    if !loaded.diagnostics.is_empty() {
        let color = spec_args::use_color(&std::io::stderr());
        eprint!(
            "{}",
            diag::render_human(&loaded.diagnostics, &loaded.sources, color)
        );
    }
    let Some(doc) = loaded.document.filter(|_| tally.errors == 0) else {
        eprintln!(
            "error: not writing {}: the effective spec has {tally}",
            args.out.display()
        );
        return ExitCode::from(1);
    };
    let text = match codegen::bundle::render(&doc, format) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("error: cannot serialize the effective spec: {e}");
            return ExitCode::from(1);
        }
    };
    match write_atomically(&args.out, &text) {
        Ok(()) => {
            eprintln!(
                "wrote {} ({} bytes, {tally})",
                args.out.display(),
                text.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            ExitCode::from(1)
        }
    }
}

/// Writes next to the target and renames, so readers never see half a file.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("bundle")
    ));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}
