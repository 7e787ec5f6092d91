//! Operations as code sees them: a name for each (its `operationId`, or one made from
//! method + path), typed parameters, the typed body, and one response variant per
//! documented status. The HTTP facts underneath come from [`super::http`].

use super::convert::{TypeBuilder, hint_child};
use super::http::{self, Endpoint, MediaSpec, ParamSpec};
use super::ir::{Ty, TypeKind};
use super::names::{self, Name, Scope};
use crate::diag::Diagnostic;
use crate::load::Document;
use crate::load::node::Node;
use crate::load::pointer::JsonPointer;

pub use super::http::{BodyKind, Location, Status, Style, synthesized_name};

/// One parameter, typed.
#[derive(Clone, Debug)]
pub struct Param {
    /// Rust field name.
    pub ident: String,
    /// Its type (`Option` when not required).
    pub ty: Ty,
    /// The HTTP facts.
    pub spec: ParamSpec,
}

/// A typed request or response body: the media type typed code reads and writes.
#[derive(Clone, Debug)]
pub struct Body {
    /// The media type and its schema.
    pub media: MediaSpec,
    /// The type (`Ty::Bytes`/`Ty::String` for raw bodies).
    pub ty: Ty,
    /// Request bodies: `required`.
    pub required: bool,
}

impl Body {
    /// How it is encoded.
    pub fn kind(&self) -> BodyKind {
        self.media.kind
    }

    /// A typed `multipart/form-data` body (a struct, sent and read part by part).
    pub fn is_multipart(&self) -> bool {
        self.media.kind == BodyKind::Bytes && !matches!(self.ty, Ty::Bytes)
    }
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

/// One operation.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Function name (snake case, unique).
    pub fn_name: String,
    /// Type-name prefix (Pascal case, unique).
    pub type_name: String,
    /// Summary and description.
    pub doc: Option<String>,
    /// The HTTP facts (method, path, parameters, every media type, responses, security).
    pub http: Endpoint,
    /// Parameters, typed, in the order of `http.params`.
    pub params: Vec<Param>,
    /// The typed request body.
    pub body: Option<Body>,
    /// Documented responses, ordered: codes ascending, ranges, then `default`.
    pub responses: Vec<Response>,
}

impl Operation {
    /// Upper-case HTTP method.
    pub fn method(&self) -> &str {
        &self.http.method
    }

    /// The path template.
    pub fn path(&self) -> &str {
        &self.http.path
    }

    /// Whether any security alternative needs credentials.
    pub fn has_security(&self) -> bool {
        self.http.security.iter().any(|a| !a.is_empty())
    }

    /// Whether credentials are required (no empty alternative).
    pub fn requires_credentials(&self) -> bool {
        !self.http.security.is_empty() && self.http.security.iter().all(|a| !a.is_empty())
    }
}

