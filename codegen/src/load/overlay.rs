//! OpenAPI Overlay 1.0: ordered actions whose `target` is an RFC 9535 JSONPath.
//!
//! Targets are evaluated by `serde_json_path`. `update` merges into objects (recursively for
//! nested objects; any other value replaces) and appends to arrays (an array value appends
//! its items). `remove: true` deletes the selected nodes. Nodes an overlay adds keep the
//! overlay file's spans, so later diagnostics about them point into the overlay.

use super::node::{Node, Value};
use super::pointer::JsonPointer;
use super::source::{SourceMap, Span};
use crate::diag::Diagnostic;
use serde_json_path::{JsonPath, PathElement};

/// Applies one overlay document to `doc` in place. Problems in the overlay are returned
/// as diagnostics located in the overlay file; valid actions still apply.
pub fn apply(doc: &mut Node, overlay: &Node, sources: &SourceMap) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let root = JsonPointer::root();
    let Some(obj) = overlay.as_object() else {
        diags.push(
            Diagnostic::error(
                "overlay-structure",
                format!(
                    "an overlay must be an object, found {}",
                    overlay.kind_name()
                ),
            )
            .at(root, overlay.span)
            .help("start the file with `overlay: 1.0.0`, `info:` and `actions:`"),
        );
        return diags;
    };
    check_header(overlay, &mut diags);
    let actions_ptr = root.child("actions");
    let Some(actions) = obj.get("actions").and_then(Node::as_array) else {
        let span = obj.get("actions").map_or(overlay.span, |n| n.span);
        diags.push(
            Diagnostic::error(
                "overlay-structure",
                "`actions` must be a non-empty array of action objects",
            )
            .at(actions_ptr, span)
            .help("add `actions:` with at least one `- target: …` entry"),
        );
        return diags;
    };
    if actions.is_empty() {
        diags.push(
            Diagnostic::warning("overlay-structure", "the overlay has no actions")
                .at(
                    actions_ptr.clone(),
                    obj.get("actions").map_or(overlay.span, |n| n.span),
                )
                .help("Overlay 1.0 requires at least one action"),
        );
    }
    for (i, action) in actions.iter().enumerate() {
        apply_action(doc, action, actions_ptr.index(i), sources, &mut diags);
    }
    diags
}

fn check_header(overlay: &Node, diags: &mut Vec<Diagnostic>) {
    let root = JsonPointer::root();
    match overlay.get("overlay") {
        Some(v)
            if v.as_str()
                .is_some_and(|s| s.starts_with("1.0.") || s == "1.0") => {}
        Some(v) if v.as_str().is_some_and(|s| s.starts_with("1.")) => diags.push(
            Diagnostic::warning(
                "overlay-version",
                "this overlay declares a newer 1.x version; it is applied with 1.0 rules",
            )
            .at(root.child("overlay"), v.span)
            .help("only `target`, `update` and `remove` are understood"),
        ),
        Some(v) => diags.push(
            Diagnostic::error("overlay-version", "unsupported overlay version")
                .at(root.child("overlay"), v.span)
                .label("expected a string such as 1.0.0")
                .help("write `overlay: 1.0.0`"),
        ),
        None => diags.push(
            Diagnostic::error("overlay-version", "missing `overlay` version field")
                .at(root.clone(), overlay.span)
                .help("add `overlay: 1.0.0` at the top of the file"),
        ),
    }
    let info_ok = overlay.get("info").is_some_and(|i| {
        i.get("title").and_then(Node::as_str).is_some()
            && i.get("version").and_then(Node::as_str).is_some()
    });
    if !info_ok {
        let span = overlay.get("info").map_or(overlay.span, |n| n.span);
        diags.push(
            Diagnostic::error(
                "overlay-structure",
                "`info` must be an object with string `title` and `version`",
            )
            .at(root.child("info"), span)
            .help("add `info: {title: …, version: …}`"),
        );
    }
}

