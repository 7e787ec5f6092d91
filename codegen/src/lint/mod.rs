//! Structural lint: walks the OpenAPI structure and reports every problem in one run.
//!
//! Each family of rules lives in its own file and only returns diagnostics. The rules
//! and their severities are listed in `ARCHITECTURE.md`.

mod operations;
mod references;
mod schemas;
mod security;
mod structure;

use crate::diag::{self, Diagnostic};
use crate::load::Document;

/// Runs every rule over a loaded document; diagnostics come back sorted by location.
pub fn lint(doc: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut refs = references::RefChecker::new(&doc.root);
    out.extend(structure::check(doc, &mut refs));
    out.extend(schemas::check(doc, &mut refs));
    out.extend(operations::check(doc));
    out.extend(security::check(doc));
    out.extend(refs.into_diagnostics());
    diag::sort(&mut out);
    // Path-level parameters are checked once per operation; report each finding once.
    out.dedup();
    out
}
