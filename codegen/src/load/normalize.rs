//! The effective document as JSON Schema 2020-12 can read it.
//!
//! OpenAPI 3.1 schemas already are 2020-12. OpenAPI 3.0 schemas are a dialect (and real 3.1
//! documents still use its forms, which lint warns about and this reads the same way):
//! `nullable: true` becomes a `null` in `type` (or an `anyOf` with `{type: null}` when there is
//! no `type`), and boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric form.
//! A `required` list naming a property twice (real specs do; 2020-12 asks for unique names)
//! is read as the set it names: `jsonschema` 0.60 otherwise reports present properties as
//! missing.
//! Validators (the generated server, the contract tests) read this form.

use super::Document;
use super::node::Node;
use super::openapi::{self, Slot, Visitor};
use super::pointer::JsonPointer;
use serde_json::{Map, Value, json};

/// Keywords whose value is one subschema.
const ONE: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
    "contentSchema",
];
/// Keywords whose value is a list of subschemas.
const LIST: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to subschemas.
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
];

/// Every OpenAPI object of the document with its kind.
struct Objects(Vec<(Slot, JsonPointer)>);

impl Visitor<'_> for Objects {
    fn visit(&mut self, slot: Slot, _: &Node, at: &JsonPointer) {
        self.0.push((slot, at.clone()));
    }
}

/// The document as JSON, with every schema in JSON Schema 2020-12 form.
pub fn to_json_schema_2020(doc: &Document) -> Value {
    convert(doc, false)
}

/// [`to_json_schema_2020`] without what only people read: `description`, `summary`,
/// `title`, `$comment`, `externalDocs` and `x-` extensions of schemas and OpenAPI objects,
/// and the document's `info`, `tags` and `externalDocs`. Validation and made values are the
/// same; a validator of a large spec holds half the memory (github-api.json: 7.3 → 3.7 MB
/// of JSON). Examples stay: mocks answer with them.
pub fn to_json_schema_2020_lean(doc: &Document) -> Value {
    convert(doc, true)
}

fn convert(doc: &Document, lean: bool) -> Value {
    let mut json = doc.root.to_json();
    let mut objects = Objects(Vec::new());
    openapi::walk(&doc.root, &mut objects);
    for (slot, at) in objects.0 {
        if slot != Slot::Schema && !lean {
            continue;
        }
        let pointer: String = at
            .tokens()
            .iter()
            .map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1")))
            .collect();
        let Some(object) = json.pointer_mut(&pointer) else {
            continue;
        };
        match slot {
            Slot::Schema => schema_3_0(object, 0, lean),
            _ => strip_docs(object),
        }
    }
    if lean && let Value::Object(root) = &mut json {
        for key in ["info", "tags", "externalDocs"] {
            root.remove(key);
        }
    }
    json
}

/// Removes the keys only people read from one object (its keywords, never its data).
fn strip_docs(object: &mut Value) {
    if let Value::Object(obj) = object {
        obj.retain(|k, _| {
            !matches!(
                k.as_str(),
                "description" | "summary" | "title" | "$comment" | "externalDocs"
            ) && !k.starts_with("x-")
        });
    }
}

