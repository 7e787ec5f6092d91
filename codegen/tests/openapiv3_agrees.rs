//! Differential check against `openapiv3` on the 3.0 specs it can read: our loader must see
//! the same operations, parameters and component schemas. (`openapiv3` cannot read 3.1, so
//! it is not our model; it is an independent second opinion on 3.0.)

#![allow(clippy::unwrap_used, clippy::panic)] // helpers outside #[test] fns

mod common;

use codegen::Input;
use codegen::load::openapi;

const SPECS_3_0: &[&str] = &[
    "corpus/oai-petstore.yaml",
    "corpus/readme-discriminators.json",
    "corpus/readme-parameters-style.yaml",
    "corpus/spotify.yaml",
    "corpus/xero-accounting.yaml",
    "corpus/twilio-api-v2010.json",
    "corpus/asana.yaml",
    "corpus/stripe.yaml",
    "corpus/github-api.json",
];

#[test]
fn operations_and_schemas_match_openapiv3() {
    let specs = common::shared().join("specs");
    let mut compared = 0;
    let mut report = Vec::new();
    for file in SPECS_3_0 {
        let loaded = codegen::load(Input::read(&specs.join(file), *file).unwrap(), vec![]);
        let doc = loaded.document.unwrap();
        let theirs: openapiv3::OpenAPI = match serde_json::from_value(doc.root.to_json()) {
            Ok(api) => api,
            Err(e) => {
                report.push(format!("{file}: openapiv3 cannot read it ({e})"));
                continue;
            }
        };
        let mut their_ops: Vec<(String, String, usize)> = theirs
            .operations()
            .map(|(path, method, op)| (path.to_owned(), method.to_owned(), op.parameters.len()))
            .collect();
        let mut our_ops: Vec<(String, String, usize)> = openapi::operations(&doc.root)
            .iter()
            .map(|o| {
                let params = o
                    .node
                    .get("parameters")
                    .and_then(|p| p.as_array())
                    .map_or(0, <[_]>::len);
                (o.path.to_owned(), o.method.to_owned(), params)
            })
            .collect();
        their_ops.sort();
        our_ops.sort();
        assert_eq!(our_ops, their_ops, "{file}: operations differ");
        let their_schemas: Vec<&String> = theirs
            .components
            .as_ref()
            .map(|c| c.schemas.keys().collect())
            .unwrap_or_default();
        let root_schemas = doc
            .root
            .get("components")
            .and_then(|c| c.get("schemas"))
            .and_then(|s| s.as_object());
        let our_schemas: Vec<&str> = root_schemas
            .map(|o| o.iter().map(|(k, _)| k).collect())
            .unwrap_or_default();
        assert_eq!(
            our_schemas, their_schemas,
            "{file}: component schemas differ"
        );
        compared += 1;
        report.push(format!(
            "{file}: {} operations, {} schemas agree",
            our_ops.len(),
            our_schemas.len()
        ));
    }
    println!("{}", report.join("\n"));
    assert_eq!(
        compared,
        SPECS_3_0.len(),
        "openapiv3 could not read some specs:\n{}",
        report.join("\n")
    );
}
