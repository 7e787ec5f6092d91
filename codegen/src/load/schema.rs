//! The schema model: OpenAPI 3.0 and 3.1 schemas read into one normalized shape.
//!
//! `openapiv3` cannot read 3.1 and silently drops `const`, `prefixItems` and `$ref`
//! siblings, so schemas get a model of their own. Normalization keeps meaning:
//! 3.0 `nullable` adds `null` to the types, boolean `exclusiveMinimum` becomes the numeric
//! 3.1 form, a 3.0-style `items: [..]` becomes `prefixItems`. Keywords the model does not
//! name are kept verbatim in [`SchemaObject::other`], never dropped.

use super::SpecVersion;
use super::node::{Node, Value};
use super::pointer::JsonPointer;
use super::source::Span;
use crate::diag::Diagnostic;
use indexmap::IndexMap;

/// A schema and where it is.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    /// Pointer in the effective document.
    pub pointer: JsonPointer,
    /// Where it is written.
    pub span: Span,
    /// Its content.
    pub kind: SchemaKind,
}

/// The three things that can stand where a schema is expected.
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaKind {
    /// `true` (anything) or `false` (nothing).
    Bool(bool),
    /// A schema object.
    Object(Box<SchemaObject>),
    /// Not a schema (a string, number, array or null); reported as an error.
    Invalid,
}

/// JSON Schema instance types.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum InstanceType {
    /// `null`
    Null,
    /// `boolean`
    Boolean,
    /// `object`
    Object,
    /// `array`
    Array,
    /// `number`
    Number,
    /// `string`
    String,
    /// `integer`
    Integer,
}

impl InstanceType {
    /// The JSON Schema name (`"integer"`).
    pub fn name(self) -> &'static str {
        match self {
            InstanceType::Null => "null",
            InstanceType::Boolean => "boolean",
            InstanceType::Object => "object",
            InstanceType::Array => "array",
            InstanceType::Number => "number",
            InstanceType::String => "string",
            InstanceType::Integer => "integer",
        }
    }

    fn parse(name: &str) -> Option<InstanceType> {
        Some(match name {
            "null" => InstanceType::Null,
            "boolean" => InstanceType::Boolean,
            "object" => InstanceType::Object,
            "array" => InstanceType::Array,
            "number" => InstanceType::Number,
            "string" => InstanceType::String,
            "integer" => InstanceType::Integer,
            _ => return None,
        })
    }
}

/// A `$ref` and where its string is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The reference as written.
    pub target: String,
    /// Span of the reference string.
    pub span: Span,
}

/// OpenAPI's `discriminator`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Discriminator {
    /// The property holding the tag.
    pub property_name: String,
    /// Tag value → `$ref` of the variant.
    pub mapping: IndexMap<String, String>,
}

