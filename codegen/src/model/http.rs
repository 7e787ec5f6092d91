//! The HTTP facts of every operation, read from the document once: parameters (path item
//! and operation merged, each with its style, explode and the shape of its value), request
//! and response bodies with every documented media type, response headers, and security
//! (alternatives of requirement sets over the document's schemes).
//!
//! Nothing here names a Rust type: this is what the generated client, the generated router
//! (through the statics emitted from it) and the contract validator all read, so none of
//! them parses an operation again.

use super::names;
use crate::load::Document;
use crate::load::node::Node;
use crate::load::openapi::{self, OperationRef};
use crate::load::pointer::JsonPointer;
use crate::load::refs;
use openapi_runtime::operation as op;
pub use openapi_runtime::operation::{BodyKind, KeyLocation, Location, Scalar, Shape, Style};
use std::borrow::Cow;

/// One parameter.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParamSpec {
    /// Name on the wire.
    pub wire: String,
    /// Where it goes.
    pub location: Location,
    /// Required by the spec (path parameters always are).
    pub required: bool,
    /// Serialization style.
    pub style: Style,
    /// `explode`.
    pub explode: bool,
    /// The structure of its value.
    pub shape: Shape,
    /// Its schema (or its content's schema), when it has one that resolves.
    pub schema: Option<JsonPointer>,
    /// The Parameter Object.
    pub pointer: JsonPointer,
    /// `description`.
    pub doc: Option<String>,
}

/// One documented media type of a body.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MediaSpec {
    /// The media type (or range) as written.
    pub media: String,
    /// How it is encoded.
    pub kind: BodyKind,
    /// Its schema, when it has one.
    pub schema: Option<JsonPointer>,
    /// Form bodies: each property's shape (how `a=1&b[]=x` is read); empty otherwise.
    pub fields: Vec<(String, Shape)>,
    /// The Media Type Object (where its `example` and `examples` are).
    pub pointer: JsonPointer,
}

/// A request body.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RequestBody {
    /// `required`.
    pub required: bool,
    /// Documented media types, in document order.
    pub content: Vec<MediaSpec>,
    /// The Request Body Object (`$ref` resolved).
    pub pointer: JsonPointer,
}

impl RequestBody {
    /// The media type typed code uses: JSON first, then form, text, bytes.
    pub fn preferred(&self) -> Option<&MediaSpec> {
        preferred(&self.content)
    }
}

/// The media type typed code reads or writes among several: JSON, form, text, bytes.
pub fn preferred(content: &[MediaSpec]) -> Option<&MediaSpec> {
    content.iter().min_by_key(|m| match m.kind {
        BodyKind::Json => 0,
        BodyKind::Form => 1,
        BodyKind::Text => 2,
        BodyKind::Bytes => 3,
    })
}

/// A response status key.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Status {
    /// An exact code.
    Code(u16),
    /// `4XX`: the leading digit.
    Range(u16),
    /// `default`.
    Default,
}

impl Status {
    /// Parses a `responses` key (`200`, `4XX`, `default`).
    pub fn parse(key: &str) -> Option<Status> {
        if key == "default" {
            return Some(Status::Default);
        }
        let b = key.as_bytes();
        if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) {
            if b[1] == b'X' && b[2] == b'X' {
                return Some(Status::Range(u16::from(b[0] - b'0')));
            }
            return key.parse().ok().map(Status::Code);
        }
        None
    }

    /// Whether an actual status falls under this key.
    pub fn covers(self, status: u16) -> bool {
        match self {
            Status::Code(c) => c == status,
            Status::Range(d) => status / 100 == d,
            Status::Default => true,
        }
    }
}

/// A documented response header.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HeaderSpec {
    /// Its name.
    pub name: String,
    /// `required`.
    pub required: bool,
    /// Its schema, when it has one.
    pub schema: Option<JsonPointer>,
}

