//! Security rules: every requirement names a scheme `components/securitySchemes` defines,
//! and every scheme is one OpenAPI knows, with what its type needs. A requirement that can
//! never be met locks its operation (generated servers answer 401 to everything), so these
//! are errors.

use crate::diag::Diagnostic;
use crate::load::Document;
use crate::load::node::Node;
use crate::load::openapi;
use crate::load::pointer::JsonPointer;
use crate::load::refs;

/// Runs the security rules.
pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let root = &doc.root;
    let mut out = Vec::new();
    let section = JsonPointer::from_tokens(["components", "securitySchemes"]);
    let defined: Vec<&str> = root
        .pointer(&section)
        .and_then(Node::as_object)
        .map(|o| o.iter().map(|(k, _)| k).collect())
        .unwrap_or_default();
    schemes(root, &section, &mut out);
    requirements(
        root,
        root.get("security"),
        &JsonPointer::root().child("security"),
        &defined,
        &mut out,
    );
    for op in openapi::operations(root) {
        requirements(
            root,
            op.node.get("security"),
            &op.pointer.child("security"),
            &defined,
            &mut out,
        );
    }
    out
}

/// Each requirement object of a `security` list names defined schemes.
fn requirements(
    root: &Node,
    list: Option<&Node>,
    at: &JsonPointer,
    defined: &[&str],
    out: &mut Vec<Diagnostic>,
) {
    let Some(items) = list.and_then(Node::as_array) else {
        return;
    };
    for (i, requirement) in items.iter().enumerate() {
        let Some(obj) = requirement.as_object() else {
            continue;
        };
        for (name, _) in obj.iter() {
            if defined.contains(&name) {
                continue;
            }
            let here = at.index(i).child(name);
            let span = root.key_span(&here).unwrap_or(requirement.span);
            let suggestion = defined
                .iter()
                .min_by_key(|d| strsim::levenshtein(d, name))
                .filter(|d| strsim::levenshtein(d, name) <= 3);
            let help = match suggestion {
                Some(d) => format!(
                    "did you mean `{d}`? Requirements name schemes under components/securitySchemes"
                ),
                None => {
                    "define the scheme under components/securitySchemes, or remove the requirement"
                        .to_owned()
                }
            };
            out.push(
                Diagnostic::error(
                    "security-undefined",
                    format!("security requirement names `{name}`, which components/securitySchemes does not define: no request can satisfy it"),
                )
                .at(here, span)
                .help(help),
            );
        }
    }
}

/// Each scheme has a known type and what that type needs.
fn schemes(root: &Node, section: &JsonPointer, out: &mut Vec<Diagnostic>) {
    let Some(obj) = root.pointer(section).and_then(Node::as_object) else {
        return;
    };
    for (name, node) in obj.iter() {
        let Ok((scheme, at)) = refs::resolve_chain(root, node, &section.child(name)) else {
            continue;
        };
        if scheme.as_object().is_none() {
            continue;
        }
        let ty = scheme.get("type").and_then(Node::as_str);
        let missing = |key: &str| scheme.get(key).and_then(Node::as_str).is_none();
        let problem = match ty {
            None => Some(("`type` is missing".to_owned(), "add `type: http`, `apiKey`, `oauth2`, `openIdConnect` or `mutualTLS`".to_owned())),
            Some("apiKey") if missing("name") || missing("in") => Some((
                "an apiKey scheme needs `name` and `in`".to_owned(),
                "add `in: header` (or query, cookie) and the `name` of the header, parameter or cookie".to_owned(),
            )),
            Some("apiKey") => match scheme.get("in").and_then(Node::as_str) {
                Some("header" | "query" | "cookie") => None,
                Some(other) => Some((format!("`in: {other}` is not a place for an API key"), "use header, query or cookie".to_owned())),
                None => None,
            },
            Some("http") if missing("scheme") => Some(("an http scheme needs `scheme`".to_owned(), "add `scheme: bearer` (or basic, or another HTTP authentication scheme)".to_owned())),
            Some("http" | "oauth2" | "openIdConnect" | "mutualTLS") => None,
            Some(other) => Some((
                format!("`type: {other}` is not an OpenAPI security scheme type: no request can satisfy it"),
                "use http, apiKey, oauth2, openIdConnect or mutualTLS".to_owned(),
            )),
        };
        if let Some((message, help)) = problem {
            let span = scheme.get("type").map_or(scheme.span, |t| t.span);
            out.push(
                Diagnostic::error(
                    "security-scheme",
                    format!("security scheme `{name}`: {message}"),
                )
                .at(at, span)
                .help(help),
            );
        }
    }
}
