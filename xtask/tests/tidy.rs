//! Documentation that cannot drift (rust-analyzer's `tidy` is the model): every source
//! file opens with a `//!` line; ARCHITECTURE.md's source trees name every source file and
//! only files that exist; every command of README.md's command block parses with `--help`
//! and every flag it shows is one the command has; no source file is kept from `cargo fmt`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test scaffolding

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `.rs` files git tracks (the working tree's view: new files count once added).
fn tracked_rust_files() -> Vec<String> {
    let out = Command::new("git")
        .current_dir(root())
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "*.rs",
        ])
        .output()
        .expect("git runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|f| root().join(f).exists())
        .map(str::to_owned)
        .collect()
}

/// Written by the generator (its header first): not ours to document or format.
fn generated(text: &str) -> bool {
    text.lines()
        .next()
        .is_some_and(|l| l.contains("@generated"))
}

#[test]
fn every_source_file_opens_with_a_doc_line() {
    let mut bare = Vec::new();
    for file in tracked_rust_files() {
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        let first = text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.contains("@generated"))
            .unwrap_or("");
        if !first.starts_with("//!") {
            bare.push(file);
        }
    }
    assert!(bare.is_empty(), "no `//!` line first: {bare:#?}");
}

/// The `.rs` files a tree block names, by full path. A block starts with a root at column
/// 0 (`codegen/src/`); each indented line names entries: a directory (`load/`) or files
/// (`ty.rs, types.rs`), and every `name.rs` on the line belongs to the directory the line
/// is about (a file line's parent, a directory line's own, a continuation line's last).
fn named_files(architecture: &str) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut files = BTreeSet::new();
    let mut roots = BTreeSet::new();
    let mut in_block = false;
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut context = String::new();
    for line in architecture.lines() {
        if line.starts_with("```") {
            in_block = !in_block;
            stack.clear();
            continue;
        }
        if !in_block || line.trim().is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let first = line.split_whitespace().next().unwrap_or("");
        let rs = |s: &str| {
            s.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.'))
                .filter(|t| t.ends_with(".rs") && t.len() > 3)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        if indent == 0 {
            if first.ends_with("src/") {
                roots.insert(first.to_owned());
                stack = vec![(0, first.to_owned())];
                context = first.to_owned();
                for f in rs(&line[first.len()..]) {
                    files.insert(format!("{context}{f}"));
                }
            } else {
                stack.clear();
            }
            continue;
        }
        let Some((_, root_dir)) = stack.first().cloned() else {
            continue;
        };
        let names_entry = first.ends_with('/') || first.trim_end_matches(',').ends_with(".rs");
        // A line deeper than the entry above it that does not start with a name continues it.
        let continues = !names_entry
            || stack
                .last()
                .is_some_and(|(i, _)| indent > *i + 2 && !first.ends_with('/'));
        if names_entry && !continues {
            while stack.len() > 1 && stack.last().is_some_and(|(i, _)| *i >= indent) {
                stack.pop();
            }
            let parent = stack.last().map_or(root_dir.clone(), |(_, p)| p.clone());
            if let Some(dir) = first.strip_suffix('/') {
                context = format!("{parent}{dir}/");
                stack.push((indent, context.clone()));
                for f in rs(&line[indent + first.len()..]) {
                    files.insert(format!("{context}{f}"));
                }
                continue;
            }
            context = parent;
        }
        for f in rs(line) {
            files.insert(format!("{context}{f}"));
        }
    }
    (roots, files)
}

#[test]
fn architecture_trees_name_every_source_file_and_nothing_else() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let (roots, named) = named_files(&text);
    assert!(roots.len() >= 5, "trees found: {roots:?}");
    let absent: Vec<&String> = named.iter().filter(|f| !root().join(f).exists()).collect();
    assert!(
        absent.is_empty(),
        "ARCHITECTURE.md names files that do not exist: {absent:#?}"
    );
    let unnamed: Vec<String> = tracked_rust_files()
        .into_iter()
        .filter(|f| roots.iter().any(|r| f.starts_with(r.as_str())) && !named.contains(f))
        .collect();
    assert!(
        unnamed.is_empty(),
        "source files ARCHITECTURE.md does not name: {unnamed:#?}"
    );
}

#[test]
fn the_tree_reader_follows_directories_lists_and_continuations() {
    let text = "```\nsrc/\n  a.rs       x\n  d/\n    b.rs, c.rs   y\n                 (see e.rs)\n  f/           g.rs, h.rs\n  i.rs\n```\n";
    let (roots, named) = named_files(text);
    assert_eq!(roots, BTreeSet::from(["src/".to_owned()]));
    let expected: BTreeSet<String> = [
        "src/a.rs",
        "src/d/b.rs",
        "src/d/c.rs",
        "src/d/e.rs",
        "src/f/g.rs",
        "src/f/h.rs",
        "src/i.rs",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(named, expected);
}

#[test]
fn every_readme_command_parses_and_its_flags_exist() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let block = readme
        .split("## Commands")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|b| b.split("```").next())
        .expect("a ```sh block under ## Commands");
    // Continuation lines (indented) belong to the command above.
    let mut commands: Vec<String> = Vec::new();
    for line in block.lines() {
        if line.starts_with("cargo xtask ") {
            commands.push(line.to_owned());
        } else if let Some(last) = commands.last_mut() {
            last.push(' ');
            last.push_str(line.trim());
        }
    }
    assert!(commands.len() >= 15, "{commands:#?}");
    let mut problems = Vec::new();
    for command in &commands {
        let words: Vec<&str> = command["cargo xtask ".len()..]
            .split_whitespace()
            .take_while(|w| {
                w.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !w.starts_with('-')
            })
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
            .args(&words)
            .arg("--help")
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            problems.push(format!("`xtask {} --help` fails", words.join(" ")));
            continue;
        }
        for flag in command
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter(|w| w.starts_with("--") && w.len() > 2)
        {
            if !help.contains(flag) {
                problems.push(format!("`xtask {}` has no {flag}", words.join(" ")));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "README's commands drifted: {problems:#?}"
    );
}

#[test]
fn no_source_file_is_kept_from_cargo_fmt() {
    for config in ["rustfmt.toml", ".rustfmt.toml"] {
        if let Ok(text) = std::fs::read_to_string(root().join(config)) {
            assert!(!text.contains("ignore"), "{config} ignores files");
        }
    }
    // Spelled in two pieces so this file does not name itself.
    let attribute = ["rustfmt", "::skip"].concat();
    let mut skipped = Vec::new();
    for file in tracked_rust_files() {
        let text = std::fs::read_to_string(root().join(&file)).unwrap();
        // The generator writes the skip attribute into the crates it makes (inside
        // `quote!`, formatted by prettyplease); those files are generated, not ours.
        if generated(&text) || file.starts_with("codegen/src/emit/") {
            continue;
        }
        if text.contains(&attribute) {
            skipped.push(file);
        }
    }
    assert!(skipped.is_empty(), "kept from cargo fmt: {skipped:#?}");
}
