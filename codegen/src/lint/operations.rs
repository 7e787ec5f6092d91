//! Operation rules: unique `operationId`s, well-formed path templates, path parameters
//! that match the template exactly (declared, required, not repeated), and operations that
//! validate input documenting how they refuse it.

use crate::diag::Diagnostic;
use crate::load::Document;
use crate::load::node::Node;
use crate::load::openapi::{self, DeclaredParam, OperationRef};
use crate::load::source::Span;
use std::collections::BTreeMap;

/// Runs the operation rules.
pub fn check(doc: &Document) -> Vec<Diagnostic> {
    let root = &doc.root;
    let mut out = Vec::new();
    let ops = openapi::operations(root);
    duplicate_ids(&ops, &mut out);
    let mut reported_templates = std::collections::BTreeSet::new();
    for op in ops.iter().filter(|o| !o.webhook) {
        let key_span = root
            .key_span(&op.entry_pointer)
            .unwrap_or(op.path_item.span);
        let names = match template_names(op.path) {
            Ok(names) => names,
            Err(message) => {
                if reported_templates.insert(op.path) {
                    out.push(
                        Diagnostic::error(
                            "path-template",
                            format!("malformed path template `{}`: {message}", op.path),
                        )
                        .at(op.entry_pointer.clone(), key_span)
                        .help("write parameters as `{name}`, with balanced braces"),
                    );
                }
                continue;
            }
        };
        path_params(root, op, &names, key_span, &mut out);
        undocumented_rejections(root, op, &mut out);
    }
    out
}

/// An operation whose input a server checks (parameters, a body, credentials) but that
/// documents no 4xx or `default` response: a generated server must still refuse bad input,
/// and its answer can then match nothing the spec says.
fn undocumented_rejections(root: &Node, op: &OperationRef<'_>, out: &mut Vec<Diagnostic>) {
    let Some(responses) = op.node.get("responses").and_then(Node::as_object) else {
        return;
    };
    let documented = responses
        .iter()
        .any(|(key, _)| key == "default" || key.starts_with('4'));
    if documented {
        return;
    }
    let security = op
        .node
        .get("security")
        .or_else(|| root.get("security"))
        .and_then(Node::as_array)
        .is_some_and(|alternatives| {
            alternatives
                .iter()
                .any(|a| a.as_object().is_some_and(|o| !o.is_empty()))
        });
    let what = match (
        !openapi::effective_params(root, op).is_empty(),
        op.node.get("requestBody").is_some(),
        security,
    ) {
        (_, true, _) => "a request body",
        (true, _, _) => "parameters",
        (_, _, true) => "credentials",
        _ => return,
    };
    let at = op.pointer.child("responses");
    let span = root.key_span(&at).unwrap_or(op.node.span);
    out.push(
        Diagnostic::warning(
            "undocumented-rejection",
            format!(
                "{} {} checks {what} but documents no 4XX or `default` response",
                op.method.to_uppercase(),
                op.path
            ),
        )
        .at(at, span)
        .help("document the 400 (and 401 for credentials) responses invalid requests get, or a `default` error response"),
    );
}