/// One documented response.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResponseSpec {
    /// The status key.
    pub status: Status,
    /// The key as written (`201`, `4XX`, `default`).
    pub key: String,
    /// Its media types, or `None` when the response's `$ref` does not resolve.
    pub content: Option<Vec<MediaSpec>>,
    /// Documented headers (`Content-Type` excluded, as OpenAPI says).
    pub headers: Vec<HeaderSpec>,
    /// `description`.
    pub doc: Option<String>,
}

/// A security scheme as the document defines it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum SchemeKind {
    /// `http` with `scheme: bearer`.
    Bearer,
    /// `http` with `scheme: basic`.
    Basic,
    /// `http` with another scheme (`digest`…).
    Http(String),
    /// `apiKey`.
    ApiKey {
        /// Header, parameter or cookie name.
        name: String,
        /// Where.
        location: KeyLocation,
    },
    /// `oauth2`: a bearer token on the wire.
    OAuth2,
    /// `openIdConnect`: a bearer token on the wire.
    OpenIdConnect,
    /// `mutualTLS`: not visible in HTTP, taken as present (the TLS layer checked it).
    MutualTls,
    /// A type OpenAPI does not define: no request can satisfy it (lint reports it).
    Unknown(String),
}

impl SchemeKind {
    /// Whether the credential is a bearer token (`Authorization: Bearer …`).
    pub fn is_bearer(&self) -> bool {
        matches!(
            self,
            SchemeKind::Bearer | SchemeKind::OAuth2 | SchemeKind::OpenIdConnect
        )
    }
}

/// A security scheme of the document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct SecurityScheme {
    /// Its name under `components/securitySchemes`.
    pub name: String,
    /// How it travels.
    pub kind: SchemeKind,
    /// `description`.
    pub doc: Option<String>,
}

/// The HTTP facts of one operation.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Endpoint {
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// The Operation Object.
    pub pointer: JsonPointer,
    /// `operationId`.
    pub operation_id: Option<String>,
    /// `tags`, in document order.
    pub tags: Vec<String>,
    /// Parameters: the operation's, then the path item's it does not override; sorted by
    /// location (path, query, header, cookie), stable within one.
    pub params: Vec<ParamSpec>,
    /// The request body.
    pub body: Option<RequestBody>,
    /// Documented responses: codes ascending, ranges, then `default`.
    pub responses: Vec<ResponseSpec>,
    /// Security alternatives (any one), each a set of schemes (all), as indices into
    /// [`Http::schemes`]. Empty: none. An empty set: optional.
    pub security: Vec<Vec<usize>>,
    /// `deprecated: true`.
    pub deprecated: bool,
}

impl Endpoint {
    /// `METHOD /template`.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// The runtime's description of this operation (what a generated crate's static holds),
    /// built at run time: for checking requests against a spec that was not generated.
    /// `schemes` is [`Http::runtime_schemes`].
    pub fn describe(&self, schemes: &[op::Scheme]) -> op::Operation {
        let fragment = |p: &Option<JsonPointer>| {
            Cow::Owned(p.as_ref().map(JsonPointer::fragment).unwrap_or_default())
        };
        let media = |m: &MediaSpec| op::Media {
            media: Cow::Owned(m.media.clone()),
            kind: m.kind,
            schema: fragment(&m.schema),
            fields: Cow::Owned(
                m.fields
                    .iter()
                    .map(|(n, s)| (Cow::Owned(n.clone()), s.clone()))
                    .collect(),
            ),
        };
        let params: Vec<op::Param> = self
            .params
            .iter()
            .map(|p| op::Param {
                name: Cow::Owned(p.wire.clone()),
                location: p.location,
                required: p.required,
                style: p.style,
                explode: p.explode,
                shape: p.shape.clone(),
                schema: fragment(&p.schema),
            })
            .collect();
        let security = self
            .security
            .iter()
            .map(|set| {
                Cow::Owned(
                    set.iter()
                        .map(|i| u16::try_from(*i).unwrap_or(u16::MAX))
                        .collect(),
                )
            })
            .collect();
        op::Operation {
            method: Cow::Owned(self.method.clone()),
            path: Cow::Owned(self.path.clone()),
            params: Cow::Owned(params),
            body: self.body.as_ref().map(|b| op::Body {
                required: b.required,
                media: Cow::Owned(b.content.iter().map(media).collect()),
            }),
            schemes: Cow::Owned(schemes.to_vec()),
            security: Cow::Owned(security),
        }
    }
}

