//! The OpenAPI structure: which positions of a document hold a Path Item, an Operation, a
//! Parameter, a Schema… One walker knows this; lint and the model both use it.

use super::node::Node;
use super::pointer::JsonPointer;
use super::refs;

/// HTTP methods a Path Item may hold, in the order OpenAPI lists them.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The kind of OpenAPI object a position holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Slot {
    /// Path Item Object.
    PathItem,
    /// Operation Object.
    Operation,
    /// Parameter Object.
    Parameter,
    /// Request Body Object.
    RequestBody,
    /// Response Object.
    Response,
    /// Media Type Object.
    MediaType,
    /// Header Object.
    Header,
    /// Example Object.
    Example,
    /// Link Object.
    Link,
    /// Callback Object.
    Callback,
    /// Security Scheme Object.
    SecurityScheme,
    /// Encoding Object.
    Encoding,
    /// Schema Object (the walker does not descend into schemas; see `schema`).
    Schema,
}

impl Slot {
    /// The name OpenAPI uses, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Slot::PathItem => "Path Item",
            Slot::Operation => "Operation",
            Slot::Parameter => "Parameter",
            Slot::RequestBody => "Request Body",
            Slot::Response => "Response",
            Slot::MediaType => "Media Type",
            Slot::Header => "Header",
            Slot::Example => "Example",
            Slot::Link => "Link",
            Slot::Callback => "Callback",
            Slot::SecurityScheme => "Security Scheme",
            Slot::Encoding => "Encoding",
            Slot::Schema => "Schema",
        }
    }

    /// The `components` section whose entries have this kind, if any.
    pub fn component_section(self) -> Option<&'static str> {
        Some(match self {
            Slot::PathItem => "pathItems",
            Slot::Parameter => "parameters",
            Slot::RequestBody => "requestBodies",
            Slot::Response => "responses",
            Slot::Header => "headers",
            Slot::Example => "examples",
            Slot::Link => "links",
            Slot::Callback => "callbacks",
            Slot::SecurityScheme => "securitySchemes",
            Slot::Schema => "schemas",
            Slot::Operation | Slot::MediaType | Slot::Encoding => return None,
        })
    }
}

/// Receives every typed position of a document.
pub trait Visitor<'a> {
    /// Called once per position, whatever the node holds (object, `$ref`, or a wrong kind).
    fn visit(&mut self, slot: Slot, node: &'a Node, pointer: &JsonPointer);
}

/// Walks the whole document: paths, webhooks and every components section.
pub fn walk<'a>(root: &'a Node, visitor: &mut impl Visitor<'a>) {
    let top = JsonPointer::root();
    let mut w = Walker { visitor };
    for section in ["paths", "webhooks"] {
        w.map(root.get(section), &top.child(section), Slot::PathItem);
    }
    let components = top.child("components");
    if let Some(c) = root.get("components") {
        for slot in [
            Slot::Schema,
            Slot::Response,
            Slot::Parameter,
            Slot::Example,
            Slot::RequestBody,
            Slot::Header,
            Slot::SecurityScheme,
            Slot::Link,
            Slot::Callback,
            Slot::PathItem,
        ] {
            if let Some(section) = slot.component_section() {
                w.map(c.get(section), &components.child(section), slot);
            }
        }
    }
}

struct Walker<'v, V> {
    visitor: &'v mut V,
}

