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
    /// Write a complete crate to DIR instead of `generated/`: a new or empty folder, or
    /// one this command generated before (its `src/lib.rs` has the `@generated` header).
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Write into `--out DIR` even when it holds files this command did not generate.
    #[arg(long, requires = "out")]
    force: bool,
    /// The crate's package name (default: the `--out` folder's name, made a valid name).
    #[arg(long, value_name = "CRATE", requires = "out")]
    name: Option<String>,
    /// Regenerate in memory and fail (exit 1) naming every file that differs from disk.
    #[arg(long)]
    check: bool,
    /// Depend on `openapi-runtime` by version only (from the registry), for a crate that will
    /// be published; by default the dependency is this workspace's `runtime/` by path.
    #[arg(long)]
    publishable: bool,
    /// Derive this trait too on every type where it can hold (repeatable): Eq, Hash,
    /// PartialOrd, Ord. Types that cannot hold it (floats, JSON values) are listed.
    #[arg(long = "derive", value_name = "TRAIT", value_parser = parse_trait)]
    derives: Vec<codegen::model::traits::Trait>,
    /// Make a cargo feature per OpenAPI tag (operations gated by their tags, types by what
    /// reaches them; `default` enables all). Automatic above 250 operations.
    #[arg(long, conflicts_with = "no_tag_features")]
    tag_features: bool,
    /// Never make tag features, however large the spec.
    #[arg(long)]
    no_tag_features: bool,
}

fn parse_trait(text: &str) -> Result<codegen::model::traits::Trait, String> {
    codegen::model::traits::Trait::parse(text)
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
    let crate_name = match (&args.out, &args.name) {
        (None, _) => "generated".to_owned(),
        (Some(_), Some(name)) => {
            // Cargo's rule: ASCII letters, digits, `-` and `_`, starting with a letter.
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                eprintln!("error: `{name}` is not a valid crate name");
                eprintln!(
                    "help: use letters, digits, `-` and `_`, starting with a letter, such as `{}`",
                    crate_ident(name)
                );
                return ExitCode::from(2);
            }
            name.clone()
        }
        (Some(dir), None) => crate_name_for(dir),
    };
    if !args.check
        && args.out.is_some()
        && !args.force
        && let Err(why) = writable(&out_dir)
    {
        eprintln!("error: refusing to write into {}: {why}", out_dir.display());
        eprintln!("help: choose a new or empty folder, or pass --force to write into this one");
        return ExitCode::from(2);
    }
    let runtime = if args.publishable {
        emit::Runtime::Registry
    } else {
        runtime_path(&out_dir)
    };
    let options = emit::Options {
        crate_name,
        runtime,
        derives: args.derives.clone(),
        tag_features: match (args.tag_features, args.no_tag_features) {
            (true, _) => codegen::model::features::Mode::Always,
            (_, true) => codegen::model::features::Mode::Never,
            _ => codegen::model::features::Mode::Auto,
        },
    };
    let files = match generate(spec, overlays, &options) {
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
    options: &emit::Options,
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
    let generation = codegen::generate(doc, options);
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

/// The workspace's runtime crate as a path dependency of a crate written to `out_dir`:
/// relative when both are on one tree (so the pair can move together), absolute otherwise.
pub fn runtime_path(out_dir: &Path) -> emit::Runtime {
    let runtime = workspace_root().join("runtime");
    let absolute = |p: &Path| {
        let joined = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        lexical(&joined)
    };
    let path = relative(&absolute(out_dir), &absolute(&runtime));
    emit::Runtime::Path(path.to_string_lossy().into_owned())
}

/// `a/./b/../c` → `a/c`, without touching the file system (the directory may not exist yet).
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The path of `to` seen from the directory `from` (both absolute and lexically clean).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return to.iter().collect();
    }
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to[common..] {
        out.push(c);
    }
    out
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

/// The header every file the generator writes opens with (after its comment marker).
const GENERATED: &str = "@generated by `cargo xtask codegen`";

/// Whether `dir` may be written: it does not exist, is empty, or holds a crate this command
/// generated (its `src/lib.rs`, and `Cargo.toml` when present, open with the header).
fn writable(dir: &Path) -> Result<(), String> {
    let mut entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
            return Err("it is a file".to_owned());
        }
        Err(e) => return Err(format!("it cannot be read ({e})")),
    };
    if entries.next().is_none() {
        return Ok(());
    }
    let opens_generated = |file: &str| {
        std::fs::read_to_string(dir.join(file))
            .ok()
            .and_then(|text| text.lines().next().map(|l| l.contains(GENERATED)))
    };
    match (opens_generated("src/lib.rs"), opens_generated("Cargo.toml")) {
        (Some(true), Some(true) | None) => Ok(()),
        (Some(true), Some(false)) => {
            Err("its Cargo.toml was not written by this command".to_owned())
        }
        _ => Err(
            "it is not empty and holds no crate generated by this command (no `@generated` header in src/lib.rs)"
                .to_owned(),
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_empty_or_generated_folders_are_written() {
        let root = std::env::temp_dir().join(format!("xtask-writable-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        assert!(writable(&root.join("new")).is_ok());
        std::fs::create_dir_all(root.join("empty")).unwrap();
        assert!(writable(&root.join("empty")).is_ok());
        let app = root.join("app");
        std::fs::create_dir_all(app.join("src")).unwrap();
        std::fs::write(app.join("Cargo.toml"), "[package]\nname = \"app\"\n").unwrap();
        std::fs::write(app.join("src/lib.rs"), "pub fn mine() {}\n").unwrap();
        let why = writable(&app).unwrap_err();
        assert!(why.contains("no crate generated"), "{why}");
        std::fs::write(
            app.join("src/lib.rs"),
            format!("// {GENERATED} from X. Do not edit.\n"),
        )
        .unwrap();
        let why = writable(&app).unwrap_err();
        assert!(why.contains("Cargo.toml"), "{why}");
        std::fs::write(app.join("Cargo.toml"), format!("# {GENERATED} from X.\n")).unwrap();
        assert!(writable(&app).is_ok());
        std::fs::write(root.join("file"), "x").unwrap();
        assert!(writable(&root.join("file")).is_err());
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn runtime_paths_are_relative_to_the_generated_crate() {
        assert_eq!(
            relative(Path::new("/w/target/gen/a"), Path::new("/w/runtime")),
            PathBuf::from("../../../runtime")
        );
        assert_eq!(
            relative(Path::new("/w/generated"), Path::new("/w/runtime")),
            PathBuf::from("../runtime")
        );
        assert_eq!(lexical(Path::new("/w/x/./y/../z")), PathBuf::from("/w/x/z"));
        let root = workspace_root();
        assert_eq!(
            runtime_path(&root.join("generated")),
            emit::Runtime::Path("../runtime".into())
        );
    }
}
