//! Parameters on the server side: each parameter's value read from the path, query string,
//! headers or cookies as its OpenAPI `style` and `explode` say, and turned into JSON of the
//! type its schema names (strings from the wire become booleans and numbers where the schema
//! says so), ready for validation and typed decoding.

use super::Incoming;
use crate::operation::{Location, Operation, Param, Scalar, Shape, Style};
use serde_json::{Map, Value};

fn decode(raw: &str) -> String {
    percent_encoding::percent_decode_str(raw)
        .decode_utf8_lossy()
        .into_owned()
}

/// A string from the wire as the JSON type its schema names; left a string when it is not
/// one (validation then reports the type).
pub fn coerce(raw: &str, scalar: Scalar) -> Value {
    match scalar {
        Scalar::String => raw.into(),
        Scalar::Boolean => match raw {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => raw.into(),
        },
        Scalar::Integer => raw
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| raw.parse::<u64>().map(Value::from))
            .unwrap_or_else(|_| raw.into()),
        Scalar::Number => raw
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .and_then(serde_json::Number::from_f64)
            .map(|n| {
                // Keep integers integral, so `1` validates against `type: integer` branches too.
                raw.parse::<i64>().map_or(Value::Number(n), Value::from)
            })
            .unwrap_or_else(|| raw.into()),
    }
}

fn field_scalar(fields: &[(crate::operation::Text, Scalar)], key: &str) -> Scalar {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map_or(Scalar::String, |(_, s)| *s)
}

/// Pairs (`k,v,k2,v2` or `k=v,k2=v2`) as an object of coerced values.
fn object_of<'a>(
    fields: &[(crate::operation::Text, Scalar)],
    pairs: impl Iterator<Item = (String, String)> + 'a,
) -> Value {
    let map: Map<String, Value> = pairs
        .map(|(k, v)| {
            let scalar = field_scalar(fields, &k);
            (k, coerce(&v, scalar))
        })
        .collect();
    Value::Object(map)
}

/// `k,v,k2,v2` → pairs (values already split on `,`).
fn alternating(items: Vec<String>) -> impl Iterator<Item = (String, String)> {
    let mut it = items.into_iter();
    std::iter::from_fn(move || {
        let k = it.next()?;
        Some((k, it.next().unwrap_or_default()))
    })
}

/// `k=v` items → pairs.
fn assigned(items: Vec<String>) -> impl Iterator<Item = (String, String)> {
    items.into_iter().map(|item| match item.split_once('=') {
        Some((k, v)) => (k.to_owned(), v.to_owned()),
        None => (item, String::new()),
    })
}

/// A delimited string (already split into items) as the parameter's shape.
fn shaped(shape: &Shape, items: Vec<String>, explode: bool) -> Value {
    match shape {
        Shape::Scalar(s) => coerce(&items.join(","), *s),
        Shape::Array(s) => Value::Array(items.iter().map(|i| coerce(i, *s)).collect()),
        Shape::Object(fields) if explode => object_of(fields, assigned(items)),
        Shape::Object(fields) => object_of(fields, alternating(items)),
        Shape::Json => json(&items.join(",")),
    }
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|_| text.into())
}

/// A path segment (still percent-encoded) per `simple`, `label` or `matrix` style.
fn path_value(p: &Param, raw: &str) -> Value {
    let split = |text: &str, sep: char| -> Vec<String> { text.split(sep).map(decode).collect() };
    match p.style {
        Style::Label => {
            let body = raw.strip_prefix('.').unwrap_or(raw);
            let sep = if p.explode && !matches!(p.shape, Shape::Scalar(_) | Shape::Json) {
                '.'
            } else {
                ','
            };
            shaped(&p.shape, split(body, sep), p.explode)
        }
        Style::Matrix => {
            let prefix = format!(";{}=", p.name);
            match (&p.shape, p.explode) {
                (Shape::Array(_), true) => {
                    let items = raw
                        .split(';')
                        .filter_map(|part| part.strip_prefix(&prefix[1..]))
                        .map(decode)
                        .collect();
                    shaped(&p.shape, items, true)
                }
                (Shape::Object(_), true) => {
                    let items = raw
                        .split(';')
                        .filter(|s| !s.is_empty())
                        .map(decode)
                        .collect();
                    shaped(&p.shape, items, true)
                }
                _ => {
                    let body = raw.strip_prefix(&prefix).unwrap_or(raw);
                    shaped(&p.shape, split(body, ','), p.explode)
                }
            }
        }
        _ => shaped(&p.shape, split(raw, ','), p.explode),
    }
}