/// Builds every operation of `paths` (webhooks are described, not called, so they get no
/// client method) on the HTTP facts of `endpoints`.
pub fn operations(
    doc: &Document,
    endpoints: &[Endpoint],
    types: &mut TypeBuilder<'_>,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Operation> {
    let root = &doc.root;
    let mut fn_scope = Scope::new();
    // Operation descriptions are statics named after the function (`GET_CONNECTION`), next
    // to the `SECURITY_SCHEMES` table.
    fn_scope.claim("security_schemes");
    let mut type_scope = Scope::new();
    let mut out = Vec::new();
    for endpoint in endpoints {
        let base = match &endpoint.operation_id {
            Some(id) => id.clone(),
            None => synthesized_name(&endpoint.method, &endpoint.path),
        };
        let fn_name = fn_scope.claim(&names::snake(&base));
        let type_name = type_scope.claim(&names::pascal(&base));
        let hint = Name::Suggested(type_name.clone());
        let params = params(root, endpoint, types, &hint, diagnostics);
        let body = endpoint.body.as_ref().and_then(|b| {
            let media = b.preferred()?;
            Some(typed_body(
                root,
                media,
                types,
                &hint_child(&hint, "Body"),
                b.required,
            ))
        });
        let responses = responses(root, endpoint, types, &hint);
        out.push(Operation {
            fn_name,
            type_name,
            doc: root.pointer(&endpoint.pointer).and_then(op_doc),
            http: endpoint.clone(),
            params,
            body,
            responses,
        });
    }
    out
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
    endpoint: &Endpoint,
    types: &mut TypeBuilder<'_>,
    hint: &Name,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Param> {
    let mut scope = Scope::new();
    let mut out = Vec::new();
    for spec in &endpoint.params {
        let param_hint = hint_child(hint, &names::pascal(&spec.wire));
        let ty = match &spec.schema {
            Some(s) => types.ty_at(s, &param_hint),
            None => Ty::String,
        };
        let ty = match ty {
            // Parameters are strings on the wire; an object value needs deepObject/form to travel.
            Ty::Any if spec.shape != http::Shape::Json => {
                let span = root.pointer(&spec.pointer).map_or(root.span, |n| n.span);
                diagnostics.push(
                    Diagnostic::warning(
                        "codegen-fallback",
                        format!(
                            "parameter `{}` has no usable schema; typed as String",
                            spec.wire
                        ),
                    )
                    .at(spec.pointer.clone(), span)
                    .help("give the parameter a `schema`"),
                );
                Ty::String
            }
            other => other,
        };
        out.push(Param {
            ident: scope.claim(&names::snake(&spec.wire)),
            ty: if spec.required { ty } else { ty.optional() },
            spec: spec.clone(),
        });
    }
    out
}

fn typed_body(
    root: &Node,
    media: &MediaSpec,
    types: &mut TypeBuilder<'_>,
    hint: &Name,
    required: bool,
) -> Body {
    let ty = match media.kind {
        BodyKind::Json | BodyKind::Form => match &media.schema {
            Some(at) => {
                let hint = envelope_hint(root, at).unwrap_or_else(|| hint.clone());
                types.ty_at(at, &hint)
            }
            None => Ty::Any,
        },
        BodyKind::Text => Ty::String,
        // A multipart/form-data body whose schema is an object: a struct (file parts as
        // `FilePart`s) the client sends part by part and the router decodes.
        BodyKind::Bytes => match &media.schema {
            Some(at) if openapi_runtime::operation::is_multipart(&media.media) => {
                let ty = types.ty_at(at, hint);
                if is_struct(&types.types, &ty) {
                    ty
                } else {
                    Ty::Bytes
                }
            }
            _ => Ty::Bytes,
        },
    };
    // A form body must be an object to be encoded as key=value pairs.
    let kind = if media.kind == BodyKind::Form && matches!(ty, Ty::Any | Ty::Vec(_)) {
        BodyKind::Json
    } else {
        media.kind
    };
    Body {
        media: MediaSpec {
            kind,
            ..media.clone()
        },
        ty,
        required,
    }
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

fn responses(
    root: &Node,
    endpoint: &Endpoint,
    types: &mut TypeBuilder<'_>,
    hint: &Name,
) -> Vec<Response> {
    let mut scope = Scope::new();
    endpoint
        .responses
        .iter()
        .map(|r| {
            let word = status_word(r.status);
            let variant = scope.claim(&word);
            let body = r.content.as_deref().and_then(http::preferred).map(|media| {
                typed_body(
                    root,
                    media,
                    types,
                    &hint_child(hint, &format!("{word}Body")),
                    true,
                )
            });
            Response {
                status: r.status,
                variant,
                body,
                doc: r.doc.clone(),
            }
        })
        .collect()
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
        Status::Code(code) => match openapi_runtime::status::reason(code) {
            Some(reason) => names::pascal(reason),
            None => format!("Status{code}"),
        },
    }
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
    fn status_words() {
        assert_eq!(status_word(Status::Code(201)), "Created");
        assert_eq!(status_word(Status::Code(424)), "FailedDependency");
        assert_eq!(status_word(Status::Code(299)), "Status299");
        assert_eq!(status_word(Status::Range(4)), "ClientError");
    }
}
