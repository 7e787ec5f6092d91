//! Model: the document → an IR of named types and operations. Every naming, de-duplication
//! and recursion decision is made here, so `emit` only prints and other generators can
//! read the same IR.

mod convert;
mod cycles;
pub mod examples;
pub mod features;
pub mod http;
pub mod ir;
pub mod names;
pub mod operations;
pub mod traits;

use crate::diag::Diagnostic;
use crate::load::Document;
use crate::load::node::Node;
use ir::TypeDef;
use names::{Name, Scope};
use operations::Operation;

/// A server from `servers`, with variables replaced by their defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    /// The URL.
    pub url: String,
    /// Its description.
    pub description: Option<String>,
}

/// Everything code generation needs, decided.
#[derive(Clone, Debug)]
pub struct Model {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// Generated types, in a stable order; `TypeId(i)` is `types[i]`.
    pub types: Vec<TypeDef>,
    /// Operations under `paths`, in document order.
    pub operations: Vec<Operation>,
    /// Base URLs, production first as the document lists them.
    pub servers: Vec<Server>,
    /// The document's security schemes; operations' security points into this list.
    pub security_schemes: Vec<http::SecurityScheme>,
    /// The spec's examples, each with the type it must fit (the crate's examples test).
    pub examples: Vec<examples::Example>,
}

/// Names no generated type may take: they would shadow what derives and emitted code use.
const RESERVED: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "Iterator",
    "ToString",
    "ToOwned",
    "Into",
    "From",
    "Eq",
    "PartialEq",
    "Ord",
    "PartialOrd",
    "Hash",
    "Debug",
    "Display",
    "Serialize",
    "Deserialize",
    "JsonSchema",
    "Value",
    "Map",
    "BTreeMap",
];

/// Builds the model. Warnings describe every fallback taken (never a failure).
pub fn build(doc: &Document) -> (Model, Vec<Diagnostic>) {
    let mut builder = convert::TypeBuilder::new(doc);
    let mut diagnostics = Vec::new();
    let described = http::describe(doc);
    let operations =
        operations::operations(doc, &described.endpoints, &mut builder, &mut diagnostics);
    let (mut types, type_diags) = builder.finish();
    diagnostics.extend(type_diags);
    cycles::break_cycles(&mut types);
    assign_idents(&mut types);
    let info = doc.root.get("info");
    let text = |k: &str| {
        info.and_then(|i| i.get(k))
            .and_then(Node::as_str)
            .unwrap_or("")
            .to_owned()
    };
    let examples = examples::collect(&doc.root, &types, &operations);
    let model = Model {
        title: text("title"),
        version: text("version"),
        types,
        operations,
        servers: servers(&doc.root),
        security_schemes: described.schemes,
        examples,
    };
    (model, diagnostics)
}

/// Spec names first (in document order), then suggested ones; collisions get `2`, `3`….
fn assign_idents(types: &mut [TypeDef]) {
    let mut scope = Scope::new();
    for r in RESERVED {
        scope.claim(r);
    }
    for pass in [true, false] {
        for t in types.iter_mut() {
            if matches!(t.origin, Name::Required(_)) == pass {
                let ident = names::pascal(t.origin.text());
                let ident = match t.origin {
                    Name::Required(_) => ident,
                    Name::Suggested(_) => names::capped(&ident),
                };
                t.ident = scope.claim(&ident);
            }
        }
    }
}

fn servers(root: &Node) -> Vec<Server> {
    let Some(list) = root.get("servers").and_then(Node::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|s| {
            let mut url = s.get("url")?.as_str()?.to_owned();
            if let Some(vars) = s.get("variables").and_then(Node::as_object) {
                for (name, var) in vars.iter() {
                    if let Some(default) = var.get("default").and_then(Node::as_str) {
                        url = url.replace(&format!("{{{name}}}"), default);
                    }
                }
            }
            let description = s
                .get("description")
                .and_then(Node::as_str)
                .map(str::to_owned);
            Some(Server {
                url: url.trim_end_matches('/').to_owned(),
                description,
            })
        })
        .collect()
}
