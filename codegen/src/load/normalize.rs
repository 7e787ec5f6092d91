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
    convert(doc, Form::Full)
}

/// [`to_json_schema_2020`] without what only people read or nothing validates against:
/// `description`, `summary`, `title`, `$comment`, `externalDocs` and `x-` extensions of
/// schemas and OpenAPI objects, operations' `operationId` and `tags`, and every top-level
/// section but `openapi`, `jsonSchemaDialect`, `paths` and `components` (so `info`,
/// `webhooks`, `x-webhooks`, …) unless a `$ref` points into it. Validation and made values
/// are the same; a validator of a large spec holds a third of the memory (github-api.json:
/// 7.3 → 3.3 MB of JSON, its `x-webhooks` alone 0.6 MB). Examples stay: mocks answer with
/// them. Objects are allocated at their exact sizes: the document is kept for as long as a
/// server runs.
pub fn to_json_schema_2020_lean(doc: &Document) -> Value {
    convert(doc, Form::Lean)
}

/// [`to_json_schema_2020_lean`] without the `example` and `examples` of Media Type,
/// Parameter and Header Objects, nor `components/examples`, which only those reach: a mock
/// reads them from the loaded document and keeps them apart, as text (github-api.json: 1.5
/// MB of its 5 MB of lean text).
pub fn to_json_schema_2020_served(doc: &Document) -> Value {
    convert(doc, Form::Served)
}

/// Which form [`convert`] makes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// Every key kept.
    Full,
    /// [`to_json_schema_2020_lean`].
    Lean,
    /// [`to_json_schema_2020_served`].
    Served,
}

/// Keys of Media Type, Parameter and Header Objects the served form leaves out.
const EXAMPLES: &[&str] = &["example", "examples"];

/// The top-level sections validation reads; the lean form keeps only these, and the
/// sections a `$ref` points into.
const VALIDATED_SECTIONS: &[&str] = &["openapi", "jsonSchemaDialect", "paths", "components"];

/// What [`sections_referenced`] names for `$ref: '#'`, the whole document.
const WHOLE: &str = "#";

/// Keys of an Operation Object that only name and group it.
const OPERATION_LABELS: &[&str] = &["operationId", "tags"];

fn convert(doc: &Document, form: Form) -> Value {
    let lean = form != Form::Full;
    let mut json = if lean {
        lean_root(&doc.root)
    } else {
        doc.root.to_json()
    };
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
            Slot::Operation => {
                strip_docs(object);
                retain_keys(object, |k| !OPERATION_LABELS.contains(&k));
            }
            Slot::MediaType | Slot::Parameter | Slot::Header if form == Form::Served => {
                strip_docs(object);
                retain_keys(object, |k| !EXAMPLES.contains(&k));
            }
            _ => strip_docs(object),
        }
    }
    if form == Form::Served
        && let Some(Value::Object(components)) = json.get_mut("components")
    {
        components.shift_remove("examples");
    }
    json
}

/// The top-level sections validation reads, and any other one a local `$ref` of those
/// points into (followed until no new section is named), as JSON.
fn lean_root(root: &Node) -> Value {
    let Some(object) = root.as_object() else {
        return root.to_json();
    };
    let mut kept: std::collections::BTreeSet<&str> = VALIDATED_SECTIONS
        .iter()
        .copied()
        .filter(|k| object.contains_key(k))
        .collect();
    let mut unread: Vec<&str> = kept.iter().copied().collect();
    while let Some(section) = unread.pop() {
        let mut named = Vec::new();
        if let Some(node) = object.get(section) {
            sections_referenced(node, &mut named, 0);
        }
        for name in named {
            if name == WHOLE {
                return root.to_json();
            }
            if let Some((key, _)) = object.iter().find(|(k, _)| *k == name)
                && kept.insert(key)
            {
                unread.push(key);
            }
        }
    }
    Value::Object(
        object
            .iter()
            .filter(|(k, _)| kept.contains(k))
            .map(|(k, v)| (k.to_owned(), v.to_json()))
            .collect(),
    )
}

/// The top-level sections the local `$ref`s under `node` point into (`#/webhooks/…` names
/// `webhooks`; `#` names [`WHOLE`]).
fn sections_referenced(node: &Node, out: &mut Vec<String>, depth: usize) {
    if depth > 512 {
        return;
    }
    if let Some(object) = node.as_object() {
        for (key, value) in object.iter() {
            if key == "$ref" {
                let local = value.as_str().filter(|r| r.starts_with('#'));
                let pointer = local.and_then(|r| JsonPointer::parse_ref(r).ok());
                if let Some(pointer) = pointer {
                    // `#` alone is the whole document: every section.
                    let first = pointer.tokens().first().map_or(WHOLE, String::as_str);
                    if !out.iter().any(|o| o == first) {
                        out.push(first.to_owned());
                    }
                }
            } else {
                sections_referenced(value, out, depth + 1);
            }
        }
    } else if let Some(items) = node.as_array() {
        items
            .iter()
            .for_each(|item| sections_referenced(item, out, depth + 1));
    }
}

/// A document as compact JSON text (one line).
pub fn to_text(document: &Value) -> String {
    serde_json::to_string(document).unwrap_or_default()
}

/// Reads JSON text with every object and array allocated at its exact size, for a document
/// a server keeps while it runs: a parser grows them entry by entry, and an object of one
/// entry then holds room for three (`indexmap` grows its entries to its table's size);
/// github-api.json's lean document takes 30 MiB this way instead of 46.
pub fn from_text_exact(text: &str) -> Result<Value, String> {
    use serde::de::DeserializeSeed;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    // serde_json stops at 128 levels; a loaded document may nest up to the loader's limit,
    // and the conversion wraps a schema in `anyOf` at most once per level. The reading
    // counts the levels itself.
    deserializer.disable_recursion_limit();
    let value = exact::Exact { depth: 0 }
        .deserialize(&mut deserializer)
        .map_err(|e| format!("document: {e}"))?;
    deserializer.end().map_err(|e| format!("document: {e}"))?;
    Ok(value)
}

