//! The spec's examples and the generated type each must fit: schema `example`/`examples` of
//! every named type, media-type `example`/`examples` of every typed JSON body, parameter
//! `example`/`examples`. Emitted as the generated crate's `tests/examples.rs`.

use super::ir::{Ty, TypeDef, TypeId};
use super::operations::Operation;
use crate::load::node::Node;
use crate::load::pointer::JsonPointer;
use crate::load::refs;
use crate::model::http::{BodyKind, MediaSpec};

/// Whose feature gate an example's check sits behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// A type's (by id).
    Type(TypeId),
    /// An operation's (by index).
    Operation(usize),
}

/// One example and the type it must decode into.
#[derive(Clone, Debug)]
pub struct Example {
    /// Where it is written (`#/components/schemas/X/example`).
    pub at: String,
    /// The schema it exemplifies, as a `#/…` fragment.
    pub schema: String,
    /// A request's (read with `writeOnly` required) or not.
    pub request: bool,
    /// The value.
    pub value: serde_json::Value,
    /// The generated type.
    pub ty: Ty,
    /// Whose gate applies.
    pub owner: Owner,
}

/// The values of an `example` and of each entry of `examples` under `at`: a list for a
/// schema (3.1), Example Objects (`value`, or a `$ref` to one) for media types and
/// parameters. `externalValue` ones are not followed.
fn values_at(root: &Node, at: &JsonPointer, schema: bool) -> Vec<(JsonPointer, serde_json::Value)> {
    let Some(node) = root.pointer(at) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(v) = node.get("example") {
        out.push((at.child("example"), v.to_json()));
    }
    let Some(examples) = node.get("examples") else {
        return out;
    };
    let here = at.child("examples");
    if schema {
        if let Some(list) = examples.as_array() {
            for (i, v) in list.iter().enumerate() {
                out.push((here.child(i.to_string()), v.to_json()));
            }
        }
        return out;
    }
    if let Some(map) = examples.as_object() {
        for (name, entry) in map.iter() {
            let entry_at = here.child(name);
            let Ok((resolved, resolved_at)) = refs::resolve_chain(root, entry, &entry_at) else {
                continue;
            };
            if let Some(v) = resolved.get("value") {
                out.push((resolved_at.child("value"), v.to_json()));
            }
        }
    }
    out
}

/// The type inside an `Option` (an optional parameter's value is the inner type).
fn inner(ty: &Ty) -> Ty {
    match ty {
        Ty::Option(t) => (**t).clone(),
        other => other.clone(),
    }
}

/// Every example of the spec with its type.
pub fn collect(root: &Node, types: &[TypeDef], operations: &[Operation]) -> Vec<Example> {
    let mut out = Vec::new();
    for (i, def) in types.iter().enumerate() {
        for (at, value) in values_at(root, &def.pointer, true) {
            out.push(Example {
                at: at.fragment(),
                schema: def.pointer.fragment(),
                request: false,
                value,
                ty: Ty::Named(TypeId(i)),
                owner: Owner::Type(TypeId(i)),
            });
        }
    }
    let media = |m: &MediaSpec, ty: &Ty, request: bool, op: usize, out: &mut Vec<Example>| {
        let Some(schema) = &m.schema else {
            return;
        };
        if m.kind != BodyKind::Json {
            return;
        }
        for (at, value) in values_at(root, &m.pointer, false) {
            out.push(Example {
                at: at.fragment(),
                schema: schema.fragment(),
                request,
                value,
                ty: ty.clone(),
                owner: Owner::Operation(op),
            });
        }
    };
    for (i, op) in operations.iter().enumerate() {
        if let Some(body) = &op.body {
            // An optional body is an `Option` for the client: `null` is "no body".
            let ty = if body.required {
                body.ty.clone()
            } else {
                body.ty.clone().optional()
            };
            media(&body.media, &ty, true, i, &mut out);
        }
        for r in &op.responses {
            if let Some(body) = &r.body {
                media(&body.media, &body.ty, false, i, &mut out);
            }
        }
        for p in &op.params {
            let Some(schema) = &p.spec.schema else {
                continue;
            };
            for (at, value) in values_at(root, &p.spec.pointer, false) {
                out.push(Example {
                    at: at.fragment(),
                    schema: schema.fragment(),
                    request: true,
                    value,
                    ty: inner(&p.ty),
                    owner: Owner::Operation(i),
                });
            }
        }
    }
    out
}
