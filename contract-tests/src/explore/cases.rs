//! The cases generated for one operation, before the validator sorts them: documented
//! examples first, then made values, values aimed at bounds and special text one place at
//! a time, broken bodies and content types, every documented media type, values from more
//! seeds, and requests without or with wrong credentials.
//!
//! A case changes one thing of a valid base request, so when the spec forbids it the
//! request breaks exactly one rule. Whether a candidate is positive or negative is not
//! decided here: [`super::Explorer`] asks the validator, so a value this module guesses
//! wrong about is still judged right.

use super::edges;
use crate::docs::{at, follow};
use crate::requests::{self, BodyValue, Parts};
use crate::synth::Synth;
use codegen::model::http::Endpoint;
use openapi_runtime::check::schemas::Direction;
use openapi_runtime::operation::{BodyKind, Location, Operation};
use serde_json::{Map, Value};

/// How a case presents credentials.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// The run's credentials (given with `-H`, else made up for a mock that takes any).
    Valid,
    /// None at all.
    Missing,
    /// The given ones, with their secrets replaced.
    Invalid,
}

/// One generated request, before it is judged.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// What it tries (`body /price = -1`), for reports.
    pub label: String,
    /// Parameter values and body.
    pub parts: Parts,
    /// Credentials.
    pub auth: Auth,
    /// A method other than the operation's (undeclared-method cases).
    pub method: Option<String>,
    /// A Content-Type other than the body's media type.
    pub content_type: Option<String>,
}

impl Case {
    pub(crate) fn new(label: impl Into<String>, parts: Parts) -> Case {
        Case {
            label: label.into(),
            parts,
            auth: Auth::Valid,
            method: None,
            content_type: None,
        }
    }
}

/// What cases are made from.
pub struct Source<'a> {
    /// The runtime's description.
    pub op: &'a Operation,
    /// The model's facts (pointers to examples).
    pub endpoint: &'a Endpoint,
    /// The document in validation form.
    pub doc: &'a Value,
    /// The run's seed.
    pub seed: u64,
    /// Cases made from further seeds.
    pub random: usize,
    /// Whether the run has credentials of its own to spoil (`Auth::Invalid` cases).
    pub has_credentials: bool,
    /// Values valid requests use for parameters and body properties of these names.
    pub pins: &'a Map<String, Value>,
}

/// Most cases aimed at one operation's values (bounds, text), so a wide body does not take
/// the whole budget.
const MAX_EDGE_CASES: usize = 400;

/// The cases of one operation, in the order they are sent.
pub fn generate(src: &Source<'_>) -> Vec<Case> {
    let mut out: Vec<Case> = Vec::new();
    let mut base = requests::choose(src.op, src.doc, src.seed, false);
    let mut full = requests::choose(src.op, src.doc, src.seed, true);
    pin(&mut base, src.pins);
    pin(&mut full, src.pins);
    examples(src, &full, &mut out);
    out.push(Case::new("made values, required only", base.clone()));
    out.push(Case::new("made values, optional ones too", full.clone()));
    // The whole body broken (malformed, missing, wrong Content-Type) first: a wide body's
    // property cases must not crowd them out of the budget.
    whole_body(&full, &mut out);
    let mut edge_cases = Vec::new();
    parameters(src, &full, &mut edge_cases);
    bodies(src, &full, &mut edge_cases);
    edge_cases.truncate(MAX_EDGE_CASES);
    out.extend(edge_cases);
    media_types(src, &full, &mut out);
    for i in 0..src.random as u64 {
        let seed = src.seed.wrapping_add(7919 * (i + 1));
        let mut parts = requests::choose(src.op, src.doc, seed, i % 2 == 0);
        pin(&mut parts, src.pins);
        out.push(Case::new(format!("made values, seed {seed}"), parts));
    }
    if src.op.requires_credentials() {
        out.push(Case {
            auth: Auth::Missing,
            ..Case::new("no credentials", base.clone())
        });
    }
    // Only where credentials are required: with `{}` among the alternatives, a server may
    // rightly treat a wrong token as none.
    if src.op.requires_credentials() && src.has_credentials {
        out.push(Case {
            auth: Auth::Invalid,
            ..Case::new("invalid credentials", base)
        });
    }
    dedup(out)
}

/// `parts` with pinned values in place of made ones (parameters, and body properties at
/// any of the first levels, where present).
pub fn pin(parts: &mut Parts, pins: &Map<String, Value>) {
    if pins.is_empty() {
        return;
    }
    for (name, value) in parts.values.iter_mut() {
        if let Some(p) = pins.get(name) {
            *value = p.clone();
        }
    }
    if let Some((_, _, BodyValue::Value(body))) = &mut parts.body {
        pin_value(body, pins, 0);
    }
}

fn pin_value(value: &mut Value, pins: &Map<String, Value>, depth: usize) {
    if depth > 3 {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                match pins.get(k) {
                    Some(p) => *v = p.clone(),
                    None => pin_value(v, pins, depth + 1),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| pin_value(v, pins, depth + 1)),
        _ => {}
    }
}

