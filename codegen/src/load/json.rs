//! JSON → [`Node`] with byte spans, on top of `jsonc-parser` in strict mode.
//!
//! Strict means RFC 8259: no comments, trailing commas, single quotes or bare words.
//! `jsonc-parser` decodes surrogate-pair escapes (`\ud83d\udc4d`) that YAML parsers
//! reject, and gives every value a byte range.

use super::node::{Node, Object, Value};
use super::source::{FileId, SourceFile, Span};
use super::yaml::MAX_DEPTH;
use crate::diag::Diagnostic;
use jsonc_parser::ParseOptions;
use jsonc_parser::ast;

/// Parses a JSON text already registered as `id`.
pub fn parse(file: &SourceFile, id: FileId) -> (Option<Node>, Vec<Diagnostic>) {
    let text = file.text();
    // The parser recurses; refuse pathological nesting before it can exhaust the stack.
    if let Some(at) = too_deep(text) {
        let d = Diagnostic::error(
            "nesting-too-deep",
            format!("nesting deeper than {MAX_DEPTH} levels"),
        )
        .at_span(Span::new(id, at, at))
        .help("real OpenAPI documents nest far less; this input is likely generated or corrupt");
        return (None, vec![d]);
    }
    let options = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        ..ParseOptions::default()
    };
    match jsonc_parser::parse_to_ast(text, &Default::default(), &options) {
        Ok(result) => {
            let mut diagnostics = Vec::new();
            let node = result.value.map(|v| convert(v, id, &mut diagnostics));
            if node.is_none() {
                diagnostics.push(
                    Diagnostic::error("empty-document", "the file holds no JSON value")
                        .at_span(Span::new(id, 0, 0))
                        .help("the file must contain one OpenAPI (or overlay) document"),
                );
            }
            (node, diagnostics)
        }
        Err(e) => {
            let range = e.range();
            let d = Diagnostic::error("json-syntax", format!("invalid JSON: {}", e.kind()))
                .at_span(Span::new(id, range.start, range.end))
                .label("here")
                .help("fix the JSON syntax; every other check needs a parsable document");
            (None, vec![d])
        }
    }
}

fn convert(value: ast::Value<'_>, id: FileId, diagnostics: &mut Vec<Diagnostic>) -> Node {
    let span = |r: jsonc_parser::common::Range| Span::new(id, r.start, r.end);
    match value {
        ast::Value::NullKeyword(n) => Node::new(span(n.range), Value::Null),
        ast::Value::BooleanLit(b) => Node::new(span(b.range), Value::Bool(b.value)),
        ast::Value::StringLit(s) => Node::new(span(s.range), Value::String(s.value.into_owned())),
        ast::Value::NumberLit(n) => {
            let at = span(n.range);
            match number(n.value) {
                Some(number) => Node::new(at, Value::Number(number)),
                None => {
                    diagnostics.push(
                        Diagnostic::error(
                            "json-number",
                            format!("`{}` is out of range for a number", n.value),
                        )
                        .at_span(at)
                        .help("use a number that fits a 64-bit float, or a string"),
                    );
                    Node::new(at, Value::Null)
                }
            }
        }
        ast::Value::Array(a) => {
            let items = a
                .elements
                .into_iter()
                .map(|v| convert(v, id, diagnostics))
                .collect();
            Node::new(span(a.range), Value::Array(items))
        }
        ast::Value::Object(o) => {
            let at = span(o.range);
            let mut object = Object::new();
            for prop in o.properties {
                let (key, key_span) = match prop.name {
                    ast::ObjectPropName::String(s) => (s.value.into_owned(), span(s.range)),
                    ast::ObjectPropName::Word(w) => (w.value.to_owned(), span(w.range)),
                };
                let node = convert(prop.value, id, diagnostics);
                if let Some(previous) = object.insert(key.clone(), key_span, node) {
                    diagnostics.push(
                        Diagnostic::warning(
                            "duplicate-key",
                            format!("duplicate key `{key}`; the last value wins"),
                        )
                        .at_span(key_span)
                        .label("repeated here")
                        .related(previous.key_span, "first defined here")
                        .help("remove one of the two entries"),
                    );
                }
            }
            Node::new(at, Value::Object(object))
        }
    }
}

fn number(text: &str) -> Option<serde_json::Number> {
    serde_json::from_str::<serde_json::Number>(text)
        .ok()
        .or_else(|| {
            text.parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
        })
}

/// The byte offset where nesting first exceeds [`MAX_DEPTH`], ignoring brackets in strings.
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for (i, b) in text.bytes().enumerate() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::SourceMap;
    use serde_json::json;

    fn load(text: &str) -> (Option<Node>, Vec<Diagnostic>, SourceMap) {
        let mut map = SourceMap::new();
        let id = map.add("t.json", text);
        let (node, diags) = parse(map.get(id).unwrap(), id);
        (node, diags, map)
    }

    #[test]
    fn surrogate_pairs_and_big_numbers() {
        let (node, d, _) =
            load(r#"{"a": "\ud83d\udc4d", "b": 1e400, "c": 18446744073709551615, "d": 1.5}"#);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].code, "json-number");
        assert_eq!(
            node.unwrap().to_json(),
            json!({"a": "👍", "b": null, "c": 18446744073709551615u64, "d": 1.5})
        );
    }

    #[test]
    fn spans_and_duplicate_keys() {
        let (node, d, map) = load("{\n  \"a\": {\"b\": 1},\n  \"a\": 2\n}");
        assert_eq!(d[0].code, "duplicate-key");
        assert_eq!(
            map.location(d[0].span.unwrap()).unwrap().to_string(),
            "t.json:3:3"
        );
        assert_eq!(node.unwrap().to_json(), json!({"a": 2}));
    }

    #[test]
    fn syntax_errors_and_deep_nesting_are_located() {
        let (node, d, map) = load("{\"a\": [1, 2,]}");
        assert!(node.is_none());
        assert_eq!(d[0].code, "json-syntax");
        assert!(map.location(d[0].span.unwrap()).is_some());
        let (node, d, _) = load(&"[".repeat(100_000));
        assert!(node.is_none());
        assert_eq!(d[0].code, "nesting-too-deep");
        let (node, _, _) = load(&format!("{}1{}", "[".repeat(200), "]".repeat(200)));
        assert!(node.is_some());
    }
}
