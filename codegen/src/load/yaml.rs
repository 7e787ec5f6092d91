//! YAML → [`Node`] with spans, on top of `saphyr-parser`'s event stream.
//!
//! Scalars are resolved with the YAML 1.2 core schema (so `y`/`no` stay strings, as in
//! YAML 1.2, and unquoted `200:` keys become the string `"200"`). Anchors and aliases are
//! expanded under a node budget, `<<` merge keys are honoured, and nesting is bounded so
//! that no input can exhaust the stack.

use super::node::{Node, Object, Value};
use super::source::{FileId, SourceFile, Span};
use crate::diag::Diagnostic;
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span as YSpan};
use std::collections::BTreeMap;

/// Deepest nesting accepted (real specs stay far below 64).
pub const MAX_DEPTH: usize = 256;

/// Most nodes that alias expansion may add, whatever the input size ("billion laughs").
const ALIAS_BUDGET: usize = 2_000_000;

enum KeyState {
    Expect,
    Have {
        key: String,
        span: Span,
        merge: bool,
    },
    /// A collection is being read in key position; it is dropped.
    SkipKey,
    /// The key was not a scalar; the value that follows is dropped.
    SkipValue,
}

enum Frame {
    Seq {
        start: usize,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: usize,
        anchor: usize,
        object: Object,
        key: KeyState,
        merges: Vec<Node>,
    },
}

struct Builder<'a> {
    file: &'a SourceFile,
    id: FileId,
    ascii: bool,
    stack: Vec<Frame>,
    anchors: BTreeMap<usize, Node>,
    root: Option<Node>,
    extra_documents: bool,
    alias_budget: usize,
    diagnostics: Vec<Diagnostic>,
}

/// Parses a YAML text already registered as `id`. Syntax errors and structural problems
/// become diagnostics; `None` means there is no usable document.
pub fn parse(file: &SourceFile, id: FileId) -> (Option<Node>, Vec<Diagnostic>) {
    let mut b = Builder {
        file,
        id,
        ascii: file.text().is_ascii(),
        stack: Vec::new(),
        anchors: BTreeMap::new(),
        root: None,
        extra_documents: false,
        alias_budget: ALIAS_BUDGET,
        diagnostics: Vec::new(),
    };
    let mut parser = Parser::new_from_str(file.text());
    while let Some(event) = parser.next_event() {
        match event {
            Ok((event, span)) => {
                if let Err(d) = b.on_event(event, span) {
                    b.diagnostics.push(d);
                    return (None, b.diagnostics);
                }
            }
            Err(e) => {
                let at = b.byte(e.marker());
                let d = Diagnostic::error("yaml-syntax", format!("invalid YAML: {}", e.info()))
                    .at_span(Span::new(id, at, at))
                    .label("here")
                    .help("fix the YAML syntax; every other check needs a parsable document");
                b.diagnostics.push(d);
                return (None, b.diagnostics);
            }
        }
    }
    if b.root.is_none() {
        b.diagnostics.push(
            Diagnostic::error("empty-document", "the file holds no YAML document")
                .at_span(Span::new(id, 0, 0))
                .help("the file must contain one OpenAPI (or overlay) document"),
        );
    }
    (b.root, b.diagnostics)
}