/// Whether every pinned name present in `parts` has its pinned value.
pub fn respects(parts: &Parts, pins: &Map<String, Value>) -> bool {
    if pins.is_empty() {
        return true;
    }
    let mut pinned = parts.clone();
    pin(&mut pinned, pins);
    pinned == *parts
}

/// Cases for the methods a path does not declare (`declared`: its operations' methods),
/// made from one of its operations' valid requests.
pub fn undeclared_methods(declared: &[&str], base: &Parts) -> Vec<Case> {
    ["GET", "PUT", "POST", "DELETE", "PATCH"]
        .iter()
        .filter(|m| !declared.iter().any(|d| d.eq_ignore_ascii_case(m)))
        .map(|m| Case {
            method: Some((*m).to_owned()),
            ..Case::new(format!("undeclared method {m}"), base.clone())
        })
        .collect()
}

/// Documented examples: the parameters' and the body's, each body example with the
/// parameters' examples (made values where a parameter has none).
fn examples(src: &Source<'_>, full: &Parts, out: &mut Vec<Case>) {
    let mut with_params = full.clone();
    let mut any = false;
    for p in &src.endpoint.params {
        if let Some((_, v)) = documented(src.doc, &p.pointer.fragment())
            .into_iter()
            .next()
        {
            with_params.values.insert(p.wire.clone(), v);
            any = true;
        }
    }
    if any {
        out.push(Case::new(
            "documented parameter examples",
            with_params.clone(),
        ));
    }
    let Some(body) = &src.endpoint.body else {
        return;
    };
    for m in &body.content {
        let mut found = documented(src.doc, &m.pointer.fragment());
        if found.is_empty()
            && let Some(schema) = &m.schema
        {
            found = schema_examples(src.doc, &schema.fragment());
        }
        for (name, value) in found {
            let mut parts = with_params.clone();
            parts.body = Some((
                requests::concrete(&m.media),
                BodyKind::of(&m.media),
                BodyValue::Value(value),
            ));
            out.push(Case::new(
                format!("documented example `{name}` ({})", m.media),
                parts,
            ));
        }
    }
}

/// The `example` and `examples` of an object holding them (a parameter or media type).
fn documented(doc: &Value, fragment: &str) -> Vec<(String, Value)> {
    let Some(node) = at(doc, fragment) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(v) = node.get("example") {
        out.push(("example".to_owned(), v.clone()));
    }
    if let Some(Value::Object(named)) = node.get("examples") {
        for (name, example) in named {
            let example = follow(doc, example);
            if let Some(v) = example.get("value") {
                out.push((name.clone(), v.clone()));
            }
        }
    }
    out
}