impl SecurityScheme {
    /// How the runtime sees this scheme: bearer for http bearer, oauth2 and openIdConnect;
    /// `Other` for what HTTP cannot show.
    pub fn runtime_kind(&self) -> op::SchemeKind {
        match &self.kind {
            k if k.is_bearer() => op::SchemeKind::Bearer,
            SchemeKind::Basic => op::SchemeKind::Basic,
            SchemeKind::Http(scheme) => op::SchemeKind::Http(Cow::Owned(scheme.clone())),
            SchemeKind::ApiKey { name, location } => op::SchemeKind::ApiKey {
                name: Cow::Owned(name.clone()),
                location: *location,
            },
            _ => op::SchemeKind::Other,
        }
    }
}

impl Http {
    /// The runtime's scheme table (indices as in [`Endpoint::security`]).
    pub fn runtime_schemes(&self) -> Vec<op::Scheme> {
        self.schemes
            .iter()
            .map(|s| op::Scheme {
                name: Cow::Owned(s.name.clone()),
                kind: s.runtime_kind(),
            })
            .collect()
    }
}

/// Every operation under `paths` (webhooks are described, not called) and the schemes
/// their security refers to.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Http {
    /// The document's security schemes, in document order.
    pub schemes: Vec<SecurityScheme>,
    /// The operations, in document order.
    pub endpoints: Vec<Endpoint>,
}

impl Http {
    /// The description as compact JSON (one line): what a mock prepared in one process
    /// hands to the one that serves it.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads what [`Http::to_json`] wrote.
    pub fn from_json(text: &str) -> Result<Http, String> {
        serde_json::from_str(text).map_err(|e| format!("operations: {e}"))
    }
}

/// Reads the HTTP facts of a document.
pub fn describe(doc: &Document) -> Http {
    let root = &doc.root;
    let schemes = schemes(root);
    let endpoints = openapi::operations(root)
        .into_iter()
        .filter(|o| !o.webhook)
        .map(|op| endpoint(doc, &op, &schemes))
        .collect();
    Http { schemes, endpoints }
}