/// A query parameter per `form`, `spaceDelimited`, `pipeDelimited` or `deepObject`.
fn query_value(p: &Param, op: &Operation, incoming: &Incoming<'_>) -> Option<Value> {
    let name = p.name.as_ref();
    let values = || {
        incoming
            .query
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    match (&p.shape, p.style) {
        (Shape::Object(fields), Style::DeepObject) => {
            let prefix = format!("{name}[");
            let mut map = Map::new();
            for (k, v) in &incoming.query {
                let Some(rest) = k.strip_prefix(&prefix) else {
                    continue;
                };
                let keys: Vec<&str> = rest.trim_end_matches(']').split("][").collect();
                let scalar = keys
                    .first()
                    .map_or(Scalar::String, |first| field_scalar(fields, first));
                insert_deep(
                    &mut map,
                    &keys,
                    coerce(
                        v,
                        if keys.len() == 1 {
                            scalar
                        } else {
                            Scalar::String
                        },
                    ),
                );
            }
            (!map.is_empty()).then_some(Value::Object(map))
        }
        (Shape::Object(fields), Style::Form) if p.explode => {
            // Each property is its own key: every key no other parameter (or API key) claims
            // belongs to the object; its schema decides which are allowed.
            let pairs: Vec<(String, String)> = incoming
                .query
                .iter()
                .filter(|(k, _)| !claimed_elsewhere(op, p, k))
                .cloned()
                .collect();
            (!pairs.is_empty()).then(|| object_of(fields, pairs.into_iter()))
        }
        (Shape::Array(_), Style::Form) if p.explode => {
            let items: Vec<String> = values().collect();
            (!items.is_empty()).then(|| shaped(&p.shape, items, true))
        }
        (Shape::Array(_) | Shape::Object(_), style) => {
            let sep = match style {
                Style::SpaceDelimited => ' ',
                Style::PipeDelimited => '|',
                _ => ',',
            };
            let first = values().next()?;
            Some(shaped(
                &p.shape,
                first.split(sep).map(str::to_owned).collect(),
                p.explode,
            ))
        }
        (Shape::Json, _) => values().next().map(|v| json(&v)),
        (Shape::Scalar(s), _) => values().next().map(|v| coerce(&v, *s)),
    }
}

/// Nesting kept for `deepObject` keys (OpenAPI defines one level): deeper brackets stay in
/// the last key's text, so a hostile `o[a][a][a]…` cannot nest values without bound.
const MAX_DEPTH: usize = 8;

fn insert_deep(map: &mut Map<String, Value>, keys: &[&str], value: Value) {
    let Some((first, rest)) = keys.split_first() else {
        return;
    };
    if rest.is_empty() {
        map.insert((*first).to_owned(), value);
        return;
    }
    if keys.len() > MAX_DEPTH {
        map.insert(keys.join("]["), value);
        return;
    }
    let child = map
        .entry((*first).to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(inner) = child {
        insert_deep(inner, rest, value);
    }
}

/// The value of a header or cookie parameter (`simple` / `form`): a scalar exactly as sent,
/// lists and objects split on `,`.
fn text_value(p: &Param, text: &str) -> Value {
    if let Shape::Scalar(s) = p.shape {
        return coerce(text, s);
    }
    let items: Vec<String> = text.split(',').map(|s| s.trim().to_owned()).collect();
    shaped(&p.shape, items, p.explode)
}

/// An `application/x-www-form-urlencoded` body as the JSON object its schema describes:
/// each listed property read as its shape says (`n=3` an integer, `tags=a&tags=b` or
/// `tags[]=a` a list, `card[number]=4242` an object), bracketed keys of other properties
/// nested (as the client writes nested values), everything else a string.
pub fn form_body(fields: &[(crate::operation::Text, Shape)], bytes: &[u8]) -> Value {
    let mut map = Map::new();
    for (key, value) in form_urlencoded::parse(bytes) {
        let (base, rest) = match key.find('[') {
            Some(i) => (&key[..i], &key[i..]),
            None => (key.as_ref(), ""),
        };
        let inner: Vec<&str> = rest
            .trim_start_matches('[')
            .trim_end_matches(']')
            .split("][")
            .filter(|k| !k.is_empty())
            .collect();
        match fields.iter().find(|(name, _)| name == base).map(|(_, s)| s) {
            Some(Shape::Scalar(s)) => {
                map.insert(base.to_owned(), coerce(&value, *s));
            }
            Some(Shape::Array(s)) => {
                let item = coerce(&value, *s);
                match map
                    .entry(base.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(items) => items.push(item),
                    other => *other = Value::Array(vec![item]),
                }
            }
            Some(Shape::Object(props)) => {
                let scalar = inner
                    .first()
                    .map_or(Scalar::String, |first| field_scalar(props, first));
                let leaf = coerce(
                    &value,
                    if inner.len() == 1 {
                        scalar
                    } else {
                        Scalar::String
                    },
                );
                let child = map
                    .entry(base.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(inner_map) = child {
                    insert_deep(inner_map, &inner, leaf);
                }
            }
            Some(Shape::Json) => {
                map.insert(base.to_owned(), json(&value));
            }
            None => {
                let mut keys = vec![base];
                keys.extend(inner);
                insert_deep(&mut map, &keys, Value::String(value.into_owned()));
            }
        }
    }
    Value::Object(map)
}

/// Whether a query key is another parameter's or an API key of the operation (so it does
/// not belong to the exploded form object `p`).
fn claimed_elsewhere(op: &Operation, p: &Param, key: &str) -> bool {
    let base = key.split('[').next().unwrap_or(key);
    op.params.iter().any(|other| {
        other.location == Location::Query && other.name != p.name && other.name == base
    }) || query_key(op, key)
}

/// Whether `key` is an API key the operation's security sends in the query.
fn query_key(op: &Operation, key: &str) -> bool {
    op.schemes.iter().any(|s| {
        matches!(&s.kind, crate::operation::SchemeKind::ApiKey { name, location: crate::operation::KeyLocation::Query } if name == key)
    })
}

/// The value of one parameter, when the request carries it.
pub fn value(p: &Param, op: &Operation, incoming: &Incoming<'_>) -> Option<Value> {
    match p.location {
        Location::Path => incoming
            .path
            .iter()
            .find(|(n, _)| *n == p.name)
            .map(|(_, raw)| path_value(p, raw)),
        Location::Query => query_value(p, op, incoming),
        Location::Header => incoming.header(&p.name).map(|v| match p.shape {
            Shape::Json => json(v),
            _ => text_value(p, v),
        }),
        Location::Cookie => incoming.cookie(&p.name).map(|v| match p.shape {
            Shape::Json => json(&decode(v)),
            _ => text_value(p, &decode(v)),
        }),
    }
}

/// Query keys the operation does not declare (neither a parameter nor an API key of its
/// security), each once. An exploded form object parameter takes every other key, so with
/// one there is nothing undeclared (its schema judges the keys).
pub fn undeclared_query(op: &Operation, incoming: &Incoming<'_>) -> Vec<String> {
    let declared = |key: &str| {
        let base = key.split('[').next().unwrap_or(key);
        op.params.iter().any(|p| {
            p.location == Location::Query
                && (p.name == base
                    || p.name == key
                    || matches!(&p.shape, Shape::Object(_)) && p.explode && p.style == Style::Form)
        }) || query_key(op, key)
    };
    let mut out: Vec<String> = Vec::new();
    for (k, _) in &incoming.query {
        if !declared(k) && !out.contains(k) {
            out.push(k.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    fn param(
        name: &'static str,
        location: Location,
        style: Style,
        explode: bool,
        shape: Shape,
    ) -> Param {
        Param::new(name, location, false, style, explode, shape, "")
    }

    fn op(params: Vec<Param>) -> Operation {
        Operation {
            method: "GET".into(),
            path: "/".into(),
            params: params.into(),
            body: None,
            schemes: Cow::Borrowed(&[]),
            security: Cow::Borrowed(&[]),
        }
    }

    fn with_query(query: &str) -> Incoming<'static> {
        Incoming::new(Vec::new(), query, Vec::new())
    }

    #[test]
    fn a_parameter_named_with_brackets_is_declared() {
        let o = op(vec![param(
            "include[]",
            Location::Query,
            Style::Form,
            true,
            Shape::Array(Scalar::String),
        )]);
        assert!(undeclared_query(&o, &with_query("include%5B%5D=a&include[]=b")).is_empty());
        assert_eq!(undeclared_query(&o, &with_query("other=1")), ["other"]);
    }

    #[test]
    fn query_styles() {
        use serde_json::json;
        let ints = Shape::Array(Scalar::Integer);
        let o = op(vec![]);
        let q = |p: Param, query: &str| value(&p, &o, &with_query(query));
        assert_eq!(
            q(
                param("a", Location::Query, Style::Form, true, ints.clone()),
                "a=1&a=2&b=3"
            ),
            Some(json!([1, 2]))
        );
        assert_eq!(
            q(
                param("a", Location::Query, Style::Form, false, ints.clone()),
                "a=1,2"
            ),
            Some(json!([1, 2]))
        );
        assert_eq!(
            q(
                param(
                    "a",
                    Location::Query,
                    Style::SpaceDelimited,
                    false,
                    ints.clone()
                ),
                "a=1%202"
            ),
            Some(json!([1, 2]))
        );
        assert_eq!(
            q(
                param("a", Location::Query, Style::PipeDelimited, false, ints),
                "a=1|2"
            ),
            Some(json!([1, 2]))
        );
        assert_eq!(
            q(
                param(
                    "f",
                    Location::Query,
                    Style::Form,
                    true,
                    Shape::Scalar(Scalar::Boolean)
                ),
                "f=true"
            ),
            Some(json!(true))
        );
        assert_eq!(
            q(
                param(
                    "f",
                    Location::Query,
                    Style::Form,
                    true,
                    Shape::Scalar(Scalar::Boolean)
                ),
                "f=yes"
            ),
            Some(json!("yes"))
        );
        assert_eq!(
            q(
                param(
                    "f",
                    Location::Query,
                    Style::Form,
                    true,
                    Shape::Scalar(Scalar::Number)
                ),
                "f=1.5"
            ),
            Some(json!(1.5))
        );
        let fields = Shape::Object(Cow::Owned(vec![(Cow::Borrowed("n"), Scalar::Integer)]));
        assert_eq!(
            q(
                param(
                    "o",
                    Location::Query,
                    Style::DeepObject,
                    true,
                    fields.clone()
                ),
                "o[n]=3&o[s]=x&p=1"
            ),
            Some(json!({"n": 3, "s": "x"}))
        );
        assert_eq!(
            q(
                param("o", Location::Query, Style::Form, false, fields.clone()),
                "o=n,3,s,x"
            ),
            Some(json!({"n": 3, "s": "x"}))
        );
        assert_eq!(
            q(
                param("o", Location::Query, Style::Form, true, fields),
                "n=3&s=x"
            ),
            Some(json!({"n": 3, "s": "x"}))
        );
        // deepObject nesting is bounded: deeper brackets stay in one key.
        let deep = format!("d{}=1", "[a]".repeat(20));
        let v = q(
            param(
                "d",
                Location::Query,
                Style::DeepObject,
                true,
                Shape::Object(Cow::Borrowed(&[])),
            ),
            &deep,
        )
        .unwrap();
        assert_eq!(v.pointer("/a/a/a/a/a/a/a/a/a/a").map(|_| ()), None);
        assert!(v.to_string().len() < 200, "{v}");
        assert_eq!(
            q(
                param("j", Location::Query, Style::Form, true, Shape::Json),
                "j=%7B%22a%22%3A1%7D"
            ),
            Some(json!({"a": 1}))
        );
        assert_eq!(
            q(
                param(
                    "a",
                    Location::Query,
                    Style::Form,
                    true,
                    Shape::Scalar(Scalar::String)
                ),
                "b=1"
            ),
            None
        );
    }

    #[test]
    fn path_styles() {
        use serde_json::json;
        let o = op(vec![]);
        let at = |p: Param, raw: &'static str| {
            let incoming = Incoming::new(
                vec![(p.name.to_string().leak() as &str, raw)],
                "",
                Vec::new(),
            );
            value(&p, &o, &incoming)
        };
        let strings = Shape::Array(Scalar::String);
        assert_eq!(
            at(
                param("id", Location::Path, Style::Simple, false, strings.clone()),
                "a,b%2Cc"
            ),
            Some(json!(["a", "b,c"]))
        );
        assert_eq!(
            at(
                param("id", Location::Path, Style::Label, true, strings.clone()),
                ".a.b"
            ),
            Some(json!(["a", "b"]))
        );
        assert_eq!(
            at(
                param("id", Location::Path, Style::Label, false, strings.clone()),
                ".a,b"
            ),
            Some(json!(["a", "b"]))
        );
        assert_eq!(
            at(
                param("id", Location::Path, Style::Matrix, true, strings.clone()),
                ";id=a;id=b"
            ),
            Some(json!(["a", "b"]))
        );
        assert_eq!(
            at(
                param("id", Location::Path, Style::Matrix, false, strings),
                ";id=a,b"
            ),
            Some(json!(["a", "b"]))
        );
        assert_eq!(
            at(
                param(
                    "id",
                    Location::Path,
                    Style::Matrix,
                    false,
                    Shape::Scalar(Scalar::Integer)
                ),
                ";id=5"
            ),
            Some(json!(5))
        );
        assert_eq!(
            at(
                param(
                    "id",
                    Location::Path,
                    Style::Simple,
                    false,
                    Shape::Scalar(Scalar::String)
                ),
                "a%20b"
            ),
            Some(json!("a b"))
        );
        let object = Shape::Object(Cow::Borrowed(&[]));
        assert_eq!(
            at(
                param("id", Location::Path, Style::Simple, true, object.clone()),
                "a=1,b=2"
            ),
            Some(json!({"a": "1", "b": "2"}))
        );
        assert_eq!(
            at(
                param("id", Location::Path, Style::Simple, false, object),
                "a,1,b,2"
            ),
            Some(json!({"a": "1", "b": "2"}))
        );
    }

    #[test]
    fn form_bodies_take_their_schema_types() {
        use serde_json::json;
        let fields: Vec<(crate::operation::Text, Shape)> = vec![
            (Cow::Borrowed("n"), Shape::Scalar(Scalar::Integer)),
            (Cow::Borrowed("ok"), Shape::Scalar(Scalar::Boolean)),
            (Cow::Borrowed("tags"), Shape::Array(Scalar::String)),
            (
                Cow::Borrowed("card"),
                Shape::Object(Cow::Owned(vec![(Cow::Borrowed("exp"), Scalar::Integer)])),
            ),
        ];
        let body = b"n=3&ok=true&tags[0]=a&tags[1]=b&card[exp]=12&card[name]=x&meta[k]=v&s=a+b";
        assert_eq!(
            form_body(&fields, body),
            json!({"n": 3, "ok": true, "tags": ["a", "b"], "card": {"exp": 12, "name": "x"}, "meta": {"k": "v"}, "s": "a b"})
        );
        assert_eq!(
            form_body(&fields, b"tags=a&tags=b"),
            json!({"tags": ["a", "b"]})
        );
    }

    #[test]
    fn headers_cookies_and_undeclared_keys() {
        use serde_json::json;
        let o = op(vec![
            param(
                "x-ids",
                Location::Header,
                Style::Simple,
                false,
                Shape::Array(Scalar::Integer),
            ),
            param(
                "sid",
                Location::Cookie,
                Style::Form,
                true,
                Shape::Scalar(Scalar::String),
            ),
            param(
                "q",
                Location::Query,
                Style::Form,
                true,
                Shape::Scalar(Scalar::String),
            ),
        ]);
        let incoming = Incoming::new(
            Vec::new(),
            "q=1&x=2&x=3&q[a]=4",
            vec![("X-Ids", "1, 2"), ("Cookie", "a=1; sid=s%20x")],
        );
        assert_eq!(value(&o.params[0], &o, &incoming), Some(json!([1, 2])));
        assert_eq!(value(&o.params[1], &o, &incoming), Some(json!("s x")));
        assert_eq!(undeclared_query(&o, &incoming), ["x"]);
    }
}