/// A schema object with every keyword read into a typed field.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchemaObject {
    /// `$ref` (3.1 keeps sibling keywords; 3.0 tools ignore them, we keep them too).
    pub reference: Option<Reference>,
    /// `type`, as a set; 3.0 `nullable: true` adds `Null`.
    pub types: Option<Vec<InstanceType>>,
    /// 3.0 `nullable` as written (also folded into `types` when `type` is present).
    pub nullable: bool,
    /// `format`.
    pub format: Option<String>,
    /// `enum`.
    pub enumeration: Option<Vec<serde_json::Value>>,
    /// `const`.
    pub constant: Option<serde_json::Value>,
    /// `default`.
    pub default: Option<serde_json::Value>,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `deprecated`.
    pub deprecated: bool,
    /// `readOnly`.
    pub read_only: bool,
    /// `writeOnly`.
    pub write_only: bool,
    /// `example` (3.0) and `examples` (3.1), in that order.
    pub examples: Vec<serde_json::Value>,
    /// `multipleOf`.
    pub multiple_of: Option<serde_json::Number>,
    /// `minimum` (inclusive).
    pub minimum: Option<serde_json::Number>,
    /// `maximum` (inclusive).
    pub maximum: Option<serde_json::Number>,
    /// Exclusive lower bound (3.1 numeric form; 3.0 booleans are converted).
    pub exclusive_minimum: Option<serde_json::Number>,
    /// Exclusive upper bound (3.1 numeric form; 3.0 booleans are converted).
    pub exclusive_maximum: Option<serde_json::Number>,
    /// `minLength`.
    pub min_length: Option<u64>,
    /// `maxLength`.
    pub max_length: Option<u64>,
    /// `pattern` (ECMA-262).
    pub pattern: Option<String>,
    /// `contentMediaType`.
    pub content_media_type: Option<String>,
    /// `contentEncoding`.
    pub content_encoding: Option<String>,
    /// `items` (the schema for items after `prefix_items`).
    pub items: Option<Box<Schema>>,
    /// `prefixItems` (tuples).
    pub prefix_items: Vec<Schema>,
    /// `contains`.
    pub contains: Option<Box<Schema>>,
    /// `minItems`.
    pub min_items: Option<u64>,
    /// `maxItems`.
    pub max_items: Option<u64>,
    /// `uniqueItems`.
    pub unique_items: bool,
    /// `unevaluatedItems`.
    pub unevaluated_items: Option<Box<Schema>>,
    /// `properties`, in source order.
    pub properties: IndexMap<String, Schema>,
    /// `required`, without duplicates.
    pub required: Vec<String>,
    /// `additionalProperties`.
    pub additional_properties: Option<Box<Schema>>,
    /// `patternProperties`.
    pub pattern_properties: IndexMap<String, Schema>,
    /// `propertyNames`.
    pub property_names: Option<Box<Schema>>,
    /// `minProperties`.
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    pub max_properties: Option<u64>,
    /// `unevaluatedProperties`.
    pub unevaluated_properties: Option<Box<Schema>>,
    /// `dependentRequired`.
    pub dependent_required: IndexMap<String, Vec<String>>,
    /// `dependentSchemas`.
    pub dependent_schemas: IndexMap<String, Schema>,
    /// `allOf` (`Some(vec![])` when written empty, which lint reports).
    pub all_of: Option<Vec<Schema>>,
    /// `anyOf`.
    pub any_of: Option<Vec<Schema>>,
    /// `oneOf`.
    pub one_of: Option<Vec<Schema>>,
    /// `not`.
    pub not: Option<Box<Schema>>,
    /// `if`.
    pub if_: Option<Box<Schema>>,
    /// `then`.
    pub then: Option<Box<Schema>>,
    /// `else`.
    pub else_: Option<Box<Schema>>,
    /// `discriminator`.
    pub discriminator: Option<Discriminator>,
    /// `$defs` and `definitions`.
    pub defs: IndexMap<String, Schema>,
    /// `x-…` extensions.
    pub extensions: IndexMap<String, serde_json::Value>,
    /// Every other keyword (`xml`, `externalDocs`, `$id`, `$comment`, unknown ones), verbatim.
    pub other: IndexMap<String, serde_json::Value>,
}

impl Schema {
    /// The object form, if this schema is one.
    pub fn object(&self) -> Option<&SchemaObject> {
        match &self.kind {
            SchemaKind::Object(o) => Some(o),
            _ => None,
        }
    }

    /// Calls `f` on this schema and every nested schema, parents first.
    pub fn visit<'s>(&'s self, f: &mut impl FnMut(&'s Schema)) {
        f(self);
        if let Some(o) = self.object() {
            for child in o.children() {
                child.visit(f);
            }
        }
    }
}

impl SchemaObject {
    /// Direct subschemas, in a stable order.
    pub fn children(&self) -> Vec<&Schema> {
        let mut out: Vec<&Schema> = Vec::new();
        let one = [
            &self.items,
            &self.contains,
            &self.unevaluated_items,
            &self.additional_properties,
            &self.property_names,
            &self.unevaluated_properties,
            &self.not,
            &self.if_,
            &self.then,
            &self.else_,
        ];
        out.extend(self.prefix_items.iter());
        out.extend(self.properties.values());
        out.extend(self.pattern_properties.values());
        out.extend(self.dependent_schemas.values());
        for list in [&self.all_of, &self.any_of, &self.one_of]
            .into_iter()
            .flatten()
        {
            out.extend(list.iter());
        }
        out.extend(self.defs.values());
        out.extend(one.into_iter().flatten().map(|b| &**b));
        out
    }