impl<'a, V: Visitor<'a>> Walker<'_, V> {
    fn map(&mut self, node: Option<&'a Node>, at: &JsonPointer, slot: Slot) {
        let Some(obj) = node.and_then(Node::as_object) else {
            return;
        };
        for (key, child) in obj.iter() {
            self.slot(slot, child, at.child(key));
        }
    }

    fn list(&mut self, node: Option<&'a Node>, at: &JsonPointer, slot: Slot) {
        let Some(items) = node.and_then(Node::as_array) else {
            return;
        };
        for (i, child) in items.iter().enumerate() {
            self.slot(slot, child, at.index(i));
        }
    }

    fn one(&mut self, node: Option<&'a Node>, at: JsonPointer, slot: Slot) {
        if let Some(n) = node {
            self.slot(slot, n, at);
        }
    }

    fn slot(&mut self, slot: Slot, node: &'a Node, at: JsonPointer) {
        self.visitor.visit(slot, node, &at);
        if node.as_object().is_none() || slot == Slot::Schema {
            return;
        }
        // A Reference Object stands for the whole position (Path Items may add fields).
        if refs::ref_of(node).is_some() && slot != Slot::PathItem {
            return;
        }
        let get = |k: &str| node.get(k);
        match slot {
            Slot::PathItem => {
                self.list(get("parameters"), &at.child("parameters"), Slot::Parameter);
                for method in METHODS {
                    self.one(get(method), at.child(method), Slot::Operation);
                }
            }
            Slot::Operation => {
                self.list(get("parameters"), &at.child("parameters"), Slot::Parameter);
                self.one(
                    get("requestBody"),
                    at.child("requestBody"),
                    Slot::RequestBody,
                );
                self.map(get("responses"), &at.child("responses"), Slot::Response);
                self.map(get("callbacks"), &at.child("callbacks"), Slot::Callback);
            }
            Slot::Callback => {
                if let Some(obj) = node.as_object() {
                    for (expression, item) in obj.iter().filter(|(k, _)| !k.starts_with("x-")) {
                        self.slot(Slot::PathItem, item, at.child(expression));
                    }
                }
            }
            Slot::Parameter | Slot::Header => {
                self.one(get("schema"), at.child("schema"), Slot::Schema);
                self.map(get("content"), &at.child("content"), Slot::MediaType);
                self.map(get("examples"), &at.child("examples"), Slot::Example);
            }
            Slot::RequestBody => self.map(get("content"), &at.child("content"), Slot::MediaType),
            Slot::Response => {
                self.map(get("headers"), &at.child("headers"), Slot::Header);
                self.map(get("content"), &at.child("content"), Slot::MediaType);
                self.map(get("links"), &at.child("links"), Slot::Link);
            }
            Slot::MediaType => {
                self.one(get("schema"), at.child("schema"), Slot::Schema);
                self.map(get("examples"), &at.child("examples"), Slot::Example);
                self.map(get("encoding"), &at.child("encoding"), Slot::Encoding);
            }
            Slot::Encoding => self.map(get("headers"), &at.child("headers"), Slot::Header),
            Slot::Example | Slot::Link | Slot::SecurityScheme | Slot::Schema => {}
        }
    }
}

/// One operation of the document, with what is needed to talk about it.
#[derive(Clone, Debug)]
pub struct OperationRef<'a> {
    /// The path template (or webhook name).
    pub path: &'a str,
    /// Lower-case HTTP method.
    pub method: &'static str,
    /// Where the Operation Object is (after following a Path Item `$ref`).
    pub pointer: JsonPointer,
    /// The Operation Object.
    pub node: &'a Node,
    /// The Path Item holding it.
    pub path_item: &'a Node,
    /// Where the Path Item entry is written under `paths`/`webhooks`.
    pub entry_pointer: JsonPointer,
    /// Whether it comes from `webhooks` rather than `paths`.
    pub webhook: bool,
}

/// Every operation under `paths` and `webhooks`, in document order.
pub fn operations(root: &Node) -> Vec<OperationRef<'_>> {
    let mut out = Vec::new();
    for (section, webhook) in [("paths", false), ("webhooks", true)] {
        let Some(obj) = root.get(section).and_then(Node::as_object) else {
            continue;
        };
        for (path, entry) in obj.iter() {
            let entry_pointer = JsonPointer::from_tokens([section, path]);
            let Ok((item, item_pointer)) = refs::resolve_chain(root, entry, &entry_pointer) else {
                continue;
            };
            // A `$ref`'d Path Item may carry operations next to the `$ref`; those win.
            for method in METHODS {
                let (holder, holder_pointer) = match entry.get(method) {
                    Some(_) => (entry, &entry_pointer),
                    None => (item, &item_pointer),
                };
                let Some(op) = holder.get(method) else {
                    continue;
                };
                out.push(OperationRef {
                    path,
                    method,
                    pointer: holder_pointer.child(method),
                    node: op,
                    path_item: holder,
                    entry_pointer: entry_pointer.clone(),
                    webhook,
                });
            }
        }
    }
    out
}

