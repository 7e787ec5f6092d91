//! JSON Schemas of generated types (see `#[derive(Record)]`): generated types list their properties'
//! Rust types and these helpers assemble the object; `$ref`s come from the generator.

use ::schemars::Schema;
use ::serde_json::{Map, Value};

/// What an object schema says about the properties it does not name.
pub enum Rest {
    /// `additionalProperties: false`.
    Closed,
    /// Nothing (any other property is allowed).
    Open,
    /// `additionalProperties` with this schema (they are kept in a map).
    Typed(Schema),
}

impl Rest {
    /// `Typed` when a schema for the leftovers is given, else `Closed` or `Open`.
    pub fn new(closed: bool, typed: impl IntoIterator<Item = Schema>) -> Rest {
        match typed.into_iter().next() {
            Some(schema) => Rest::Typed(schema),
            None if closed => Rest::Closed,
            None => Rest::Open,
        }
    }
}

/// `#[derive(Record)]`'s `required` marker: the property is listed in `required`.
pub fn required() -> bool {
    true
}

/// `#[derive(Record)]`'s `optional` marker: the property may be absent.
pub fn optional() -> bool {
    false
}

/// One property: wire name, schema, required, description (empty for none).
pub type Property = (&'static str, Schema, bool, &'static str);

fn with_description(mut out: Map<String, Value>, description: &str) -> Schema {
    if !description.is_empty() {
        out.insert("description".into(), description.into());
    }
    Schema::from(out)
}

/// An object schema.
pub fn object(
    description: &str,
    properties: impl IntoIterator<Item = Property>,
    rest: Rest,
) -> Schema {
    let mut out = Map::new();
    out.insert("type".into(), "object".into());
    let mut names = Map::new();
    let mut required = ::std::vec::Vec::new();
    for (name, schema, is_required, doc) in properties {
        let mut value = schema.to_value();
        if let (Value::Object(fields), false) = (&mut value, doc.is_empty()) {
            fields.entry("description").or_insert_with(|| doc.into());
        }
        names.insert(name.into(), value);
        if is_required {
            required.push(Value::from(name));
        }
    }
    out.insert("properties".into(), Value::Object(names));
    if !required.is_empty() {
        out.insert("required".into(), Value::Array(required));
    }
    match rest {
        Rest::Closed => {
            out.insert("additionalProperties".into(), false.into());
        }
        Rest::Open => {}
        Rest::Typed(schema) => {
            out.insert("additionalProperties".into(), schema.to_value());
        }
    }
    with_description(out, description)
}

/// A string enum's schema: the documented values (built in code: `json_schema!` recurses per
/// value and hits the macro recursion limit on enums with a hundred values or more).
pub fn string_enum(values: &[&str]) -> Schema {
    let mut out = Map::new();
    out.insert("type".into(), "string".into());
    let values = values.iter().map(|v| Value::from(*v)).collect();
    out.insert("enum".into(), Value::Array(values));
    Schema::from(out)
}

/// A union decoded by trying each variant (`anyOf`).
pub fn any_of(description: &str, variants: impl IntoIterator<Item = Schema>) -> Schema {
    let mut out = Map::new();
    out.insert(
        "anyOf".into(),
        Value::Array(variants.into_iter().map(Schema::to_value).collect()),
    );
    with_description(out, description)
}
