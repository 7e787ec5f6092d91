//! The spec's JSON Schemas, registered once with `jsonschema`, read the way OpenAPI reads
//! them in each direction.
//!
//! OpenAPI's rule for `readOnly` and `writeOnly` (3.0 states it; schemathesis and Prism apply
//! it to 3.1 as well): a required `readOnly` property is required in responses only, a
//! required `writeOnly` one in requests only. JSON Schema itself treats both keywords as
//! annotations, so a validator applying schemas as written would demand the server-assigned
//! `id` in every create request and the `password` in every answer. One document is
//! registered, with each affected `required` list split: the names required both ways stay
//! in `required`, a `readOnly` one moves to [`REQUIRED_IN_RESPONSES`] and a `writeOnly` one
//! to [`REQUIRED_IN_REQUESTS`]; validators of each direction enforce their keyword and
//! ignore the other. (Two rewritten copies of the document did the same at twice the
//! memory: 50 MB more for github-api.json.) Errors of these keywords read as `required`
//! ones, located at the `required` list of the spec. [`Reading::Strict`] registers the
//! document as written, for teams that want plain JSON Schema.

use serde_json::{Map, Value};

/// Which way a message travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// Client to server.
    Request,
    /// Server to client.
    Response,
}

/// How schemas are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Reading {
    /// OpenAPI's: `readOnly`/`writeOnly` required properties are required in one direction only.
    #[default]
    Directional,
    /// JSON Schema as written, in both directions.
    Strict,
}

/// Why a schema could not be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchemaError {
    /// The document cannot be registered (its message).
    Document(String),
    /// One schema cannot be compiled.
    Schema {
        /// Its pointer (URI fragment) in the document.
        pointer: String,
        /// What `jsonschema` said.
        message: String,
    },
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SchemaError::Document(m) => write!(f, "the spec's schemas cannot be registered: {m}"),
            SchemaError::Schema { pointer, message } => {
                write!(f, "the schema at {pointer} cannot be compiled: {message}")
            }
        }
    }
}

impl std::error::Error for SchemaError {}

const BASE: &str = "urn:openapi:spec";

/// Names required in requests only (the `writeOnly` ones of a `required` list).
pub const REQUIRED_IN_REQUESTS: &str = "x-openapi-required-in-requests";
/// Names required in responses only (the `readOnly` ones of a `required` list).
pub const REQUIRED_IN_RESPONSES: &str = "x-openapi-required-in-responses";

/// The keyword of the names a schema requires in `direction` only.
pub fn required_only_in(direction: Direction) -> &'static str {
    match direction {
        Direction::Request => REQUIRED_IN_REQUESTS,
        Direction::Response => REQUIRED_IN_RESPONSES,
    }
}

/// The spec's schemas, registered once.
pub struct Schemas {
    registry: jsonschema::Registry<'static>,
}

impl std::fmt::Debug for Schemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schemas").finish_non_exhaustive()
    }
}

impl Schemas {
    /// Registers a spec whose schemas are in JSON Schema 2020-12 form (3.0's `nullable` and
    /// boolean bounds already rewritten, as the generator's `spec.json` has them).
    pub fn new(mut document: Value, reading: Reading) -> Result<Schemas, SchemaError> {
        if reading == Reading::Directional {
            split_required(&mut document);
        }
        let registry = jsonschema::Registry::new()
            .add(BASE, document)
            .and_then(|r| r.prepare())
            .map_err(|e| SchemaError::Document(e.to_string()))?;
        Ok(Schemas { registry })
    }

    /// The registered document (the spec in JSON Schema 2020-12 form, `required` lists
    /// split by direction): what values are made from, without a copy.
    pub fn document(&self) -> Option<&Value> {
        let uri = jsonschema::uri::from_str(BASE).ok()?;
        self.registry
            .resolver(uri)
            .lookup("#")
            .ok()
            .map(|r| r.contents())
    }

    /// The types a form body takes, read from the request schema at `pointer`.
    pub fn form_tree(&self, pointer: &str) -> super::form::FormTree {
        let Ok(base) = jsonschema::uri::from_str(BASE) else {
            return super::form::FormTree::Any;
        };
        let resolver = self.registry.resolver(base);
        let lookup = |reference: &str| resolver.lookup(reference).ok().map(|r| r.contents());
        match lookup(pointer) {
            Some(schema) => super::form::FormTree::read(schema, &lookup),
            None => super::form::FormTree::Any,
        }
    }