/// A parameter an operation or its path item declares, `$ref` resolved.
#[derive(Clone, Debug)]
pub struct DeclaredParam<'a> {
    /// `name`.
    pub name: &'a str,
    /// `in` (`path`, `query`, `header`, `cookie`, or whatever the document says).
    pub location: &'a str,
    /// The Parameter Object.
    pub node: &'a Node,
    /// Where it is declared (the list item, possibly a `$ref`).
    pub declared_at: JsonPointer,
    /// Where the Parameter Object itself is (the `$ref` target).
    pub pointer: JsonPointer,
}

/// The parameters an operation's path item and the operation itself declare, each list in
/// document order; unresolvable entries and entries without `name`/`in` are skipped (lint
/// reports them).
pub fn declared_params<'a>(root: &'a Node, op: &OperationRef<'a>) -> [Vec<DeclaredParam<'a>>; 2] {
    let item_at = op.pointer.parent().unwrap_or_default();
    let list = |node: Option<&'a Node>, at: JsonPointer| -> Vec<DeclaredParam<'a>> {
        let Some(items) = node.and_then(Node::as_array) else {
            return Vec::new();
        };
        items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let declared_at = at.index(i);
                let (param, pointer) = refs::resolve_chain(root, item, &declared_at).ok()?;
                Some(DeclaredParam {
                    name: param.get("name")?.as_str()?,
                    location: param.get("in")?.as_str()?,
                    node: param,
                    declared_at,
                    pointer,
                })
            })
            .collect()
    };
    [
        list(op.path_item.get("parameters"), item_at.child("parameters")),
        list(op.node.get("parameters"), op.pointer.child("parameters")),
    ]
}

/// The parameters that apply to an operation: its own, then its path item's that it does
/// not override (same name and location), the first declaration of each pair winning.
pub fn effective_params<'a>(root: &'a Node, op: &OperationRef<'a>) -> Vec<DeclaredParam<'a>> {
    let [item, own] = declared_params(root, op);
    let mut out: Vec<DeclaredParam<'a>> = Vec::new();
    for p in own.into_iter().chain(item) {
        if !out
            .iter()
            .any(|o| o.name == p.name && o.location == p.location)
        {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::Span;
    use serde_json::json;

    struct Record(Vec<(Slot, String)>);
    impl Visitor<'_> for Record {
        fn visit(&mut self, slot: Slot, _: &Node, pointer: &JsonPointer) {
            self.0.push((slot, pointer.to_string()));
        }
    }

    #[test]
    fn walks_typed_positions_and_stops_at_refs() {
        let doc = Node::from_json(
            &json!({
                "paths": {"/a/{id}": {
                    "parameters": [{"$ref": "#/components/parameters/Id"}],
                    "get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "string"}}}}}}
                }},
                "webhooks": {"ping": {"post": {"requestBody": {"$ref": "#/components/requestBodies/B"}}}},
                "components": {"parameters": {"Id": {"name": "id", "in": "path", "schema": {"type": "string"}}}}
            }),
            Span::DETACHED,
        );
        let mut r = Record(Vec::new());
        walk(&doc, &mut r);
        let seen: Vec<String> =
            r.0.iter()
                .map(|(s, p)| format!("{} {p}", s.name()))
                .collect();
        assert_eq!(
            seen,
            [
                "Path Item #/paths/~1a~1{id}",
                "Parameter #/paths/~1a~1{id}/parameters/0",
                "Operation #/paths/~1a~1{id}/get",
                "Response #/paths/~1a~1{id}/get/responses/200",
                "Media Type #/paths/~1a~1{id}/get/responses/200/content/application~1json",
                "Schema #/paths/~1a~1{id}/get/responses/200/content/application~1json/schema",
                "Path Item #/webhooks/ping",
                "Operation #/webhooks/ping/post",
                "Request Body #/webhooks/ping/post/requestBody",
                "Parameter #/components/parameters/Id",
                "Schema #/components/parameters/Id/schema",
            ]
        );
        let ops = operations(&doc);
        assert_eq!(ops.len(), 2);
        assert!(ops[1].webhook);
    }
}
