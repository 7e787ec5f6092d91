//! Values the mock answers with, valid against their schemas: a documented example when it
//! is valid, else one made by [`crate::synth`] and checked, trying further seeds when the
//! first is not (see the synth test for the positions where no value can be valid).

use crate::synth::Synth;
use codegen::load::node::Node;
use codegen::load::pointer::JsonPointer;
use openapi_runtime::check::schemas::{Direction, Schemas};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, RwLock};

/// Seeds tried for one value before answering with the last one made.
const TRIES: u64 = 8;

/// Validators by direction and schema pointer (`None`: the schema does not compile).
type Validators = BTreeMap<(Direction, String), Option<Arc<jsonschema::Validator>>>;

/// The validators compiled so far; values come from the documents the schemas registered
/// (one per direction, so `required` already reads as the direction does).
pub struct Values {
    /// Where the objects holding documented examples are written (`file:line:col` by
    /// `#/…` pointer), for located warnings.
    locations: BTreeMap<String, String>,
    validators: RwLock<Validators>,
    /// The holders' examples, out of the registered document.
    examples: Examples,
    /// Positions already reported (each problem is printed once).
    reported: Mutex<BTreeSet<String>>,
}

impl Default for Values {
    fn default() -> Self {
        Values::new(BTreeMap::new(), Examples::default())
    }
}

impl Values {
    /// An empty cache; `locations` place the example holders in the spec's files.
    pub fn new(locations: BTreeMap<String, String>, examples: Examples) -> Values {
        Values {
            locations,
            validators: RwLock::new(BTreeMap::new()),
            examples,
            reported: Mutex::new(BTreeSet::new()),
        }
    }

    /// The validator of the schema at `pointer` (`#/…`), compiled once; `None` when it does
    /// not compile.
    pub fn validator(
        &self,
        schemas: &Schemas,
        direction: Direction,
        pointer: &str,
    ) -> Option<Arc<jsonschema::Validator>> {
        let key = (direction, pointer.to_owned());
        if let Ok(cache) = self.validators.read()
            && let Some(v) = cache.get(&key)
        {
            return v.clone();
        }
        let compiled = match schemas.compile(direction, pointer) {
            Ok(v) => Some(Arc::new(v)),
            Err(e) => {
                self.report(pointer, &format!("{e}; values there are not checked"));
                None
            }
        };
        if let Ok(mut cache) = self.validators.write() {
            cache.insert(key, compiled.clone());
        }
        compiled
    }

    /// Whether `value` is valid against the schema at `pointer` (true when it cannot be
    /// checked).
    pub fn is_valid(
        &self,
        schemas: &Schemas,
        direction: Direction,
        pointer: &str,
        value: &Value,
    ) -> bool {
        self.validator(schemas, direction, pointer)
            .is_none_or(|v| v.is_valid(value))
    }

    /// A value for the schema at `pointer`: made from `seed` (and the following seeds until
    /// one is valid).
    pub fn make(&self, schemas: &Schemas, direction: Direction, pointer: &str, seed: u64) -> Value {
        let mut last = Value::Null;
        let Some(doc) = schemas.document() else {
            return last;
        };
        for i in 0..TRIES {
            let value = Synth::new(doc, seed.wrapping_add(i), direction).at(pointer);
            if self.is_valid(schemas, direction, pointer, &value) {
                return value;
            }
            last = value;
        }
        self.report(
            pointer,
            "no value made for this schema is valid against it (see `cargo xtask lint`); answering with the last one made",
        );
        last
    }

    /// The holders' examples.
    pub fn examples(&self) -> &Examples {
        &self.examples
    }

    /// The first of `candidates` (documented examples) valid against the schema at
    /// `pointer`; an invalid one is reported once and passed over.
    pub fn first_valid(
        &self,
        schemas: &Schemas,
        direction: Direction,
        pointer: Option<&str>,
        candidates: Vec<(String, Value)>,
    ) -> Option<Value> {
        for (at, mut value) in candidates {
            if let (Some(p), Some(doc)) = (pointer, schemas.document()) {
                Synth::new(doc, 0, direction).strip_untravelled(&json!({ "$ref": p }), &mut value);
            }
            match pointer {
                Some(p) if !self.is_valid(schemas, direction, p, &value) => {
                    self.report(&at, &format!("this example is not valid against its schema {p}; answering with a generated value"));
                }
                _ => return Some(value),
            }
        }
        None
    }

