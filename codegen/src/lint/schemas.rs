//! Schema rules: non-schemas where a schema must be, keyword types (both from the schema
//! reader), `$ref`s inside schemas, empty `allOf`/`anyOf`/`oneOf`/`enum`, and `allOf`
//! branches that no value can satisfy together.

use super::references::RefChecker;
use crate::diag::Diagnostic;
use crate::load::Document;
use crate::load::node::Node;
use crate::load::openapi::{self, Slot, Visitor};
use crate::load::pointer::JsonPointer;
use crate::load::refs;
use crate::load::schema::{InstanceType, Schema, SchemaObject, SchemaReader};
use std::collections::BTreeMap;

/// The positions where the OpenAPI structure places a schema.
struct Roots<'a>(Vec<(&'a Node, JsonPointer)>);

impl<'a> Visitor<'a> for Roots<'a> {
    fn visit(&mut self, slot: Slot, node: &'a Node, at: &JsonPointer) {
        if slot == Slot::Schema {
            self.0.push((node, at.clone()));
        }
    }
}

/// Runs the schema rules over every schema the document holds.
pub fn check(doc: &Document, refs: &mut RefChecker<'_>) -> Vec<Diagnostic> {
    let root = &doc.root;
    let mut reader = SchemaReader::new(root, doc.version);
    let mut roots = Roots(Vec::new());
    openapi::walk(root, &mut roots);
    let schemas: Vec<Schema> = roots
        .0
        .into_iter()
        .map(|(node, at)| reader.read(node, at))
        .collect();
    let mut out = reader.into_diagnostics();
    let mut all: Vec<&Schema> = Vec::new();
    for s in &schemas {
        s.visit(&mut |sub| all.push(sub));
    }
    let mut branches = BranchCache {
        doc,
        cache: BTreeMap::new(),
    };
    for schema in all {
        let Some(obj) = schema.object() else { continue };
        if obj.reference.is_some()
            && let Some(node) = root.pointer(&schema.pointer)
        {
            refs.check(Slot::Schema, node, &schema.pointer);
        }
        for (keyword, list) in [
            ("allOf", &obj.all_of),
            ("anyOf", &obj.any_of),
            ("oneOf", &obj.one_of),
        ] {
            if list.as_ref().is_some_and(Vec::is_empty) {
                let at = schema.pointer.child(keyword);
                let span = root.pointer(&at).map_or(schema.span, |n| n.span);
                out.push(
                    Diagnostic::error("empty-combinator", format!("`{keyword}` has no subschemas"))
                        .at(at, span)
                        .label("empty list")
                        .help(format!("list at least one schema, or remove `{keyword}` (an empty list is invalid JSON Schema)")),
                );
            }
        }
        if obj.enumeration.as_ref().is_some_and(Vec::is_empty) {
            let at = schema.pointer.child("enum");
            let span = root.pointer(&at).map_or(schema.span, |n| n.span);
            out.push(
                Diagnostic::error("empty-enum", "`enum` lists no value, so nothing is valid")
                    .at(at, span)
                    .help("list the allowed values, or remove `enum`"),
            );
        }
        if let Some(list) = &obj.all_of
            && let Some(d) = branches.unsatisfiable(schema, list)
        {
            out.push(d);
        }
    }
    out
}

/// Resolves `allOf` branches through `$ref`s, reading each target once.
struct BranchCache<'d> {
    doc: &'d Document,
    cache: BTreeMap<JsonPointer, Schema>,
}

/// What a branch demands, for the conflict check.
struct Demands {
    pointer: JsonPointer,
    closed: bool,
    properties: Vec<String>,
    required: Vec<String>,
    types: Option<Vec<InstanceType>>,
}

impl BranchCache<'_> {
    fn demands(&mut self, branch: &Schema) -> Option<Demands> {
        let resolved = match branch.object()?.reference {
            None => branch.clone(),
            Some(_) => {
                let root = &self.doc.root;
                let node = root.pointer(&branch.pointer)?;
                let (target, at) = refs::resolve_chain(root, node, &branch.pointer).ok()?;
                self.cache
                    .entry(at.clone())
                    .or_insert_with(|| SchemaReader::new(root, self.doc.version).read(target, at))
                    .clone()
            }
        };
        let o: &SchemaObject = resolved.object()?;
        // Nested composition could add properties this shallow view cannot see: stay silent.
        if o.all_of.is_some() || o.any_of.is_some() || o.one_of.is_some() || o.reference.is_some() {
            return None;
        }
        Some(Demands {
            pointer: resolved.pointer.clone(),
            closed: o.is_closed(),
            properties: o.properties.keys().cloned().collect(),
            required: o.required.clone(),
            types: o.types.clone(),
        })
    }

    fn unsatisfiable(&mut self, schema: &Schema, list: &[Schema]) -> Option<Diagnostic> {
        let demands: Vec<Option<Demands>> = list.iter().map(|b| self.demands(b)).collect();
        let root = &self.doc.root;
        let at = schema.pointer.child("allOf");
        let span = root.key_span(&at).unwrap_or(schema.span);
        for (i, a) in demands.iter().enumerate() {
            let Some(a) = a else { continue };
            for (j, b) in demands.iter().enumerate() {
                let Some(b) = b else { continue };
                if i == j {
                    continue;
                }
                if a.closed
                    && let Some(r) = b.required.iter().find(|r| !a.properties.contains(r))
                {
                    let closed_at = a.pointer.child("additionalProperties");
                    let mut d = Diagnostic::error(
                        "allof-unsatisfiable",
                        format!(
                            "no value satisfies this `allOf`: branch {i} ({}) allows only its own properties, but branch {j} requires `{r}`",
                            a.pointer
                        ),
                    )
                    .at(at.clone(), span)
                    .label("these branches contradict each other")
                    .help(format!(
                        "drop `additionalProperties: false` from branch {i} (in 3.1, put `unevaluatedProperties: false` on the combined schema instead), or add `{r}` to its properties"
                    ));
                    if let Some(n) = root.pointer(&closed_at) {
                        d = d.related(n.span, format!("branch {i} is closed here"));
                    }
                    return Some(d);
                }
                if i < j
                    && let (Some(ta), Some(tb)) = (&a.types, &b.types)
                    && !types_overlap(ta, tb)
                {
                    return Some(
                        Diagnostic::error(
                            "allof-unsatisfiable",
                            format!(
                                "no value satisfies this `allOf`: branch {i} allows only {} and branch {j} only {}",
                                type_names(ta),
                                type_names(tb)
                            ),
                        )
                        .at(at.clone(), span)
                        .label("these branches contradict each other")
                        .help("make the branches agree on `type`"),
                    );
                }
            }
        }
        None
    }
}

fn type_names(types: &[InstanceType]) -> String {
    let names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    names.join(" or ")
}

fn types_overlap(a: &[InstanceType], b: &[InstanceType]) -> bool {
    let widen = |t: &InstanceType| {
        if *t == InstanceType::Integer {
            InstanceType::Number
        } else {
            *t
        }
    };
    a.iter().any(|x| {
        b.iter().any(|y| {
            x == y
                || widen(x) == widen(y)
                    && (*x == InstanceType::Integer || *y == InstanceType::Integer)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::types_overlap;
    use crate::load::schema::InstanceType::*;

    #[test]
    fn integer_overlaps_number_only() {
        assert!(types_overlap(&[Integer], &[Number]));
        assert!(types_overlap(&[String, Null], &[Null]));
        assert!(!types_overlap(&[String], &[Object]));
        assert!(!types_overlap(&[Integer], &[String]));
    }
}