fn apply_action(
    doc: &mut Node,
    action: &Node,
    ptr: JsonPointer,
    sources: &SourceMap,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(obj) = action.as_object() else {
        diags.push(
            Diagnostic::error(
                "overlay-structure",
                format!("an action must be an object, found {}", action.kind_name()),
            )
            .at(ptr, action.span)
            .help("write `- target: $.… ` followed by `update:` or `remove: true`"),
        );
        return;
    };
    let Some(target_node) = obj.get("target") else {
        diags.push(
            Diagnostic::error("overlay-structure", "the action has no `target`")
                .at(ptr, action.span)
                .help("add `target:` with a JSONPath such as `$.components.schemas.Pet`"),
        );
        return;
    };
    let target_ptr = ptr.child("target");
    let Some(target) = target_node.as_str() else {
        diags.push(
            Diagnostic::error("overlay-structure", "`target` must be a JSONPath string")
                .at(target_ptr, target_node.span)
                .help("quote the JSONPath, e.g. \"$.paths['/pets'].get\""),
        );
        return;
    };
    let path = match JsonPath::parse(target) {
        Ok(p) => p,
        Err(e) => {
            let span = offset_in_string(target_node.span, sources, e.position());
            diags.push(
                Diagnostic::error("overlay-jsonpath", format!("invalid JSONPath: {}", e.message()))
                    .at(target_ptr, span)
                    .label("here")
                    .help("targets follow RFC 9535, e.g. $.paths['/pets'].get or $..[?@.deprecated == true]"),
            );
            return;
        }
    };
    let remove = obj.get("remove");
    let update = obj.get("update");
    let remove_flag = match remove {
        None => false,
        Some(n) => match n.as_bool() {
            Some(b) => b,
            None => {
                diags.push(
                    Diagnostic::error("overlay-structure", "`remove` must be a boolean")
                        .at(ptr.child("remove"), n.span)
                        .help("write `remove: true`"),
                );
                return;
            }
        },
    };
    if !remove_flag && update.is_none() {
        diags.push(
            Diagnostic::warning(
                "overlay-noop",
                "the action has neither `update` nor `remove: true`; it changes nothing",
            )
            .at(ptr, action.span)
            .help("add `update:` or `remove: true`, or delete the action"),
        );
        return;
    }
    let json = doc.to_json();
    let matched: Vec<JsonPointer> = path
        .query_located(&json)
        .locations()
        .map(|loc| {
            JsonPointer::from_tokens(loc.iter().map(|e| match e {
                PathElement::Name(n) => n.to_string(),
                PathElement::Index(i) => i.to_string(),
            }))
        })
        .collect();
    if matched.is_empty() {
        diags.push(
            Diagnostic::error("overlay-target-empty", format!("target `{target}` matches nothing in the document"))
                .at(target_ptr, target_node.span)
                .label("no node selected")
                .help("check the path against the document this overlay extends (`cargo xtask bundle --no-overlay`)"),
        );
        return;
    }
    if remove_flag {
        if update.is_some() {
            diags.push(
                Diagnostic::warning(
                    "overlay-noop",
                    "`update` is ignored because `remove` is true",
                )
                .at(ptr.child("update"), update.map_or(action.span, |u| u.span))
                .help("split the removal and the update into two actions"),
            );
        }
        // Reverse document order: children before parents, later indices before earlier.
        for m in matched.iter().rev() {
            if !remove_at(doc, m) {
                diags.push(
                    Diagnostic::error("overlay-remove", "the document root cannot be removed")
                        .at(target_ptr.clone(), target_node.span)
                        .help("target the nodes inside the root instead"),
                );
            }
        }
        return;
    }
    let Some(update) = update else { return };
    for m in &matched {
        let Some(node) = doc.pointer_mut(m) else {
            continue;
        };
        if let Err(msg) = update_node(node, update) {
            diags.push(
                Diagnostic::error("overlay-update-kind", msg)
                    .at(ptr.child("update"), update.span)
                    .label(format!("applied to {m}"))
                    .help("target the parent object and update the key instead, e.g. `update: {key: …}`"),
            );
        }
    }
}

fn update_node(target: &mut Node, update: &Node) -> Result<(), String> {
    match (&mut target.value, &update.value) {
        (Value::Object(_), Value::Object(_)) => {
            merge(target, update);
            Ok(())
        }
        (Value::Array(items), Value::Array(more)) => {
            items.extend(more.iter().cloned());
            Ok(())
        }
        (Value::Array(items), _) => {
            items.push(update.clone());
            Ok(())
        }
        (Value::Object(_), _) => Err(format!(
            "`update` must be an object to merge into an object, found {}",
            update.kind_name()
        )),
        _ => Err(format!(
            "the target selects {}; `update` can only merge into objects and append to arrays",
            target.kind_name()
        )),
    }
}

