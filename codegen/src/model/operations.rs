//! Operations: a name for each (its `operationId`, or one made from method + path),
//! typed parameters, a body, one response variant per documented status, and auth.

use super::convert::{TypeBuilder, hint_child};
use super::ir::{Ty, TypeKind};
use super::names::{self, Name, Scope};
use crate::diag::Diagnostic;
use crate::load::Document;
use crate::load::node::Node;
use crate::load::openapi::{self, OperationRef};
use crate::load::pointer::JsonPointer;
use crate::load::refs;

/// Where a parameter travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Location {
    /// In the path template.
    Path,
    /// In the query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

/// How a parameter value is serialized (OpenAPI `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// `simple` (path, header).
    Simple,
    /// `form` (query, cookie).
    Form,
    /// `deepObject`: `name[key]=value`.
    DeepObject,
    /// `spaceDelimited`
    SpaceDelimited,
    /// `pipeDelimited`
    PipeDelimited,
    /// `label`: `.value`
    Label,
    /// `matrix`: `;name=value`
    Matrix,
}

/// One parameter.
#[derive(Clone, Debug)]
pub struct Param {
    /// Rust field name.
    pub ident: String,
    /// Name on the wire.
    pub wire: String,
    /// Where it goes.
    pub location: Location,
    /// Its type (`Option` when not required).
    pub ty: Ty,
    /// Required by the spec.
    pub required: bool,
    /// Serialization style.
    pub style: Style,
    /// `explode`.
    pub explode: bool,
    /// Doc text.
    pub doc: Option<String>,
    /// Where its schema is in the document (for request validation).
    pub schema_pointer: Option<JsonPointer>,
}

/// How a body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    /// `application/json` and `+json` types.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `text/*`: a string.
    Text,
    /// Anything else: raw bytes with the media type.
    Bytes,
}

/// A request or response body.
#[derive(Clone, Debug)]
pub struct Body {
    /// The media type as written.
    pub media: String,
    /// How it is encoded.
    pub kind: BodyKind,
    /// The type (`Ty::Bytes`/`Ty::String` for raw bodies).
    pub ty: Ty,
    /// Request bodies: `required`.
    pub required: bool,
    /// Where its schema is in the document (for request validation).
    pub schema_pointer: Option<JsonPointer>,
}

/// A response status key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// An exact code.
    Code(u16),
    /// `4XX`: the leading digit.
    Range(u16),
    /// `default`.
    Default,
}

/// One documented response.
#[derive(Clone, Debug)]
pub struct Response {
    /// The status key.
    pub status: Status,
    /// Variant identifier in the operation's response enum.
    pub variant: String,
    /// The body, if the response documents one.
    pub body: Option<Body>,
    /// The response description.
    pub doc: Option<String>,
}

/// How an operation authenticates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Auth {
    /// No security requirement.
    None,
    /// `Authorization: Bearer <token>` (http bearer, oauth2, openIdConnect).
    Bearer,
    /// `Authorization: Basic …`.
    Basic,
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// Parameter name.
        name: String,
        /// Where it goes.
        location: Location,
    },
}

/// One operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Function name (snake case, unique).
    pub fn_name: String,
    /// Type-name prefix (Pascal case, unique).
    pub type_name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// The path template.
    pub path: String,
    /// Where it is in the document.
    pub pointer: JsonPointer,
    /// Summary and description.
    pub doc: Option<String>,
    /// Parameters: path ones first, then query, header, cookie (stable order).
    pub params: Vec<Param>,
    /// The request body.
    pub body: Option<Body>,
    /// Documented responses, ordered: codes ascending, ranges, then `default`.
    pub responses: Vec<Response>,
    /// Security requirement.
    pub auth: Auth,
}

