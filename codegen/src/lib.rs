//! OpenAPI-driven code generation and contract testing: the library behind `cargo xtask`.
//!
//! The pipeline flows one way:
//!
//! 1. [`mod@load`]: YAML/JSON with source spans → overlays applied → versioned [`load::Document`];
//!    schemas read into one model for 3.0 and 3.1 ([`load::schema`]).
//! 2. [`mod@lint`]: structural rules over the document, all findings in one run.
//! 3. [`model`]: the IR of types and operations, every naming decision made.
//! 4. [`emit`]: the IR → a complete crate (`quote!` → syn → prettyplease).
//!
//! Every problem with an input is a [`diag::Diagnostic`] naming the JSON pointer, the
//! `file:line:col` and what to do; nothing here panics on input.

pub mod bundle;
pub mod diag;
pub mod emit;
pub mod lint;
pub mod load;
pub mod model;

pub use diag::{Diagnostic, Severity};
pub use load::{Document, Input, Loaded, SpecVersion, load};

/// Loads a spec with overlays and lints the result: the diagnostics of both, sorted.
pub fn check(spec: Input, overlays: Vec<Input>) -> Loaded {
    let mut loaded = load(spec, overlays);
    if let Some(doc) = &loaded.document {
        loaded.diagnostics.extend(lint::lint(doc));
    }
    diag::sort(&mut loaded.diagnostics);
    loaded.diagnostics.dedup();
    loaded
}

/// Stack of the threads that lint, emit and format: generated code and specs can nest deep
/// (thousands of routes, long `allOf` chains), and a spawned thread gets only 2 MiB by
/// default. Reserved, not committed, memory.
const WORKER_STACK: usize = 64 << 20;

/// What [`generate`] makes of one loaded document.
pub struct Generation {
    /// The IR the crate was emitted from.
    pub model: model::Model,
    /// Lint and model findings, sorted (load findings stay in [`Loaded`]).
    pub diagnostics: Vec<Diagnostic>,
    /// The crate's files, or why emitting failed.
    pub files: Result<Vec<emit::File>, emit::EmitError>,
}

/// Lints, models and emits a loaded document. Lint and the embedded spec are computed
/// on a second thread while the model is built; emit then uses every core.
pub fn generate(doc: &Document, options: &emit::Options) -> Generation {
    let side = || (lint::lint(doc), emit::spec_json(doc));
    let ((model, mut diagnostics), (lint, spec_json)) = std::thread::scope(|scope| {
        let spawned = std::thread::Builder::new()
            .stack_size(WORKER_STACK)
            .spawn_scoped(scope, side);
        let built = model::build(doc);
        let side = match spawned {
            // A panic there is a bug in this crate, not a finding: pass it on unchanged.
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
            Err(_) => side(),
        };
        (built, side)
    });
    diagnostics.extend(lint);
    diagnostics.extend(model::traits::refused(&model, &options.derives, doc));
    diag::sort(&mut diagnostics);
    diagnostics.dedup();
    let files = emit::generate(&model, &spec_json, options);
    Generation {
        model,
        diagnostics,
        files,
    }
}
