//! The loaded document: a JSON-shaped tree where every node remembers its source span.
//!
//! YAML and JSON both load into this one shape, overlays edit it, and everything
//! downstream (refs, lint, schema model, bundle) reads it. Key order is the source order.

use super::pointer::JsonPointer;
use super::source::Span;
use indexmap::IndexMap;

/// One value of the document and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Where the value is written (the spec or an overlay file).
    pub span: Span,
    /// The value itself.
    pub value: Value,
}

/// The JSON data model, with children that are [`Node`]s.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null` (YAML `~`, empty value).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// Any finite number.
    Number(serde_json::Number),
    /// A string.
    String(String),
    /// A sequence.
    Array(Vec<Node>),
    /// A mapping with string keys, in source order.
    Object(Object),
}

/// A mapping entry: the key's own span and the value.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// Where the key is written.
    pub key_span: Span,
    /// The value.
    pub node: Node,
}

/// A mapping in source order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Object {
    entries: IndexMap<String, Member>,
}

impl Object {
    /// An empty mapping.
    pub fn new() -> Object {
        Object::default()
    }

    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries.get(key).map(|m| &m.node)
    }

    /// The value under `key`, mutably.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries.get_mut(key).map(|m| &mut m.node)
    }

    /// The whole entry (key span and value) under `key`.
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.entries.get(key)
    }

    /// Inserts or replaces an entry, keeping the position of a replaced key.
    /// Returns the previous entry.
    pub fn insert(&mut self, key: String, key_span: Span, node: Node) -> Option<Member> {
        self.entries.insert(key, Member { key_span, node })
    }

    /// Removes an entry, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Member> {
        self.entries.shift_remove(key)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Entries in source order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Node)> {
        self.entries.iter().map(|(k, m)| (k.as_str(), &m.node))
    }

    /// Entries with their key spans, in source order.
    pub fn members(&self) -> impl Iterator<Item = (&str, &Member)> {
        self.entries.iter().map(|(k, m)| (k.as_str(), m))
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl Node {
    /// Builds a node.
    pub fn new(span: Span, value: Value) -> Node {
        Node { span, value }
    }

    /// The mapping, if this is one.
    pub fn as_object(&self) -> Option<&Object> {
        match &self.value {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The mapping, mutably, if this is one.
    pub fn as_object_mut(&mut self) -> Option<&mut Object> {
        match &mut self.value {
            Value::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The sequence, if this is one.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<&serde_json::Number> {
        match &self.value {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// A child of a mapping by key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_object()?.get(key)
    }

    /// A short name of the value's kind, for messages ("a string", "an object").
    pub fn kind_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Number(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
        }
    }

    /// The node a pointer designates, if any.
    pub fn pointer(&self, pointer: &JsonPointer) -> Option<&Node> {
        pointer
            .tokens()
            .iter()
            .try_fold(self, |node, token| node.step(token))
    }

    /// The node a pointer designates, mutably.
    pub fn pointer_mut(&mut self, pointer: &JsonPointer) -> Option<&mut Node> {
        let mut node = self;
        for token in pointer.tokens() {
            node = match &mut node.value {
                Value::Object(o) => o.get_mut(token)?,
                Value::Array(a) => a.get_mut(parse_index(token)?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// One step down: a key of a mapping or an index of a sequence.
    pub fn step(&self, token: &str) -> Option<&Node> {
        match &self.value {
            Value::Object(o) => o.get(token),
            Value::Array(a) => a.get(parse_index(token)?),
            _ => None,
        }
    }

    /// The span of the key that leads to `pointer` (its value's span at the root or in
    /// arrays). Messages about a whole entry ("this path…") read best on the key.
    pub fn key_span(&self, pointer: &JsonPointer) -> Option<Span> {
        let parent = self.pointer(&pointer.parent()?)?;
        let last = pointer.last()?;
        match &parent.value {
            Value::Object(o) => o.member(last).map(|m| m.key_span),
            _ => parent.step(last).map(|n| n.span),
        }
    }

    /// The location of `pointer` as an RFC 9535 normalized JSONPath (`$['a'][0]`),
    /// the form an overlay action's `target` takes. `None` if the pointer is dangling.
    pub fn json_path(&self, pointer: &JsonPointer) -> Option<String> {
        let mut out = String::from("$");
        let mut node = self;
        for token in pointer.tokens() {
            match &node.value {
                Value::Array(a) => {
                    let i = parse_index(token)?;
                    out.push_str(&format!("[{i}]"));
                    node = a.get(i)?;
                }
                Value::Object(o) => {
                    out.push_str("['");
                    for c in token.chars() {
                        match c {
                            '\'' => out.push_str("\\'"),
                            '\\' => out.push_str("\\\\"),
                            c if u32::from(c) < 0x20 => {
                                out.push_str(&format!("\\u{:04x}", u32::from(c)))
                            }
                            c => out.push(c),
                        }
                    }
                    out.push_str("']");
                    node = o.get(token)?;
                }
                _ => return None,
            }
        }
        Some(out)
    }

    /// Converts to a `serde_json::Value` (key order kept), dropping spans.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Array(a) => serde_json::Value::Array(a.iter().map(Node::to_json).collect()),
            Value::Object(o) => serde_json::Value::Object(
                o.iter().map(|(k, v)| (k.to_owned(), v.to_json())).collect(),
            ),
        }
    }

    /// Builds a tree from a `serde_json::Value`, every node carrying `span`.
    pub fn from_json(value: &serde_json::Value, span: Span) -> Node {
        let value = match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(a) => {
                Value::Array(a.iter().map(|v| Node::from_json(v, span)).collect())
            }
            serde_json::Value::Object(o) => {
                let mut obj = Object::new();
                for (k, v) in o {
                    obj.insert(k.clone(), span, Node::from_json(v, span));
                }
                Value::Object(obj)
            }
        };
        Node { span, value }
    }

    /// Number of nodes in this subtree (itself included).
    pub fn count(&self) -> usize {
        1 + match &self.value {
            Value::Array(a) => a.iter().map(Node::count).sum(),
            Value::Object(o) => o.iter().map(|(_, n)| n.count()).sum(),
            _ => 0,
        }
    }
}

/// Parses an array index token as RFC 6901 allows it (no sign, no leading zeros).
fn parse_index(token: &str) -> Option<usize> {
    if token.len() > 1 && token.starts_with('0') {
        return None;
    }
    if !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tree() -> Node {
        Node::from_json(
            &json!({"a": [{"b/c": 1}], "200": {"x": true}}),
            Span::DETACHED,
        )
    }

    #[test]
    fn pointers_walk_objects_and_arrays() {
        let t = tree();
        let p = JsonPointer::from_tokens(["a", "0", "b/c"]);
        assert_eq!(t.pointer(&p).unwrap().to_json(), json!(1));
        assert!(t.pointer(&JsonPointer::from_tokens(["a", "01"])).is_none());
        assert!(t.pointer(&JsonPointer::from_tokens(["a", "x"])).is_none());
    }

    #[test]
    fn json_path_quotes_object_keys_even_when_numeric() {
        let t = tree();
        let p = JsonPointer::from_tokens(["200", "x"]);
        assert_eq!(t.json_path(&p).unwrap(), "$['200']['x']");
        let p = JsonPointer::from_tokens(["a", "0", "b/c"]);
        assert_eq!(t.json_path(&p).unwrap(), "$['a'][0]['b/c']");
    }

    #[test]
    fn round_trips_json_and_counts_nodes() {
        let t = tree();
        assert_eq!(Node::from_json(&t.to_json(), Span::DETACHED), t);
        assert_eq!(t.count(), 6);
    }
}
