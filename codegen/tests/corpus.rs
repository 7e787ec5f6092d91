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

/// How readable the corpus's type names are, per spec: types, names made up from context
/// (not `components/schemas` keys) and how many of those exceed 40 characters, the longest
/// name (spec-given names are kept as written), `VariantN` union variants, names built from
/// a `#/paths/…` pointer (`Paths…`). The ten longest made-up names of each large spec are
/// listed too.
///
/// Before the naming of issue 15 (names from every use, titles, tags and the first `allOf`
/// reference for variants, success bodies left out of their parts' names, a 48-character
/// cap), the same table read (made >40ch / longest / VariantN):
///
/// ```text
/// stripe.yaml      500 / 132 /  0     github-api.json  583 /  86 / 28
/// openai.yaml      386 / 105 /  2     asana.yaml        34 /  58 /  0
/// discord.json      20 /  67 /  0     nango spec.yaml   45 /  80 /  4
/// adyen             11 /  62 /  0     readme-discrim.    7 /  61 /  1
/// ```
#[test]
fn corpus_type_names_stay_short_and_specific() {
    let specs = common::shared().join("specs");
    let mut rows = Vec::new();
    for &(file, ..) in CORPUS {
        let input = Input::read(&specs.join(file), file).unwrap();
        let loaded = codegen::check(input, vec![]);
        let doc = loaded.document.as_ref().unwrap();
        let (model, _) = codegen::model::build(doc);
        let names: Vec<&str> = model.types.iter().map(|t| t.ident.as_str()).collect();
        let variants = model
            .types
            .iter()
            .filter_map(|t| match &t.kind {
                codegen::model::ir::TypeKind::Union(u) => Some(u),
                _ => None,
            })
            .flat_map(|u| &u.variants)
            .filter(|v| {
                v.ident
                    .strip_prefix("Variant")
                    .is_some_and(|n| n.parse::<u32>().is_ok())
            })
            .count();
        let longest = names.iter().map(|n| n.len()).max().unwrap_or(0);
        let made: Vec<&str> = model
            .types
            .iter()
            .filter(|t| matches!(t.origin, codegen::model::names::Name::Suggested(_)))
            .map(|t| t.ident.as_str())
            .collect();
        let over = made.iter().filter(|n| n.len() > 40).count();
        let paths = names.iter().filter(|n| n.starts_with("Paths")).count();
        let made_longest = model
            .types
            .iter()
            .filter(|t| matches!(t.origin, codegen::model::names::Name::Suggested(_)))
            .map(|t| t.ident.len())
            .max()
            .unwrap_or(0);
        // Made-up names are capped (a digit may be added to keep them apart).
        assert!(
            made_longest <= codegen::model::names::MAX_NAME + 2,
            "{file}: {made_longest}"
        );
        rows.push(format!(
            "{:<32} types {:>5}  made {:>5}  made >40ch {:>4}  longest {:>3}  VariantN {:>3}  Paths* {:>3}",
            file.rsplit('/').next().unwrap_or(file),
            names.len(),
            made.len(),
            over,
            longest,
            variants,
            paths
        ));
        if made.len() > 100 {
            let mut long: Vec<&str> = made.clone();
            long.sort_by_key(|n| (std::cmp::Reverse(n.len()), *n));
            rows.push(format!("  longest: {}", long[..10].join(", ")));
        }
    }
    insta::assert_snapshot!("corpus_type_names", rows.join("\n"));
}