impl Builder<'_> {
    fn byte(&self, m: &Marker) -> usize {
        if self.ascii {
            m.index()
        } else {
            self.file.offset_of(m.line(), m.col())
        }
    }

    fn span(&self, s: &YSpan) -> Span {
        Span::new(self.id, self.byte(&s.start), self.byte(&s.end))
    }

    fn on_event(&mut self, event: Event<'_>, span: YSpan) -> Result<(), Diagnostic> {
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let span = self.span(&span);
                if let Some(Frame::Map {
                    key: key @ KeyState::Expect,
                    ..
                }) = self.stack.last_mut()
                {
                    let merge = style == ScalarStyle::Plain && text == "<<";
                    *key = KeyState::Have {
                        key: text.into_owned(),
                        span,
                        merge,
                    };
                    return Ok(());
                }
                let tag = tag.map(|t| t.suffix.clone());
                let value = resolve_scalar(&text, style, tag.as_deref()).map_err(|msg| {
                    Diagnostic::error("yaml-scalar", msg)
                        .at_span(span)
                        .label("this scalar")
                        .help("write the value as a finite number or quote it as a string")
                })?;
                let node = Node::new(span, value);
                self.remember(anchor, &node);
                self.push(node)
            }
            Event::SequenceStart(anchor, _) => {
                let start = self.byte(&span.start);
                self.open(
                    Frame::Seq {
                        start,
                        anchor,
                        items: Vec::new(),
                    },
                    start,
                )
            }
            Event::MappingStart(anchor, _) => {
                let start = self.byte(&span.start);
                let frame = Frame::Map {
                    start,
                    anchor,
                    object: Object::new(),
                    key: KeyState::Expect,
                    merges: Vec::new(),
                };
                self.open(frame, start)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.byte(&span.end);
                let Some(frame) = self.stack.pop() else {
                    return Ok(());
                };
                let (anchor, node) = match frame {
                    Frame::Seq {
                        start,
                        anchor,
                        items,
                    } => (
                        anchor,
                        Node::new(Span::new(self.id, start, end), Value::Array(items)),
                    ),
                    Frame::Map {
                        start,
                        anchor,
                        mut object,
                        merges,
                        ..
                    } => {
                        apply_merges(&mut object, merges);
                        (
                            anchor,
                            Node::new(Span::new(self.id, start, end), Value::Object(object)),
                        )
                    }
                };
                self.remember(anchor, &node);
                self.push(node)
            }
            Event::Alias(id) => {
                let span = self.span(&span);
                let Some(target) = self.anchors.get(&id) else {
                    return Err(
                        Diagnostic::error("yaml-alias", "alias to an unknown anchor")
                            .at_span(span)
                            .help("define the anchor (&name) before using it (*name)"),
                    );
                };
                let size = target.count();
                if size > self.alias_budget {
                    return Err(Diagnostic::error(
                        "yaml-alias",
                        "alias expansion exceeds the size limit",
                    )
                    .at_span(span)
                    .label("expanding this alias")
                    .help(format!(
                        "aliases may add at most {ALIAS_BUDGET} nodes in total"
                    )));
                }
                self.alias_budget -= size;
                let node = target.clone();
                if let Some(Frame::Map {
                    key: key @ KeyState::Expect,
                    ..
                }) = self.stack.last_mut()
                {
                    *key = match &node.value {
                        Value::String(s) => KeyState::Have {
                            key: s.clone(),
                            span,
                            merge: false,
                        },
                        _ => KeyState::SkipValue,
                    };
                    return Ok(());
                }
                self.push(node)
            }
            Event::DocumentStart(_) => {
                if self.root.is_some() && !self.extra_documents {
                    self.extra_documents = true;
                    let at = self.byte(&span.start);
                    self.diagnostics.push(
                        Diagnostic::warning(
                            "yaml-multi-document",
                            "only the first YAML document is used",
                        )
                        .at_span(Span::new(self.id, at, at))
                        .help("split further documents into their own files"),
                    );
                }
                Ok(())
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => Ok(()),
        }
    }

    fn open(&mut self, frame: Frame, start: usize) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(Diagnostic::error(
                "nesting-too-deep",
                format!("nesting deeper than {MAX_DEPTH} levels"),
            )
            .at_span(Span::new(self.id, start, start))
            .help(
                "real OpenAPI documents nest far less; this input is likely generated or corrupt",
            ));
        }
        // A collection used as a mapping key is not representable in JSON.
        if let Some(Frame::Map {
            key: key @ KeyState::Expect,
            ..
        }) = self.stack.last_mut()
        {
            *key = KeyState::SkipKey;
            self.diagnostics.push(
                Diagnostic::error("yaml-complex-key", "a mapping key must be a scalar")
                    .at_span(Span::new(self.id, start, start))
                    .help("OpenAPI documents are JSON: use a string key"),
            );
        }
        self.stack.push(frame);
        Ok(())
    }

    fn remember(&mut self, anchor: usize, node: &Node) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
    }

    fn push(&mut self, node: Node) -> Result<(), Diagnostic> {
        let mut duplicate = None;
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                object,
                key,
                merges,
                ..
            }) => match std::mem::replace(key, KeyState::Expect) {
                KeyState::SkipKey | KeyState::Expect => *key = KeyState::SkipValue,
                KeyState::SkipValue => {}
                KeyState::Have { merge: true, .. } => match node.value {
                    Value::Array(items) => merges.extend(items),
                    _ => merges.push(node),
                },
                KeyState::Have {
                    key: k,
                    span,
                    merge: false,
                } => {
                    if let Some(previous) = object.insert(k.clone(), span, node) {
                        duplicate = Some((k, span, previous.key_span));
                    }
                }
            },
        }
        if let Some((k, span, first)) = duplicate {
            self.diagnostics.push(
                Diagnostic::warning(
                    "duplicate-key",
                    format!("duplicate key `{k}`; the last value wins"),
                )
                .at_span(span)
                .label("repeated here")
                .related(first, "first defined here")
                .help("remove one of the two entries"),
            );
        }
        Ok(())
    }
}