    /// Prints a problem with a position once: its pointer, where the object holding it is
    /// written when known, and what to do.
    pub fn report(&self, at: &str, message: &str) {
        let first = self
            .reported
            .lock()
            .is_ok_and(|mut r| r.insert(format!("{at}\u{0}{message}")));
        if !first {
            return;
        }
        // The nearest enclosing holder: `at` and its parents, longest first.
        let written = std::iter::successors(Some(at), |p| p.rsplit_once('/').map(|(head, _)| head))
            .find_map(|p| self.locations.get(p))
            .map(|location| format!("\n  --> {location}"))
            .unwrap_or_default();
        eprintln!(
            "warning: {message}{written}\n  = note: at {at}\n  = help: fix the example or the schema in the spec (or an overlay); `cargo xtask lint --spec …` checks the rest"
        );
    }
}

/// The `example` and `examples` of every example holder (Media Type, Parameter and Header
/// Objects), taken out of the registered document and kept as compact JSON text, parsed
/// when an answer is first made (answers are cached). github-api.json's named examples are
/// 1.5 MB of text and ~10 MB as `serde_json::Value`s; the validator never reads them.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Examples {
    /// By holder (`#/…` fragment): `{"example": …, "examples": [[name, value], …]}`.
    by_holder: BTreeMap<String, Box<str>>,
}

impl Examples {
    /// The examples of each holder (`#/…` pointer) in the loaded document: `example`, and
    /// named `examples` with their `$ref`s to `components/examples` followed
    /// (`externalValue` ones skipped). The document a mock registers is made without them
    /// ([`codegen::load::normalize::to_json_schema_2020_served`]).
    pub fn of_document<'p>(
        root: &Node,
        holders: impl IntoIterator<Item = &'p JsonPointer>,
    ) -> Examples {
        let mut by_holder = BTreeMap::new();
        for holder in holders {
            let fragment = holder.fragment();
            if by_holder.contains_key(&fragment) {
                continue;
            }
            let Some(node) = root.pointer(holder) else {
                continue;
            };
            let mut kept = serde_json::Map::new();
            if let Some(v) = node.get("example") {
                kept.insert("example".into(), v.to_json());
            }
            let named = named_in(root, node, holder);
            if !named.is_empty() {
                let pairs = named.into_iter().map(|(n, v)| json!([n, v])).collect();
                kept.insert("examples".into(), Value::Array(pairs));
            }
            if kept.is_empty() {
                continue;
            }
            if let Ok(text) = serde_json::to_string(&Value::Object(kept)) {
                by_holder.insert(fragment, text.into_boxed_str());
            }
        }
        Examples { by_holder }
    }

    /// What a holder documents, parsed.
    fn of(&self, holder: &str) -> Option<Value> {
        let text = self.by_holder.get(holder)?;
        serde_json::from_str(text).ok()
    }
}

/// The examples documented on a Media Type, Parameter or Header Object at `holder` (a
/// `#/…` pointer): `(where, value)`, its `example` first, then its `examples`, then its
/// schema's `example` and `examples` (read in `doc`).
pub fn documented(doc: &Value, examples: &Examples, holder: &str) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(node) = lookup(doc, holder) else {
        return out;
    };
    let kept = examples.of(holder);
    if let Some(v) = kept.as_ref().and_then(|k| k.get("example")) {
        out.push((format!("{holder}/example"), v.clone()));
    }
    for (name, value) in named(examples, holder) {
        out.push((format!("{holder}/examples/{name}"), value));
    }
    let mut schema = node.get("schema");
    for _ in 0..16 {
        let Some(target) = schema
            .and_then(|s| s.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| lookup(doc, r))
        else {
            break;
        };
        schema = Some(target);
    }
    if let Some(s) = schema {
        if let Some(v) = s.get("example") {
            out.push((format!("{holder}/schema/example"), v.clone()));
        }
        if let Some(Value::Array(values)) = s.get("examples") {
            for (i, v) in values.iter().enumerate() {
                out.push((format!("{holder}/schema/examples/{i}"), v.clone()));
            }
        }
    }
    out
}

