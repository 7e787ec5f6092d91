//! Generated crates compile cleanly: for full Nango (3.1, 60 operations) and small real
//! specs, `cargo xtask codegen --out` writes a crate, and one scratch workspace of them must
//! pass `cargo clippy -D warnings` with all features and with the defaults, and
//! `cargo doc -D warnings`; a downstream program runs against the multipart `uploads` crate.
//! This also compiles what the insta snapshots in codegen/tests/generate.rs show.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use std::path::{Path, PathBuf};
use std::process::Command;

const SPECS: &[(&str, &str)] = &[
    // Full Nango with every extra derive: each must hold where it is applied.
    ("nango/spec.yaml", "nango_full"),
    ("corpus/oai-petstore.yaml", "petstore"),
    ("corpus/oai-webhook-example.yaml", "webhook_example"),
    ("corpus/readme-discriminators.json", "discriminators"),
    ("corpus/train-travel.yaml", "train_travel"),
    ("corpus/readme-schema-types-3.1.yaml", "schema_types_31"),
    ("corpus/readme-parameters-style.yaml", "parameters_style"),
    // Ours (`workspace:`): readOnly/writeOnly, four kinds of security.
    ("workspace:codegen/tests/fixtures/users.yaml", "users"),
    // With a cargo feature per tag (also checked with one tag alone, below).
    ("corpus/train-travel.yaml", "tagged"),
    // multipart/form-data bodies; a downstream program runs against it (below).
    ("workspace:codegen/tests/fixtures/uploads.yaml", "uploads"),
];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("command runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn generated_crates_pass_clippy_and_rustdoc_without_warnings() {
    let root = workspace();
    let scratch = root.join("target/generated-crates");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    for (spec, name) in SPECS {
        let spec = match spec.strip_prefix("workspace:") {
            Some(rel) => root.join(rel),
            None => root.join("../shared/specs").join(spec),
        };
        let derives: &[&str] = match *name {
            "nango_full" => &["--derive", "Hash", "--derive", "Ord"],
            "tagged" => &["--tag-features"],
            _ => &[],
        };
        run(Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(["codegen", "--spec"])
            .arg(&spec)
            .arg("--out")
            .arg(scratch.join(name))
            .args(derives));
    }
    // A downstream program of the uploads crate, as a test of that crate (tokio for it).
    let uploads = scratch.join("uploads");
    std::fs::create_dir_all(uploads.join("tests")).unwrap();
    std::fs::copy(
        root.join("xtask/tests/downstream/uploads_roundtrip.rs"),
        uploads.join("tests/roundtrip.rs"),
    )
    .unwrap();
    let manifest = std::fs::read_to_string(uploads.join("Cargo.toml")).unwrap();
    let dev = "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }\n";
    let manifest = if manifest.contains("[dev-dependencies]\n") {
        manifest.replace(
            "[dev-dependencies]\n",
            &format!("[dev-dependencies]\n{dev}"),
        )
    } else {
        format!("{manifest}\n[dev-dependencies]\n{dev}")
    };
    std::fs::write(uploads.join("Cargo.toml"), manifest).unwrap();
    let members: Vec<String> = SPECS.iter().map(|(_, n)| format!("\"{n}\"")).collect();
    std::fs::write(
        scratch.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .unwrap();
    // Same dependency versions as the workspace, so builds are comparable and offline-safe.
    std::fs::copy(root.join("Cargo.lock"), scratch.join("Cargo.lock")).unwrap();
    // A target dir of its own: the outer `cargo test` holds the workspace's.
    let target = root.join("target/generated-crates-target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    run(Command::new(&cargo)
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", &target)
        .args([
            "clippy",
            "--workspace",
            "--all-features",
            "--quiet",
            "--",
            "-D",
            "warnings",
        ]));
    // One tag alone, with and without client and server: every gate must hold.
    for features in ["client,server,bookings", "schemars,trips", "other-schemas"] {
        run(Command::new(&cargo)
            .current_dir(&scratch)
            .env("CARGO_TARGET_DIR", &target)
            .args([
                "clippy",
                "-p",
                "tagged",
                "--quiet",
                "--no-default-features",
                "--features",
                features,
                "--",
                "-D",
                "warnings",
            ]));
    }
    // Default features too (types and operations only: no schemars, client or server).
    run(Command::new(&cargo)
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", &target)
        .args(["clippy", "--workspace", "--quiet", "--", "-D", "warnings"]));
    run(Command::new(&cargo)
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", &target)
        .env("RUSTDOCFLAGS", "-D warnings")
        .args([
            "doc",
            "--workspace",
            "--all-features",
            "--no-deps",
            "--quiet",
        ]));
    // The downstream program of the uploads crate, and its examples test.
    run(Command::new(&cargo)
        .current_dir(&scratch)
        .env("CARGO_TARGET_DIR", &target)
        .args(["test", "-p", "uploads", "--all-features", "--quiet"]));
}
