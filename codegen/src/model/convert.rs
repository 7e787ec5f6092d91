//! Schemas → types. Two phases, as in typify: every component schema gets a `TypeId`
//! before any is converted (so forward and recursive `$ref`s just work), then bodies are
//! converted; anonymous types are de-duplicated structurally; containment cycles are boxed
//! afterwards (`cycles.rs`). Anything that cannot be expressed becomes `serde_json::Value`
//! with a located warning, never a panic or non-compiling code.

use super::ir::{
    Access, EnumVariant, Field, Struct, Tagging, Ty, TypeDef, TypeId, TypeKind, Union, UnionVariant,
};
use super::names::{self, Name, Scope};
use crate::diag::Diagnostic;
use crate::load::Document;
use crate::load::node::Node;
use crate::load::pointer::JsonPointer;
use crate::load::schema::{InstanceType, Schema, SchemaKind, SchemaObject, SchemaReader};
use std::collections::{BTreeMap, BTreeSet};

/// Builds the type graph of one document.
pub struct TypeBuilder<'d> {
    doc: &'d Document,
    /// Types, indexed by `TypeId`; redirected duplicates are removed in `finish`.
    pub types: Vec<TypeDef>,
    by_pointer: BTreeMap<JsonPointer, Ty>,
    interned: BTreeMap<TypeKind, TypeId>,
    /// Every suggested name an interned type was reached under, to name it by all of them.
    uses: BTreeMap<TypeId, Vec<String>>,
    schemas: BTreeMap<JsonPointer, Schema>,
    in_progress: BTreeSet<JsonPointer>,
    /// Fallbacks taken, as warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl<'d> TypeBuilder<'d> {
    /// A builder with every `components/schemas` entry reserved under its own name.
    pub fn new(doc: &'d Document) -> TypeBuilder<'d> {
        let mut b = TypeBuilder {
            doc,
            types: Vec::new(),
            by_pointer: BTreeMap::new(),
            interned: BTreeMap::new(),
            uses: BTreeMap::new(),
            schemas: BTreeMap::new(),
            in_progress: BTreeSet::new(),
            diagnostics: Vec::new(),
        };
        let section = JsonPointer::from_tokens(["components", "schemas"]);
        let names: Vec<String> = doc
            .root
            .pointer(&section)
            .and_then(Node::as_object)
            .map(|o| o.iter().map(|(k, _)| k.to_owned()).collect())
            .unwrap_or_default();
        let reserved: Vec<(TypeId, JsonPointer)> = names
            .iter()
            .map(|name| {
                let at = section.child(name);
                let id = b.reserve(Name::Required(name.clone()), at.clone());
                b.by_pointer.insert(at.clone(), Ty::Named(id));
                (id, at)
            })
            .collect();
        for (id, at) in reserved {
            if let Some(schema) = b.schema_at(&at) {
                b.define(id, &schema);
            }
        }
        b
    }

    fn reserve(&mut self, origin: Name, pointer: JsonPointer) -> TypeId {
        let id = TypeId(self.types.len());
        self.types.push(TypeDef {
            ident: String::new(),
            origin,
            pointer,
            doc: None,
            kind: TypeKind::Alias(Ty::Any),
        });
        id
    }

    fn schema_at(&mut self, at: &JsonPointer) -> Option<Schema> {
        if let Some(s) = self.schemas.get(at) {
            return Some(s.clone());
        }
        let node = self.doc.root.pointer(at)?;
        let schema = SchemaReader::new(&self.doc.root, self.doc.version).read(node, at.clone());
        self.schemas.insert(at.clone(), schema.clone());
        Some(schema)
    }

    fn warn(&mut self, at: &JsonPointer, message: String, help: &str) {
        let span = self
            .doc
            .root
            .pointer(at)
            .map_or(self.doc.root.span, |n| n.span);
        self.diagnostics.push(
            Diagnostic::warning("codegen-fallback", message)
                .at(at.clone(), span)
                .help(help),
        );
    }

    /// Fills a reserved type with the conversion of its schema.
    fn define(&mut self, id: TypeId, schema: &Schema) {
        self.types[id.0].doc = doc_of(schema);
        let kind = match self.shape(schema, &self.types[id.0].origin.clone(), Some(id)) {
            Shape::Kind(kind) => kind,
            Shape::Ty(Ty::Named(other)) if other == id => TypeKind::Alias(Ty::Any),
            Shape::Ty(ty) => TypeKind::Alias(ty),
        };
        // An inline schema identical to a component is that component (its name wins).
        if matches!(kind, TypeKind::Struct(_) | TypeKind::Union(_)) {
            self.interned.entry(kind.clone()).or_insert(id);
        }
        self.types[id.0].kind = kind;
    }

    /// The type of a schema, creating named types as needed.
    pub fn ty(&mut self, schema: &Schema, hint: &Name) -> Ty {
        if let Some(ty) = self.by_pointer.get(&schema.pointer) {
            return ty.clone();
        }
        if !self.in_progress.insert(schema.pointer.clone()) {
            self.warn(
                &schema.pointer,
                "schema refers to itself without a named type; using serde_json::Value".into(),
                "give the recursive schema a name under components/schemas",
            );
            return Ty::Any;
        }
        // An inline schema with a short `title` is named by it (and its parts under it).
        let titled = match (&schema.kind, hint) {
            (SchemaKind::Object(o), Name::Suggested(_)) if o.reference.is_none() => o
                .title
                .as_deref()
                .filter(|t| short_title(t))
                .map(|t| Name::Suggested(t.trim().to_owned())),
            _ => None,
        };
        let hint = titled.as_ref().unwrap_or(hint);
        let ty = match self.shape(schema, hint, None) {
            Shape::Ty(ty) => ty,
            Shape::Kind(kind) => Ty::Named(self.intern(kind, hint.clone(), schema)),
        };
        self.in_progress.remove(&schema.pointer);
        self.by_pointer.insert(schema.pointer.clone(), ty.clone());
        ty
    }

    /// The type at a pointer (a `$ref` target, a media type's schema).
    pub fn ty_at(&mut self, at: &JsonPointer, hint: &Name) -> Ty {
        if let Some(ty) = self.by_pointer.get(at) {
            return ty.clone();
        }
        match self.schema_at(at) {
            Some(schema) => self.ty(&schema, hint),
            None => Ty::Any,
        }
    }

    fn intern(&mut self, kind: TypeKind, hint: Name, schema: &Schema) -> TypeId {
        if let Name::Suggested(text) = &hint
            && let Some(&id) = self.interned.get(&kind)
        {
            self.uses.entry(id).or_default().push(text.clone());
            return id;
        }
        if let Name::Suggested(text) = &hint {
            let next = TypeId(self.types.len());
            self.uses.entry(next).or_default().push(text.clone());
        }
        let id = self.reserve(hint, schema.pointer.clone());
        self.types[id.0].doc = doc_of(schema);
        self.types[id.0].kind = kind.clone();
        self.interned.entry(kind).or_insert(id);
        id
    }

    /// Converts one schema into either a plain type or the body of a named type.
    /// `own` is the id being defined when the caller already reserved one.
    fn shape(&mut self, schema: &Schema, hint: &Name, own: Option<TypeId>) -> Shape {
        let o = match &schema.kind {
            SchemaKind::Bool(true) | SchemaKind::Invalid => return Shape::Ty(Ty::Any),
            SchemaKind::Bool(false) => {
                self.warn(
                    &schema.pointer,
                    "`false` schema (no value is valid) typed as serde_json::Value".into(),
                    "remove the property or give it a real schema",
                );
                return Shape::Ty(Ty::Any);
            }
            SchemaKind::Object(o) => o.as_ref(),
        };
        let nullable = o.nullable
            || o.types
                .as_ref()
                .is_some_and(|t| t.contains(&InstanceType::Null));
        let shape = self.non_null_shape(schema, o, hint);
        if !nullable {
            return shape;
        }
        match shape {
            Shape::Ty(ty) => Shape::Ty(ty.optional()),
            Shape::Kind(kind) => {
                // A nullable component keeps its name for an alias `Option<…Value>`.
                let inner = if own.is_some() {
                    Name::Suggested(format!("{}Value", hint.text()))
                } else {
                    hint.clone()
                };
                Shape::Ty(Ty::Named(self.intern(kind, inner, schema)).optional())
            }
        }
    }

    fn non_null_shape(&mut self, schema: &Schema, o: &SchemaObject, hint: &Name) -> Shape {
        if let Some(r) = &o.reference {
            return Shape::Ty(self.reference(&schema.pointer, &r.target, hint));
        }
        if let Some(c) = &o.constant {
            return match c.as_str() {
                Some(s) => Shape::Kind(string_enum([s.to_owned()])),
                None => Shape::Ty(json_value_ty(c)),
            };
        }
        if let Some(values) = &o.enumeration {
            let strings: Vec<String> = values
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect();
            let non_null = values.iter().filter(|v| !v.is_null()).count();
            if !strings.is_empty() && strings.len() == non_null {
                let enum_shape = Shape::Kind(string_enum(strings));
                return if non_null < values.len() {
                    self.optional_shape(enum_shape, schema, hint)
                } else {
                    enum_shape
                };
            }
        }
        if let Some(branches) = o.all_of.as_ref().filter(|b| !b.is_empty()) {
            return self.all_of(schema, o, branches, hint);
        }
        // `anyOf: [{required: [a]}, {required: [b]}]` next to `properties` only constrains
        // which keys must be present: validation's business, not the type's.
        let alternatives = o.one_of.as_ref().or(o.any_of.as_ref()).filter(|b| {
            !b.is_empty() && (o.properties.is_empty() || !b.iter().all(constraint_only))
        });
        if let Some(branches) = alternatives {
            return self.union(schema, o, branches, hint);
        }
        let types: Vec<InstanceType> = o
            .types
            .iter()
            .flatten()
            .copied()
            .filter(|t| *t != InstanceType::Null)
            .collect();
        match types.as_slice() {
            [] => self.untyped(o, hint),
            [one] => self.typed(o, *one, hint),
            many => {
                // `type: [string, integer]`: a union of the listed kinds.
                let mut variants = Vec::new();
                for t in many {
                    let word = type_word(*t);
                    let variant_hint = hint_child(hint, word);
                    let shape = self.typed(o, *t, &variant_hint);
                    variants.push((word.to_owned(), self.shape_ty(shape, &variant_hint, schema)));
                }
                Shape::Kind(TypeKind::Union(Union {
                    variants: union_variants(variants),
                    tagging: Tagging::Untagged,
                }))
            }
        }
    }

    fn optional_shape(&mut self, shape: Shape, schema: &Schema, hint: &Name) -> Shape {
        Shape::Ty(self.shape_ty(shape, hint, schema).optional())
    }

    /// A plain type for a shape, naming (and interning) it when it needs a name.
    fn shape_ty(&mut self, shape: Shape, hint: &Name, schema: &Schema) -> Ty {
        match shape {
            Shape::Ty(ty) => ty,
            Shape::Kind(kind) => Ty::Named(self.intern(kind, hint.clone(), schema)),
        }
    }

    fn reference(&mut self, at: &JsonPointer, target: &str, hint: &Name) -> Ty {
        let Ok(pointer) = JsonPointer::parse_ref(target) else {
            self.warn(
                at,
                format!("`{target}` cannot be followed; typed as serde_json::Value"),
                "only `#/…` references are resolved",
            );
            return Ty::Any;
        };
        if let Some(ty) = self.by_pointer.get(&pointer) {
            return ty.clone();
        }
        // A pointer into the middle of a schema: name it after where it points.
        let named =
            pointer_hint(&self.doc.root, &pointer).map_or_else(|| hint.clone(), Name::Suggested);
        self.ty_at(&pointer, &named)
    }

    fn typed(&mut self, o: &SchemaObject, t: InstanceType, hint: &Name) -> Shape {
        Shape::Ty(match t {
            InstanceType::Null => Ty::Any,
            InstanceType::Boolean => Ty::Bool,
            InstanceType::Integer => match o.format.as_deref() {
                Some("int32") => Ty::I32,
                Some("uint64" | "uint32") => Ty::U64,
                _ => Ty::I64,
            },
            InstanceType::Number => Ty::F64,
            InstanceType::String => match o.format.as_deref() {
                Some("date-time") => Ty::DateTime,
                Some("date") => Ty::Date,
                Some("uuid") => Ty::Uuid,
                Some("binary") => Ty::File,
                _ => Ty::String,
            },
            InstanceType::Array => self.array(o, hint),
            InstanceType::Object => return self.object(o, hint),
        })
    }

    fn untyped(&mut self, o: &SchemaObject, hint: &Name) -> Shape {
        if !o.properties.is_empty()
            || o.additional_properties.is_some()
            || !o.pattern_properties.is_empty()
        {
            return self.object(o, hint);
        }
        if o.items.is_some() || !o.prefix_items.is_empty() {
            return Shape::Ty(self.array(o, hint));
        }
        Shape::Ty(Ty::Any)
    }

    fn array(&mut self, o: &SchemaObject, hint: &Name) -> Ty {
        let item_hint = item_hint(hint);
        if !o.prefix_items.is_empty() {
            let closed = matches!(
                o.items.as_deref(),
                Some(Schema {
                    kind: SchemaKind::Bool(false),
                    ..
                })
            );
            if closed {
                let items: Vec<Ty> = o
                    .prefix_items
                    .clone()
                    .iter()
                    .enumerate()
                    .map(|(i, s)| self.ty(s, &hint_child(hint, &format!("Item{i}"))))
                    .collect();
                return Ty::Tuple(items);
            }
            return Ty::Vec(Box::new(Ty::Any));
        }
        match o.items.as_deref() {
            Some(items) => {
                let items = items.clone();
                Ty::Vec(Box::new(self.ty(&items, &item_hint)))
            }
            None => Ty::Vec(Box::new(Ty::Any)),
        }
    }

    fn object(&mut self, o: &SchemaObject, hint: &Name) -> Shape {
        let extra_ty = match o.additional_properties.as_deref() {
            Some(Schema {
                kind: SchemaKind::Bool(false),
                ..
            }) => None,
            Some(Schema {
                kind: SchemaKind::Bool(true),
                ..
            })
            | None => Some(Ty::Any),
            Some(ap) => {
                let ap = ap.clone();
                Some(self.ty(&ap, &hint_child(hint, "Value")))
            }
        };
        let extra_ty = if o.pattern_properties.is_empty() {
            extra_ty
        } else {
            Some(Ty::Any)
        };
        if o.properties.is_empty() {
            return Shape::Ty(match extra_ty {
                None | Some(Ty::Any) => Ty::JsonObject,
                Some(t) => Ty::Map(Box::new(t)),
            });
        }
        let props: Vec<(&str, &Schema, bool)> = o
            .properties
            .iter()
            .map(|(k, s)| (k.as_str(), s, o.required.contains(k)))
            .collect();
        let closed = extra_ty.is_none() && o.pattern_properties.is_empty();
        Shape::Kind(TypeKind::Struct(self.fields(props, closed, extra_ty, hint)))
    }

    fn fields(
        &mut self,
        props: Vec<(&str, &Schema, bool)>,
        closed: bool,
        extra: Option<Ty>,
        hint: &Name,
    ) -> Struct {
        let mut scope = Scope::new();
        let mut fields = Vec::new();
        for (wire, prop, required) in props {
            let ident = scope.claim(&names::snake(wire));
            let ty = self.ty(prop, &hint_child(hint, &names::pascal(wire)));
            let access = self.access(prop);
            // Required in one direction only: absent in the other, so optional in the type.
            let always = required && access == Access::ReadWrite;
            let mut doc = doc_of(prop);
            let note = match (required, access) {
                (true, Access::ReadOnly) => {
                    Some("Read-only: set by the server, required in responses, absent in requests.")
                }
                (true, Access::WriteOnly) => {
                    Some("Write-only: required in requests, never in responses.")
                }
                (false, Access::ReadOnly) => Some("Read-only: set by the server."),
                (false, Access::WriteOnly) => Some("Write-only: never in responses."),
                (_, Access::ReadWrite) => None,
            };
            if let Some(note) = note {
                doc = Some(match doc {
                    Some(d) => format!("{d}\n\n{note}"),
                    None => note.to_owned(),
                });
            }
            fields.push(Field {
                ident,
                wire: wire.to_owned(),
                ty: if always { ty } else { ty.optional() },
                required,
                access,
                doc,
            });
        }
        let extra = extra.map(|t| (scope.claim("additional_properties"), t));
        Struct {
            fields,
            closed,
            extra,
        }
    }

    /// Whether a property is `readOnly` or `writeOnly`, on itself or on what it refers to.
    fn access(&mut self, prop: &Schema) -> Access {
        let flags = |s: &Schema| s.object().map(|o| (o.read_only, o.write_only));
        let own = flags(prop).unwrap_or_default();
        let target = self
            .resolve(prop)
            .and_then(|s| flags(&s))
            .unwrap_or_default();
        match (own.0 || target.0, own.1 || target.1) {
            (true, false) => Access::ReadOnly,
            (false, true) => Access::WriteOnly,
            _ => Access::ReadWrite,
        }
    }

    /// `allOf`: object branches merge into one struct; otherwise the first typed branch wins.
    fn all_of(
        &mut self,
        schema: &Schema,
        o: &SchemaObject,
        branches: &[Schema],
        hint: &Name,
    ) -> Shape {
        if branches.len() == 1 && o.properties.is_empty() {
            let only = branches[0].clone();
            return match self.by_pointer.get(&only.pointer).cloned() {
                Some(ty) => Shape::Ty(ty),
                None => self.shape(&only, hint, None),
            };
        }
        let mut resolved: Vec<Schema> = Vec::new();
        for b in branches {
            if !self.flatten_all_of(b, 0, &mut resolved) {
                return Shape::Ty(Ty::Any);
            }
        }
        let objectish = |s: &Schema| {
            s.object().is_some_and(|x| {
                x.types
                    .as_ref()
                    .is_none_or(|t| t.contains(&InstanceType::Object))
                    && x.enumeration.is_none()
                    && x.constant.is_none()
                    && x.items.is_none()
                    && (x.one_of.is_none() && x.any_of.is_none()
                        || !x.properties.is_empty()
                        || x.discriminator.is_some())
            })
        };
        if !resolved.iter().all(objectish) {
            let first = resolved
                .iter()
                .find(|s| s.object().is_some_and(|x| x.types.is_some()))
                .cloned();
            return match first {
                Some(s) => self.shape(&s, hint, None),
                None => Shape::Ty(Ty::Any),
            };
        }
        if resolved.iter().any(|s| {
            s.object()
                .is_some_and(|x| x.one_of.is_some() || x.any_of.is_some())
        }) {
            self.warn(
                &schema.pointer,
                "an `allOf` branch is itself a `oneOf`/`anyOf`; the merged struct keeps the shared properties and the rest in `additional_properties`".into(),
                "model the variants on the subtypes, or use `discriminator` on the base",
            );
        }
        let mut props: Vec<(&str, &Schema, bool)> = Vec::new();
        let mut required: BTreeSet<String> = o.required.iter().cloned().collect();
        let mut all_closed = true;
        let mut open_extra: Option<Ty> = None;
        let mut sources: Vec<&SchemaObject> = resolved.iter().filter_map(Schema::object).collect();
        sources.push(o);
        for s in &sources {
            required.extend(s.required.iter().cloned());
            for (k, v) in &s.properties {
                if !props.iter().any(|(name, _, _)| *name == k) {
                    props.push((k.as_str(), v, false));
                }
            }
        }
        for s in sources.iter().take(resolved.len()) {
            all_closed &= s.is_closed();
            if let Some(ap) = s.additional_properties.as_deref()
                && !matches!(ap.kind, SchemaKind::Bool(_))
            {
                let ap = ap.clone();
                open_extra = Some(self.ty(&ap, &hint_child(hint, "Value")));
            }
        }
        for p in &mut props {
            p.2 = required.contains(p.0);
        }
        // Branches that forbid each other's properties cannot all hold (lint reports it as an
        // error). Policy: the merged type accepts the union of the properties, open.
        let conflicting = sources
            .iter()
            .take(resolved.len())
            .any(|s| s.is_closed() && props.iter().any(|(k, _, _)| !s.properties.contains_key(*k)));
        if conflicting {
            self.warn(&schema.pointer, "unsatisfiable `allOf`: the generated type accepts the union of the branches' properties".into(), "see the `allof-unsatisfiable` lint error for the contradiction");
        }
        let closed = all_closed && !conflicting;
        let extra = if closed {
            None
        } else {
            Some(open_extra.unwrap_or(Ty::Any))
        };
        Shape::Kind(TypeKind::Struct(self.fields(props, closed, extra, hint)))
    }

    /// Resolves a branch and, when it is itself an `allOf`, its branches too (bases of
    /// bases), so inherited properties are all merged. `false` if a reference is broken.
    fn flatten_all_of(&mut self, branch: &Schema, depth: usize, out: &mut Vec<Schema>) -> bool {
        let Some(resolved) = self.resolve(branch) else {
            return false;
        };
        let nested = resolved
            .object()
            .and_then(|o| o.all_of.clone())
            .filter(|b| !b.is_empty());
        match nested {
            Some(children) if depth < 16 => {
                for child in &children {
                    if !self.flatten_all_of(child, depth + 1, out) {
                        return false;
                    }
                }
                // The branch's own keywords (properties next to its `allOf`) count too.
                if let Some(o) = resolved.object() {
                    let mut own = o.clone();
                    own.all_of = None;
                    out.push(Schema {
                        kind: crate::load::schema::SchemaKind::Object(Box::new(own)),
                        ..resolved.clone()
                    });
                }
                true
            }
            _ => {
                out.push(resolved);
                true
            }
        }
    }

    fn resolve(&mut self, s: &Schema) -> Option<Schema> {
        let mut current = s.clone();
        for _ in 0..32 {
            let Some(target) = current
                .object()
                .and_then(|o| o.reference.as_ref())
                .map(|r| r.target.clone())
            else {
                return Some(current);
            };
            let pointer = JsonPointer::parse_ref(&target).ok()?;
            current = self.schema_at(&pointer)?;
        }
        None
    }

    /// `oneOf` / `anyOf`.
    fn union(
        &mut self,
        schema: &Schema,
        o: &SchemaObject,
        branches: &[Schema],
        hint: &Name,
    ) -> Shape {
        let is_null = |s: &Schema| {
            s.object().is_some_and(|x| {
                x.reference.is_none() && x.types.as_deref() == Some(&[InstanceType::Null][..])
                    || x.constant.as_ref().is_some_and(serde_json::Value::is_null)
            })
        };
        let non_null: Vec<Schema> = branches.iter().filter(|b| !is_null(b)).cloned().collect();
        let nullable = non_null.len() < branches.len();
        let shape = if non_null.len() == 1 {
            let only = non_null[0].clone();
            Shape::Ty(self.ty(&only, hint))
        } else if let Some(values) = self.all_string_values(&non_null) {
            Shape::Kind(string_enum(values))
        } else {
            let structural = if o.discriminator.is_none() {
                self.structural_tag(&non_null)
            } else {
                None
            };
            let mut variants = Vec::new();
            for (i, b) in non_null.iter().enumerate() {
                // A `$ref` or `title` names a variant best, then the constant that tags it,
                // then what it holds; `VariantN` only as a last resort.
                let tag = structural.as_ref().and_then(|(_, tags)| tags.get(i));
                let word = self
                    .declared_word(b)
                    .or_else(|| tag.map(|t| names::pascal(t)))
                    .or_else(|| self.variant_word(b))
                    .unwrap_or_else(|| format!("Variant{i}"));
                let ty = self.ty(b, &hint_child(hint, &word));
                variants.push((word, ty));
            }
            let tagging = match (&o.discriminator, &structural) {
                (Some(d), _) => Tagging::Discriminator(d.property_name.clone()),
                (None, Some((property, _))) => Tagging::Discriminator(property.clone()),
                (None, None) => Tagging::Untagged,
            };
            let mut union = Union {
                variants: union_variants(variants),
                tagging,
            };
            if let Some((_, tags)) = structural {
                for (v, tag) in union.variants.iter_mut().zip(tags) {
                    v.tags = vec![tag];
                }
            }
            if let (Tagging::Discriminator(_), Some(d)) = (&union.tagging, &o.discriminator) {
                for (v, b) in union.variants.iter_mut().zip(&non_null) {
                    let target = b
                        .object()
                        .and_then(|x| x.reference.as_ref())
                        .map(|r| r.target.clone());
                    let mut tags: Vec<String> = d
                        .mapping
                        .iter()
                        .filter(|(_, r)| Some(*r) == target.as_ref())
                        .map(|(k, _)| k.clone())
                        .collect();
                    if tags.is_empty()
                        && let Some(name) = target.as_deref().and_then(|t| t.rsplit('/').next())
                    {
                        tags.push(name.to_owned());
                    }
                    v.tags = tags;
                }
                for (tag, target) in &d.mapping {
                    if !union.variants.iter().any(|v| v.tags.contains(tag)) {
                        let at = schema
                            .pointer
                            .child("discriminator")
                            .child("mapping")
                            .child(tag);
                        self.warn(
                            &at,
                            format!("the tag `{tag}` maps to `{target}`, which is none of the union's variants: a value tagged `{tag}` is decoded only by trying the variants in order"),
                            "map it to the `$ref` of one of the union's variants",
                        );
                    }
                }
                if union.variants.iter().any(|v| v.tags.is_empty()) {
                    union.tagging = Tagging::Untagged;
                    let at = schema.pointer.child("discriminator");
                    self.warn(
                        &at,
                        format!(
                            "the union discriminated by `{}` is untagged: a variant has no tag (its mapping does not resolve, or it is not a `$ref`)",
                            d.property_name
                        ),
                        "map every variant's tag to a `$ref` of this document; decoding tries the variants in order meanwhile",
                    );
                }
            }
            Shape::Kind(TypeKind::Union(union))
        };
        if nullable {
            Shape::Ty(self.shape_ty(shape, hint, schema).optional())
        } else {
            shape
        }
    }

    /// A property every alternative requires with one distinct string constant (`type: {const: a}`):
    /// the union is tagged by it even without a `discriminator`. Returns it and the values.
    fn structural_tag(&mut self, branches: &[Schema]) -> Option<(String, Vec<String>)> {
        let mut objects = Vec::new();
        for b in branches {
            objects.push(self.resolve(b)?.object()?.clone());
        }
        let first = objects.first()?;
        'candidates: for property in first.properties.keys() {
            let mut tags = Vec::new();
            for o in &objects {
                let Some(prop) = o.properties.get(property) else {
                    continue 'candidates;
                };
                if !o.required.contains(property) {
                    continue 'candidates;
                }
                let Some(p) = self.resolve(prop) else {
                    continue 'candidates;
                };
                let Some(po) = p.object() else {
                    continue 'candidates;
                };
                let value = match (&po.constant, &po.enumeration) {
                    (Some(c), _) => c.as_str().map(str::to_owned),
                    (None, Some(values)) if values.len() == 1 => {
                        values[0].as_str().map(str::to_owned)
                    }
                    _ => None,
                };
                match value {
                    Some(v) if !tags.contains(&v) => tags.push(v),
                    _ => continue 'candidates,
                }
            }
            return Some((property.clone(), tags));
        }
        None
    }

    /// When every alternative is a string constant or string enum, their values.
    fn all_string_values(&mut self, branches: &[Schema]) -> Option<Vec<String>> {
        let mut values = Vec::new();
        for b in branches {
            let s = self.resolve(b)?;
            let o = s.object()?;
            if let Some(c) = &o.constant {
                values.push(c.as_str()?.to_owned());
            } else if let Some(e) = &o.enumeration {
                for v in e {
                    values.push(v.as_str()?.to_owned());
                }
            } else {
                return None;
            }
        }
        Some(values)
    }

    /// The name a variant's schema gives itself: its `$ref`'s last segment, a short `title`,
    /// or the first `$ref` of an `allOf`.
    fn declared_word(&mut self, b: &Schema) -> Option<String> {
        let o = b.object()?;
        if let Some(r) = &o.reference {
            return r.target.rsplit('/').next().map(names::pascal);
        }
        // A variant's title is a label even when it is several words (`Guild Discovery
        // Grace Period Initial Warning`); only sentences are skipped.
        if let Some(title) = o
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty() && t.len() <= 80 && !t.trim_end().ends_with('.'))
        {
            return Some(names::capped(&names::pascal(title)));
        }
        // `allOf: [$ref Base, {…}]`: the first referenced schema says what it is.
        o.all_of.as_deref()?.iter().find_map(|branch| {
            branch
                .object()
                .and_then(|x| x.reference.as_ref())
                .and_then(|r| r.target.rsplit('/').next().map(names::pascal))
        })
    }

    /// What a variant holds: an object by its first required (else first) property
    /// (`WithEmail`), an array by its items' word (`Emails`… as `ItemsList`), else its type.
    fn variant_word(&mut self, b: &Schema) -> Option<String> {
        let o = b.object()?;
        let object = o
            .types
            .as_ref()
            .is_none_or(|t| t.contains(&InstanceType::Object));
        if object && !o.properties.is_empty() {
            let key = o
                .properties
                .keys()
                .find(|k| o.required.contains(*k))
                .or_else(|| o.properties.keys().next())?;
            return Some(format!("With{}", names::pascal(key)));
        }
        let types = o.types.as_ref()?;
        let t = types.iter().find(|t| **t != InstanceType::Null)?;
        if *t == InstanceType::Array
            && let Some(word) = o.items.as_ref().and_then(|i| self.declared_word(i))
        {
            return Some(format!("{word}List"));
        }
        Some(type_word(*t).to_owned())
    }

    /// The types and the fallbacks taken. A type reached under several suggested names is
    /// named by all of them ([`names::shared`]), not by whichever use came first.
    pub fn finish(mut self) -> (Vec<TypeDef>, Vec<Diagnostic>) {
        for (id, uses) in &self.uses {
            if let Some(t) = self.types.get_mut(id.0)
                && matches!(t.origin, Name::Suggested(_))
                && let Some(name) = names::shared(uses)
            {
                t.origin = Name::Suggested(name);
            }
        }
        (self.types, self.diagnostics)
    }
}