    /// A validator of the schema at `pointer` (a URI fragment, `#/components/schemas/X`), as
    /// read in `direction`; formats are asserted.
    pub fn compile(
        &self,
        direction: Direction,
        pointer: &str,
    ) -> Result<jsonschema::Validator, SchemaError> {
        jsonschema::options()
            .with_registry(&self.registry)
            .should_validate_formats(true)
            .with_keyword(REQUIRED_IN_REQUESTS, move |_, value, _| {
                Ok(required_in(direction == Direction::Request, value))
            })
            .with_keyword(REQUIRED_IN_RESPONSES, move |_, value, _| {
                Ok(required_in(direction == Direction::Response, value))
            })
            .build(&serde_json::json!({ "$ref": format!("{BASE}{pointer}") }))
            .map_err(|e| SchemaError::Schema {
                pointer: pointer.to_owned(),
                message: e.to_string(),
            })
    }
}

/// A direction's `required` keyword: its names enforced when `active`, none otherwise.
fn required_in(active: bool, value: &Value) -> Box<dyn for<'i> jsonschema::Keyword<'i>> {
    let names = match value {
        Value::Array(names) if active => names
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    Box::new(RequiredIn { names })
}

/// Names an object must have (in one direction).
struct RequiredIn {
    names: Vec<String>,
}

impl<'i> jsonschema::Keyword<'i> for RequiredIn {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        match self.missing(instance).next() {
            Some(name) => Err(missing(name)),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        self.missing(instance).next().is_none()
    }

    fn iter_errors(
        &self,
        instance: &'i Value,
    ) -> Box<dyn Iterator<Item = jsonschema::ValidationError<'i>> + 'i> {
        let names: Vec<jsonschema::ValidationError<'i>> =
            self.missing(instance).map(missing).collect();
        Box::new(names.into_iter())
    }
}

impl RequiredIn {
    fn missing<'s>(&'s self, instance: &'s Value) -> impl Iterator<Item = &'s str> + 's {
        let object = instance.as_object();
        self.names
            .iter()
            .filter(move |n| object.is_some_and(|o| !o.contains_key(n.as_str())))
            .map(String::as_str)
    }
}

/// The error of a missing name, worded as `required`'s.
fn missing(name: &str) -> jsonschema::ValidationError<'static> {
    jsonschema::ValidationError::custom(format!("\"{name}\" is a required property"))
}

/// The keyword an error names: `required` for the direction-split lists.
pub fn keyword_of<'e>(error: &'e jsonschema::ValidationError<'_>) -> &'e str {
    match error.kind().keyword() {
        REQUIRED_IN_REQUESTS | REQUIRED_IN_RESPONSES => "required",
        other => other,
    }
}

/// The location of a keyword as a `#/…` pointer in the spec (the view documents have the
/// same layout), percent-decoded.
pub fn keyword_pointer(error: &jsonschema::ValidationError<'_>) -> Option<String> {
    let location = error.absolute_keyword_location()?;
    let (_, fragment) = location.as_str().split_once('#')?;
    let pointer = percent_encoding::percent_decode_str(fragment).decode_utf8_lossy();
    // The split lists are written as the `required` list beside them.
    let pointer = [REQUIRED_IN_REQUESTS, REQUIRED_IN_RESPONSES]
        .iter()
        .find_map(|k| pointer.strip_suffix(k).map(|p| format!("{p}required")))
        .unwrap_or_else(|| pointer.into_owned());
    Some(format!("#{pointer}"))
}

/// Rewrites every `required` list of a document for one direction; `true` if anything changed.
pub fn view(document: &mut Value, direction: Direction) -> bool {
    let found = edits(document, direction);
    let changed = !found.is_empty();
    apply(document, found);
    changed
}

/// Splits every `required` list naming `readOnly` or `writeOnly` properties: those names
/// move to the direction keywords beside it. `true` if anything changed.
pub fn split_required(document: &mut Value) -> bool {
    let moves = [
        (edits(document, Direction::Request), REQUIRED_IN_RESPONSES),
        (edits(document, Direction::Response), REQUIRED_IN_REQUESTS),
    ];
    let mut changed = false;
    for (found, keyword) in moves {
        for (pointer, names) in found {
            let Some(parent) = pointer.strip_suffix("/required") else {
                continue;
            };
            let Some(Value::Object(schema)) = document.pointer_mut(parent) else {
                continue;
            };
            if let Some(Value::Array(required)) = schema.get_mut("required") {
                required.retain(|r| r.as_str().is_none_or(|n| !names.iter().any(|d| d == n)));
            }
            schema.insert(
                keyword.to_owned(),
                Value::Array(names.into_iter().map(Value::String).collect()),
            );
            changed = true;
        }
    }
    changed
}

