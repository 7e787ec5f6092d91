//! Values made from schemas are valid: for every schema position the mock answers from
//! (each documented response body) and a client sends (each request body) of every corpus
//! spec and full Nango, a value made by `synth` (trying a few seeds, as the mock does) is
//! accepted by the validator. The positions where none is are listed with their cause in
//! [`UNSATISFIABLE`]: each is a spec asking for the impossible.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test scaffolding

use contract_tests::ContractValidator;
use contract_tests::synth::Synth;
use openapi_runtime::check::schemas::Direction;
use std::path::Path;

/// Seeds tried per position (the mock tries as many before giving up on a position).
const SEEDS: u64 = 6;

fn positions(doc: &codegen::Document) -> Vec<(Direction, String)> {
    let http = codegen::model::http::describe(doc);
    let mut out = Vec::new();
    for e in &http.endpoints {
        if let Some(b) = &e.body {
            for m in b
                .content
                .iter()
                .filter(|m| m.kind == codegen::model::http::BodyKind::Json)
            {
                if let Some(s) = &m.schema {
                    out.push((Direction::Request, s.to_string()));
                }
            }
        }
        for r in &e.responses {
            for m in r
                .content
                .iter()
                .flatten()
                .filter(|m| m.kind == codegen::model::http::BodyKind::Json)
            {
                if let Some(s) = &m.schema {
                    out.push((Direction::Response, s.to_string()));
                }
            }
        }
    }
    // A position that only refers to a named schema is checked there, once.
    let json = codegen::load::normalize::to_json_schema_2020(doc);
    for (_, pointer) in &mut out {
        let target = json
            .pointer(pointer.trim_start_matches('#'))
            .and_then(|s| s.as_object())
            .filter(|s| s.len() == 1)
            .and_then(|s| s.get("$ref")?.as_str());
        if let Some(target) = target.filter(|t| t.starts_with("#/")) {
            *pointer = target.to_owned();
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Positions no value can satisfy, each with why: the spec asks for the impossible.
const UNSATISFIABLE: &[(&str, &str, &str)] = &[
    (
        "readme-discriminators.json",
        "/paths/~1potentially-undefined-formData/post/requestBody",
        "oneOf of ApplicationApprovedEvent and ApplicationDeniedEvent, two identical schemas: \
         every value matches both, and oneOf asks for exactly one",
    ),
    (
        "readme-schema-types-3.1.yaml",
        "/paths/~1anything~1quirks~1polymorphism/patch/requestBody",
        "allOf of {type: string} and {type: integer}: no value is both",
    ),
    (
        "readme-schema-types-3.1.yaml",
        "/paths/~1anything~1quirks~1polymorphism/put/requestBody",
        "allOf of {type: string} and {type: integer}: no value is both",
    ),
    (
        "spec.yaml",
        "/paths/~1integrations~1{uniqueKey}/get/responses/200",
        "IntegrationFull is allOf of Integration and an object with additionalProperties: false \
         that does not list Integration's required properties (lint: allof-unsatisfiable)",
    ),
];

/// Checks every position of one spec; the positions without a valid value must be exactly
/// the ones [`UNSATISFIABLE`] lists for it.
fn check(relative: &str) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/specs")
        .join(relative);
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let loaded = codegen::check(codegen::Input::read(&file, &name).unwrap(), vec![]);
    let doc = loaded.document.clone().unwrap();
    let json = codegen::load::normalize::to_json_schema_2020(&doc);
    let validator = ContractValidator::new(loaded).unwrap();
    let list = positions(&doc);
    let mut unexpected = Vec::new();
    let mut impossible = Vec::new();
    for (direction, pointer) in &list {
        let ok = (0..SEEDS).any(|seed| {
            let value = Synth::new(&json, seed, *direction).at(pointer);
            validator
                .check_schema_for(*direction, pointer, &value)
                .is_valid()
        });
        if ok {
            continue;
        }
        let listed = UNSATISFIABLE
            .iter()
            .any(|(f, p, _)| *f == name && pointer.contains(p));
        if listed {
            impossible.push(pointer.clone());
            continue;
        }
        let value = Synth::new(&json, 0, *direction).at(pointer);
        let report = validator.check_schema_for(*direction, pointer, &value);
        let first = report
            .violations
            .first()
            .map(|v| v.to_string())
            .unwrap_or_default();
        unexpected.push(format!("{direction:?} {pointer}: {first}"));
    }
    eprintln!(
        "{name}: {} positions, {} unsatisfiable",
        list.len(),
        impossible.len()
    );
    assert!(
        !list.is_empty() || name.contains("webhook") || name.contains("parameters"),
        "{name}: no positions"
    );
    assert!(
        unexpected.is_empty(),
        "{name}: no valid value for\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<_> = UNSATISFIABLE
        .iter()
        .filter(|(f, p, _)| *f == name && !impossible.iter().any(|i| i.contains(p)))
        .collect();
    assert!(
        stale.is_empty(),
        "listed as unsatisfiable but satisfied: {stale:?}"
    );
}

macro_rules! specs {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check($file);
            }
        )*
    };
}

specs! {
    adyen => "corpus/adyen-checkout-v71.json",
    asana => "corpus/asana.yaml",
    discord => "corpus/discord.json",
    github => "corpus/github-api.json",
    petstore => "corpus/oai-petstore.yaml",
    openai => "corpus/openai.yaml",
    readme_discriminators => "corpus/readme-discriminators.json",
    readme_schema_types => "corpus/readme-schema-types-3.1.yaml",
    spotify => "corpus/spotify.yaml",
    stripe => "corpus/stripe.yaml",
    train_travel => "corpus/train-travel.yaml",
    twilio => "corpus/twilio-api-v2010.json",
    xero => "corpus/xero-accounting.yaml",
    nango => "nango/spec.yaml",
}

#[test]
fn every_corpus_spec_with_bodies_is_covered() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/specs/corpus");
    let source = include_str!("synth_valid.rs");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let spec = path.extension().is_some_and(|x| x == "json" || x == "yaml");
        let bodiless = file.contains("webhook-example") || file.contains("parameters-style");
        assert!(
            !spec || bodiless || source.contains(&format!("\"corpus/{file}\"")),
            "{file} is not checked"
        );
    }
}