/// `<<: *base` (or a list of them): keys of the merged mappings that the mapping does not
/// define itself are added, earlier merges winning over later ones (YAML merge-key rules).
fn apply_merges(object: &mut Object, merges: Vec<Node>) {
    for merged in merges {
        if let Value::Object(source) = merged.value {
            for (k, member) in source.members() {
                if !object.contains_key(k) {
                    object.insert(k.to_owned(), member.key_span, member.node.clone());
                }
            }
        }
    }
}

/// Resolves a scalar's text to a value (YAML 1.2 core schema; explicit core tags win).
fn resolve_scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<Value, String> {
    match tag {
        Some("str") => return Ok(Value::String(text.to_owned())),
        Some("null") => return Ok(Value::Null),
        Some("bool") => {
            return parse_bool(text)
                .map(Value::Bool)
                .ok_or_else(|| format!("`{text}` is not a boolean"));
        }
        Some("int" | "float") => {
            return parse_number(text)
                .unwrap_or_else(|| Err(format!("`{text}` is not a number")))
                .map(Value::Number);
        }
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return Ok(Value::String(text.to_owned()));
    }
    if matches!(text, "" | "~" | "null" | "Null" | "NULL") {
        return Ok(Value::Null);
    }
    if let Some(b) = parse_bool(text) {
        return Ok(Value::Bool(b));
    }
    match parse_number(text) {
        Some(n) => n.map(Value::Number),
        None => Ok(Value::String(text.to_owned())),
    }
}

fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// `None`: not a number at all (so a string). `Some(Err)`: a number JSON cannot hold.
fn parse_number(text: &str) -> Option<Result<serde_json::Number, String>> {
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let negative = text.starts_with('-');
    if let Some(digits) = text.strip_prefix("0o") {
        return i64::from_str_radix(digits, 8).ok().map(|n| Ok(n.into()));
    }
    if let Some(digits) = text.strip_prefix("0x") {
        return i64::from_str_radix(digits, 16).ok().map(|n| Ok(n.into()));
    }
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(text, ".nan" | ".NaN" | ".NAN") {
        return Some(Err(format!("`{text}` has no JSON representation")));
    }
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        let body = text.strip_prefix('+').unwrap_or(text);
        if let Ok(n) = body.parse::<i64>() {
            return Some(Ok(n.into()));
        }
        if !negative && let Ok(n) = body.parse::<u64>() {
            return Some(Ok(n.into()));
        }
        return float(body);
    }
    if is_float_syntax(unsigned) {
        return float(text.strip_prefix('+').unwrap_or(text));
    }
    None
}