/// The reading of [`from_text_exact`].
mod exact {
    use serde::de::{DeserializeSeed, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    /// Deepest nesting read: twice the loader's limit (see [`super::from_text_exact`]).
    const DEEPEST: usize = 2 * crate::load::yaml::MAX_DEPTH;

    /// Reads one value at `depth`, its objects and arrays at their exact sizes.
    #[derive(Clone, Copy)]
    pub(super) struct Exact {
        pub(super) depth: usize,
    }

    impl Exact {
        /// The reading of a value one level down, or the error past [`DEEPEST`].
        fn inner<E: Error>(self) -> Result<Exact, E> {
            if self.depth >= DEEPEST {
                return Err(E::custom(format!("nesting deeper than {DEEPEST} levels")));
            }
            Ok(Exact {
                depth: self.depth + 1,
            })
        }
    }

    impl<'de> DeserializeSeed<'de> for Exact {
        type Value = Value;

        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
            deserializer.deserialize_any(self)
        }
    }

    impl<'de> Visitor<'de> for Exact {
        type Value = Value;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a JSON value")
        }

        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }

        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }

        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }

        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_owned()))
        }

        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }

        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut items = Vec::new();
            let inner = self.inner()?;
            while let Some(item) = seq.next_element_seed(inner)? {
                items.push(item);
            }
            items.shrink_to_fit();
            Ok(Value::Array(items))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut entries = Vec::new();
            let inner = self.inner()?;
            while let Some(key) = map.next_key::<String>()? {
                entries.push((key, map.next_value_seed(inner)?));
            }
            Ok(Value::Object(entries.into_iter().collect::<Map<_, _>>()))
        }
    }
}

/// Removes the keys only people read from one object (its keywords, never its data).
fn strip_docs(object: &mut Value) {
    retain_keys(object, |k| {
        !matches!(
            k,
            "description" | "summary" | "title" | "$comment" | "externalDocs"
        ) && !k.starts_with("x-")
    });
}

/// Keeps the keys of an object that `keep` accepts; an object that loses some is
/// reallocated at its new size (it is kept for as long as a server runs, and `retain`
/// keeps the room).
fn retain_keys(object: &mut Value, keep: impl Fn(&str) -> bool) {
    if let Value::Object(obj) = object
        && !obj.keys().all(|k| keep(k))
    {
        *obj = std::mem::take(obj)
            .into_iter()
            .filter(|(k, _)| keep(k))
            .collect();
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
        assert_eq!(op.get("operationId"), None);
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
    fn the_lean_form_keeps_a_section_only_when_validation_or_a_ref_reaches_it() {
        let text = r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "servers": [{"url": "https://example.com"}],
            "x-webhooks": {"ping": {"post": {"requestBody": {"content": {"application/json": {
                "schema": {"type": "object"}}}}}}},
            "x-shared": {"Id": {"type": "integer", "minimum": 1}},
            "x-more": {"Name": {"type": "string", "description": "d"}},
            "paths": {"/a/{id}": {"get": {"tags": ["a"],
                "parameters": [{"name": "id", "in": "path", "required": true,
                    "schema": {"$ref": "#/x-shared/Id"}}],
                "responses": {"200": {"description": "ok"}}}}},
            "components": {"schemas": {"N": {"$ref": "#/x%2Dmore/Name"}}}}"##;
        let doc = load(Input::new("a.json", text), vec![]).document.unwrap();
        let lean = to_json_schema_2020_lean(&doc);
        let kept: Vec<&str> = lean
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            kept,
            ["openapi", "x-shared", "x-more", "paths", "components"]
        );
        // Kept as written: only OpenAPI's own positions are walked as schemas.
        assert_eq!(lean["x-more"]["Name"]["type"], "string");
        assert_eq!(lean["paths"]["/a/{id}"]["get"].get("tags"), None);
        let whole = r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "components": {"schemas": {"All": {"$ref": "#"}}}}"##;
        let doc = load(Input::new("b.json", whole), vec![]).document.unwrap();
        assert!(to_json_schema_2020_lean(&doc).get("info").is_some());
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

    #[test]
    fn exact_reading_gives_the_same_value_at_its_exact_size() {
        let text = r#"{"a": {"b": 1, "b": 2}, "c": [1, 2.5, -3], "d": {"e": {"f": [true, null, "x\ny"]}}}"#;
        let value = from_text_exact(text).unwrap();
        assert_eq!(value, serde_json::from_str::<Value>(text).unwrap());
        assert_eq!(from_text_exact(&to_text(&value)).unwrap(), value);
        assert_eq!(value["c"].as_array().map(Vec::capacity), Some(3));
        assert!(!to_text(&value).contains('\n'), "one line");
        assert!(from_text_exact("{} {}").is_err());
        assert!(from_text_exact(r#"{"a": "#).is_err());
        // Deeper than serde_json's own limit (128), as a loaded document may be; and not
        // without end.
        let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert!(from_text_exact(&nested(300)).is_ok());
        let deepest = 2 * crate::load::yaml::MAX_DEPTH;
        assert!(from_text_exact(&nested(deepest)).is_ok());
        let Err(too_deep) = from_text_exact(&nested(deepest + 1)) else {
            panic!("read past {deepest} levels");
        };
        assert!(too_deep.contains("nesting deeper than"), "{too_deep}");
    }
}