/// Recursive merge: nested objects merge, anything else replaces (keeping key order).
fn merge(target: &mut Node, update: &Node) {
    let (Some(into), Some(from)) = (target.as_object_mut(), update.as_object()) else {
        *target = update.clone();
        return;
    };
    for (key, member) in from.members() {
        match into.get_mut(key) {
            Some(existing)
                if existing.as_object().is_some() && member.node.as_object().is_some() =>
            {
                merge(existing, &member.node);
            }
            _ => {
                into.insert(key.to_owned(), member.key_span, member.node.clone());
            }
        }
    }
}

/// Removes the node at `ptr` from its parent; `false` only for the root.
fn remove_at(doc: &mut Node, ptr: &JsonPointer) -> bool {
    let (Some(parent_ptr), Some(last)) = (ptr.parent(), ptr.last()) else {
        return false;
    };
    if let Some(parent) = doc.pointer_mut(&parent_ptr) {
        match &mut parent.value {
            Value::Object(o) => {
                o.remove(last);
            }
            Value::Array(a) => {
                if let Ok(i) = last.parse::<usize>()
                    && i < a.len()
                {
                    a.remove(i);
                }
            }
            _ => {}
        }
    }
    true
}

/// The span of the 1-based character `position` inside a string node (skipping a quote).
fn offset_in_string(span: Span, sources: &SourceMap, position: usize) -> Span {
    let Some(file) = sources.get(span.file) else {
        return span;
    };
    let text = file
        .text()
        .get(span.start as usize..span.end as usize)
        .unwrap_or("");
    let quote = usize::from(text.starts_with(['"', '\'']));
    let at = text
        .char_indices()
        .nth(position.saturating_sub(1) + quote)
        .map_or(0, |(i, _)| i);
    let start = span.start as usize + at;
    Span::new(span.file, start, (start + 1).min(span.end as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::yaml;
    use serde_json::json;

    fn run(doc: &str, overlay: &str) -> (serde_json::Value, Vec<Diagnostic>, SourceMap) {
        let mut map = SourceMap::new();
        let d = map.add("doc.yaml", doc);
        let o = map.add("o.yaml", overlay);
        let mut doc = yaml::parse(map.get(d).unwrap(), d).0.unwrap();
        let overlay = yaml::parse(map.get(o).unwrap(), o).0.unwrap();
        let diags = apply(&mut doc, &overlay, &map);
        (doc.to_json(), diags, map)
    }

    const HEAD: &str = "overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n";

    #[test]
    fn update_merges_recursively_and_replaces_scalars() {
        let (doc, d, _) = run(
            "a: {b: {c: 1, d: 2}, e: uuid-here}\nlist: [1]\n",
            &format!(
                "{HEAD}  - target: $.a\n    update: {{b: {{d: 3}}, e: {{type: string}}}}\n  - target: $.list\n    update: [2, 3]\n"
            ),
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            doc,
            json!({"a": {"b": {"c": 1, "d": 3}, "e": {"type": "string"}}, "list": [1, 2, 3]})
        );
    }

    #[test]
    fn remove_with_filter_selects_many() {
        let (doc, d, _) = run(
            "p: {a: 8290d441-75d1-4131-a3b0-4db03f24b7d2, b: {type: string}, c: 9ec7b422-3944-4aef-8c5e-2907b4c1efd5}\nl: [1, 2, 3, 4]\n",
            &format!(
                "{HEAD}  - target: \"$.p[?match(@, '[0-9a-f-]{{36}}')]\"\n    remove: true\n  - target: $.l[?@ > 1]\n    remove: true\n"
            ),
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(doc, json!({"p": {"b": {"type": "string"}}, "l": [1]}));
    }

    #[test]
    fn errors_are_located_in_the_overlay() {
        let (_, d, map) = run(
            "a: {b: 1}\n",
            &format!(
                "{HEAD}  - target: $.a[\n    update: {{}}\n  - target: $.zzz\n    update: {{x: 1}}\n  - target: $.a.b\n    update: {{x: 1}}\n"
            ),
        );
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                "overlay-jsonpath",
                "overlay-target-empty",
                "overlay-update-kind"
            ]
        );
        let loc = map.location(d[1].span.unwrap()).unwrap();
        assert_eq!(loc.to_string(), "o.yaml:6:13");
        assert_eq!(
            d[1].pointer.as_ref().unwrap().to_string(),
            "#/actions/1/target"
        );
    }

    #[test]
    fn header_problems_are_reported() {
        let (_, d, _) = run("a: 1\n", "overlay: 2.0.0\nactions: []\n");
        let codes: Vec<_> = d.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            ["overlay-version", "overlay-structure", "overlay-structure"]
        );
    }
}