    /// Whether the object forbids properties it does not list (`additionalProperties: false`
    /// and no `patternProperties`).
    pub fn is_closed(&self) -> bool {
        self.pattern_properties.is_empty()
            && matches!(
                self.additional_properties.as_deref(),
                Some(Schema {
                    kind: SchemaKind::Bool(false),
                    ..
                })
            )
    }
}

/// Reads schemas, reporting keyword problems as it goes.
pub struct SchemaReader<'a> {
    root: &'a Node,
    version: SpecVersion,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> SchemaReader<'a> {
    /// A reader for schemas of `root` (used to phrase overlay suggestions in help lines).
    pub fn new(root: &'a Node, version: SpecVersion) -> SchemaReader<'a> {
        SchemaReader {
            root,
            version,
            diagnostics: Vec::new(),
        }
    }

    /// Problems found so far.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }

    /// Reads the schema at `pointer`, whose node is `node`.
    pub fn read(&mut self, node: &Node, pointer: JsonPointer) -> Schema {
        self.read_in(node, pointer, false)
    }

    fn read_in(&mut self, node: &Node, pointer: JsonPointer, bool_ok_in_30: bool) -> Schema {
        let kind = match &node.value {
            Value::Bool(b) => {
                if self.version == SpecVersion::V3_0 && !bool_ok_in_30 {
                    self.diagnostics.push(
                        Diagnostic::warning("boolean-schema", "boolean schemas are an OpenAPI 3.1 feature")
                            .at(pointer.clone(), node.span)
                            .help("in 3.0 write `{}` for true or `{not: {}}` for false; the meaning is kept"),
                    );
                }
                SchemaKind::Bool(*b)
            }
            Value::Object(_) => SchemaKind::Object(Box::new(self.read_object(node, &pointer))),
            _ => {
                self.not_a_schema(node, &pointer);
                SchemaKind::Invalid
            }
        };
        Schema {
            pointer,
            span: node.span,
            kind,
        }
    }

    fn not_a_schema(&mut self, node: &Node, pointer: &JsonPointer) {
        let shown = match &node.value {
            Value::String(s) => format!("{} (`{}`)", node.kind_name(), truncate(s, 40)),
            _ => node.kind_name().to_owned(),
        };
        let help = match (pointer.parent(), pointer.last()) {
            (Some(parent), Some(key))
                if self
                    .root
                    .pointer(&parent)
                    .and_then(Node::as_object)
                    .is_some() =>
            {
                let path = self.root.json_path(&parent).unwrap_or_else(|| "$".into());
                format!(
                    "write a schema here, or repair it with an overlay action: target: \"{path}\", update: {{{key}: {{type: …}}}}"
                )
            }
            _ => "write a Schema Object (or, in 3.1, true/false) here".to_owned(),
        };
        self.diagnostics.push(
            Diagnostic::error(
                "schema-not-object",
                format!("expected a schema, found {shown}"),
            )
            .at(pointer.clone(), node.span)
            .label("not a schema")
            .help(help),
        );
    }

    fn keyword_error(&mut self, pointer: &JsonPointer, node: &Node, expected: &str) {
        let keyword = pointer.last().unwrap_or("").to_owned();
        self.diagnostics.push(
            Diagnostic::error(
                "schema-keyword",
                format!("`{keyword}` must be {expected}, found {}", node.kind_name()),
            )
            .at(pointer.clone(), node.span)
            .help(format!(
                "fix the value of `{keyword}`; it is ignored until then"
            )),
        );
    }

    fn string(&mut self, node: &Node, at: &JsonPointer) -> Option<String> {
        let s = node.as_str().map(str::to_owned);
        if s.is_none() {
            self.keyword_error(at, node, "a string");
        }
        s
    }

    fn boolean(&mut self, node: &Node, at: &JsonPointer) -> bool {
        match node.as_bool() {
            Some(b) => b,
            None => {
                self.keyword_error(at, node, "a boolean");
                false
            }
        }
    }

    fn number(&mut self, node: &Node, at: &JsonPointer) -> Option<serde_json::Number> {
        let n = node.as_number().cloned();
        if n.is_none() {
            self.keyword_error(at, node, "a number");
        }
        n
    }

    fn count(&mut self, node: &Node, at: &JsonPointer) -> Option<u64> {
        let n = node.as_number().and_then(|n| {
            n.as_u64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && *f >= 0.0)
                    .map(|f| f as u64)
            })
        });
        if n.is_none() {
            self.keyword_error(at, node, "a non-negative integer");
        }
        n
    }

    fn sub(&mut self, node: &Node, at: JsonPointer, bool_ok_in_30: bool) -> Option<Box<Schema>> {
        Some(Box::new(self.read_in(node, at, bool_ok_in_30)))
    }

    fn list(&mut self, node: &Node, at: &JsonPointer) -> Option<Vec<Schema>> {
        let Some(items) = node.as_array() else {
            self.keyword_error(at, node, "an array of schemas");
            return None;
        };
        Some(
            items
                .iter()
                .enumerate()
                .map(|(i, n)| self.read_in(n, at.index(i), false))
                .collect(),
        )
    }

    fn map(&mut self, node: &Node, at: &JsonPointer) -> IndexMap<String, Schema> {
        let Some(obj) = node.as_object() else {
            self.keyword_error(at, node, "an object of schemas");
            return IndexMap::new();
        };
        obj.iter()
            .map(|(k, n)| (k.to_owned(), self.read_in(n, at.child(k), false)))
            .collect()
    }

    fn strings(&mut self, node: &Node, at: &JsonPointer) -> Vec<String> {
        let Some(items) = node.as_array() else {
            self.keyword_error(at, node, "an array of strings");
            return Vec::new();
        };
        let mut out: Vec<String> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.as_str() {
                Some(s) if out.iter().any(|o| o == s) => self.diagnostics.push(
                    Diagnostic::warning("duplicate-entry", format!("`{s}` is listed twice"))
                        .at(at.index(i), item.span)
                        .help("remove the repeated entry"),
                ),
                Some(s) => out.push(s.to_owned()),
                None => self.keyword_error(&at.index(i), item, "a string"),
            }
        }
        out
    }

    fn read_object(&mut self, node: &Node, pointer: &JsonPointer) -> SchemaObject {
        let mut s = SchemaObject::default();
        let Some(obj) = node.as_object() else {
            return s;
        };
        let mut exclusive_flags = (false, false);
        let mut items_was_array = false;
        for (key, value) in obj.iter() {
            let at = pointer.child(key);
            match key {
                "$ref" => {
                    if let Some(target) = self.string(value, &at) {
                        s.reference = Some(Reference {
                            target,
                            span: value.span,
                        });
                    }
                }
                "type" => s.types = self.types(value, &at),
                "nullable" => {
                    s.nullable = self.boolean(value, &at);
                    if self.version == SpecVersion::V3_1 {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                "nullable-in-3.1",
                                "`nullable` is not an OpenAPI 3.1 keyword",
                            )
                            .at(at, value.span)
                            .help(
                                "write `type: [T, 'null']`; it is read as 3.0 `nullable` meanwhile",
                            ),
                        );
                    }
                }
                "format" => s.format = self.string(value, &at),
                "pattern" => s.pattern = self.string(value, &at),
                "title" => s.title = self.string(value, &at),
                "description" => s.description = self.string(value, &at),
                "contentMediaType" => s.content_media_type = self.string(value, &at),
                "contentEncoding" => s.content_encoding = self.string(value, &at),
                "enum" => match value.as_array() {
                    Some(items) => s.enumeration = Some(items.iter().map(Node::to_json).collect()),
                    None => self.keyword_error(&at, value, "an array"),
                },
                "const" => s.constant = Some(value.to_json()),
                "default" => s.default = Some(value.to_json()),
                "example" => s.examples.insert(0, value.to_json()),
                "examples" => match value.as_array() {
                    Some(items) => s.examples.extend(items.iter().map(Node::to_json)),
                    None => self.keyword_error(&at, value, "an array"),
                },
                "deprecated" => s.deprecated = self.boolean(value, &at),
                "readOnly" => s.read_only = self.boolean(value, &at),
                "writeOnly" => s.write_only = self.boolean(value, &at),
                "uniqueItems" => s.unique_items = self.boolean(value, &at),
                "multipleOf" => s.multiple_of = self.number(value, &at),
                "minimum" => s.minimum = self.number(value, &at),
                "maximum" => s.maximum = self.number(value, &at),
                "exclusiveMinimum" | "exclusiveMaximum" => {
                    let is_min = key == "exclusiveMinimum";
                    match &value.value {
                        Value::Bool(b) => {
                            if self.version == SpecVersion::V3_1 {
                                self.bound_form_warning(&at, value, "a number in 3.1");
                            }
                            if is_min {
                                exclusive_flags.0 = *b
                            } else {
                                exclusive_flags.1 = *b
                            }
                        }
                        Value::Number(n) => {
                            if self.version == SpecVersion::V3_0 {
                                self.bound_form_warning(&at, value, "a boolean in 3.0");
                            }
                            if is_min {
                                s.exclusive_minimum = Some(n.clone())
                            } else {
                                s.exclusive_maximum = Some(n.clone())
                            }
                        }
                        _ => self.keyword_error(&at, value, "a number"),
                    }
                }
                "minLength" => s.min_length = self.count(value, &at),
                "maxLength" => s.max_length = self.count(value, &at),
                "minItems" => s.min_items = self.count(value, &at),
                "maxItems" => s.max_items = self.count(value, &at),
                "minProperties" => s.min_properties = self.count(value, &at),
                "maxProperties" => s.max_properties = self.count(value, &at),
                "items" => match &value.value {
                    Value::Array(items) => {
                        items_was_array = true;
                        self.diagnostics.push(
                            Diagnostic::warning(
                                "items-array",
                                "`items` as an array is the pre-2020-12 tuple form",
                            )
                            .at(at.clone(), value.span)
                            .help("write `prefixItems: [...]`; it is read that way meanwhile"),
                        );
                        s.prefix_items = items
                            .iter()
                            .enumerate()
                            .map(|(i, n)| self.read_in(n, at.index(i), false))
                            .collect();
                    }
                    _ => s.items = self.sub(value, at, false),
                },
                "prefixItems" => s.prefix_items = self.list(value, &at).unwrap_or_default(),
                "contains" => s.contains = self.sub(value, at, false),
                "unevaluatedItems" => s.unevaluated_items = self.sub(value, at, false),
                "properties" => s.properties = self.map(value, &at),
                "patternProperties" => s.pattern_properties = self.map(value, &at),
                "dependentSchemas" => s.dependent_schemas = self.map(value, &at),
                "$defs" | "definitions" => {
                    let defs = self.map(value, &at);
                    s.defs.extend(defs);
                }
                "required" => s.required = self.strings(value, &at),
                "additionalProperties" => s.additional_properties = self.sub(value, at, true),
                "propertyNames" => s.property_names = self.sub(value, at, false),
                "unevaluatedProperties" => s.unevaluated_properties = self.sub(value, at, false),
                "dependentRequired" => {
                    if let Some(o) = value.as_object() {
                        for (k, v) in o.iter() {
                            let list = self.strings(v, &at.child(k));
                            s.dependent_required.insert(k.to_owned(), list);
                        }
                    } else {
                        self.keyword_error(&at, value, "an object of string arrays");
                    }
                }
                "allOf" => s.all_of = self.list(value, &at),
                "anyOf" => s.any_of = self.list(value, &at),
                "oneOf" => s.one_of = self.list(value, &at),
                "not" => s.not = self.sub(value, at, false),
                "if" => s.if_ = self.sub(value, at, false),
                "then" => s.then = self.sub(value, at, false),
                "else" => s.else_ = self.sub(value, at, false),
                "discriminator" => s.discriminator = self.discriminator(value, &at),
                k if k.starts_with("x-") => {
                    s.extensions.insert(k.to_owned(), value.to_json());
                }
                _ => {
                    s.other.insert(key.to_owned(), value.to_json());
                }
            }
        }
        if items_was_array {
            // With the tuple form, `additionalItems` is what `items` means in 2020-12.
            if let Some(extra) = obj.get("additionalItems") {
                s.other.shift_remove("additionalItems");
                s.items = self.sub(extra, pointer.child("additionalItems"), true);
            }
        }
        if exclusive_flags.0 {
            s.exclusive_minimum = s.minimum.take();
        }
        if exclusive_flags.1 {
            s.exclusive_maximum = s.maximum.take();
        }
        if s.nullable
            && let Some(types) = &mut s.types
            && !types.contains(&InstanceType::Null)
        {
            types.push(InstanceType::Null);
        }
        s
    }

    fn bound_form_warning(&mut self, at: &JsonPointer, value: &Node, expected: &str) {
        let keyword = at.last().unwrap_or("").to_owned();
        self.diagnostics.push(
            Diagnostic::warning("exclusive-bound-form", format!("`{keyword}` should be {expected}"))
                .at(at.clone(), value.span)
                .help("the bound is read with its intended meaning; write the form this OpenAPI version defines"),
        );
    }

    fn types(&mut self, value: &Node, at: &JsonPointer) -> Option<Vec<InstanceType>> {
        let names: Vec<(&Node, &str)> = match &value.value {
            Value::String(s) => vec![(value, s.as_str())],
            Value::Array(items) => {
                if self.version == SpecVersion::V3_0 {
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "type-array-3.0",
                            "type arrays are an OpenAPI 3.1 feature",
                        )
                        .at(at.clone(), value.span)
                        .help(
                            "in 3.0 use one type and `nullable: true`; the list is kept meanwhile",
                        ),
                    );
                }
                items
                    .iter()
                    .filter_map(|n| n.as_str().map(|s| (n, s)))
                    .collect()
            }
            _ => {
                self.keyword_error(at, value, "a type name or an array of them");
                return None;
            }
        };
        let mut types = Vec::new();
        for (node, name) in names {
            match InstanceType::parse(name) {
                Some(t) if !types.contains(&t) => types.push(t),
                Some(_) => {}
                None => self.diagnostics.push(
                    Diagnostic::error("schema-type", format!("unknown type `{name}`"))
                        .at(at.clone(), node.span)
                        .help("use one of null, boolean, object, array, number, string, integer"),
                ),
            }
        }
        Some(types)
    }

    /// Whether a discriminator mapping value names a schema of this document: a local
    /// `#/…` reference that exists, or a bare name under `components/schemas`.
    fn resolves_inside(&self, target: &str) -> bool {
        let pointer = if target.starts_with('#') {
            JsonPointer::parse_ref(target).ok()
        } else if !target.contains(['/', '#']) {
            JsonPointer::parse_ref(&format!("#/components/schemas/{target}")).ok()
        } else {
            None
        };
        pointer.is_some_and(|p| self.root.pointer(&p).is_some())
    }

    fn discriminator(&mut self, value: &Node, at: &JsonPointer) -> Option<Discriminator> {
        let Some(name) = value.get("propertyName") else {
            self.diagnostics.push(
                Diagnostic::error("schema-keyword", "`discriminator` needs a `propertyName`")
                    .at(at.clone(), value.span)
                    .help("add `propertyName:` naming the property that holds the variant tag"),
            );
            return None;
        };
        let property_name = self.string(name, &at.child("propertyName"))?;
        let mut mapping = IndexMap::new();
        if let Some(m) = value.get("mapping") {
            match m.as_object() {
                Some(o) => {
                    for (k, v) in o.iter() {
                        let here = at.child("mapping").child(k);
                        if let Some(r) = self.string(v, &here) {
                            if !self.resolves_inside(&r) {
                                self.diagnostics.push(
                                    Diagnostic::warning(
                                        "discriminator-mapping",
                                        format!("the mapping of `{k}` to `{r}` does not resolve inside the document"),
                                    )
                                    .at(here, v.span)
                                    .help("point it at a schema of this document (`#/components/schemas/Name`, or `Name`); until then codegen makes the union untagged"),
                                );
                            }
                            mapping.insert(k.to_owned(), r);
                        }
                    }
                }
                None => self.keyword_error(&at.child("mapping"), m, "an object"),
            }
        }
        Some(Discriminator {
            property_name,
            mapping,
        })
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(max).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(version: SpecVersion, schema: serde_json::Value) -> (Schema, Vec<Diagnostic>) {
        let root = Node::from_json(&json!({ "s": schema }), Span::DETACHED);
        let mut r = SchemaReader::new(&root, version);
        let s = r.read(root.get("s").unwrap(), JsonPointer::from_tokens(["s"]));
        (s, r.into_diagnostics())
    }

    fn codes(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.code).collect()
    }

    #[test]
    fn reads_3_1_features_without_loss() {
        let (s, d) = read(
            SpecVersion::V3_1,
            json!({
                "type": ["string", "null"], "const": "x", "exclusiveMinimum": 0,
                "prefixItems": [{"type": "integer"}, true], "items": false,
                "$ref": "#/components/schemas/A", "description": "sibling",
                "x-extra": 1, "xml": {"name": "n"}
            }),
        );
        assert!(d.is_empty(), "{d:?}");
        let o = s.object().unwrap();
        assert_eq!(
            o.types.as_deref(),
            Some(&[InstanceType::String, InstanceType::Null][..])
        );
        assert_eq!(o.constant, Some(json!("x")));
        assert_eq!(o.exclusive_minimum, Some(0.into()));
        assert_eq!(o.prefix_items.len(), 2);
        assert_eq!(o.prefix_items[1].kind, SchemaKind::Bool(true));
        assert_eq!(o.items.as_ref().unwrap().kind, SchemaKind::Bool(false));
        assert_eq!(
            o.reference.as_ref().unwrap().target,
            "#/components/schemas/A"
        );
        assert_eq!(o.description.as_deref(), Some("sibling"));
        assert_eq!(o.extensions["x-extra"], json!(1));
        assert_eq!(o.other["xml"], json!({"name": "n"}));
    }

    #[test]
    fn normalizes_3_0_nullable_and_boolean_bounds() {
        let (s, d) = read(
            SpecVersion::V3_0,
            json!({"type": "integer", "nullable": true, "minimum": 1, "exclusiveMinimum": true, "maximum": 9}),
        );
        assert!(d.is_empty(), "{d:?}");
        let o = s.object().unwrap();
        assert_eq!(
            o.types.as_deref(),
            Some(&[InstanceType::Integer, InstanceType::Null][..])
        );
        assert_eq!(
            (o.minimum.clone(), o.exclusive_minimum.clone()),
            (None, Some(1.into()))
        );
        assert_eq!(o.maximum, Some(9.into()));
    }

    #[test]
    fn version_mismatches_warn_but_keep_meaning() {
        let (s, d) = read(
            SpecVersion::V3_1,
            json!({"type": "string", "nullable": true, "exclusiveMaximum": true, "maximum": 3}),
        );
        assert_eq!(codes(&d), ["nullable-in-3.1", "exclusive-bound-form"]);
        let o = s.object().unwrap();
        assert!(o.types.as_ref().unwrap().contains(&InstanceType::Null));
        assert_eq!(o.exclusive_maximum, Some(3.into()));
        let (s, d) = read(
            SpecVersion::V3_0,
            json!({"items": [{"type": "string"}], "additionalItems": false}),
        );
        assert_eq!(codes(&d), ["items-array"]);
        assert_eq!(s.object().unwrap().prefix_items.len(), 1);
        assert_eq!(
            s.object().unwrap().items.as_ref().unwrap().kind,
            SchemaKind::Bool(false)
        );
    }

    #[test]
    fn non_schemas_and_bad_keywords_are_errors_with_overlay_help() {
        let (s, d) = read(
            SpecVersion::V3_1,
            json!({"properties": {"tags": "8290d441-75d1-4131-a3b0-4db03f24b7d2"}, "required": "x", "type": "strin"}),
        );
        assert_eq!(
            codes(&d),
            ["schema-not-object", "schema-keyword", "schema-type"]
        );
        assert!(
            d[0].help
                .contains(r#"target: "$['s']['properties']", update: {tags: {type: …}}"#),
            "{}",
            d[0].help
        );
        assert_eq!(
            s.object().unwrap().properties["tags"].kind,
            SchemaKind::Invalid
        );
    }

    #[test]
    fn visit_reaches_every_nested_schema() {
        let (s, _) = read(
            SpecVersion::V3_1,
            json!({"allOf": [{"properties": {"a": {"items": {}}}}], "not": {}, "$defs": {"x": true}}),
        );
        let mut n = 0;
        s.visit(&mut |_| n += 1);
        assert_eq!(n, 6);
    }
}