/// The named examples of the holder at `holder`: `(name, value)` in document order.
pub fn named(examples: &Examples, holder: &str) -> Vec<(String, Value)> {
    let Some(Value::Array(pairs)) = examples
        .of(holder)
        .and_then(|mut k| k.get_mut("examples").map(Value::take))
    else {
        return Vec::new();
    };
    pairs
        .into_iter()
        .filter_map(|pair| match pair {
            Value::Array(mut two) if two.len() == 2 => {
                let value = two.pop()?;
                let name = two.pop()?.as_str()?.to_owned();
                Some((name, value))
            }
            _ => None,
        })
        .collect()
}

/// The named examples of a holder node in the loaded document: `(name, value)`, `$ref`s
/// followed.
fn named_in(root: &Node, node: &Node, at: &JsonPointer) -> Vec<(String, Value)> {
    let Some(examples) = node.get("examples").and_then(Node::as_object) else {
        return Vec::new();
    };
    examples
        .iter()
        .filter_map(|(name, example)| {
            let written = at.child("examples").child(name);
            let (target, _) = codegen::load::refs::resolve_chain(root, example, &written).ok()?;
            Some((name.to_owned(), target.get("value")?.to_json()))
        })
        .collect()
}

/// The value at a `#/…` pointer or URI fragment (percent-encoded or not).
pub fn lookup<'d>(doc: &'d Value, pointer: &str) -> Option<&'d Value> {
    let fragment = pointer.strip_prefix('#').unwrap_or(pointer);
    match percent_encoding::percent_decode_str(fragment).decode_utf8() {
        Ok(decoded) => doc.pointer(&decoded),
        Err(_) => doc.pointer(fragment),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn examples_come_from_the_media_type_then_its_schema() {
        let text = r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
            "paths": {"/a/{id}": {"get": {"parameters": [{"name": "id", "in": "path",
                "required": true, "schema": {"type": "integer"}, "example": 7}],
              "responses": {"200": {"description": "ok", "content": {"application/json": {
                "example": 1,
                "examples": {"a": {"value": 2}, "b": {"$ref": "#/components/examples/B"},
                             "c": {"externalValue": "x"}},
                "schema": {"$ref": "#/components/schemas/S"}}}}}}}},
            "components": {"examples": {"B": {"value": 5}},
                           "schemas": {"S": {"example": 3, "examples": [4]}}}}"##;
        let loaded = codegen::load::load(codegen::load::Input::new("a.json", text), vec![]);
        let doc = loaded.document.unwrap();
        let at = |p: &str| JsonPointer::parse_ref(p).unwrap();
        let media = at("#/paths/~1a~1%7Bid%7D/get/responses/200/content/application~1json");
        let param = at("#/paths/~1a~1%7Bid%7D/get/parameters/0");
        let nowhere = at("#/nowhere");
        let examples = Examples::of_document(&doc.root, [&media, &param, &nowhere]);
        // The served document has none of them: the holder keeps its schema, and
        // `components/examples` is gone.
        let served = codegen::load::normalize::to_json_schema_2020_served(&doc);
        assert_eq!(
            lookup(&served, &media.fragment()),
            Some(&json!({"schema": {"$ref": "#/components/schemas/S"}}))
        );
        assert_eq!(served["components"].get("examples"), None);
        let found: Vec<Value> = documented(&served, &examples, &media.fragment())
            .into_iter()
            .map(|(_, v)| v)
            .collect();
        assert_eq!(
            found,
            vec![json!(1), json!(2), json!(5), json!(3), json!(4)]
        );
        assert_eq!(
            named(&examples, &media.fragment()),
            vec![("a".to_owned(), json!(2)), ("b".to_owned(), json!(5))]
        );
        let of_param = documented(&served, &examples, &param.fragment());
        assert_eq!(of_param.first().map(|(_, v)| v), Some(&json!(7)));
        assert!(documented(&served, &examples, "#/nowhere").is_empty());
    }
}
