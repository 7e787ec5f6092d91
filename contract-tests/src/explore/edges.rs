//! Values aimed where servers break, for one schema's keywords: bounds and just past them,
//! zero and minus one, empty and very long strings, non-ASCII and special characters, each
//! enum value, null, and a value of another type. Some are valid and some are not; the
//! validator sorts them into positive and negative cases, so nothing here has to be exact.

use serde_json::{Map, Value, json};

/// Longest string sent where a schema sets no `maxLength`.
const LONG: usize = 4096;

/// Text that trips encoders, parsers and databases.
const SPECIAL: [&str; 3] = ["ünïcödé 🚀 中文", "'\"<>&%;\\/--", "a\u{0}b"];

/// The interesting values of a flattened schema, without duplicates, in a fixed order.
pub fn interesting(map: &Map<String, Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut add = |v: Value| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    if let Some(c) = map.get("const") {
        add(c.clone());
    }
    if let Some(Value::Array(values)) = map.get("enum") {
        for v in values {
            add(v.clone());
        }
        add(json!("not-a-member"));
    }
    let types = types(map);
    let has = |t: &str| types.iter().any(|x| x == t);
    if has("integer") || has("number") {
        for v in numbers(map, has("integer")) {
            add(v);
        }
    }
    if has("string") {
        for v in strings(map) {
            add(v);
        }
    }
    if has("boolean") {
        add(json!(true));
        add(json!(false));
    }
    if has("array") {
        let min = count(map, "minItems").unwrap_or(0);
        add(json!([]));
        if let Some(max) = count(map, "maxItems").filter(|m| *m < 64) {
            add(Value::Array(vec![json!("x"); max as usize + 1]));
        }
        if min > 1 && min < 64 {
            add(Value::Array(vec![json!("x"); min as usize - 1]));
        }
    }
    if has("object") {
        add(json!({}));
    }
    // Null, and one value of a type the schema does not list.
    add(Value::Null);
    for (v, t) in [
        (json!("not-a-number"), "string"),
        (json!(12345), "integer"),
        (json!({"unexpected": true}), "object"),
    ] {
        let listed = has(t) || (t == "integer" && has("number"));
        if !listed {
            add(v);
            break;
        }
    }
    out
}

/// The types a schema lists (all of them when it lists none).
fn types(map: &Map<String, Value>) -> Vec<String> {
    match map.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ if map.contains_key("properties") => vec!["object".into()],
        _ if map.contains_key("items") => vec!["array".into()],
        _ if map.contains_key("enum") || map.contains_key("const") => Vec::new(),
        _ => ["string", "integer", "boolean"].map(str::to_owned).to_vec(),
    }
}

fn count(map: &Map<String, Value>, key: &str) -> Option<u64> {
    map.get(key).and_then(Value::as_u64)
}

fn number(map: &Map<String, Value>, key: &str) -> Option<f64> {
    map.get(key).and_then(Value::as_f64)
}

/// Bounds, just inside and just past them, 0, -1, 1 and a large value.
fn numbers(map: &Map<String, Value>, integer: bool) -> Vec<Value> {
    let step = if integer { 1.0 } else { 0.5 };
    let mut raw: Vec<f64> = vec![0.0, -1.0, 1.0];
    // OpenAPI's int32 is a bound the validator does not check (JSON Schema has no such
    // format): values past it are neither sent as valid nor judged invalid.
    let int32 = map.get("format").and_then(Value::as_str) == Some("int32");
    let (floor, ceiling) = if int32 {
        (Some(f64::from(i32::MIN)), Some(f64::from(i32::MAX)))
    } else {
        (None, None)
    };
    let low = number(map, "minimum")
        .or_else(|| number(map, "exclusiveMinimum").map(|m| m + step))
        .or(floor);
    let high = number(map, "maximum")
        .or_else(|| number(map, "exclusiveMaximum").map(|m| m - step))
        .or(ceiling);
    if let Some(l) = low {
        raw.push(l);
        if !(int32 && l <= f64::from(i32::MIN)) {
            raw.push(l - step);
        }
    }
    if let Some(h) = high {
        raw.push(h);
        if !(int32 && h >= f64::from(i32::MAX)) {
            raw.push(h + step);
        }
    }
    if high.is_none() {
        raw.push(if integer { 2_147_483_648.0 } else { 1e300 });
    }
    if !integer {
        raw.push(0.1);
    }
    raw.into_iter()
        .filter(|f| f.is_finite())
        .map(|f| {
            if integer || f.fract() == 0.0 && f.abs() < 9e15 {
                json!(f as i64)
            } else {
                json!(f)
            }
        })
        .collect()
}