fn duplicate_ids(ops: &[OperationRef<'_>], out: &mut Vec<Diagnostic>) {
    let mut first: BTreeMap<&str, (&OperationRef<'_>, Span)> = BTreeMap::new();
    for op in ops {
        let Some(id_node) = op.node.get("operationId") else {
            continue;
        };
        let Some(id) = id_node.as_str() else {
            out.push(
                Diagnostic::error(
                    "operation-id",
                    format!(
                        "`operationId` must be a string, found {}",
                        id_node.kind_name()
                    ),
                )
                .at(op.pointer.child("operationId"), id_node.span)
                .help("quote the operationId"),
            );
            continue;
        };
        match first.get(id) {
            Some((prev, prev_span)) => out.push(
                Diagnostic::error(
                    "duplicate-operation-id",
                    format!(
                        "operationId `{id}` is already used by {} {}",
                        prev.method.to_uppercase(),
                        prev.path
                    ),
                )
                .at(op.pointer.child("operationId"), id_node.span)
                .label("duplicate")
                .related(*prev_span, "first used here")
                .help("operationIds name generated functions; make each one unique"),
            ),
            None => {
                first.insert(id, (op, id_node.span));
            }
        }
    }
}

/// The `{name}`s of a path template, in order.
pub fn template_names(path: &str) -> Result<Vec<&str>, String> {
    let mut names = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find(['{', '}']) {
        if rest.as_bytes()[open] == b'}' {
            return Err("`}` without `{`".into());
        }
        let after = &rest[open + 1..];
        let close = after.find('}').ok_or("`{` is never closed")?;
        let name = &after[..close];
        if name.is_empty() {
            return Err("empty parameter name `{}`".into());
        }
        if name.contains('{') {
            return Err("nested `{`".into());
        }
        names.push(name);
        rest = &after[close + 1..];
    }
    Ok(names)
}

fn path_params(
    root: &Node,
    op: &OperationRef<'_>,
    names: &[&str],
    key_span: Span,
    out: &mut Vec<Diagnostic>,
) {
    let [item_params, op_params] = openapi::declared_params(root, op);
    let label = format!("{} {}", op.method.to_uppercase(), op.path);
    // Repeats within one list (the operation's list overrides the path item's by design).
    for list in [&item_params, &op_params] {
        let mut seen: BTreeMap<(&str, &str), &DeclaredParam<'_>> = BTreeMap::new();
        for p in list {
            if let Some(first) = seen.insert((p.name, p.location), p) {
                let span = p.node.get("name").map_or(p.node.span, |n| n.span);
                out.push(
                    Diagnostic::error(
                        "duplicate-parameter",
                        format!("parameter `{}` in {} is declared twice", p.name, p.location),
                    )
                    .at(p.declared_at.clone(), span)
                    .related(first.node.span, "first declared here")
                    .help("keep one declaration"),
                );
            }
        }
    }
    // Operation-level parameters replace path-level ones with the same name and location.
    let effective = openapi::effective_params(root, op);
    for name in names {
        if !effective
            .iter()
            .any(|p| p.location == "path" && p.name == *name)
        {
            out.push(
                Diagnostic::error("path-param-undeclared", format!("path parameter `{{{name}}}` of {label} is not declared"))
                    .at(op.pointer.clone(), key_span)
                    .label(format!("`{{{name}}}` used here"))
                    .help(format!("add `- {{name: {name}, in: path, required: true, schema: {{type: string}}}}` to the parameters")),
            );
        }
    }
    for p in effective.iter().filter(|p| p.location == "path") {
        let span = p.node.get("name").map_or(p.node.span, |n| n.span);
        if !names.contains(&p.name) {
            out.push(
                Diagnostic::error(
                    "path-param-unknown",
                    format!("path parameter `{}` does not appear in {label}", p.name),
                )
                .at(p.declared_at.clone(), span)
                .help(format!("add `{{{}}}` to the path, or change `in:`", p.name)),
            );
        }
        if p.node.get("required").and_then(Node::as_bool) != Some(true) {
            out.push(
                Diagnostic::error(
                    "path-param-required",
                    format!("path parameter `{}` must be `required: true`", p.name),
                )
                .at(p.declared_at.clone(), span)
                .help("path parameters are always required; add `required: true`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::template_names;

    #[test]
    fn parses_templates() {
        assert_eq!(template_names("/a/{x}/b/{y}.json").unwrap(), ["x", "y"]);
        assert_eq!(template_names("/plain").unwrap(), Vec::<&str>::new());
        assert!(template_names("/a/{x").is_err());
        assert!(template_names("/a/x}").is_err());
        assert!(template_names("/a/{}").is_err());
    }
}