/// The result of converting a schema: a plain type, or the body of a type that needs a name.
enum Shape {
    Ty(Ty),
    Kind(TypeKind),
}

/// A schema that only adds validation (`required`, `not`, bounds), no structure of its own.
fn constraint_only(s: &Schema) -> bool {
    s.object().is_some_and(|o| {
        o.reference.is_none()
            && o.types.is_none()
            && o.properties.is_empty()
            && o.items.is_none()
            && o.prefix_items.is_empty()
            && o.enumeration.is_none()
            && o.constant.is_none()
            && o.all_of.is_none()
            && o.any_of.is_none()
            && o.one_of.is_none()
            && o.additional_properties.is_none()
    })
}

fn string_enum(values: impl IntoIterator<Item = String>) -> TypeKind {
    let mut scope = Scope::new();
    // The runtime's catch-all variant for values the spec does not list.
    scope.claim("Other");
    let mut seen = BTreeSet::new();
    let variants = values
        .into_iter()
        .filter(|v| seen.insert(v.clone()))
        .map(|wire| EnumVariant {
            ident: scope.claim(&names::pascal(&wire)),
            wire,
        })
        .collect();
    TypeKind::StringEnum(variants)
}

fn union_variants(variants: Vec<(String, Ty)>) -> Vec<UnionVariant> {
    let mut scope = Scope::new();
    variants
        .into_iter()
        .map(|(word, ty)| UnionVariant {
            ident: scope.claim(&names::pascal(&word)),
            ty,
            tags: Vec::new(),
        })
        .collect()
}

