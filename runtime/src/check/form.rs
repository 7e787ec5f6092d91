//! Form bodies (`application/x-www-form-urlencoded`) read as their schema describes them, at
//! any depth: `card[exp_month]=12` an integer inside an object, `items[0][price]=p` an object
//! inside a list, `expand[]=a&expand[]=b` or `tags=a&tags=b` a list, `flag=true` a boolean,
//! `anyOf` branches tried in order. The tree is read from the schema once, when the operation
//! is compiled; a request is decoded into nested strings by its bracketed keys and then given
//! the tree's types. Strings the schema does not type stay strings, so validation reports them.

use super::params::coerce;
use crate::operation::Scalar;
use serde_json::{Map, Value};

/// How deep a schema is followed (through `$ref`s, which may recurse).
const MAX_SCHEMA_DEPTH: usize = 12;
/// How deep bracketed keys nest; deeper keys are kept whole as one property name.
const MAX_KEY_DEPTH: usize = 16;

/// The types a form body's strings take, read from its schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum FormTree {
    /// Untyped: left as decoded.
    #[default]
    Any,
    /// A string, boolean, integer or number.
    Scalar(Scalar),
    /// A list of items.
    Array(Box<FormTree>),
    /// An object: listed properties, then the tree of any other property.
    Object(Vec<(String, FormTree)>, Box<FormTree>),
    /// `anyOf` / `oneOf`: the first branch the value fits.
    Either(Vec<FormTree>),
}

impl FormTree {
    /// The tree of `schema`; `lookup` resolves a `$ref` to the schema it names.
    pub fn read<'a>(schema: &'a Value, lookup: &dyn Fn(&str) -> Option<&'a Value>) -> FormTree {
        read(schema, lookup, 0)
    }
}

fn read<'a>(
    schema: &'a Value,
    lookup: &dyn Fn(&str) -> Option<&'a Value>,
    depth: usize,
) -> FormTree {
    if depth > MAX_SCHEMA_DEPTH {
        return FormTree::Any;
    }
    let Value::Object(map) = schema else {
        return FormTree::Any;
    };
    if let Some(target) = map.get("$ref").and_then(Value::as_str).and_then(lookup) {
        return read(target, lookup, depth + 1);
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = map.get(key) {
            let trees: Vec<FormTree> = branches
                .iter()
                .map(|b| read(b, lookup, depth + 1))
                .collect();
            return FormTree::Either(trees);
        }
    }
    if let Some(Value::Array(parts)) = map.get("allOf") {
        // Properties of every part together; the first typed part otherwise.
        let mut props = Vec::new();
        let mut other = None;
        for part in parts {
            match read(part, lookup, depth + 1) {
                FormTree::Object(p, _) => props.extend(p),
                FormTree::Any => {}
                typed => {
                    other.get_or_insert(typed);
                }
            }
        }
        return match other {
            Some(typed) if props.is_empty() => typed,
            _ => FormTree::Object(props, Box::new(FormTree::Any)),
        };
    }
    let types: Vec<&str> = match map.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ if map.contains_key("properties") => vec!["object"],
        _ if map.contains_key("items") => vec!["array"],
        _ => Vec::new(),
    };
    match types.into_iter().find(|t| *t != "null") {
        Some("boolean") => FormTree::Scalar(Scalar::Boolean),
        Some("integer") => FormTree::Scalar(Scalar::Integer),
        Some("number") => FormTree::Scalar(Scalar::Number),
        Some("string") => FormTree::Scalar(Scalar::String),
        Some("array") => FormTree::Array(Box::new(
            map.get("items")
                .map_or(FormTree::Any, |i| read(i, lookup, depth + 1)),
        )),
        Some("object") => {
            let props = match map.get("properties") {
                Some(Value::Object(p)) => p
                    .iter()
                    .map(|(k, s)| (k.clone(), read(s, lookup, depth + 1)))
                    .collect(),
                _ => Vec::new(),
            };
            let other = match map.get("additionalProperties") {
                Some(s @ Value::Object(_)) => read(s, lookup, depth + 1),
                _ => FormTree::Any,
            };
            FormTree::Object(props, Box::new(other))
        }
        _ => FormTree::Any,
    }
}

/// A form body decoded by its keys: `a[b][c]=x` nests objects, `a[0]=x` keys an object by
/// index (a list once typed), `a[]=x` and a repeated `a` make lists. Every leaf a string.
pub fn decode(bytes: &[u8]) -> Value {
    let mut root = Map::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        let (base, rest) = match key.find('[') {
            Some(i) if key.ends_with(']') => (&key[..i], &key[i + 1..key.len() - 1]),
            _ => (key.as_ref(), ""),
        };
        let mut path: Vec<&str> = vec![base];
        if !rest.is_empty() || key.ends_with("[]") {
            path.extend(rest.split("]["));
        }
        if path.len() > MAX_KEY_DEPTH {
            path = vec![key.as_ref()];
        }
        insert(&mut root, &path, Value::String(value.into_owned()));
    }
    Value::Object(root)
}

/// Puts `leaf` at `path` under `map`; an empty segment appends to a list.
fn insert(map: &mut Map<String, Value>, path: &[&str], leaf: Value) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    if rest.is_empty() {
        match map.get_mut(*first) {
            Some(Value::Array(items)) => items.push(leaf),
            Some(slot @ Value::String(_)) => {
                let old = std::mem::take(slot);
                *slot = Value::Array(vec![old, leaf]);
            }
            _ => {
                map.insert((*first).to_owned(), leaf);
            }
        }
        return;
    }
    if rest == [""] {
        match map
            .entry((*first).to_owned())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(items) => items.push(leaf),
            slot => *slot = Value::Array(vec![std::mem::take(slot), leaf]),
        }
        return;
    }
    let child = map
        .entry((*first).to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !child.is_object() {
        // `a=x&a[b]=y`: the later, structured value wins.
        *child = Value::Object(Map::new());
    }
    if let Value::Object(inner) = child {
        insert(inner, rest, leaf);
    }
}

