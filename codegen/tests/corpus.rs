//! Every real spec of the shared corpus (and full Nango) loads and lints without panic;
//! prints a table and checks the counts against the corpus README.

#![allow(clippy::unwrap_used, clippy::panic)] // helpers outside #[test] fns

mod common;

use codegen::diag::Tally;
use codegen::load::openapi;
use codegen::{Input, SpecVersion};
use std::time::Instant;

/// (file, OpenAPI line, operations under `paths`, webhook operations, component schemas),
/// as the corpus README counts them.
const CORPUS: &[(&str, SpecVersion, usize, usize, usize)] = &[
    ("corpus/oai-petstore.yaml", SpecVersion::V3_0, 3, 0, 3),
    (
        "corpus/oai-webhook-example.yaml",
        SpecVersion::V3_1,
        0,
        1,
        1,
    ),
    (
        "corpus/readme-discriminators.json",
        SpecVersion::V3_0,
        10,
        0,
        24,
    ),
    (
        "corpus/readme-parameters-style.yaml",
        SpecVersion::V3_0,
        25,
        0,
        0,
    ),
    (
        "corpus/readme-schema-types-3.1.yaml",
        SpecVersion::V3_1,
        23,
        0,
        2,
    ),
    ("corpus/train-travel.yaml", SpecVersion::V3_1, 7, 1, 9),
    ("corpus/spotify.yaml", SpecVersion::V3_0, 97, 0, 90),
    (
        "corpus/xero-accounting.yaml",
        SpecVersion::V3_0,
        235,
        0,
        140,
    ),
    (
        "corpus/adyen-checkout-v71.json",
        SpecVersion::V3_1,
        28,
        0,
        250,
    ),
    ("corpus/discord.json", SpecVersion::V3_1, 242, 0, 539),
    (
        "corpus/twilio-api-v2010.json",
        SpecVersion::V3_0,
        197,
        0,
        148,
    ),
    ("corpus/asana.yaml", SpecVersion::V3_0, 247, 0, 273),
    ("corpus/openai.yaml", SpecVersion::V3_1, 288, 16, 1422),
    ("corpus/stripe.yaml", SpecVersion::V3_0, 468, 0, 819),
    ("corpus/github-api.json", SpecVersion::V3_0, 1223, 0, 969),
    ("nango/spec.yaml", SpecVersion::V3_1, 60, 0, 60),
];

#[test]
fn every_corpus_spec_loads_and_lints() {
    let specs = common::shared().join("specs");
    let mut rows = vec![format!(
        "{:<36} {:>7} {:>5} {:>7} {:>6} {:>8} {:>9}",
        "spec", "version", "ops", "schemas", "errors", "warnings", "load+lint"
    )];
    let mut mismatches = Vec::new();
    for &(file, version, ops, hooks, schemas) in CORPUS {
        let input =
            Input::read(&specs.join(file), file).unwrap_or_else(|d| panic!("{}", d.message));
        let started = Instant::now();
        let loaded = codegen::check(input, vec![]);
        let elapsed = started.elapsed();
        let Some(doc) = loaded.document.as_ref() else {
            panic!(
                "{file} did not load: {:?}",
                loaded.diagnostics.first().map(|d| &d.message)
            );
        };
        let all = openapi::operations(&doc.root);
        let got_ops = all.iter().filter(|o| !o.webhook).count();
        let got_hooks = all.len() - got_ops;
        let got_schemas = doc
            .root
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(|s| s.as_object())
            .map_or(0, |o| o.len());
        if (doc.version, got_ops, got_hooks, got_schemas) != (version, ops, hooks, schemas) {
            mismatches.push(format!(
                "{file}: got {:?} {got_ops}+{got_hooks} ops {got_schemas} schemas",
                doc.version
            ));
        }
        let tally = Tally::of(&loaded.diagnostics);
        rows.push(format!(
            "{:<36} {:>7} {:>5} {:>7} {:>6} {:>8} {:>7.0}ms",
            file.rsplit('/').next().unwrap_or(file),
            doc.version_text,
            if got_hooks > 0 {
                format!("{got_ops}+{got_hooks}")
            } else {
                got_ops.to_string()
            },
            got_schemas,
            tally.errors,
            tally.warnings,
            elapsed.as_secs_f64() * 1000.0
        ));
    }
    println!("{}", rows.join("\n"));
    assert!(
        mismatches.is_empty(),
        "counts differ from the corpus README:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn shared_fixtures_load_clean() {
    let fixtures = common::shared().join("tools/fixtures");
    for name in ["reconnect-3.1.yaml", "features-3.1.yaml"] {
        let input = Input::read(&fixtures.join(name), name).unwrap();
        let loaded = codegen::check(input, vec![]);
        assert!(loaded.document.is_some(), "{name}");
        assert_eq!(
            Tally::of(&loaded.diagnostics).errors,
            0,
            "{name}: {:?}",
            loaded.diagnostics
        );
    }
}