fn type_word(t: InstanceType) -> &'static str {
    match t {
        InstanceType::Null => "Null",
        InstanceType::Boolean => "Bool",
        InstanceType::Object => "Object",
        InstanceType::Array => "Array",
        InstanceType::Number => "Number",
        InstanceType::String => "String",
        InstanceType::Integer => "Integer",
    }
}

fn json_value_ty(v: &serde_json::Value) -> Ty {
    match v {
        serde_json::Value::Bool(_) => Ty::Bool,
        serde_json::Value::Number(n) if n.is_i64() => Ty::I64,
        serde_json::Value::Number(_) => Ty::F64,
        _ => Ty::Any,
    }
}

/// Whether a `title` reads as a name (a few words), not a sentence.
pub fn short_title(title: &str) -> bool {
    let title = title.trim();
    !title.is_empty()
        && title.len() <= 40
        && title.split_whitespace().count() <= 4
        && !title.ends_with('.')
}

/// A suggested name one level below `hint` (`Parent` + `Prop`). Below a success body the
/// status and `Body` are dropped (`DropletsListOkBody` + `Droplets` → `DropletsListDroplets`).
pub fn hint_child(hint: &Name, part: &str) -> Name {
    let parent = names::pascal(hint.text());
    let parent = names::without_success_body(&parent);
    Name::Suggested(format!("{parent}{}", names::pascal(part)))
}

