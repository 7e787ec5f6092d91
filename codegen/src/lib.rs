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