fn schema_3_0(schema: &mut Value, depth: usize, lean: bool) {
    if lean {
        strip_docs(schema);
    }
    let Value::Object(obj) = schema else { return };
    if depth > 256 {
        return;
    }
    for key in ONE {
        if let Some(sub) = obj.get_mut(*key) {
            schema_3_0(sub, depth + 1, lean);
        }
    }
    for key in LIST {
        if let Some(Value::Array(items)) = obj.get_mut(*key) {
            items
                .iter_mut()
                .for_each(|s| schema_3_0(s, depth + 1, lean));
        }
    }
    if let Some(Value::Array(items)) = obj.get_mut("items") {
        items
            .iter_mut()
            .for_each(|s| schema_3_0(s, depth + 1, lean));
    }
    for key in MAP {
        if let Some(Value::Object(map)) = obj.get_mut(*key) {
            map.values_mut()
                .for_each(|s| schema_3_0(s, depth + 1, lean));
        }
    }
    if let Some(Value::Array(names)) = obj.get_mut("required") {
        let mut seen = std::collections::BTreeSet::new();
        names.retain(|n| seen.insert(n.to_string()));
    }
    for (flag, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        match obj.get(flag) {
            Some(Value::Bool(true)) => {
                let value = obj.remove(bound).unwrap_or(Value::Null);
                if value.is_null() {
                    obj.remove(flag);
                } else {
                    obj.insert(flag.to_owned(), value);
                }
            }
            Some(Value::Bool(false)) => {
                obj.remove(flag);
            }
            _ => {}
        }
    }
    if obj.remove("nullable") != Some(Value::Bool(true)) {
        return;
    }
    match obj.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            obj.insert("type".into(), json!([t, "null"]));
            if let Some(Value::Array(values)) = obj.get_mut("enum")
                && !values.contains(&Value::Null)
            {
                values.push(Value::Null);
            }
        }
        Some(Value::Array(types)) => {
            if !types.contains(&json!("null")) {
                types.push(json!("null"));
            }
        }
        _ => {
            // No `type` (a `$ref` or `allOf` wrapper): the value or null.
            let inner = std::mem::take(obj);
            let mut wrapped = Map::new();
            wrapped.insert(
                "anyOf".into(),
                json!([Value::Object(inner), {"type": "null"}]),
            );
            *obj = wrapped;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Input, load};

    #[test]
    fn openapi_3_0_schemas_become_2020_12() {
        let text = r##"{"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}, "components": {"schemas": {
            "A": {"type": "string", "nullable": true, "enum": ["x"]},
            "B": {"type": "integer", "minimum": 1, "exclusiveMinimum": true, "maximum": 5, "exclusiveMaximum": false},
            "C": {"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true, "description": "d"},
            "D": {"type": "object", "properties": {"n": {"type": "number", "nullable": true}}},
            "E": {"type": "object", "required": ["id", "name", "id"]}
        }}}"##;
        let doc = load(Input::new("a.json", text), vec![]).document.unwrap();
        let out = to_json_schema_2020(&doc);
        let s = &out["components"]["schemas"];
        assert_eq!(
            s["A"],
            json!({"type": ["string", "null"], "enum": ["x", null]})
        );
        assert_eq!(
            s["B"],
            json!({"type": "integer", "exclusiveMinimum": 1, "maximum": 5})
        );
        assert_eq!(
            s["C"],
            json!({"anyOf": [{"allOf": [{"$ref": "#/components/schemas/A"}], "description": "d"}, {"type": "null"}]})
        );
        assert_eq!(
            s["D"]["properties"]["n"],
            json!({"type": ["number", "null"]})
        );
        assert_eq!(s["E"]["required"], json!(["id", "name"]));
    }

    #[test]
    fn the_lean_form_drops_what_only_people_read_and_keeps_data_and_property_names() {
        let text = r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1", "description": "long"},
            "tags": [{"name": "a", "description": "d"}],
            "paths": {"/a": {"get": {"summary": "s", "description": "d", "x-internal": 1, "operationId": "a",
                "parameters": [{"name": "q", "in": "query", "description": "d", "schema": {"type": "string", "description": "d"}}],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/T"},
                    "example": {"description": "data stays", "title": "t"}}}}}}}},
            "components": {"schemas": {"T": {"type": "object", "title": "T", "x-go-name": "T", "description": "d",
                "properties": {"description": {"type": "string", "description": "a property named description"},
                               "title": {"type": "string"}},
                "required": ["description", "title"]}}}}"##;
        let doc = load(Input::new("a.json", text), vec![]).document.unwrap();
        let lean = to_json_schema_2020_lean(&doc);
        assert_eq!(
            lean["components"]["schemas"]["T"],
            json!({"type": "object",
                   "properties": {"description": {"type": "string"}, "title": {"type": "string"}},
                   "required": ["description", "title"]})
        );
        let op = &lean["paths"]["/a"]["get"];
        assert_eq!(op.get("summary"), None);
        assert_eq!(op.get("x-internal"), None);
        assert_eq!(op["operationId"], "a");
        assert_eq!(
            op["parameters"][0],
            json!({"name": "q", "in": "query", "schema": {"type": "string"}})
        );
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["example"],
            json!({"description": "data stays", "title": "t"})
        );
        assert_eq!(lean.get("info"), None);
        assert_eq!(lean.get("tags"), None);
        assert_eq!(to_json_schema_2020(&doc)["info"]["description"], "long");
    }

    #[test]
    fn openapi_3_1_keeps_its_forms_and_reads_stray_3_0_ones_like_lint_does() {
        let text = r#"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "components": {"schemas": {
            "A": {"type": "string", "nullable": true},
            "B": {"type": ["string", "null"], "exclusiveMinimum": 0, "const": "x"}
        }}}"#;
        let doc = load(Input::new("a.json", text), vec![]).document.unwrap();
        let s = &to_json_schema_2020(&doc)["components"]["schemas"];
        assert_eq!(s["A"], json!({"type": ["string", "null"]}));
        assert_eq!(
            s["B"],
            json!({"type": ["string", "null"], "exclusiveMinimum": 0, "const": "x"})
        );
    }
}
