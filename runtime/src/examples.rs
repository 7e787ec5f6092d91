//! The examples test every generated crate carries (`tests/examples.rs`): each example of
//! the spec that is valid against its own schema must decode into the generated type and
//! encode back to an equal value. Examples invalid against their own schema are listed and
//! skipped — they say nothing about the types.
//!
//! "Equal" is JSON equality up to what the types legitimately normalize: `null` and an
//! absent member are the same for an optional field; numbers compare by value (`1` and
//! `1.0`); date-times by instant (`Z` and `+00:00`, trailing fractional zeros); UUIDs
//! without regard to case.

use crate::check::schemas::{Direction, Reading, Schemas};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::BTreeMap;

/// Decodes a value into `T` and encodes it back, comparing the two.
pub type Check = fn(&Value) -> Result<(), String>;

/// One example of the spec and the type it must fit.
#[derive(Clone, Copy, Debug)]
pub struct Example {
    /// Where the example is written (`#/components/schemas/X/example`).
    pub at: &'static str,
    /// The schema it is an example of (a `#/…` fragment of the embedded spec).
    pub schema: &'static str,
    /// Request examples are read as requests (`writeOnly` required), others as responses.
    pub direction: Direction,
    /// The example, as JSON text.
    pub json: &'static str,
    /// The round trip through the generated type.
    pub check: Check,
}

/// The round trip of one example through `T`.
pub fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> Result<(), String> {
    let typed: T = serde_json::from_value(value.clone()).map_err(|e| format!("decode: {e}"))?;
    let back = serde_json::to_value(&typed).map_err(|e| format!("encode: {e}"))?;
    match difference(value, &back, "") {
        None => Ok(()),
        Some(at) => Err(format!("encoded back differently at `{at}`")),
    }
}

/// What running the examples found.
#[derive(Debug, Default)]
pub struct Report {
    /// Examples that decoded and encoded back equal.
    pub decoded: usize,
    /// Examples valid against their schema (what `decoded` counts out of).
    pub valid: usize,
    /// Examples invalid against their own schema: where, and the first problem.
    pub invalid: Vec<(String, String)>,
    /// Valid examples the types did not round-trip: where, and why.
    pub failures: Vec<(String, String)>,
}

impl Report {
    /// `examples K/N decoded (M invalid, skipped)`.
    pub fn summary(&self) -> String {
        format!(
            "examples {}/{} decoded ({} invalid, skipped)",
            self.decoded,
            self.valid,
            self.invalid.len()
        )
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "{}", self.summary())?;
        for (at, why) in &self.failures {
            writeln!(f, "  FAILED {at}: {why}")?;
        }
        for (at, why) in &self.invalid {
            writeln!(f, "  skipped {at} (invalid against its schema: {why})")?;
        }
        Ok(())
    }
}

/// Checks every example against its schema in `spec` (the crate's `spec.json`), then runs
/// the round trip of the valid ones.
pub fn run(spec: &str, examples: &[Example]) -> Result<Report, String> {
    let document: Value = serde_json::from_str(spec).map_err(|e| e.to_string())?;
    let schemas = Schemas::new(document, Reading::Directional).map_err(|e| e.to_string())?;
    let mut validators = BTreeMap::new();
    let mut report = Report::default();
    for example in examples {
        let value: Value = match serde_json::from_str(example.json) {
            Ok(v) => v,
            Err(e) => {
                report.invalid.push((example.at.to_owned(), e.to_string()));
                continue;
            }
        };
        let key = (example.schema, example.direction == Direction::Request);
        let validator = validators
            .entry(key)
            .or_insert_with(|| schemas.compile(example.direction, example.schema));
        let problem = match validator {
            Ok(v) => v.validate(&value).err().map(|e| e.to_string()),
            Err(e) => Some(format!("its schema does not compile: {e}")),
        };
        if let Some(problem) = problem {
            let mut problem = problem;
            if problem.len() > 200 {
                let cut = (0..=200)
                    .rev()
                    .find(|i| problem.is_char_boundary(*i))
                    .unwrap_or(0);
                problem.truncate(cut);
                problem.push('…');
            }
            report.invalid.push((example.at.to_owned(), problem));
            continue;
        }
        report.valid += 1;
        match (example.check)(&value) {
            Ok(()) => report.decoded += 1,
            Err(why) => report.failures.push((example.at.to_owned(), why)),
        }
    }
    Ok(report)
}

