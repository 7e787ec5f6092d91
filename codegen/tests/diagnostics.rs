//! The lint's output on the real inputs, as snapshots of both renderings.

#![allow(clippy::unwrap_used, clippy::panic)] // helpers outside #[test] fns

mod common;

use codegen::diag::{self, Tally};
use codegen::{Input, Loaded};

fn human(l: &Loaded) -> String {
    diag::render_human(&l.diagnostics, &l.sources, false)
}

fn json(l: &Loaded) -> String {
    serde_json::to_string_pretty(&diag::render_json(&l.diagnostics, &l.sources)).unwrap()
}

#[test]
fn documented_spec_without_overlay_reports_the_five_placeholders() {
    let loaded = codegen::check(common::documented(), vec![]);
    let placeholders: Vec<(String, String)> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.pointer.as_ref().unwrap().to_string(),
                loaded
                    .sources
                    .location(d.span.unwrap())
                    .unwrap()
                    .to_string(),
            )
        })
        .collect();
    let base = "#/components/schemas/ConnectSessionReconnectInput/properties";
    let expected: Vec<(String, String)> = [
        ("tags", "62:15"),
        ("end_user", "63:19"),
        ("organization", "64:23"),
        ("integrations_config_defaults", "65:39"),
        ("overrides", "66:20"),
    ]
    .iter()
    .map(|(p, l)| (format!("{base}/{p}"), format!("spec/nango.yaml:{l}")))
    .collect();
    assert_eq!(placeholders, expected);
    assert!(
        loaded
            .diagnostics
            .iter()
            .all(|d| d.code == "schema-not-object" && d.is_error())
    );
    insta::assert_snapshot!("documented_human", human(&loaded));
    insta::assert_snapshot!("documented_json", json(&loaded));
}

#[test]
fn overlay_repairs_the_documented_spec_completely() {
    let loaded = codegen::check(common::documented(), vec![common::overlay()]);
    assert_eq!(
        Tally::of(&loaded.diagnostics),
        Tally::default(),
        "{}",
        human(&loaded)
    );
    let doc = loaded.document.unwrap();
    let bundle = codegen::bundle::render(&doc, codegen::bundle::Format::Yaml).unwrap();
    insta::assert_snapshot!("effective_spec", bundle);
}

#[test]
fn full_nango_spec_reports_empty_any_of_and_unsatisfiable_all_of() {
    let path = common::shared().join("specs/nango/spec.yaml");
    let spec = Input::read(&path, "../shared/specs/nango/spec.yaml").unwrap();
    let loaded = codegen::check(spec, vec![]);
    let codes: Vec<(&str, String)> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.pointer
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            )
        })
        .collect();
    let s = "#/components/schemas";
    assert!(codes.contains(&(
        "empty-combinator",
        format!("{s}/BaseProvider/properties/proxy/properties/paginate/anyOf")
    )));
    for name in ["AppStore", "Bill", "OAuth1", "OAuth2Client", "OAuth2"] {
        assert!(
            codes.contains(&(
                "allof-unsatisfiable",
                format!("{s}/{name}CredentialsWithRaw/allOf")
            )),
            "{name}: {codes:?}"
        );
    }
    assert!(codes.contains(&("allof-unsatisfiable", format!("{s}/IntegrationFull/allOf"))));
    let anyof = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == "empty-combinator")
        .unwrap();
    assert_eq!(
        loaded.sources.location(anyof.span.unwrap()).unwrap().line,
        4086
    );
    insta::assert_snapshot!("full_nango_human", human(&loaded));
    insta::assert_snapshot!("full_nango_json", json(&loaded));
}

#[test]
fn broken_overlay_is_reported_in_the_overlay_file() {
    let overlay = Input::new(
        "broken.overlay.yaml",
        "overlay: 1.0.0\ninfo: {title: broken, version: '1'}\nactions:\n  - target: $.paths[\n    update: {}\n  - target: $.components.schemas.Nope\n    update: {description: x}\n  - target: $.openapi\n    update: {x: 1}\n  - target: $.info\n    update: text\n",
    );
    let loaded = codegen::check(common::documented(), vec![overlay]);
    let overlay_codes: Vec<&str> = loaded
        .diagnostics
        .iter()
        .filter(|d| {
            d.span.is_some_and(|s| {
                loaded.sources.get(s.file).unwrap().name() == "broken.overlay.yaml"
            })
        })
        .map(|d| d.code)
        .collect();
    assert_eq!(
        overlay_codes,
        [
            "overlay-jsonpath",
            "overlay-target-empty",
            "overlay-update-kind",
            "overlay-update-kind"
        ]
    );
    insta::assert_snapshot!("broken_overlay_human", human(&loaded));
}