/// `value` given the types of `tree`; what does not fit is left as it is.
pub fn apply(tree: &FormTree, value: Value) -> Value {
    match fit(tree, &value) {
        Some(v) => v,
        None => match (tree, value) {
            // A single `tags=a` is a list of one (and a single file part where a list of
            // files is expected).
            (FormTree::Array(item), v @ Value::String(_)) => Value::Array(vec![apply(item, v)]),
            (FormTree::Array(item), Value::Object(file)) if file.contains_key("$file") => {
                Value::Array(vec![apply(item, Value::Object(file))])
            }
            (FormTree::Either(branches), v) => {
                match branches.iter().find(|b| matches!(b, FormTree::Array(_))) {
                    Some(list) if v.is_string() => apply(list, v),
                    _ => v,
                }
            }
            (_, v) => v,
        },
    }
}

/// `value` as `tree` types it, when it has the tree's shape.
fn fit(tree: &FormTree, value: &Value) -> Option<Value> {
    match (tree, value) {
        (FormTree::Any, v) => Some(v.clone()),
        (FormTree::Scalar(s), Value::String(text)) => {
            let v = coerce(text, *s);
            is(*s, &v).then_some(v)
        }
        (FormTree::Scalar(s), v) => is(*s, v).then(|| v.clone()),
        (FormTree::Array(item), Value::Array(items)) => Some(Value::Array(
            items.iter().map(|i| apply(item, i.clone())).collect(),
        )),
        (FormTree::Array(item), Value::Object(map)) => {
            let mut indexed: Vec<(usize, &Value)> = map
                .iter()
                .map(|(k, v)| k.parse::<usize>().ok().map(|i| (i, v)))
                .collect::<Option<_>>()?;
            indexed.sort_by_key(|(i, _)| *i);
            Some(Value::Array(
                indexed
                    .into_iter()
                    .map(|(_, v)| apply(item, v.clone()))
                    .collect(),
            ))
        }
        (FormTree::Object(props, other), Value::Object(map)) => Some(Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let tree = props
                        .iter()
                        .find(|(name, _)| name == k)
                        .map_or(&**other, |(_, t)| t);
                    (k.clone(), apply(tree, v.clone()))
                })
                .collect(),
        )),
        (FormTree::Either(branches), v) => branches.iter().find_map(|b| fit(b, v)),
        _ => None,
    }
}

/// Whether `value` has the JSON type `scalar` names.
fn is(scalar: Scalar, value: &Value) -> bool {
    match scalar {
        Scalar::String => value.is_string(),
        Scalar::Boolean => value.is_boolean(),
        Scalar::Integer => value.is_i64() || value.is_u64(),
        Scalar::Number => value.is_number(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use serde_json::json;

    fn tree(schema: Value) -> FormTree {
        let item = json!({"type": "object", "properties": {"qty": {"type": "integer"}, "price": {"type": "string"}}});
        let lookup = |r: &str| -> Option<&Value> { (r == "#/defs/Item").then_some(&item) };
        FormTree::read(&schema, &lookup)
    }

    #[test]
    fn nested_objects_lists_and_scalars_take_their_types() {
        let t = tree(json!({
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/defs/Item"}},
                "card": {"type": "object", "properties": {"exp_month": {"type": "integer"}, "cvc_check": {"type": "boolean"}}},
                "expand": {"type": "array", "items": {"type": "string"}},
                "start": {"anyOf": [{"type": "integer"}, {"type": "string", "enum": ["now"]}]},
                "tax_rates": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string", "enum": [""]}]},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}}
            }
        }));
        let body = b"items[1][qty]=2&items[0][qty]=1&items[0][price]=p&card[exp_month]=12&card[cvc_check]=true\
&expand[]=a&expand[]=b&start=now&tax_rates=&metadata[n]=7";
        assert_eq!(
            apply(&t, decode(body)),
            json!({
                "items": [{"qty": 1, "price": "p"}, {"qty": 2}],
                "card": {"exp_month": 12, "cvc_check": true},
                "expand": ["a", "b"],
                "start": "now",
                "tax_rates": "",
                "metadata": {"n": "7"}
            })
        );
        assert_eq!(
            apply(&t, decode(b"start=5&tax_rates[0]=t&expand=one")),
            json!({"start": 5, "tax_rates": ["t"], "expand": ["one"]})
        );
    }

    #[test]
    fn what_does_not_fit_stays_a_string_for_validation_to_report() {
        let t = tree(
            json!({"type": "object", "properties": {"n": {"type": "integer"}, "l": {"type": "array"}}}),
        );
        assert_eq!(
            apply(&t, decode(b"n=x&l[a]=1&other=2&n2=3")),
            json!({"n": "x", "l": {"a": "1"}, "other": "2", "n2": "3"})
        );
    }

    #[test]
    fn repeated_keys_and_hostile_depth_decode_without_loss() {
        assert_eq!(decode(b"t=a&t=b&t=c"), json!({"t": ["a", "b", "c"]}));
        let deep = format!("a{}=1", "[b]".repeat(40));
        let decoded = decode(deep.as_bytes());
        assert_eq!(decoded.as_object().unwrap().len(), 1);
        let cyclic = json!({"$ref": "#/defs/self"});
        let lookup = |_: &str| -> Option<&Value> { Some(&cyclic) };
        assert_eq!(FormTree::read(&cyclic, &lookup), FormTree::Any);
    }
}