/// The first place two JSON values differ beyond what types normalize, as a pointer.
fn difference(expected: &Value, got: &Value, at: &str) -> Option<String> {
    match (expected, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                let here = format!("{at}/{k}");
                match b.get(k) {
                    Some(w) => {
                        if let Some(d) = difference(v, w, &here) {
                            return Some(d);
                        }
                    }
                    None if v.is_null() => {}
                    None => return Some(here),
                }
            }
            b.iter()
                .find(|(k, w)| !a.contains_key(*k) && !w.is_null())
                .map(|(k, _)| format!("{at}/{k}"))
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(at.to_owned());
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (v, w))| difference(v, w, &format!("{at}/{i}")))
        }
        (Value::Number(a), Value::Number(b)) => {
            let same = a == b || a.as_f64().zip(b.as_f64()).is_some_and(|(x, y)| x == y);
            (!same).then(|| at.to_owned())
        }
        (Value::String(a), Value::String(b)) => (!same_text(a, b)).then(|| at.to_owned()),
        (a, b) => (a != b).then(|| at.to_owned()),
    }
}

/// Strings that differ only as a date-time's or UUID's spellings do.
fn same_text(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let uuid = |s: &str| s.len() == 36 && s.bytes().filter(|&c| c == b'-').count() == 4;
    if uuid(a) && uuid(b) {
        return a.eq_ignore_ascii_case(b);
    }
    match (instant(a), instant(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// An RFC 3339 date-time normalized for comparison: `Z` as `+00:00`, `t` as `T`, trailing
/// fractional zeros dropped.
fn instant(s: &str) -> Option<String> {
    let b = s.as_bytes();
    if s.len() < 19 || !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(4) != Some(&b'-') {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let rest = &rest[1..];
    let zone_at = rest
        .find(['Z', 'z', '+'])
        .or_else(|| rest.rfind('-').filter(|&i| i > 5))?;
    let (time, zone) = rest.split_at(zone_at);
    let zone = if zone.eq_ignore_ascii_case("z") || zone == "-00:00" {
        "+00:00"
    } else {
        zone
    };
    let time = match time.split_once('.') {
        Some((whole, frac)) => {
            let frac = frac.trim_end_matches('0');
            if frac.is_empty() {
                whole.to_owned()
            } else {
                format!("{whole}.{frac}")
            }
        }
        None => time.to_owned(),
    };
    Some(format!("{date}T{time}{zone}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn equal_up_to_what_types_normalize() {
        assert_eq!(
            difference(&json!({"a": null, "b": 1}), &json!({"b": 1.0}), ""),
            None
        );
        assert_eq!(
            difference(
                &json!({"t": "2024-01-02T03:04:05Z"}),
                &json!({"t": "2024-01-02T03:04:05+00:00"}),
                ""
            ),
            None
        );
        assert_eq!(
            difference(
                &json!("2024-01-02T03:04:05.500Z"),
                &json!("2024-01-02T03:04:05.5+00:00"),
                ""
            ),
            None
        );
        assert!(same_text(
            "6B4D4F4C-2C3B-4C57-8A55-6A1E4D3C2B1A",
            "6b4d4f4c-2c3b-4c57-8a55-6a1e4d3c2b1a"
        ));
        assert_eq!(
            difference(&json!({"a": 1}), &json!({}), "").as_deref(),
            Some("/a")
        );
        assert_eq!(
            difference(&json!([1, 2]), &json!([1, 3]), "").as_deref(),
            Some("/1")
        );
        assert_eq!(
            difference(&json!({}), &json!({"x": 1}), "").as_deref(),
            Some("/x")
        );
        assert_eq!(
            difference(&json!("a"), &json!("b"), "").as_deref(),
            Some("")
        );
        assert_eq!(
            difference(
                &json!("2024-01-02T03:04:05Z"),
                &json!("2024-01-02T03:04:06Z"),
                ""
            )
            .as_deref(),
            Some("")
        );
    }

    #[derive(serde::Deserialize, serde::Serialize)]
    struct Small {
        id: i64,
    }

    #[test]
    fn valid_examples_round_trip_and_invalid_ones_are_skipped() {
        let spec = json!({"components": {"schemas": {"Small": {
            "type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}
        }}}})
        .to_string();
        let example = |at, json| Example {
            at,
            schema: "#/components/schemas/Small",
            direction: Direction::Response,
            json,
            check: round_trip::<Small>,
        };
        let report = run(
            &spec,
            &[
                example("a", r#"{"id": 1}"#),
                example("b", r#"{"id": "x"}"#),
                example("c", r#"{"id": 2, "extra": true}"#),
            ],
        )
        .unwrap();
        assert_eq!(
            report.summary(),
            "examples 1/2 decoded (1 invalid, skipped)"
        );
        assert_eq!(report.failures.len(), 1, "{report}");
        assert_eq!(report.failures[0].0, "c");
        assert!(report.failures[0].1.contains("/extra"), "{report}");
    }
}
