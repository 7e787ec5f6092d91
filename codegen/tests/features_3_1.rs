//! 3.1 constructs load with their meaning intact (the things `openapiv3` rejects or drops).

#![allow(clippy::unwrap_used, clippy::panic)] // helpers outside #[test] fns

mod common;

use codegen::Input;
use codegen::load::pointer::JsonPointer;
use codegen::load::schema::{InstanceType, SchemaKind, SchemaReader};
use serde_json::json;

#[test]
fn shared_features_fixture_keeps_const_type_arrays_ref_siblings_and_unevaluated() {
    let path = common::shared().join("tools/fixtures/features-3.1.yaml");
    let loaded = codegen::check(Input::read(&path, "features-3.1.yaml").unwrap(), vec![]);
    // The fixture's operation takes parameters and documents no 4XX: the one warning.
    let codes: Vec<&str> = loaded.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        ["undocumented-rejection"],
        "{:?}",
        loaded.diagnostics
    );
    let doc = loaded.document.unwrap();
    let at = JsonPointer::parse_ref("#/components/schemas/Thing").unwrap();
    let mut reader = SchemaReader::new(&doc.root, doc.version);
    let thing = reader.read(doc.root.pointer(&at).unwrap(), at);
    assert!(reader.into_diagnostics().is_empty());
    let o = thing.object().unwrap();
    assert_eq!(
        o.properties["kind"].object().unwrap().constant,
        Some(json!("session"))
    );
    assert_eq!(
        o.properties["link"].object().unwrap().types.as_deref(),
        Some(&[InstanceType::String, InstanceType::Null][..])
    );
    let meta = o.properties["meta"].object().unwrap();
    assert_eq!(
        meta.reference.as_ref().unwrap().target,
        "#/components/schemas/Meta"
    );
    assert!(
        meta.description
            .as_deref()
            .unwrap()
            .starts_with("sibling keywords")
    );
    assert_eq!(
        o.unevaluated_properties.as_ref().unwrap().kind,
        SchemaKind::Bool(false)
    );
}

#[test]
fn webhooks_only_documents_and_boolean_schemas_load() {
    let spec = Input::new(
        "hooks.yaml",
        "openapi: 3.1.0\ninfo: {title: hooks, version: '1'}\nwebhooks:\n  ping:\n    post:\n      requestBody:\n        content:\n          application/json:\n            schema: {type: object, additionalProperties: false, properties: {any: true, none: false}}\n      responses: {'200': {description: ok}}\n",
    );
    let loaded = codegen::check(spec, vec![]);
    assert!(loaded.diagnostics.is_empty(), "{:?}", loaded.diagnostics);
    let doc = loaded.document.unwrap();
    let ops = codegen::load::openapi::operations(&doc.root);
    assert_eq!((ops.len(), ops[0].webhook, ops[0].path), (1, true, "ping"));
}