/// A schema's own `example` and `examples` (3.1's array).
fn schema_examples(doc: &Value, fragment: &str) -> Vec<(String, Value)> {
    let Some(schema) = at(doc, fragment).map(|s| follow(doc, s)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(v) = schema.get("example") {
        out.push(("schema example".to_owned(), v.clone()));
    }
    if let Some(Value::Array(list)) = schema.get("examples") {
        for (i, v) in list.iter().enumerate() {
            out.push((format!("schema examples[{i}]"), v.clone()));
        }
    }
    out
}

/// Each parameter given each interesting value of its schema, and left out.
fn parameters(src: &Source<'_>, full: &Parts, out: &mut Vec<Case>) {
    let mut synth = Synth::new(src.doc, src.seed, Direction::Request);
    for p in src.op.params.iter() {
        let name = p.name.to_string();
        if !p.required && full.values.contains_key(&name) {
            let mut parts = full.clone();
            parts.values.remove(&name);
            out.push(Case::new(
                format!("{} {name} left out", p.location.as_str()),
                parts,
            ));
        }
        // A path parameter cannot be left out, only be wrong.
        if p.required && p.location != Location::Path {
            let mut parts = full.clone();
            parts.values.remove(&name);
            out.push(Case::new(
                format!("required {} {name} left out", p.location.as_str()),
                parts,
            ));
        }
        let Some(shape) = at(src.doc, &p.schema).and_then(|s| synth.shape(s)) else {
            continue;
        };
        for value in edges::interesting(&shape) {
            // Path segments and headers carry text only.
            if matches!(p.location, Location::Header | Location::Cookie) && !header_safe(&value) {
                continue;
            }
            let empty = match &value {
                Value::Null => true,
                Value::String(s) => s.is_empty(),
                Value::Array(a) => a.is_empty(),
                Value::Object(o) => o.is_empty(),
                _ => false,
            };
            // An empty value is "absent" to many stacks, a path cannot carry one, and OpenAPI
            // allows one in a query only with `allowEmptyValue`: none is sent.
            if empty {
                continue;
            }
            let mut parts = full.clone();
            let label = format!("{} {name} = {}", p.location.as_str(), short(&value));
            parts.values.insert(name.clone(), value);
            out.push(Case::new(label, parts));
        }
    }
}

/// Whether a value can travel in a header.
fn header_safe(value: &Value) -> bool {
    match value {
        Value::String(s) => s.bytes().all(|b| (0x20..0x7f).contains(&b)) && s.len() < 1024,
        Value::Array(_) | Value::Object(_) => false,
        _ => true,
    }
}

/// A value as a short label.
fn short(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(24) {
        Some((cut, _)) => format!("{}…({} chars)", &text[..cut], text.chars().count()),
        None => text,
    }
}

/// The body's properties (two levels deep) each given each interesting value, left out,
/// and an unknown one added; the body as a whole of each interesting value.
fn bodies(src: &Source<'_>, full: &Parts, out: &mut Vec<Case>) {
    let Some((media, kind, BodyValue::Value(value))) = &full.body else {
        return;
    };
    let Some(schema) = src
        .op
        .body
        .as_ref()
        .and_then(|b| b.media_for(media))
        .and_then(|m| at(src.doc, &m.schema))
    else {
        return;
    };
    let mut synth = Synth::new(src.doc, src.seed ^ 0xED6E, Direction::Request);
    let with_body = |v: Value| {
        let mut parts = full.clone();
        parts.body = Some((media.clone(), *kind, BodyValue::Value(v)));
        parts
    };
    properties(&mut synth, schema, value, "", 0, &mut |label, v| {
        out.push(Case::new(label, with_body(v)))
    });
    if let Some(shape) = synth.shape(schema) {
        for v in edges::interesting(&shape) {
            out.push(Case::new(format!("body = {}", short(&v)), with_body(v)));
        }
    }
}

/// The body as a whole malformed (JSON), left out, and sent under an undocumented
/// Content-Type.
fn whole_body(full: &Parts, out: &mut Vec<Case>) {
    let Some((media, kind, BodyValue::Value(_))) = &full.body else {
        return;
    };
    if *kind == BodyKind::Json {
        let mut parts = full.clone();
        parts.body = Some((
            media.clone(),
            *kind,
            BodyValue::Raw(b"{\"unterminated".to_vec()),
        ));
        out.push(Case::new("malformed JSON body", parts));
    }
    let mut parts = full.clone();
    parts.body = None;
    out.push(Case::new("body left out", parts));
    out.push(Case {
        content_type: Some("text/plain".into()),
        ..Case::new("body sent as text/plain", full.clone())
    });
}

/// Cases for the properties of `value` (an object made for `schema`), at `prefix`: each
/// declared property set to each interesting value, left out or added, and an unknown
/// property added. `emit` receives the label and the whole changed body.
fn properties(
    synth: &mut Synth<'_>,
    schema: &Value,
    value: &Value,
    prefix: &str,
    depth: usize,
    emit: &mut dyn FnMut(String, Value),
) {
    let (Some(shape), Value::Object(object)) = (synth.shape(schema), value) else {
        return;
    };
    let declared: Vec<(String, Value)> = shape
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    let replace = |name: &str, v: Option<Value>| {
        let mut o = object.clone();
        match v {
            Some(v) => o.insert(name.to_owned(), v),
            None => o.remove(name),
        };
        Value::Object(o)
    };
    for (name, property) in &declared {
        let at = format!("{prefix}/{name}");
        match object.get(name) {
            Some(_) => emit(format!("body {at} left out"), replace(name, None)),
            None => {
                let made = synth.value(property, 1);
                emit(format!("body {at} added"), replace(name, Some(made)));
            }
        }
        let Some(inner) = synth.shape(property) else {
            continue;
        };
        for v in edges::interesting(&inner) {
            emit(format!("body {at} = {}", short(&v)), replace(name, Some(v)));
        }
        if depth == 0
            && let Some(current @ Value::Object(_)) = object.get(name)
        {
            properties(synth, property, current, &at, depth + 1, &mut |label, v| {
                emit(label, replace(name, Some(v)))
            });
        }
    }
    let mut extra = Map::new();
    extra.insert("x_unexpected_field".into(), Value::Bool(true));
    let mut o = object.clone();
    o.extend(extra);
    emit(
        format!("body {prefix}/x_unexpected_field added"),
        Value::Object(o),
    );
}

/// A valid body for each documented media type besides the first.
fn media_types(src: &Source<'_>, full: &Parts, out: &mut Vec<Case>) {
    let Some(body) = &src.op.body else {
        return;
    };
    for m in body.media.iter() {
        let media = requests::concrete(&m.media);
        if full.body.as_ref().is_some_and(|(b, _, _)| *b == media) {
            continue;
        }
        let value = if m.schema.is_empty() {
            Value::Object(Map::new())
        } else {
            Synth::new(src.doc, src.seed ^ 0xB0D1, Direction::Request).at(&m.schema)
        };
        let mut parts = full.clone();
        parts.body = Some((media.clone(), m.kind, BodyValue::Value(value)));
        out.push(Case::new(format!("body as {media}"), parts));
    }
}

/// Cases without repeats (two edges can make the same request).
fn dedup(cases: Vec<Case>) -> Vec<Case> {
    let mut out: Vec<Case> = Vec::with_capacity(cases.len());
    for c in cases {
        if !out.iter().any(|o| {
            o.parts == c.parts
                && o.auth == c.auth
                && o.method == c.method
                && o.content_type == c.content_type
        }) {
            out.push(c);
        }
    }
    out
}