#[test]
fn structural_rules_fire_on_a_crafted_document() {
    let spec = Input::new(
        "crafted.yaml",
        r##"openapi: 3.0.3
info: {title: crafted, version: '1'}
paths:
  /pets/{petId}/toys/{toyId}:
    parameters:
      - {name: petId, in: path, required: true, schema: {type: string}}
    get:
      operationId: getToy
      responses:
        '200': {$ref: '#/components/responses/Missing'}
        '2O0': {description: typo}
    post:
      operationId: getToy
      parameters:
        - {name: extra, in: path, schema: {type: string}}
      responses:
        default: {description: x}
  /bad/{open:
    get:
      responses: {'200': {description: ok}}
components:
  schemas:
    A: {$ref: '#/components/schemas/B'}
    B: {$ref: '#/components/schemas/A'}
    C: {oneOf: []}
    D: {$ref: 'other.yaml#/D'}
    E: {$ref: '#/components/schemas/Aa'}
  responses:
    R: 'not an object'
"##,
    );
    let loaded = codegen::check(spec, vec![]);
    let mut codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code).collect();
    codes.sort();
    assert_eq!(
        codes,
        [
            "duplicate-operation-id",
            "empty-combinator",
            "not-an-object",
            "path-param-required",
            "path-param-undeclared",
            "path-param-undeclared",
            "path-param-unknown",
            "path-template",
            "ref-cycle",
            "ref-external",
            "ref-unresolved",
            "ref-unresolved",
            "response-code",
            "undocumented-rejection",
        ],
        "{}",
        human(&loaded)
    );
    insta::assert_snapshot!("crafted_human", human(&loaded));
}

/// A requirement naming an undefined scheme (a typo) or a scheme of an unknown type would
/// lock its operation: both are errors, located, with a suggestion for the typo.
#[test]
fn security_rules_find_undefined_and_malformed_schemes() {
    let spec = Input::new(
        "security.yaml",
        "openapi: 3.1.0\ninfo: {title: s, version: '1'}\nsecurity: [{bearerAuth: []}]\npaths:\n  /a:\n    get:\n      security: [{apiKy: []}, {token: []}]\n      responses: {'200': {description: ok}, default: {description: e}}\ncomponents:\n  securitySchemes:\n    bearerAuth: {type: http, scheme: bearer}\n    apiKey: {type: apiKey, in: header}\n    token: {type: magic}\n",
    );
    let loaded = codegen::check(spec, vec![]);
    let found: Vec<(&str, &str)> = loaded
        .diagnostics
        .iter()
        .map(|d| (d.code, d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert!(
        found
            .iter()
            .any(|(c, m)| *c == "security-undefined" && m.contains("`apiKy`")),
        "{found:?}"
    );
    let typo = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == "security-undefined")
        .unwrap();
    assert!(typo.help.contains("did you mean `apiKey`"), "{typo:?}");
    assert!(
        found
            .iter()
            .any(|(c, m)| *c == "security-scheme" && m.contains("needs `name` and `in`")),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, m)| *c == "security-scheme" && m.contains("`type: magic`")),
        "{found:?}"
    );
}

#[test]
fn a_discriminator_mapping_outside_the_document_is_warned_and_the_untagged_union_named() {
    let spec = r##"
openapi: 3.1.0
info: {title: pets, version: "1"}
paths: {}
components:
  schemas:
    Pet:
      oneOf:
        - $ref: "#/components/schemas/Cat"
        - $ref: "#/components/schemas/Dog"
        - {type: object, properties: {kind: {const: bird}}}
      discriminator:
        propertyName: kind
        mapping:
          cat: "#/components/schemas/Cat"
          dog: "other.yaml#/components/schemas/Dog"
          fish: Fish
    Cat: {type: object, required: [kind], properties: {kind: {type: string}}}
    Dog: {type: object, required: [kind], properties: {kind: {type: string}}}
"##;
    let loaded = codegen::check(Input::new("pets.yaml", spec), vec![]);
    let found: Vec<(String, String, String)> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == "discriminator-mapping")
        .map(|d| {
            let at = loaded
                .sources
                .location(d.span.unwrap())
                .unwrap()
                .to_string();
            (
                d.pointer.as_ref().unwrap().to_string(),
                at,
                d.message.clone(),
            )
        })
        .collect();
    let base = "#/components/schemas/Pet/discriminator/mapping";
    assert_eq!(found.len(), 2, "{found:?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1.as_str()),
        (&*format!("{base}/dog"), "pets.yaml:16:16")
    );
    assert_eq!(found[1].0, format!("{base}/fish"));
    let doc = loaded.document.as_ref().unwrap();
    let options = codegen::emit::Options {
        crate_name: "pets".into(),
        runtime: codegen::emit::Runtime::Registry,
        derives: Vec::new(),
        tag_features: Default::default(),
    };
    let generation = codegen::generate(doc, &options);
    let fallbacks: Vec<String> = generation
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("is untagged") || d.message.contains("trying the variants"))
        .map(|d| d.pointer.as_ref().unwrap().to_string())
        .collect();
    assert_eq!(
        fallbacks,
        [
            "#/components/schemas/Pet/discriminator".to_owned(),
            format!("{base}/dog"),
            format!("{base}/fish"),
        ]
    );
}