/// Builds every operation of `paths` (webhooks are described, not called, so they get no client method).
pub fn operations(
    doc: &Document,
    types: &mut TypeBuilder<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Operation> {
    let root = &doc.root;
    let mut fn_scope = Scope::new();
    let mut type_scope = Scope::new();
    let mut out = Vec::new();
    for op in openapi::operations(root).into_iter().filter(|o| !o.webhook) {
        let base = match op.node.get("operationId").and_then(Node::as_str) {
            Some(id) => id.to_owned(),
            None => synthesized_name(op.method, op.path),
        };
        let fn_name = fn_scope.claim(&names::snake(&base));
        let type_name = type_scope.claim(&names::pascal(&base));
        let hint = Name::Suggested(type_name.clone());
        let params = params(root, &op, types, &hint, diagnostics);
        let body = request_body(root, &op, types, &hint);
        let responses = responses(root, &op, types, &hint);
        out.push(Operation {
            fn_name,
            type_name,
            method: op.method.to_uppercase(),
            path: op.path.to_owned(),
            pointer: op.pointer.clone(),
            doc: op_doc(op.node),
            params,
            body,
            responses,
            auth: auth(root, op.node),
        });
    }
    out
}

/// `GET /connections/{connectionId}` → `get_connections_by_connection_id`.
pub fn synthesized_name(method: &str, path: &str) -> String {
    let mut words = vec![method.to_owned()];
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(param) => words.push(format!("by_{}", names::snake(param))),
            None => words.push(names::snake(segment)),
        }
    }
    words.join("_")
}

