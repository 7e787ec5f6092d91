//! A large JSON body read in bounded memory: arrays whose schema only constrains their
//! items and count are validated element by element while the body is parsed, and kept
//! in the parsed value as `[]`.
//!
//! `serde_json::Value` takes ~15× the text of a long array of small values (a 47 MB body
//! took 729 MB). What is left after streaming — the *shell* — is validated as usual
//! against the whole schema, so every keyword outside the streamed arrays is still
//! `jsonschema`'s; only `minItems`/`maxItems` of a streamed array are counted here.
//!
//! An array is streamed when the schema at its place is reached from the body's schema
//! through `properties` and `$ref` alone (no `allOf`/`oneOf`/`anyOf`/`not`/conditionals/
//! pattern or schema-valued `additionalProperties` on the way, which could also constrain
//! it), and holds only `type` (with `array`), `items`, `minItems`, `maxItems` and
//! annotations. Anywhere else the value is parsed whole.

use openapi_runtime::check::MAX_ERRORS;
use openapi_runtime::check::rejection::{FieldError, Part};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

/// The base URI the spec's schemas are registered under (refs may be written against it).
const BASE: &str = "urn:openapi:spec";

/// Validates an element of a streamed array: (the items schema's `#/…` fragment, the
/// element, its path in the body) → its problems.
pub type ItemCheck<'c> = dyn FnMut(&str, &Value, &[String]) -> Vec<FieldError> + 'c;

/// A body read with its large arrays streamed.
#[derive(Debug)]
pub struct Streamed {
    /// The body with each streamed array replaced by `[]`.
    pub shell: Value,
    /// Problems found in streamed arrays (their elements and counts), at most
    /// [`MAX_ERRORS`].
    pub errors: Vec<FieldError>,
    /// Where arrays were streamed (paths into the body), with the fragment of their schema.
    pub streamed: Vec<(Vec<String>, String)>,
}

/// Parses `body` as JSON, streaming the arrays that the schema at `root` (a `#/…`
/// fragment of `document`) allows; `check` validates each of their elements.
pub fn read(
    body: &[u8],
    document: &Value,
    root: &str,
    check: &mut ItemCheck<'_>,
) -> Result<Streamed, serde_json::Error> {
    let mut state = State {
        document,
        check,
        errors: Vec::new(),
        streamed: Vec::new(),
    };
    let mut de = serde_json::Deserializer::from_slice(body);
    let shell = Place {
        state: &mut state,
        schema: resolve(document, root),
        path: Vec::new(),
    }
    .deserialize(&mut de)?;
    de.end()?;
    Ok(Streamed {
        shell,
        errors: state.errors,
        streamed: state.streamed,
    })
}

struct State<'a, 'c> {
    document: &'a Value,
    check: &'a mut ItemCheck<'c>,
    errors: Vec<FieldError>,
    streamed: Vec<(Vec<String>, String)>,
}

/// The schema at a place in the body, when it is known exactly: its fragment and node.
type Known<'a> = Option<(String, &'a Map<String, Value>)>;

/// Keywords that constrain nothing.
fn annotation(key: &str) -> bool {
    key.starts_with("x-")
        || matches!(
            key,
            "title"
                | "description"
                | "example"
                | "examples"
                | "default"
                | "deprecated"
                | "readOnly"
                | "writeOnly"
                | "$comment"
                | "externalDocs"
                | "xml"
                | "discriminator"
                | "format"
        )
}

/// The schema at `fragment`, through `$ref`s that have no constraining siblings.
fn resolve<'a>(document: &'a Value, fragment: &str) -> Known<'a> {
    let mut fragment = fragment.to_owned();
    for _ in 0..64 {
        let pointer = fragment.strip_prefix('#')?;
        let node = document.pointer(pointer)?.as_object()?;
        match node.get("$ref").and_then(Value::as_str) {
            Some(target) if node.keys().all(|k| k == "$ref" || annotation(k)) => {
                fragment = target.strip_prefix(BASE).unwrap_or(target).to_owned();
                if !fragment.starts_with('#') {
                    return None;
                }
            }
            Some(_) => return None,
            None => return Some((fragment, node)),
        }
    }
    None
}

/// The schema of property `key` of an object schema that nothing else constrains it in.
fn property<'a>(document: &'a Value, known: &Known<'a>, key: &str) -> Known<'a> {
    let (fragment, node) = known.as_ref()?;
    let plain = node.keys().all(|k| {
        annotation(k)
            || matches!(
                k.as_str(),
                "type" | "properties" | "required" | "minProperties" | "maxProperties" | "nullable"
            )
            || k.starts_with("x-")
            || (k == "additionalProperties" && node.get(k).is_some_and(Value::is_boolean))
    });
    if !plain {
        return None;
    }
    node.get("properties")?.as_object()?.get(key)?;
    let escaped = key.replace('~', "~0").replace('/', "~1");
    resolve(document, &format!("{fragment}/properties/{escaped}"))
}

/// The items schema and count bounds of an array schema that may be streamed.
fn streamable(known: &Known<'_>) -> Option<(String, Option<u64>, Option<u64>)> {
    let (fragment, node) = known.as_ref()?;
    let only = node
        .keys()
        .all(|k| annotation(k) || matches!(k.as_str(), "type" | "items" | "minItems" | "maxItems"));
    let array = match node.get("type")? {
        Value::String(t) => t == "array",
        Value::Array(ts) => ts.iter().any(|t| t == "array"),
        _ => false,
    };
    node.get("items")?;
    (only && array).then(|| {
        (
            format!("{fragment}/items"),
            node.get("minItems").and_then(Value::as_u64),
            node.get("maxItems").and_then(Value::as_u64),
        )
    })
}

