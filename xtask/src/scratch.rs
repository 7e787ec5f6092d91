//! A scratch workspace of generated crates under `target/`, and timed `cargo check`s of one
//! member at a time: what `corpus` and the compile benchmarks measure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

/// A workspace of generated crates with its own target directory.
pub struct Scratch {
    dir: PathBuf,
    target: PathBuf,
}

impl Scratch {
    /// Writes `dir/Cargo.toml` listing `members` and copies this workspace's `Cargo.lock`,
    /// so dependency versions match ours (and nothing needs resolving from the network).
    pub fn new(
        root: &Path,
        dir: &Path,
        target: &Path,
        members: &[String],
    ) -> Result<Scratch, String> {
        let quoted: Vec<String> = members.iter().map(|n| format!("\"{n}\"")).collect();
        let manifest = format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            quoted.join(", ")
        );
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        std::fs::write(dir.join("Cargo.toml"), manifest)
            .and_then(|()| {
                std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map(|_| ())
            })
            .map_err(|e| format!("cannot prepare {}: {e}", dir.display()))?;
        Ok(Scratch {
            dir: dir.to_path_buf(),
            target: target.to_path_buf(),
        })
    }

    /// `cargo check -p member <flags>` with no incremental cache (an earlier run of the same
    /// crate must not make it look fast), after touching the member's `src/lib.rs` so only
    /// the member itself is checked again. Returns the wall time and cargo's output.
    pub fn check(&self, member: &str, flags: &[&str]) -> (f64, std::io::Result<Output>) {
        if let Ok(f) = std::fs::File::options()
            .append(true)
            .open(self.dir.join(member).join("src/lib.rs"))
        {
            let _ = f.set_modified(std::time::SystemTime::now());
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let started = Instant::now();
        let out = Command::new(cargo)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_INCREMENTAL", "0")
            .args(["check", "--message-format", "short", "-p", member])
            .args(flags)
            .output();
        (started.elapsed().as_secs_f64(), out)
    }
}

impl Scratch {
    /// `cargo test -p member --test examples -- --nocapture`: the member's examples test
    /// (each valid example of its spec decoded and encoded back), output captured.
    pub fn test_examples(&self, member: &str) -> std::io::Result<Output> {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        Command::new(cargo)
            .current_dir(&self.dir)
            .env("CARGO_TARGET_DIR", &self.target)
            .env("CARGO_INCREMENTAL", "0")
            .args(["test", "--message-format", "short", "-p", member])
            .args(["--test", "examples", "--", "--nocapture"])
            .output()
    }
}

/// The median of some timings (`NaN` for none).
pub fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The first error line of a failed cargo run.
pub fn first_error(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stderr);
    text.lines()
        .find(|l| l.contains("error"))
        .unwrap_or("check failed")
        .to_owned()
}