/// The `required` lists a view changes: (pointer, names to drop). Decided from the
/// untouched document: property schemas are found through `$ref`s anywhere in it.
fn edits(document: &Value, direction: Direction) -> Vec<(String, Vec<String>)> {
    let flag = match direction {
        Direction::Request => "readOnly",
        Direction::Response => "writeOnly",
    };
    let mut edits: Vec<(String, Vec<String>)> = Vec::new();
    collect(document, document, String::new(), flag, &mut edits, 0);
    edits
}

/// Drops the names [`edits`] found from their `required` lists.
fn apply(document: &mut Value, edits: Vec<(String, Vec<String>)>) {
    for (pointer, drop) in edits {
        if let Some(Value::Array(required)) = document.pointer_mut(&pointer) {
            required.retain(|r| {
                r.as_str()
                    .is_none_or(|name| !drop.iter().any(|d| d == name))
            });
        }
    }
}

/// Deepest nesting walked (documents deeper than this are left as written).
const MAX_DEPTH: usize = 256;

fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn collect(
    root: &Value,
    node: &Value,
    at: String,
    flag: &str,
    edits: &mut Vec<(String, Vec<String>)>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match node {
        Value::Object(map) => {
            if let Some(Value::Array(required)) = map.get("required") {
                let properties = properties_of(root, map, 0);
                let drop: Vec<String> = required
                    .iter()
                    .filter_map(Value::as_str)
                    .filter(|name| {
                        properties
                            .iter()
                            .any(|(n, schema)| n == name && flagged(root, schema, flag, 0))
                    })
                    .map(str::to_owned)
                    .collect();
                if !drop.is_empty() {
                    edits.push((format!("{at}/required"), drop));
                }
            }
            if let Some(Value::Array(branches)) = map.get("allOf") {
                // A branch that only lists `required` names properties its siblings declare.
                let mut siblings: Vec<(String, &Value)> = Vec::new();
                for b in branches {
                    if let Some(o) = resolve(root, b, 0).and_then(Value::as_object) {
                        siblings.extend(properties_of(root, o, 0));
                    }
                }
                for (i, b) in branches.iter().enumerate() {
                    let Some(Value::Array(required)) = b.get("required") else {
                        continue;
                    };
                    let drop: Vec<String> = required
                        .iter()
                        .filter_map(Value::as_str)
                        .filter(|name| {
                            siblings
                                .iter()
                                .any(|(n, schema)| n == name && flagged(root, schema, flag, 0))
                        })
                        .map(str::to_owned)
                        .collect();
                    if !drop.is_empty() {
                        edits.push((format!("{at}/allOf/{i}/required"), drop));
                    }
                }
            }
            for (k, v) in map {
                if matches!(v, Value::Object(_) | Value::Array(_)) {
                    collect(
                        root,
                        v,
                        format!("{at}/{}", escape(k)),
                        flag,
                        edits,
                        depth + 1,
                    );
                }
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                if matches!(v, Value::Object(_) | Value::Array(_)) {
                    collect(root, v, format!("{at}/{i}"), flag, edits, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Declared properties of a schema object: its own, then those of its `allOf` branches.
fn properties_of<'v>(
    root: &'v Value,
    schema: &'v Map<String, Value>,
    depth: usize,
) -> Vec<(String, &'v Value)> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    if let Some(Value::Object(props)) = schema.get("properties") {
        out.extend(props.iter().map(|(k, v)| (k.clone(), v)));
    }
    if depth < 8
        && let Some(Value::Array(branches)) = schema.get("allOf")
    {
        for b in branches {
            if let Some(o) = resolve(root, b, 0).and_then(Value::as_object) {
                out.extend(properties_of(root, o, depth + 1));
            }
        }
    }
    out
}

/// Follows local `$ref`s (`#/…`) to the schema they name.
fn resolve<'v>(root: &'v Value, schema: &'v Value, depth: usize) -> Option<&'v Value> {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) if depth < 32 => {
            let pointer = percent_encoding::percent_decode_str(r.strip_prefix('#')?)
                .decode_utf8()
                .ok()?;
            resolve(root, root.pointer(&pointer)?, depth + 1)
        }
        Some(_) => None,
        None => Some(schema),
    }
}

/// Whether a property schema carries `flag: true`, on itself or on what it refers to.
fn flagged(root: &Value, schema: &Value, flag: &str, depth: usize) -> bool {
    if schema.get(flag).and_then(Value::as_bool) == Some(true) {
        return true;
    }
    if depth > 32 {
        return false;
    }
    let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
        // `allOf: [{$ref: X}]` wrappers (3.0's way to add a description to a ref).
        return matches!(schema.get("allOf"), Some(Value::Array(b)) if b.len() == 1 && flagged(root, &b[0], flag, depth + 1));
    };
    let Some(pointer) = r
        .strip_prefix('#')
        .and_then(|p| percent_encoding::percent_decode_str(p).decode_utf8().ok())
    else {
        return false;
    };
    root.pointer(&pointer)
        .is_some_and(|target| flagged(root, target, flag, depth + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn users() -> Value {
        json!({"components": {"schemas": {
            "Id": {"type": "string", "readOnly": true},
            "User": {
                "type": "object",
                "required": ["id", "name", "password"],
                "properties": {
                    "id": {"$ref": "#/components/schemas/Id"},
                    "name": {"type": "string"},
                    "password": {"type": "string", "writeOnly": true}
                }
            },
            "Admin": {"allOf": [{"$ref": "#/components/schemas/User"}, {"required": ["id", "level"], "properties": {"level": {"type": "integer"}}}]}
        }}})
    }

    #[test]
    fn views_drop_read_only_from_requests_and_write_only_from_responses() {
        let mut request = users();
        assert!(view(&mut request, Direction::Request));
        assert_eq!(
            request["components"]["schemas"]["User"]["required"],
            json!(["name", "password"])
        );
        assert_eq!(
            request["components"]["schemas"]["Admin"]["allOf"][1]["required"],
            json!(["level"])
        );
        let mut response = users();
        assert!(view(&mut response, Direction::Response));
        assert_eq!(
            response["components"]["schemas"]["User"]["required"],
            json!(["id", "name"])
        );
        let mut plain = json!({"type": "object", "required": ["a"], "properties": {"a": {}}});
        assert!(!view(&mut plain, Direction::Request));
    }

    #[test]
    fn one_document_splits_required_by_direction() {
        let mut doc = users();
        assert!(split_required(&mut doc));
        let user = &doc["components"]["schemas"]["User"];
        assert_eq!(user["required"], json!(["name"]));
        assert_eq!(user[REQUIRED_IN_RESPONSES], json!(["id"]));
        assert_eq!(user[REQUIRED_IN_REQUESTS], json!(["password"]));
        let admin = &doc["components"]["schemas"]["Admin"]["allOf"][1];
        assert_eq!(admin["required"], json!(["level"]));
        assert_eq!(admin[REQUIRED_IN_RESPONSES], json!(["id"]));
        let mut plain = json!({"type": "object", "required": ["a"], "properties": {"a": {}}});
        assert!(!split_required(&mut plain));
    }

    #[test]
    fn validators_read_each_direction() {
        let user = "#/components/schemas/User";
        let schemas = Schemas::new(users(), Reading::Directional).unwrap();
        let request = schemas.compile(Direction::Request, user).unwrap();
        let response = schemas.compile(Direction::Response, user).unwrap();
        assert!(request.is_valid(&json!({"name": "a", "password": "p"})));
        assert!(!request.is_valid(&json!({"id": "1", "name": "a"})));
        assert!(response.is_valid(&json!({"id": "1", "name": "a"})));
        assert!(!response.is_valid(&json!({"name": "a", "password": "p"})));
        let strict = Schemas::new(users(), Reading::Strict).unwrap();
        let strict = strict.compile(Direction::Request, user).unwrap();
        assert!(!strict.is_valid(&json!({"name": "a", "password": "p"})));
        // A direction's missing name reads and is located as `required`.
        let no_id = json!({"name": "a"});
        let error = response.iter_errors(&no_id).next().unwrap();
        assert_eq!(error.to_string(), "\"id\" is a required property");
        assert_eq!(keyword_of(&error), "required");
        assert_eq!(
            keyword_pointer(&error).as_deref(),
            Some("#/components/schemas/User/required")
        );
        let admin = schemas
            .compile(Direction::Request, "#/components/schemas/Admin")
            .unwrap();
        assert!(admin.is_valid(&json!({"name": "a", "password": "p", "level": 1})));
        assert!(!admin.is_valid(&json!({"name": "a", "level": 1})));
        let wrong = json!({"name": 1, "id": "x", "password": "p"});
        let error = strict.iter_errors(&wrong).next().unwrap();
        assert_eq!(
            keyword_pointer(&error).as_deref(),
            Some("#/components/schemas/User/properties/name/type")
        );
    }
}
