//! Shape rules: every typed position holds an object, references resolve, response codes
//! are valid, and the document has something to describe.

use super::references::RefChecker;
use crate::diag::Diagnostic;
use crate::load::node::Node;
use crate::load::openapi::{self, Slot, Visitor};
use crate::load::pointer::JsonPointer;
use crate::load::{Document, SpecVersion};

struct Shape<'r, 'a> {
    version: SpecVersion,
    refs: &'r mut RefChecker<'a>,
    out: Vec<Diagnostic>,
}

impl Visitor<'_> for Shape<'_, '_> {
    fn visit(&mut self, slot: Slot, node: &Node, at: &JsonPointer) {
        if slot == Slot::Schema {
            return; // schemas have their own rules
        }
        if node.as_object().is_none() {
            self.out.push(
                Diagnostic::error(
                    "not-an-object",
                    format!(
                        "expected a {} Object, found {}",
                        slot.name(),
                        node.kind_name()
                    ),
                )
                .at(at.clone(), node.span)
                .label(format!("a {} belongs here", slot.name()))
                .help(format!("write a {} Object or a `$ref` to one", slot.name())),
            );
            return;
        }
        self.refs.check(slot, node, at);
        if slot == Slot::Operation {
            self.operation(node, at);
        }
    }
}

impl Shape<'_, '_> {
    fn operation(&mut self, node: &Node, at: &JsonPointer) {
        let Some(responses) = node.get("responses") else {
            if self.version == SpecVersion::V3_0 {
                self.out.push(
                    Diagnostic::error(
                        "responses-missing",
                        "an operation must document its responses in OpenAPI 3.0",
                    )
                    .at(at.clone(), node.span)
                    .help("add `responses:` with at least one status code"),
                );
            }
            return;
        };
        let Some(obj) = responses.as_object() else {
            self.out.push(
                Diagnostic::error(
                    "not-an-object",
                    format!(
                        "`responses` must be an object, found {}",
                        responses.kind_name()
                    ),
                )
                .at(at.child("responses"), responses.span)
                .help("map status codes to Response Objects"),
            );
            return;
        };
        if obj.is_empty() {
            self.out.push(
                Diagnostic::warning("responses-empty", "the operation documents no response")
                    .at(at.child("responses"), responses.span)
                    .help("document at least the success response"),
            );
        }
        for (code, member) in obj.members() {
            if !is_status_key(code) && !code.starts_with("x-") {
                self.out.push(
                    Diagnostic::error("response-code", format!("`{code}` is not a status code"))
                        .at(at.child("responses").child(code), member.key_span)
                        .help("use `default`, a code from 100 to 599, or a range such as `4XX`"),
                );
            }
        }
    }
}

fn is_status_key(code: &str) -> bool {
    if code == "default" {
        return true;
    }
    let b = code.as_bytes();
    b.len() == 3
        && (b'1'..=b'5').contains(&b[0])
        && ((b[1].is_ascii_digit() && b[2].is_ascii_digit()) || (b[1] == b'X' && b[2] == b'X'))
}

/// Runs the shape rules.
pub fn check(doc: &Document, refs: &mut RefChecker<'_>) -> Vec<Diagnostic> {
    let mut shape = Shape {
        version: doc.version,
        refs,
        out: Vec::new(),
    };
    openapi::walk(&doc.root, &mut shape);
    let root = &doc.root;
    let has = |k: &str| root.get(k).and_then(Node::as_object).is_some();
    if !has("paths") && !has("webhooks") && !has("components") {
        let required = if doc.version == SpecVersion::V3_0 {
            "`paths`"
        } else {
            "`paths`, `webhooks` or `components`"
        };
        shape.out.push(
            Diagnostic::error(
                "document-empty",
                format!("the document must contain {required}"),
            )
            .at(JsonPointer::root(), root.span)
            .help("describe at least one path"),
        );
    }
    if root.get("info").and_then(Node::as_object).is_none() {
        shape.out.push(
            Diagnostic::error("info-missing", "the document has no `info` object")
                .at(
                    JsonPointer::root().child("info"),
                    root.get("info").map_or(root.span, |n| n.span),
                )
                .help("add `info: {title: …, version: …}`"),
        );
    }
    shape.out
}

#[cfg(test)]
mod tests {
    use super::is_status_key;

    #[test]
    fn status_keys() {
        for ok in ["200", "default", "4XX", "599", "100"] {
            assert!(is_status_key(ok), "{ok}");
        }
        for bad in ["600", "2xx", "20", "abc", "099"] {
            assert!(!is_status_key(bad), "{bad}");
        }
    }
}
