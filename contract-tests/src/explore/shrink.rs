//! Smaller versions of a case, to find the least request that still shows a finding:
//! optional parameters and body properties left out first, then values made simpler
//! (shorter strings, 0 and 1, fewer items). [`super::Explorer`] sends each and keeps the
//! first that still fails the same way, until none does or the budget is spent.

use super::cases::Case;
use crate::requests::BodyValue;
use serde_json::{Value, json};

/// Candidates one step smaller than `case`, most shrinking first. `required` names the
/// parameters that must stay.
pub fn candidates(case: &Case, required: &[&str]) -> Vec<Case> {
    let mut out = Vec::new();
    let parts = &case.parts;
    for name in parts.values.keys() {
        if !required.contains(&name.as_str()) {
            let mut c = case.clone();
            c.parts.values.remove(name);
            out.push(c);
        }
    }
    if let Some((media, kind, BodyValue::Value(body))) = &parts.body {
        let mut bodies = Vec::new();
        removals(body, &mut bodies, 0);
        simpler_within(body, &mut bodies, 0);
        for b in bodies {
            let mut c = case.clone();
            c.parts.body = Some((media.clone(), *kind, BodyValue::Value(b)));
            out.push(c);
        }
    }
    for (name, value) in &parts.values {
        for simpler in simpler(value) {
            let mut c = case.clone();
            c.parts.values.insert(name.clone(), simpler);
            out.push(c);
        }
    }
    out
}

/// `value` with one property (at any of the first three levels) or array item removed.
fn removals(value: &Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 2 {
        return;
    }
    match value {
        Value::Object(map) => {
            for key in map.keys() {
                let mut m = map.clone();
                m.remove(key);
                out.push(Value::Object(m));
            }
            for (key, inner) in map {
                let mut inner_out = Vec::new();
                removals(inner, &mut inner_out, depth + 1);
                for v in inner_out {
                    let mut m = map.clone();
                    m.insert(key.clone(), v);
                    out.push(Value::Object(m));
                }
            }
        }
        Value::Array(items) if items.len() > 1 => {
            out.push(Value::Array(items[..1].to_vec()));
        }
        _ => {}
    }
}

/// `value` with one of its leaves (at any of the first three levels) made simpler.
fn simpler_within(value: &Value, out: &mut Vec<Value>, depth: usize) {
    if depth > 2 {
        return;
    }
    if let Value::Object(map) = value {
        for (key, inner) in map {
            let mut replacements = simpler(inner);
            simpler_within(inner, &mut replacements, depth + 1);
            for v in replacements {
                let mut m = map.clone();
                m.insert(key.clone(), v);
                out.push(Value::Object(m));
            }
        }
    }
}

/// Simpler values of the same type: `""` and `"a"`, 0 and 1, `[]`, `{}`.
fn simpler(value: &Value) -> Vec<Value> {
    let candidates = match value {
        Value::String(s) if s.chars().count() > 1 => vec![json!(""), json!("a")],
        Value::String(s) if !s.is_empty() => vec![json!("")],
        Value::Number(n) if n.as_f64().is_some_and(|f| f != 0.0 && f != 1.0) => {
            vec![json!(0), json!(1)]
        }
        Value::Array(items) if !items.is_empty() => vec![json!([])],
        Value::Object(map) if !map.is_empty() => vec![json!({})],
        _ => Vec::new(),
    };
    candidates.into_iter().filter(|c| c != value).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::cases::Auth;
    use crate::requests::Parts;
    use openapi_runtime::operation::BodyKind;
    use serde_json::Map;

    fn case(values: Value, body: Value) -> Case {
        Case {
            label: "t".into(),
            parts: Parts {
                values: values.as_object().cloned().unwrap_or_default(),
                body: Some((
                    "application/json".into(),
                    BodyKind::Json,
                    BodyValue::Value(body),
                )),
            },
            auth: Auth::Valid,
            method: None,
            content_type: None,
        }
    }

    fn body_of(c: &Case) -> Option<&Value> {
        match &c.parts.body {
            Some((_, _, BodyValue::Value(v))) => Some(v),
            _ => None,
        }
    }

    #[test]
    fn optional_parameters_go_first_and_required_ones_stay() {
        let c = case(json!({"id": 7, "limit": 50}), json!({}));
        let smaller = candidates(&c, &["id"]);
        assert_eq!(smaller[0].parts.values, {
            let mut m = Map::new();
            m.insert("id".into(), json!(7));
            m
        });
        assert!(smaller.iter().all(|c| c.parts.values.contains_key("id")));
    }

    #[test]
    fn bodies_lose_properties_and_simplify_leaves() {
        let c = case(
            json!({}),
            json!({"name": "long name", "tags": ["a", "b"], "n": 42}),
        );
        let bodies: Vec<Value> = candidates(&c, &[])
            .iter()
            .filter_map(body_of)
            .cloned()
            .collect();
        assert!(bodies.contains(&json!({"tags": ["a", "b"], "n": 42})));
        assert!(bodies.contains(&json!({"name": "long name", "tags": ["a"], "n": 42})));
        assert!(bodies.contains(&json!({"name": "a", "tags": ["a", "b"], "n": 42})));
        assert!(bodies.contains(&json!({"name": "long name", "tags": ["a", "b"], "n": 0})));
    }

    #[test]
    fn simplest_values_have_no_candidates() {
        assert!(simpler(&json!("")).is_empty());
        assert!(simpler(&json!(0)).is_empty());
        assert!(simpler(&json!([])).is_empty());
        assert_eq!(simpler(&json!("ab")), vec![json!(""), json!("a")]);
    }
}