/// Empty, shortest and longest allowed and one past them, very long, and special text.
fn strings(map: &Map<String, Value>) -> Vec<Value> {
    let min = count(map, "minLength").unwrap_or(0) as usize;
    let max = count(map, "maxLength").map(|m| m as usize);
    let mut out = vec![json!("")];
    if min > LONG {
        // A spec asking for more than this gets the empty string only, not gigabytes.
        return out;
    }
    if min > 1 {
        out.push(json!("a".repeat(min)));
        out.push(json!("a".repeat(min - 1)));
    }
    match max {
        Some(m) if m <= LONG => {
            out.push(json!("a".repeat(m)));
            out.push(json!("a".repeat(m + 1)));
        }
        _ => out.push(json!("a".repeat(LONG))),
    }
    for s in SPECIAL {
        // Padded to the shortest allowed length, so a length bound is not what fails.
        let padded = format!("{s}{}", "a".repeat(min.saturating_sub(s.chars().count())));
        out.push(json!(padded));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn integers_get_bounds_and_just_past_them() {
        let v = interesting(&of(json!({"type": "integer", "minimum": 1, "maximum": 50})));
        for want in [
            json!(1),
            json!(0),
            json!(50),
            json!(51),
            json!(-1),
            json!(null),
        ] {
            assert!(v.contains(&want), "{want} missing from {v:?}");
        }
        assert!(v.contains(&json!("not-a-number")));
    }

    #[test]
    fn strings_get_lengths_and_special_text() {
        let v = interesting(&of(
            json!({"type": "string", "minLength": 2, "maxLength": 4}),
        ));
        for want in [
            json!(""),
            json!("a"),
            json!("aa"),
            json!("aaaa"),
            json!("aaaaa"),
        ] {
            assert!(v.contains(&want), "{want} missing from {v:?}");
        }
        assert!(v.iter().any(|s| s.as_str().is_some_and(|s| !s.is_ascii())));
        assert!(v.contains(&json!(12345)));
    }

    #[test]
    fn enums_get_each_member_and_a_stranger() {
        let v = interesting(&of(json!({"type": "string", "enum": ["red", "blue"]})));
        assert_eq!(
            &v[..3],
            &[json!("red"), json!("blue"), json!("not-a-member")]
        );
    }

    #[test]
    fn int32_stays_within_32_bits_and_huge_lengths_are_not_built() {
        let v = interesting(&of(json!({"type": "integer", "format": "int32"})));
        assert!(v.contains(&json!(i32::MAX)) && v.contains(&json!(i32::MIN)));
        assert!(!v.contains(&json!(2_147_483_648_i64)), "{v:?}");
        let v = interesting(&of(
            json!({"type": "string", "minLength": 1_000_000_000_000u64}),
        ));
        assert!(v.iter().all(|s| s.as_str().is_none_or(|s| s.len() <= LONG)));
    }

    #[test]
    fn unbounded_strings_get_a_long_one() {
        let v = interesting(&of(json!({"type": "string"})));
        assert!(
            v.iter()
                .any(|s| s.as_str().is_some_and(|s| s.len() == LONG))
        );
    }
}
