//! The spec and overlay flags shared by every command that reads the spec.

use clap::Args;
use codegen::Input;
use codegen::diag::{self, Diagnostic};
use std::path::{Path, PathBuf};

/// Which spec to read and which overlays to apply to it.
#[derive(Args, Clone, Debug)]
pub struct SpecArgs {
    /// OpenAPI document (YAML or JSON). Default: spec/nango.yaml.
    #[arg(long, value_name = "FILE")]
    pub spec: Option<PathBuf>,
    /// Overlay to apply, in order; repeatable. Default: spec/nango.overlay.yaml when --spec is not given.
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
    /// Apply no overlay: read the spec exactly as published.
    #[arg(long, conflicts_with = "overlays")]
    pub no_overlay: bool,
}

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

impl SpecArgs {
    /// The flags that name these files again, for a command started from this one.
    pub fn to_args(&self) -> Vec<std::ffi::OsString> {
        let mut out = Vec::new();
        if let Some(spec) = &self.spec {
            out.extend(["--spec".into(), spec.clone().into_os_string()]);
        }
        for overlay in &self.overlays {
            out.extend(["--overlay".into(), overlay.clone().into_os_string()]);
        }
        if self.no_overlay {
            out.push("--no-overlay".into());
        }
        out
    }

    /// Reads the files. Defaults are named relative to the workspace root
    /// (`spec/nango.yaml`), user paths as typed.
    pub fn read(&self) -> Result<(Input, Vec<Input>), Diagnostic> {
        let root = workspace_root();
        let default = |rel: &str| (root.join(rel), rel.to_owned());
        let (spec_path, spec_name) = match &self.spec {
            Some(p) => (p.clone(), p.display().to_string()),
            None => default("spec/nango.yaml"),
        };
        let overlay_paths: Vec<(PathBuf, String)> = if self.no_overlay {
            Vec::new()
        } else if !self.overlays.is_empty() {
            self.overlays
                .iter()
                .map(|p| (p.clone(), p.display().to_string()))
                .collect()
        } else if self.spec.is_none() {
            vec![default("spec/nango.overlay.yaml")]
        } else {
            Vec::new()
        };
        let spec = Input::read(&spec_path, spec_name)?;
        let overlays = overlay_paths
            .into_iter()
            .map(|(p, n)| Input::read(&p, n))
            .collect::<Result<_, _>>()?;
        Ok((spec, overlays))
    }
}

/// Reads and loads the spec with its overlays, without lint (servers start first and lint
/// after). A file that cannot be read, or a document that is not OpenAPI 3.x, is printed
/// with its diagnostics: exit 2.
pub fn load_document(files: &SpecArgs) -> Result<codegen::load::Loaded, std::process::ExitCode> {
    let (spec, overlays) = files.read().map_err(|d| {
        print_plain(&d);
        std::process::ExitCode::from(2)
    })?;
    let loaded = codegen::load::load(spec, overlays);
    if loaded.document.is_none() {
        eprintln!(
            "{}",
            diag::render_human(
                &loaded.diagnostics,
                &loaded.sources,
                use_color(&std::io::stderr())
            )
        );
        eprintln!("error: the spec cannot be read as OpenAPI 3.x");
        return Err(std::process::ExitCode::from(2));
    }
    Ok(loaded)
}

/// Lints a loaded spec and prints its errors and a count. They stop nothing: servers go
/// on (`outcome` says how, e.g. "served anyway") where an operation is still meaningful.
pub fn report_lint(loaded: &codegen::load::Loaded, color: bool, outcome: &str) {
    let Some(doc) = loaded.document.as_ref() else {
        return;
    };
    let mut diagnostics = loaded.diagnostics.clone();
    diagnostics.extend(codegen::lint::lint(doc));
    diag::sort(&mut diagnostics);
    let errors = errors_of(&diagnostics);
    if !errors.is_empty() {
        eprintln!("{}", diag::render_human(&errors, &loaded.sources, color));
    }
    println!(
        "  lint: {} ({outcome}; `cargo xtask lint --spec …` lists them all)",
        diag::Tally::of(&diagnostics)
    );
}

/// The errors among `diagnostics` (what commands that go on despite them print in full).
pub fn errors_of(diagnostics: &[Diagnostic]) -> Vec<Diagnostic> {
    diagnostics
        .iter()
        .filter(|d| d.is_error())
        .cloned()
        .collect()
}

/// Prints a diagnostic that has no source (e.g. an unreadable file) to stderr.
pub fn print_plain(d: &Diagnostic) {
    eprintln!(
        "{}",
        diag::render_human(
            std::slice::from_ref(d),
            &codegen::load::source::SourceMap::new(),
            false
        )
    );
}

/// Whether to color human output on this stream.
pub fn use_color(stream: &impl std::io::IsTerminal) -> bool {
    stream.is_terminal() && std::env::var_os("NO_COLOR").is_none()
}
