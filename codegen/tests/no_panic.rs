//! Property tests: no input makes load + lint panic, and every finding is located.
//!
//! Four generators: OpenAPI-shaped trees (keys from the OpenAPI/JSON Schema vocabulary,
//! so the lint rules really run), YAML-ish text, and byte-level mutations of the real
//! Nango specs and of the overlay. Raise the counts with `PROPTEST_CASES=N`.

#![allow(clippy::unwrap_used, clippy::panic)] // helpers outside #[test] fns

mod common;

use codegen::diag;
use codegen::{Input, Loaded};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Loads and lints, then checks the invariants every run must keep.
fn check_invariants(loaded: &Loaded) -> Result<(), TestCaseError> {
    for d in &loaded.diagnostics {
        let span = d
            .span
            .ok_or_else(|| TestCaseError::fail(format!("unlocated diagnostic: {d:?}")))?;
        prop_assert!(
            loaded.sources.location(span).is_some(),
            "span outside every file: {d:?}"
        );
        prop_assert!(!d.help.is_empty(), "diagnostic without help: {d:?}");
    }
    let text = diag::render_human(&loaded.diagnostics, &loaded.sources, false);
    // Each is located: `-->` with the line, or (a span deep in a long line, shown cut)
    // a note naming file:line:col.
    let located = text.matches("-->").count()
        + text
            .matches("(the line is shown around this column)")
            .count();
    prop_assert_eq!(located >= loaded.diagnostics.len(), true);
    let json = diag::render_json(&loaded.diagnostics, &loaded.sources);
    prop_assert_eq!(
        json.as_array().map(Vec::len),
        Some(loaded.diagnostics.len())
    );
    Ok(())
}

/// `PROPTEST_CASES` when set (for long runs), else the default for CI.
fn cases(default: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default);
    ProptestConfig {
        cases: n,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

const KEYS: &[&str] = &[
    "openapi",
    "info",
    "paths",
    "webhooks",
    "components",
    "schemas",
    "responses",
    "parameters",
    "requestBody",
    "content",
    "application/json",
    "schema",
    "$ref",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "items",
    "prefixItems",
    "properties",
    "additionalProperties",
    "required",
    "type",
    "nullable",
    "const",
    "enum",
    "exclusiveMinimum",
    "minimum",
    "discriminator",
    "propertyName",
    "mapping",
    "get",
    "post",
    "delete",
    "operationId",
    "name",
    "in",
    "/a/{id}",
    "/b",
    "200",
    "default",
    "4XX",
    "headers",
    "callbacks",
    "pathItems",
    "x-ext",
    "title",
    "format",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop::sample::select(vec![
            "#/components/schemas/A",
            "#/components/schemas/B/properties/x",
            "#/paths/~1a~1{id}",
            "#/nope",
            "#",
            "x.yaml#/a",
            "#anchor",
            "3.1.0",
            "3.0.3",
            "string",
            "object",
            "null",
            "integer",
            "path",
            "query",
            "{id}",
            "",
            "8290d441-75d1-4131-a3b0-4db03f24b7d2",
        ])
        .prop_map(Value::from),
    ]
}

fn tree() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..6).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

/// A tree with an OpenAPI header, so most inputs get past the version check.
fn document() -> impl Strategy<Value = Value> {
    (prop::sample::select(vec!["3.0.3", "3.1.0", "3.2.0", "2.0"]), tree(), tree(), tree()).prop_map(|(v, paths, comps, hooks)| {
        serde_json::json!({"openapi": v, "info": {"title": "t", "version": "1"}, "paths": paths, "components": comps, "webhooks": hooks})
    })
}

fn yamlish_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "a",
            "b: ",
            ": ",
            "- ",
            "{",
            "}",
            "[",
            "]",
            ",",
            "\n",
            "  ",
            "&x ",
            "*x",
            "<<: ",
            "? ",
            "'",
            "\"",
            "\\u",
            "#",
            "|\n",
            ">\n",
            "!!int ",
            "!!str ",
            "~",
            "0x1F",
            ".inf",
            "1e999",
            "---\n",
            "...\n",
            "é",
            "\t",
            "%YAML 1.2\n",
            "openapi: 3.1.0\n",
            "$ref: '#/a'\n",
        ]),
        0..80,
    )
    .prop_map(|parts| parts.concat())
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: &'static str },
    CopyRange { from: usize, len: usize, to: usize },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1usize..200).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (
            any::<usize>(),
            prop::sample::select(vec![
                ": ",
                "\n  ",
                "- ",
                "{",
                "]",
                "'",
                "*a",
                "&a ",
                "\t",
                "$ref: '#/x'",
                "\u{0}"
            ])
        )
            .prop_map(|(at, text)| Mutation::Insert { at, text }),
        (any::<usize>(), 1usize..400, any::<usize>())
            .prop_map(|(from, len, to)| Mutation::CopyRange { from, len, to }),
    ]
}

fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations {
        let n = bytes.len().max(1);
        match *m {
            Mutation::Delete { at, len } => {
                let at = at % n;
                let end = (at + len).min(bytes.len());
                bytes.drain(at.min(end)..end);
            }
            Mutation::Insert { at, text } => {
                let at = at % n;
                bytes.splice(at.min(bytes.len())..at.min(bytes.len()), text.bytes());
            }
            Mutation::CopyRange { from, len, to } => {
                let from = from % n;
                let end = (from + len).min(bytes.len());
                let chunk: Vec<u8> = bytes[from.min(end)..end].to_vec();
                let to = (to % n).min(bytes.len());
                bytes.splice(to..to, chunk);
            }
        }
    }
    // Inputs are UTF-8 by contract (Input::read rejects the rest); keep what survives.
    String::from_utf8_lossy(&bytes).into_owned()
}

proptest! {
    #![proptest_config(cases(384))]

    #[test]
    fn openapi_shaped_trees(doc in document(), as_json in any::<bool>()) {
        let (name, text) = if as_json {
            ("gen.json", serde_json::to_string(&doc).unwrap())
        } else {
            ("gen.yaml", serde_yaml::to_string(&doc).unwrap())
        };
        check_invariants(&codegen::check(Input::new(name, text), vec![]))?;
    }

    #[test]
    fn yamlish_text_as_spec_and_overlay(spec in yamlish_text(), overlay in yamlish_text()) {
        check_invariants(&codegen::check(Input::new("s.yaml", spec.clone()), vec![]))?;
        check_invariants(&codegen::check(Input::new("s.json", spec), vec![Input::new("o.yaml", overlay)]))?;
    }

    #[test]
    fn mutated_documented_spec_and_overlay(ms in prop::collection::vec(mutation(), 1..4), on_overlay in any::<bool>()) {
        let (spec, overlay) = (common::documented(), common::overlay());
        let (spec, overlay) = if on_overlay {
            (spec.clone(), Input::new(overlay.name, mutate(&overlay.text, &ms)))
        } else {
            (Input::new(spec.name, mutate(&spec.text, &ms)), overlay)
        };
        check_invariants(&codegen::check(spec, vec![overlay]))?;
    }
}

proptest! {
    #![proptest_config(cases(48))]

    #[test]
    fn mutated_full_nango_spec(ms in prop::collection::vec(mutation(), 1..6)) {
        let text = std::fs::read_to_string(common::shared().join("specs/nango/spec.yaml")).unwrap();
        check_invariants(&codegen::check(Input::new("nango.yaml", mutate(&text, &ms)), vec![]))?;
    }
}