fn op_doc(node: &Node) -> Option<String> {
    let parts: Vec<&str> = ["summary", "description"]
        .iter()
        .filter_map(|k| node.get(k).and_then(Node::as_str))
        .map(str::trim)
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

fn params(
    root: &Node,
    op: &OperationRef<'_>,
    types: &mut TypeBuilder<'_>,
    hint: &Name,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Param> {
    // Operation parameters override path-item ones with the same name and location.
    let mut declared: Vec<(JsonPointer, &Node)> = Vec::new();
    let item_at = op.pointer.parent().unwrap_or_default();
    for (list, at) in [
        (op.node.get("parameters"), op.pointer.child("parameters")),
        (op.path_item.get("parameters"), item_at.child("parameters")),
    ] {
        for (i, p) in list
            .and_then(Node::as_array)
            .unwrap_or(&[])
            .iter()
            .enumerate()
        {
            if let Ok((param, param_at)) = refs::resolve_chain(root, p, &at.index(i)) {
                let key = |n: &Node| {
                    (
                        n.get("name").and_then(Node::as_str).map(str::to_owned),
                        n.get("in").and_then(Node::as_str).map(str::to_owned),
                    )
                };
                if !declared.iter().any(|(_, d)| key(d) == key(param)) {
                    declared.push((param_at, param));
                }
            }
        }
    }
    let mut scope = Scope::new();
    let mut out = Vec::new();
    for (at, p) in declared {
        let (Some(wire), Some(location)) = (
            p.get("name").and_then(Node::as_str),
            p.get("in").and_then(Node::as_str),
        ) else {
            continue;
        };
        let location = match location {
            "path" => Location::Path,
            "query" => Location::Query,
            "header" => Location::Header,
            "cookie" => Location::Cookie,
            _ => continue,
        };
        // Auth headers are the client's job, not a parameter.
        if location == Location::Header
            && ["authorization", "accept", "content-type"]
                .contains(&wire.to_ascii_lowercase().as_str())
        {
            continue;
        }
        let style = match p.get("style").and_then(Node::as_str) {
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
            .get("explode")
            .and_then(Node::as_bool)
            .unwrap_or(style == Style::Form);
        let required =
            location == Location::Path || p.get("required").and_then(Node::as_bool) == Some(true);
        let param_hint = hint_child(hint, &names::pascal(wire));
        let schema_at = if p.get("schema").is_some() {
            Some(at.child("schema"))
        } else {
            p.get("content")
                .and_then(Node::as_object)
                .and_then(|c| c.iter().next())
                .map(|(media, _)| at.child("content").child(media).child("schema"))
        };
        let schema_at = schema_at.filter(|s| root.pointer(s).is_some());
        let ty = match &schema_at {
            Some(s) => types.ty_at(s, &param_hint),
            None => Ty::String,
        };
        let ty = match ty {
            // Parameters are strings on the wire; an object value needs deepObject/form to travel.
            Ty::Any => {
                diagnostics.push(
                    Diagnostic::warning(
                        "codegen-fallback",
                        format!("parameter `{wire}` has no usable schema; typed as String"),
                    )
                    .at(at.clone(), p.span)
                    .help("give the parameter a `schema`"),
                );
                Ty::String
            }
            other => other,
        };
        out.push(Param {
            ident: scope.claim(&names::snake(wire)),
            wire: wire.to_owned(),
            location,
            ty: if required { ty } else { ty.optional() },
            required,
            style,
            explode,
            doc: p
                .get("description")
                .and_then(Node::as_str)
                .map(|s| s.trim().to_owned()),
            schema_pointer: schema_at,
        });
    }
    out.sort_by_key(|p| p.location);
    out
}

fn pick_media(content: &Node) -> Option<(&str, &Node, BodyKind)> {
    let obj = content.as_object()?;
    let kind_of = |m: &str| {
        let m = m.to_ascii_lowercase();
        let essence = m.split(';').next().unwrap_or("").trim().to_owned();
        if essence == "application/json" || essence.ends_with("+json") {
            BodyKind::Json
        } else if essence == "application/x-www-form-urlencoded" {
            BodyKind::Form
        } else if essence.starts_with("text/") {
            BodyKind::Text
        } else {
            BodyKind::Bytes
        }
    };
    let ranked = |k: BodyKind| match k {
        BodyKind::Json => 0,
        BodyKind::Form => 1,
        BodyKind::Text => 2,
        BodyKind::Bytes => 3,
    };
    obj.iter()
        .map(|(m, n)| (m, n, kind_of(m)))
        .min_by_key(|(_, _, k)| ranked(*k))
}

fn body_of(
    root: &Node,
    content_at: &JsonPointer,
    content: &Node,
    types: &mut TypeBuilder<'_>,
    hint: &Name,
    required: bool,
) -> Option<Body> {
    let (media, media_node, kind) = pick_media(content)?;
    let schema_pointer = media_node
        .get("schema")
        .map(|_| content_at.child(media).child("schema"));
    let ty = match kind {
        BodyKind::Json | BodyKind::Form => match media_node.get("schema") {
            Some(_) => {
                let at = content_at.child(media).child("schema");
                let hint = envelope_hint(root, &at).unwrap_or_else(|| hint.clone());
                types.ty_at(&at, &hint)
            }
            None => Ty::Any,
        },
        BodyKind::Text => Ty::String,
        BodyKind::Bytes => Ty::Bytes,
    };
    // A form body must be an object to be encoded as key=value pairs.
    let (kind, ty) = if kind == BodyKind::Form && matches!(ty, Ty::Any | Ty::Vec(_)) {
        (BodyKind::Json, ty)
    } else {
        (kind, ty)
    };
    Some(Body {
        media: media.to_owned(),
        kind,
        ty,
        required,
        schema_pointer,
    })
}

/// `{data: $ref X}` envelopes are named `XEnvelope`, which reads better than `OpCreatedBody`.
fn envelope_hint(root: &Node, at: &JsonPointer) -> Option<Name> {
    let schema = root.pointer(at)?;
    let props = schema.get("properties")?.as_object()?;
    if props.len() != 1 {
        return None;
    }
    let target = props.get("data")?.get("$ref")?.as_str()?;
    let name = target.strip_prefix("#/components/schemas/")?;
    (!name.contains('/')).then(|| Name::Suggested(format!("{}Envelope", names::pascal(name))))
}

fn request_body(
    root: &Node,
    op: &OperationRef<'_>,
    types: &mut TypeBuilder<'_>,
    hint: &Name,
) -> Option<Body> {
    let node = op.node.get("requestBody")?;
    let (body, at) = refs::resolve_chain(root, node, &op.pointer.child("requestBody")).ok()?;
    let required = body
        .get("required")
        .and_then(Node::as_bool)
        .unwrap_or(false);
    body_of(
        root,
        &at.child("content"),
        body.get("content")?,
        types,
        &hint_child(hint, "Body"),
        required,
    )
}

fn responses(
    root: &Node,
    op: &OperationRef<'_>,
    types: &mut TypeBuilder<'_>,
    hint: &Name,
) -> Vec<Response> {
    let Some(obj) = op.node.get("responses").and_then(Node::as_object) else {
        return Vec::new();
    };
    let mut scope = Scope::new();
    let mut out: Vec<Response> = Vec::new();
    for (key, node) in obj.iter() {
        let Some(status) = parse_status(key) else {
            continue;
        };
        let Ok((response, at)) =
            refs::resolve_chain(root, node, &op.pointer.child("responses").child(key))
        else {
            continue;
        };
        let word = status_word(status);
        let variant = scope.claim(&word);
        let body = response.get("content").and_then(|c| {
            body_of(
                root,
                &at.child("content"),
                c,
                types,
                &hint_child(hint, &format!("{word}Body")),
                true,
            )
        });
        let doc = response
            .get("description")
            .and_then(Node::as_str)
            .map(|s| s.trim().to_owned());
        out.push(Response {
            status,
            variant,
            body,
            doc,
        });
    }
    out.sort_by_key(|r| r.status);
    out
}

fn parse_status(key: &str) -> Option<Status> {
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

/// `201` → `Created`, `4XX` → `ClientError`, `default` → `Default`.
pub fn status_word(status: Status) -> String {
    match status {
        Status::Default => "Default".into(),
        Status::Range(1) => "Informational".into(),
        Status::Range(2) => "Success".into(),
        Status::Range(3) => "Redirection".into(),
        Status::Range(4) => "ClientError".into(),
        Status::Range(_) => "ServerError".into(),
        Status::Code(code) => match http_reason(code) {
            Some(reason) => names::pascal(reason),
            None => format!("Status{code}"),
        },
    }
}

fn http_reason(code: u16) -> Option<&'static str> {
    Some(match code {
        100 => "Continue",
        101 => "Switching Protocols",
        200 => "Ok",
        201 => "Created",
        202 => "Accepted",
        203 => "Non Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi Status",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "Uri Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "Im A Teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => return None,
    })
}

fn auth(root: &Node, op: &Node) -> Auth {
    let requirements = op.get("security").or_else(|| root.get("security"));
    let Some(alternatives) = requirements.and_then(Node::as_array) else {
        return Auth::None;
    };
    let schemes = root
        .get("components")
        .and_then(|c| c.get("securitySchemes"));
    for alternative in alternatives {
        let Some(obj) = alternative.as_object() else {
            continue;
        };
        if obj.is_empty() {
            return Auth::None; // `{}` makes auth optional
        }
        for (name, _) in obj.iter() {
            let Some(scheme) = schemes.and_then(|s| s.get(name)) else {
                continue;
            };
            let kind = scheme.get("type").and_then(Node::as_str).unwrap_or("");
            let http = scheme
                .get("scheme")
                .and_then(Node::as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            match (kind, http.as_str()) {
                ("http", "basic") => return Auth::Basic,
                ("http", _) | ("oauth2" | "openIdConnect", _) => return Auth::Bearer,
                ("apiKey", _) => {
                    let location = match scheme.get("in").and_then(Node::as_str) {
                        Some("query") => Location::Query,
                        Some("cookie") => Location::Cookie,
                        _ => Location::Header,
                    };
                    let name = scheme
                        .get("name")
                        .and_then(Node::as_str)
                        .unwrap_or("X-API-Key")
                        .to_owned();
                    return Auth::ApiKey { name, location };
                }
                _ => {}
            }
        }
    }
    Auth::None
}

/// Whether a type is a struct (so it can be flattened or form-encoded).
pub fn is_struct(types: &[super::ir::TypeDef], ty: &Ty) -> bool {
    match ty {
        Ty::Named(id) => matches!(types.get(id.0).map(|t| &t.kind), Some(TypeKind::Struct(_))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_statuses() {
        assert_eq!(
            synthesized_name("get", "/connections/{connectionId}"),
            "get_connections_by_connection_id"
        );
        assert_eq!(
            synthesized_name("post", "/connect/sessions"),
            "post_connect_sessions"
        );
        assert_eq!(status_word(Status::Code(201)), "Created");
        assert_eq!(status_word(Status::Code(424)), "FailedDependency");
        assert_eq!(status_word(Status::Code(299)), "Status299");
        assert_eq!(status_word(Status::Range(4)), "ClientError");
        assert_eq!(parse_status("4XX"), Some(Status::Range(4)));
        assert_eq!(parse_status("2xx"), None);
    }
}
