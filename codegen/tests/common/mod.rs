//! Helpers shared by the integration tests: where the workspace and `../shared` are.
#![allow(dead_code, clippy::panic, clippy::unwrap_used, clippy::expect_used)]

use codegen::Input;
use std::path::PathBuf;

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `../shared` next to the workspace: the corpus of real specs (read in place, never copied).
pub fn shared() -> PathBuf {
    let dir = workspace().join("../shared");
    assert!(
        dir.join("specs").is_dir(),
        "expected ../shared/specs next to the workspace at {}",
        dir.display()
    );
    dir
}

/// Reads a file relative to the workspace root, named as written (e.g. `spec/nango.yaml`).
pub fn input(rel: &str) -> Input {
    let path = workspace().join(rel);
    Input::read(&path, rel).unwrap_or_else(|d| panic!("{}", d.message))
}

/// The documented spec, named as in every message.
pub fn documented() -> Input {
    input("spec/nango.yaml")
}

/// The overlay, named as in every message.
pub fn overlay() -> Input {
    input("spec/nango.overlay.yaml")
}