/// The suggested name of an array's items: the singular of a plural parent
/// (`…Droplets` → `…Droplet`), else `Parent` + `Item`.
fn item_hint(hint: &Name) -> Name {
    let parent = names::pascal(hint.text());
    match names::singular(&parent) {
        Some(one) => Name::Suggested(one),
        None => hint_child(hint, "Item"),
    }
}

/// A name for a schema reached by a pointer into the middle of another schema:
/// `#/components/schemas/ConnectSessionInput/properties/tags` → `ConnectSessionInputTags`.
/// Into an operation (`#/paths/~1v2~1droplets/get/responses/200/content/…/schema/…`), the
/// operation's name stands for the path and method (its `operationId`, else method and
/// path words), a status for its reason phrase, and media types are left out:
/// `DropletsListOk…`, never `PathsV2Droplets…`.
fn pointer_hint(root: &Node, pointer: &JsonPointer) -> Option<String> {
    let tokens = pointer.tokens();
    let (mut words, start) = match tokens {
        [c, s, ..] if c == "components" && s == "schemas" => (Vec::new(), 2),
        [p, path, method, ..] if p == "paths" => {
            let id = root
                .pointer(&JsonPointer::from_tokens([
                    "paths",
                    path.as_str(),
                    method.as_str(),
                ]))
                .and_then(|op| op.get("operationId"))
                .and_then(Node::as_str)
                .map(names::pascal);
            let name = id.unwrap_or_else(|| {
                let segments: Vec<&str> = path
                    .split('/')
                    .filter(|s| !s.is_empty() && !s.starts_with('{'))
                    .collect();
                names::pascal(&format!("{method} {}", segments.join(" ")))
            });
            (vec![name], 3)
        }
        _ => (Vec::new(), 0),
    };
    let mut rest = tokens[start..].iter().peekable();
    while let Some(t) = rest.next() {
        match t.as_str() {
            "properties" | "items" | "schema" | "allOf" | "anyOf" | "oneOf" | "responses"
            | "parameters" => {}
            "content" => {
                rest.next();
            }
            "requestBody" => words.push("Body".into()),
            code if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) => {
                let status = code.parse().unwrap_or(0);
                words.push(match openapi_runtime::status::reason(status) {
                    Some(r) => format!("{}Body", names::pascal(r)),
                    None => format!("Status{code}Body"),
                });
            }
            other => words.push(names::pascal(other)),
        }
    }
    (!words.is_empty()).then(|| words.concat())
}

/// Doc text of a schema: title, description, deprecation and default, in that order.
pub fn doc_of(schema: &Schema) -> Option<String> {
    let o = schema.object()?;
    let mut parts: Vec<String> = Vec::new();
    if let Some(t) = &o.title {
        parts.push(t.trim().to_owned());
    }
    if let Some(d) = &o.description
        && o.title.as_deref().map(str::trim) != Some(d.trim())
    {
        parts.push(d.trim().to_owned());
    }
    if o.deprecated {
        parts.push("**Deprecated.**".to_owned());
    }
    if let Some(d) = &o.default {
        parts.push(format!("Default: `{d}`."));
    }
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}