fn text(node: &Node, key: &str) -> Option<String> {
    node.get(key)
        .and_then(Node::as_str)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn schemes(root: &Node) -> Vec<SecurityScheme> {
    let at = JsonPointer::from_tokens(["components", "securitySchemes"]);
    let Some(obj) = root.pointer(&at).and_then(Node::as_object) else {
        return Vec::new();
    };
    obj.iter()
        .filter_map(|(name, node)| {
            let (scheme, _) = refs::resolve_chain(root, node, &at.child(name)).ok()?;
            let kind = match scheme.get("type").and_then(Node::as_str).unwrap_or("") {
                "http" => {
                    let http = scheme
                        .get("scheme")
                        .and_then(Node::as_str)
                        .unwrap_or("")
                        .to_owned();
                    match http.to_ascii_lowercase().as_str() {
                        "bearer" => SchemeKind::Bearer,
                        "basic" => SchemeKind::Basic,
                        "" => SchemeKind::Bearer,
                        _ => SchemeKind::Http(http),
                    }
                }
                "apiKey" => SchemeKind::ApiKey {
                    name: scheme
                        .get("name")
                        .and_then(Node::as_str)
                        .unwrap_or("X-API-Key")
                        .to_owned(),
                    location: match scheme.get("in").and_then(Node::as_str) {
                        Some("query") => KeyLocation::Query,
                        Some("cookie") => KeyLocation::Cookie,
                        _ => KeyLocation::Header,
                    },
                },
                "oauth2" => SchemeKind::OAuth2,
                "openIdConnect" => SchemeKind::OpenIdConnect,
                "mutualTLS" => SchemeKind::MutualTls,
                other => SchemeKind::Unknown(other.to_owned()),
            };
            Some(SecurityScheme {
                name: name.to_owned(),
                kind,
                doc: text(scheme, "description"),
            })
        })
        .collect()
}

fn endpoint(doc: &Document, op: &OperationRef<'_>, schemes: &[SecurityScheme]) -> Endpoint {
    let root = &doc.root;
    Endpoint {
        method: op.method.to_uppercase(),
        path: op.path.to_owned(),
        pointer: op.pointer.clone(),
        operation_id: text(op.node, "operationId"),
        tags: op
            .node
            .get("tags")
            .and_then(Node::as_array)
            .map(|t| {
                t.iter()
                    .filter_map(Node::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        params: params(doc, op),
        body: request_body(root, op),
        responses: responses(root, op),
        security: security(root, op.node, schemes),
        deprecated: op.node.get("deprecated").and_then(Node::as_bool) == Some(true),
    }
}

fn params(doc: &Document, op: &OperationRef<'_>) -> Vec<ParamSpec> {
    let root = &doc.root;
    let mut out = Vec::new();
    for p in openapi::effective_params(root, op) {
        let location = match p.location {
            "path" => Location::Path,
            "query" => Location::Query,
            "header" => Location::Header,
            "cookie" => Location::Cookie,
            _ => continue,
        };
        // OpenAPI: header parameters named Accept, Content-Type or Authorization are ignored.
        if location == Location::Header
            && ["authorization", "accept", "content-type"]
                .contains(&p.name.to_ascii_lowercase().as_str())
        {
            continue;
        }
        let style = match p.node.get("style").and_then(Node::as_str) {
            Some("deepObject") => Style::DeepObject,
            Some("spaceDelimited") => Style::SpaceDelimited,
            Some("pipeDelimited") => Style::PipeDelimited,
            Some("label") => Style::Label,
            Some("matrix") => Style::Matrix,
            Some("form") => Style::Form,
            Some("simple") => Style::Simple,
            _ if matches!(location, Location::Query | Location::Cookie) => Style::Form,
            _ => Style::Simple,
        };
        let explode = p
            .node
            .get("explode")
            .and_then(Node::as_bool)
            .unwrap_or(style == Style::Form);
        let required = location == Location::Path
            || p.node.get("required").and_then(Node::as_bool) == Some(true);
        let (schema, shape) = if p.node.get("schema").is_some() {
            let at = p.pointer.child("schema");
            let shape = root
                .pointer(&at)
                .map_or(Shape::Scalar(Scalar::String), |n| shape_of(root, n, &at));
            (Some(at), shape)
        } else {
            let content = p
                .node
                .get("content")
                .and_then(Node::as_object)
                .and_then(|c| c.iter().next());
            let at =
                content.map(|(media, _)| p.pointer.child("content").child(media).child("schema"));
            (at, Shape::Json)
        };
        out.push(ParamSpec {
            wire: p.name.to_owned(),
            location,
            required,
            style,
            explode,
            shape,
            schema: schema.filter(|s| root.pointer(s).is_some()),
            pointer: p.pointer.clone(),
            doc: text(p.node, "description"),
        });
    }
    out.sort_by_key(|p| p.location);
    out
}

/// Follows `$ref`s from a schema node.
fn resolved<'a>(root: &'a Node, node: &'a Node, at: &JsonPointer) -> Option<&'a Node> {
    refs::resolve_chain(root, node, at).ok().map(|(n, _)| n)
}

/// The one scalar type a schema allows (ignoring `null`), else `String` (no coercion).
fn scalar_of(root: &Node, node: &Node, at: &JsonPointer, depth: usize) -> Option<Scalar> {
    let node = resolved(root, node, at)?;
    let types: Vec<&str> = match node.get("type") {
        Some(t) => match t.as_str() {
            Some(one) => vec![one],
            None => t
                .as_array()
                .map(|a| a.iter().filter_map(Node::as_str).collect())
                .unwrap_or_default(),
        },
        None => Vec::new(),
    };
    let non_null: Vec<&str> = types.into_iter().filter(|t| *t != "null").collect();
    match non_null.as_slice() {
        ["boolean"] => Some(Scalar::Boolean),
        ["integer"] => Some(Scalar::Integer),
        ["number"] => Some(Scalar::Number),
        ["string"] => Some(Scalar::String),
        [] if depth < 8 => {
            // `anyOf: [X, {type: null}]` and `allOf: [X]` wrappers.
            for key in ["anyOf", "oneOf", "allOf"] {
                let Some(branches) = node.get(key).and_then(Node::as_array) else {
                    continue;
                };
                let found: Vec<Scalar> = branches
                    .iter()
                    .filter(|b| b.get("type").and_then(Node::as_str) != Some("null"))
                    .filter_map(|b| scalar_of(root, b, at, depth + 1))
                    .collect();
                if let [one] = found.as_slice() {
                    return Some(*one);
                }
            }
            None
        }
        _ => None,
    }
}

fn shape_of(root: &Node, node: &Node, at: &JsonPointer) -> Shape {
    let Some(schema) = resolved(root, node, at) else {
        return Shape::Scalar(Scalar::String);
    };
    let is = |t: &str| match schema.get("type") {
        Some(n) => {
            n.as_str() == Some(t)
                || n.as_array()
                    .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(t)))
        }
        None => false,
    };
    if is("array") || schema.get("items").is_some() && schema.get("type").is_none() {
        let item = schema
            .get("items")
            .and_then(|i| scalar_of(root, i, at, 0))
            .unwrap_or(Scalar::String);
        return Shape::Array(item);
    }
    if is("object") || schema.get("properties").is_some() && schema.get("type").is_none() {
        let fields: Vec<(op::Text, Scalar)> = schema
            .get("properties")
            .and_then(Node::as_object)
            .map(|props| {
                props
                    .iter()
                    .map(|(k, v)| {
                        let scalar = scalar_of(root, v, at, 0).unwrap_or(Scalar::String);
                        (Cow::Owned(k.to_owned()), scalar)
                    })
                    .collect()
            })
            .unwrap_or_default();
        return Shape::Object(Cow::Owned(fields));
    }
    Shape::Scalar(scalar_of(root, schema, at, 0).unwrap_or(Scalar::String))
}

/// The media types of a Request Body or Response at `holder_at`.
fn content(root: &Node, holder: &Node, holder_at: &JsonPointer) -> Vec<MediaSpec> {
    let at = holder_at.child("content");
    let Some(obj) = holder.get("content").and_then(Node::as_object) else {
        return Vec::new();
    };
    obj.iter()
        .map(|(media, node)| {
            let kind = BodyKind::of(media);
            let schema_at = at.child(media).child("schema");
            let fields = match (kind, node.get("schema")) {
                (BodyKind::Form, Some(schema)) => form_fields(root, schema, &schema_at),
                _ => Vec::new(),
            };
            MediaSpec {
                media: media.to_owned(),
                kind,
                schema: node.get("schema").map(|_| schema_at),
                fields,
                pointer: at.child(media),
            }
        })
        .collect()
}

/// The shape of each property of a form body's schema (through `$ref`s and `allOf`).
fn form_fields(root: &Node, schema: &Node, at: &JsonPointer) -> Vec<(String, Shape)> {
    let mut out: Vec<(String, Shape)> = Vec::new();
    let mut stack = vec![(schema, 0)];
    while let Some((node, depth)) = stack.pop() {
        let Some(node) = resolved(root, node, at) else {
            continue;
        };
        if let Some(props) = node.get("properties").and_then(Node::as_object) {
            for (name, prop) in props.iter() {
                if !out.iter().any(|(n, _)| n == name) {
                    out.push((name.to_owned(), shape_of(root, prop, at)));
                }
            }
        }
        if depth < 8
            && let Some(branches) = node.get("allOf").and_then(Node::as_array)
        {
            stack.extend(branches.iter().map(|b| (b, depth + 1)));
        }
    }
    out
}

fn request_body(root: &Node, op: &OperationRef<'_>) -> Option<RequestBody> {
    let node = op.node.get("requestBody")?;
    let (body, at) = refs::resolve_chain(root, node, &op.pointer.child("requestBody")).ok()?;
    Some(RequestBody {
        required: body.get("required").and_then(Node::as_bool) == Some(true),
        content: content(root, body, &at),
        pointer: at,
    })
}

fn responses(root: &Node, op: &OperationRef<'_>) -> Vec<ResponseSpec> {
    let at = op.pointer.child("responses");
    let Some(obj) = op.node.get("responses").and_then(Node::as_object) else {
        return Vec::new();
    };
    let mut out: Vec<ResponseSpec> = obj
        .iter()
        .filter_map(|(key, node)| {
            let status = Status::parse(key)?;
            let resolved = refs::resolve_chain(root, node, &at.child(key)).ok();
            let headers = resolved
                .as_ref()
                .map(|(r, r_at)| headers(root, r, r_at))
                .unwrap_or_default();
            Some(ResponseSpec {
                status,
                key: key.to_owned(),
                content: resolved.as_ref().map(|(r, r_at)| content(root, r, r_at)),
                headers,
                doc: resolved.and_then(|(r, _)| text(r, "description")),
            })
        })
        .collect();
    out.sort_by_key(|r| r.status);
    out
}

fn headers(root: &Node, response: &Node, at: &JsonPointer) -> Vec<HeaderSpec> {
    let at = at.child("headers");
    let Some(obj) = response.get("headers").and_then(Node::as_object) else {
        return Vec::new();
    };
    obj.iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("content-type"))
        .filter_map(|(name, node)| {
            let (header, header_at) = refs::resolve_chain(root, node, &at.child(name)).ok()?;
            Some(HeaderSpec {
                name: name.to_owned(),
                required: header.get("required").and_then(Node::as_bool) == Some(true),
                schema: header.get("schema").map(|_| header_at.child("schema")),
            })
        })
        .collect()
}

/// A scheme index no table has: a set holding it can never be satisfied.
pub const UNSATISFIABLE: usize = usize::MAX;

/// The operation's `security`, else the document's: alternatives of scheme sets. A set that
/// names a scheme the document does not define, or one of a type OpenAPI does not know, can
/// never be satisfied ([`UNSATISFIABLE`]; lint reports both): a typo in a scheme name must
/// lock the operation, not open it.
fn security(root: &Node, op: &Node, schemes: &[SecurityScheme]) -> Vec<Vec<usize>> {
    let requirements = op.get("security").or_else(|| root.get("security"));
    let Some(alternatives) = requirements.and_then(Node::as_array) else {
        return Vec::new();
    };
    let mut out: Vec<Vec<usize>> = Vec::new();
    for alternative in alternatives {
        let Some(obj) = alternative.as_object() else {
            continue;
        };
        let set: Vec<usize> = obj
            .iter()
            .map(|(name, _)| {
                schemes
                    .iter()
                    .position(|s| s.name == name && !matches!(s.kind, SchemeKind::Unknown(_)))
                    .unwrap_or(UNSATISFIABLE)
            })
            .collect();
        if !out.contains(&set) {
            out.push(set);
        }
    }
    out
}

/// `GET /connections/{connectionId}` → `get_connections_by_connection_id`.
pub fn synthesized_name(method: &str, path: &str) -> String {
    let mut words = vec![method.to_ascii_lowercase()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by_{}", names::snake(param))),
            None => words.push(names::snake(segment)),
        }
    }
    words.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::{Input, load};

    fn http(yaml: &str) -> Http {
        let loaded = load(Input::new("t.yaml", yaml), vec![]);
        describe(loaded.document.as_ref().unwrap())
    }

    #[test]
    fn parameters_merge_and_take_their_shapes() {
        let h = http(
            "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    parameters:\n      - {name: id, in: path, required: true, schema: {type: integer}}\n      - {name: q, in: query, schema: {type: string}}\n    get:\n      parameters:\n        - {name: q, in: query, schema: {type: array, items: {type: boolean}}, explode: false}\n        - {name: o, in: query, style: deepObject, schema: {type: object, properties: {n: {type: [number, 'null']}}}}\n        - {name: Accept, in: header, schema: {type: string}}\n        - {name: j, in: cookie, content: {application/json: {schema: {type: object}}}}\n      responses:\n        '200': {description: ok, headers: {X-Rate: {schema: {type: integer}, required: true}}}\n        4XX: {description: client}\n",
        );
        let e = &h.endpoints[0];
        let names: Vec<(&str, Location)> = e
            .params
            .iter()
            .map(|p| (p.wire.as_str(), p.location))
            .collect();
        assert_eq!(
            names,
            [
                ("id", Location::Path),
                ("q", Location::Query),
                ("o", Location::Query),
                ("j", Location::Cookie)
            ]
        );
        assert_eq!(e.params[0].shape, Shape::Scalar(Scalar::Integer));
        assert_eq!(
            (&e.params[1].shape, e.params[1].explode),
            (&Shape::Array(Scalar::Boolean), false)
        );
        assert_eq!(
            e.params[2].shape,
            Shape::Object(Cow::Owned(vec![("n".into(), Scalar::Number)]))
        );
        assert_eq!(e.params[2].style, Style::DeepObject);
        assert_eq!(e.params[3].shape, Shape::Json);
        assert!(e.params[3].schema.is_some());
        assert_eq!(e.responses[0].headers[0].name, "X-Rate");
        assert_eq!(e.responses[1].status, Status::Range(4));
        assert!(Status::Range(4).covers(404) && !Status::Range(4).covers(500));
    }

    #[test]
    fn security_is_alternatives_of_sets() {
        let h = http(
            "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nsecurity: [{bearer: []}]\npaths:\n  /a:\n    get:\n      security: [{key: [], session: []}, {oauth: [read]}, {}, {missing: []}]\n      responses: {'200': {description: ok}}\n  /b:\n    get:\n      responses: {'200': {description: ok}}\ncomponents:\n  securitySchemes:\n    bearer: {type: http, scheme: bearer}\n    key: {type: apiKey, in: header, name: X-Key}\n    session: {type: apiKey, in: cookie, name: sid}\n    oauth: {type: oauth2, flows: {}}\n",
        );
        assert_eq!(h.schemes.len(), 4);
        // `{missing: []}` names no scheme: that alternative can never be met.
        assert_eq!(
            h.endpoints[0].security,
            vec![vec![1, 2], vec![3], vec![], vec![UNSATISFIABLE]]
        );
        assert_eq!(h.endpoints[1].security, vec![vec![0]]);
        assert!(h.schemes[3].kind.is_bearer());
        assert_eq!(
            h.schemes[2].kind,
            SchemeKind::ApiKey {
                name: "sid".into(),
                location: KeyLocation::Cookie
            }
        );
    }

    #[test]
    fn names_and_statuses() {
        assert_eq!(
            synthesized_name("get", "/connections/{connectionId}"),
            "get_connections_by_connection_id"
        );
        assert_eq!(Status::parse("4XX"), Some(Status::Range(4)));
        assert_eq!(Status::parse("2xx"), None);
        assert_eq!(Status::parse("default"), Some(Status::Default));
    }
}