/// A place in the body being parsed.
struct Place<'s, 'a, 'c> {
    state: &'s mut State<'a, 'c>,
    schema: Known<'a>,
    path: Vec<String>,
}

impl<'de> DeserializeSeed<'de> for Place<'_, '_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, de: D) -> Result<Value, D::Error> {
        de.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Place<'_, '_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let schema = property(self.state.document, &self.schema, &key);
            let mut path = self.path.clone();
            path.push(key.clone());
            let value = map.next_value_seed(Place {
                state: &mut *self.state,
                schema,
                path,
            })?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let Some((items, min, max)) = streamable(&self.schema) else {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element::<Value>()? {
                out.push(v);
            }
            return Ok(Value::Array(out));
        };
        let state = self.state;
        let mut count: u64 = 0;
        let mut path = self.path.clone();
        while let Some(element) = seq.next_element::<Value>()? {
            if state.errors.len() < MAX_ERRORS {
                path.push(count.to_string());
                let found = (state.check)(&items, &element, &path);
                path.pop();
                let room = MAX_ERRORS - state.errors.len();
                state.errors.extend(found.into_iter().take(room));
            }
            count += 1;
        }
        let array = self
            .schema
            .as_ref()
            .map(|(f, _)| f.clone())
            .unwrap_or_default();
        let bound = |keyword: &str, message: String| FieldError {
            code: keyword.to_owned(),
            message,
            part: Part::Body,
            path: self.path.clone(),
            keyword: Some(format!("{array}/{keyword}")),
        };
        if let Some(min) = min.filter(|&m| count < m) {
            state.errors.push(bound(
                "minItems",
                format!("the array has {count} items, fewer than {min}"),
            ));
        }
        if let Some(max) = max.filter(|&m| count > m) {
            state.errors.push(bound(
                "maxItems",
                format!("the array has {count} items, more than {max}"),
            ));
        }
        state.streamed.push((self.path, array));
        Ok(Value::Array(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn document() -> Value {
        json!({"components": {"schemas": {
            "Item": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
            "Items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}, "maxItems": 3},
            "Page": {"type": "object", "required": ["data"], "properties": {
                "data": {"$ref": "#/components/schemas/Items"},
                "mixed": {"type": "array", "items": {"type": "integer"}, "uniqueItems": true}
            }},
        }}})
    }

    /// A check that flags every element without an integer `id`.
    fn check(
        seen: &mut Vec<String>,
    ) -> impl FnMut(&str, &Value, &[String]) -> Vec<FieldError> + '_ {
        move |fragment, element, path| {
            seen.push(fragment.to_owned());
            if element.get("id").is_some_and(Value::is_i64) {
                return Vec::new();
            }
            vec![FieldError {
                code: "required".into(),
                message: "no id".into(),
                part: Part::Body,
                path: path.to_vec(),
                keyword: None,
            }]
        }
    }

    #[test]
    fn arrays_under_properties_are_streamed_and_emptied() {
        let doc = document();
        let mut seen = Vec::new();
        let body = br#"{"data": [{"id": 1}, {"x": 2}, {"id": 3}, {"id": 4}], "mixed": [1, 1]}"#;
        let out = read(
            body,
            &doc,
            "#/components/schemas/Page",
            &mut check(&mut seen),
        )
        .unwrap();
        assert_eq!(out.shell, json!({"data": [], "mixed": [1, 1]}));
        assert_eq!(seen, vec!["#/components/schemas/Items/items"; 4]);
        let found: Vec<(&str, Vec<String>)> = out
            .errors
            .iter()
            .map(|e| (e.code.as_str(), e.path.clone()))
            .collect();
        assert_eq!(
            found,
            vec![
                ("required", vec!["data".to_owned(), "1".to_owned()]),
                ("maxItems", vec!["data".to_owned()]),
            ]
        );
        assert_eq!(
            out.errors[1].keyword.as_deref(),
            Some("#/components/schemas/Items/maxItems")
        );
        assert_eq!(
            out.streamed,
            vec![(
                vec!["data".to_owned()],
                "#/components/schemas/Items".to_owned()
            )]
        );
    }

    #[test]
    fn a_top_level_array_is_streamed_and_composed_schemas_are_not() {
        let doc = document();
        let mut seen = Vec::new();
        let out = read(
            b"[{\"id\": 1}]",
            &doc,
            "#/components/schemas/Items",
            &mut check(&mut seen),
        )
        .unwrap();
        assert_eq!(out.shell, json!([]));
        let mut doc = document();
        doc["components"]["schemas"]["Page"]["allOf"] = json!([{"required": ["data"]}]);
        let out = read(
            br#"{"data": [{"id": 1}]}"#,
            &doc,
            "#/components/schemas/Page",
            &mut check(&mut seen),
        )
        .unwrap();
        assert_eq!(
            out.shell,
            json!({"data": [{"id": 1}]}),
            "allOf could constrain data"
        );
    }

    #[test]
    fn malformed_json_and_trailing_text_are_errors() {
        let doc = document();
        let mut seen = Vec::new();
        assert!(
            read(
                b"[{\"id\": 1}",
                &doc,
                "#/components/schemas/Items",
                &mut check(&mut seen)
            )
            .is_err()
        );
        assert!(
            read(
                b"[] x",
                &doc,
                "#/components/schemas/Items",
                &mut check(&mut seen)
            )
            .is_err()
        );
    }
}
