//! What several integration tests share: the effective Nango spec's validator.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part; test scaffolding

use contract_tests::ContractValidator;
use std::path::Path;

/// The validator of the effective spec (`spec/nango.yaml` + `spec/nango.overlay.yaml`).
pub fn nango_validator() -> ContractValidator {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let read = |rel: &str| codegen::Input::read(&root.join(rel), rel).unwrap();
    ContractValidator::new(codegen::check(
        read("spec/nango.yaml"),
        vec![read("spec/nango.overlay.yaml")],
    ))
    .unwrap()
}