fn float(text: &str) -> Option<Result<serde_json::Number, String>> {
    let f: f64 = text.parse().ok()?;
    Some(
        serde_json::Number::from_f64(f)
            .ok_or_else(|| format!("`{text}` is out of range for a JSON number")),
    )
}

/// `[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]+)?` with at least one digit before the exponent.
fn is_float_syntax(s: &str) -> bool {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    let has_digit = !int.is_empty() || frac.is_some_and(|f| !f.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    has_digit
        && digits(int)
        && frac.is_none_or(digits)
        && exponent_ok
        && (frac.is_some() || exponent.is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::SourceMap;
    use serde_json::json;

    fn load(text: &str) -> (Option<serde_json::Value>, Vec<Diagnostic>) {
        let mut map = SourceMap::new();
        let id = map.add("t.yaml", text);
        let (node, diags) = parse(map.get(id).unwrap(), id);
        (node.map(|n| n.to_json()), diags)
    }

    #[test]
    fn core_schema_scalars() {
        let (v, d) = load(
            "a: 1\nb: -2.5\nc: true\nd: ~\ne: y\nf: '3'\ng: no\nh: 1e3\ni: 0x1f\nj: 18446744073709551615\n",
        );
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            v.unwrap(),
            json!({"a":1,"b":-2.5,"c":true,"d":null,"e":"y","f":"3","g":"no","h":1000.0,"i":31,"j":18446744073709551615u64})
        );
    }

    #[test]
    fn integer_keys_become_strings() {
        let (v, _) = load("responses:\n  200: {description: ok}\n  default: {description: e}\n");
        assert_eq!(
            v.unwrap(),
            json!({"responses": {"200": {"description": "ok"}, "default": {"description": "e"}}})
        );
    }

    #[test]
    fn anchors_aliases_and_merge_keys() {
        let (v, d) = load("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\nlist: [*b]\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(
            v.unwrap(),
            json!({"base": {"x":1,"y":2}, "other": {"y":3,"x":1}, "list": [{"x":1,"y":2}]})
        );
    }

    #[test]
    fn spans_point_at_values() {
        let text = "a:\n  b: héllo\n  c: x\n";
        let mut map = SourceMap::new();
        let id = map.add("t.yaml", text);
        let (node, _) = parse(map.get(id).unwrap(), id);
        let node = node.unwrap();
        let c = node.get("a").unwrap().get("c").unwrap();
        assert_eq!(map.location(c.span).unwrap().to_string(), "t.yaml:3:6");
        assert_eq!(&text[c.span.start as usize..c.span.end as usize], "x");
    }

    #[test]
    fn errors_are_located_not_panics() {
        let (v, d) = load("a: [1, 2\nb: 3\n");
        assert!(v.is_none());
        assert_eq!(d[0].code, "yaml-syntax");
        let (v, d) = load(&"[".repeat(10_000));
        assert!(v.is_none());
        assert!(
            d.iter()
                .any(|d| d.code == "nesting-too-deep" || d.code == "yaml-syntax"),
            "{d:?}"
        );
        let (_, d) = load("a: .inf\n");
        assert_eq!(d[0].code, "yaml-scalar");
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            text.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        let (v, d) = load(&text);
        assert!(v.is_none());
        assert!(d.iter().any(|d| d.code == "yaml-alias"), "{d:?}");
    }

    #[test]
    fn duplicate_keys_warn_and_complex_keys_error() {
        let (v, d) = load("a: 1\na: 2\n");
        assert_eq!(v.unwrap(), json!({"a": 2}));
        assert_eq!(d[0].code, "duplicate-key");
        let (_, d) = load("? [a, b]\n: 1\nc: 2\n");
        assert!(d.iter().any(|d| d.code == "yaml-complex-key"), "{d:?}");
    }
}
