//! Types vs spec: values generated from the spec's schemas deserialize into the generated
//! Rust types and serialize back to bodies the spec still accepts; mutations the spec forbids
//! and a type can express (a missing required property, a wrong JSON type, an unknown key in
//! a closed object) are rejected by the type too. Any disagreement fails with the value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // helpers outside #[test] fns

use contract_tests::ContractValidator;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

mod common;

fn validator() -> ContractValidator {
    common::nango_validator()
}

/// Decodes into the generated type and encodes back.
type RoundTrip = fn(Value) -> Result<Value, String>;

fn round_trip<T: serde::de::DeserializeOwned + serde::Serialize>(
    v: Value,
) -> Result<Value, String> {
    let typed: T = serde_json::from_value(v).map_err(|e| e.to_string())?;
    serde_json::to_value(&typed).map_err(|e| e.to_string())
}

/// Every component schema with a generated type of the same name.
fn types() -> Vec<(&'static str, RoundTrip)> {
    use generated::types::*;
    vec![
        ("ConnectSession", round_trip::<ConnectSession>),
        ("ConnectSessionInput", round_trip::<ConnectSessionInput>),
        (
            "ConnectSessionReconnectInput",
            round_trip::<ConnectSessionReconnectInput>,
        ),
        (
            "ConnectSessionOverrides",
            round_trip::<ConnectSessionOverrides>,
        ),
        ("Connection", round_trip::<Connection>),
        ("ConnectionEndUser", round_trip::<ConnectionEndUser>),
        (
            "DeleteConnectionResult",
            round_trip::<DeleteConnectionResult>,
        ),
        ("EndUser", round_trip::<EndUser>),
        ("IntegrationKey", round_trip::<IntegrationKey>),
        (
            "IntegrationsConfigDefaults",
            round_trip::<IntegrationsConfigDefaults>,
        ),
        ("Organization", round_trip::<Organization>),
        ("StdError", round_trip::<StdError>),
        ("StdErrorWithPayload", round_trip::<StdErrorWithPayload>),
        ("Tags", round_trip::<Tags>),
    ]
}

/// A strategy of values valid for a JSON Schema (the subset real API schemas use).
struct Gen<'d> {
    doc: &'d Value,
}

fn strip_anchors(p: &str) -> String {
    p.trim_start_matches('^').trim_end_matches('$').to_owned()
}

impl Gen<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut s = schema;
        for _ in 0..16 {
            match s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix('#'))
            {
                Some(pointer) => s = self.doc.pointer(pointer).unwrap_or(&Value::Null),
                None => break,
            }
        }
        s
    }

    fn string(&self, s: &Value) -> BoxedStrategy<Value> {
        if let Some(values) = s.get("enum").and_then(Value::as_array) {
            return prop::sample::select(values.clone()).boxed();
        }
        let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = s
            .get("maxLength")
            .and_then(Value::as_u64)
            .unwrap_or(24)
            .min(24) as usize;
        match s.get("format").and_then(Value::as_str) {
            Some("date-time") => {
                return (0i64..4_000_000_000_000)
                    .prop_map(|ms| json!(chrono_like(ms)))
                    .boxed();
            }
            Some("email") => {
                return "[a-z]{3,8}@[a-z]{3,8}\\.(com|dev)"
                    .prop_map(Value::String)
                    .boxed();
            }
            Some("uri") => {
                return "https://[a-z]{3,10}\\.dev/[a-z]{0,8}"
                    .prop_map(Value::String)
                    .boxed();
            }
            _ => {}
        }
        let pattern = match s.get("pattern").and_then(Value::as_str) {
            Some(p) => format!(
                "({})",
                strip_anchors(p).trim_end_matches('+').trim_end_matches('*')
            ),
            None => "[a-zA-Z0-9 _-]".into(),
        };
        let regex = format!("{pattern}{{{},{}}}", min.max(1), max.max(min.max(1)));
        proptest::string::string_regex(&regex)
            .map(|s| s.prop_map(Value::String).boxed())
            .unwrap_or_else(|_| Just(json!("x")).boxed())
    }

    fn key(&self, s: &Value) -> BoxedStrategy<String> {
        match s.get("propertyNames").map(|p| self.resolve(p)) {
            Some(names) => self
                .string(names)
                .prop_map(|v| v.as_str().unwrap_or("k").to_owned())
                .boxed(),
            None => "[a-z][a-z0-9_]{0,8}".boxed(),
        }
    }

    fn value(&self, schema: &Value, depth: usize) -> BoxedStrategy<Value> {
        let s = self.resolve(schema);
        if let Some(c) = s.get("const") {
            return Just(c.clone()).boxed();
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(branches) = s.get(key).and_then(Value::as_array) {
                // The `required`-only constraints next to properties choose which keys must appear.
                if s.get("properties").is_some() {
                    let base = s.clone();
                    let strategies: Vec<BoxedStrategy<Value>> = branches
                        .iter()
                        .map(|b| {
                            let mut merged = base.clone();
                            merged.as_object_mut().unwrap().remove(key);
                            let req = b.get("required").cloned().unwrap_or(json!([]));
                            merged["required"] = req;
                            self.value(&merged, depth)
                        })
                        .collect();
                    return prop::strategy::Union::new(strategies).boxed();
                }
                let strategies: Vec<BoxedStrategy<Value>> =
                    branches.iter().map(|b| self.value(b, depth + 1)).collect();
                return prop::strategy::Union::new(strategies).boxed();
            }
        }
        let types: Vec<String> = match s.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
            _ if s.get("properties").is_some() || s.get("additionalProperties").is_some() => {
                vec!["object".into()]
            }
            _ => vec!["string".into()],
        };
        let strategies: Vec<BoxedStrategy<Value>> = types
            .iter()
            .map(|t| match t.as_str() {
                "null" => Just(Value::Null).boxed(),
                "boolean" => any::<bool>().prop_map(Value::Bool).boxed(),
                "integer" => (-1000i64..1_000_000).prop_map(|n| json!(n)).boxed(),
                "number" => (-1000.0f64..1000.0).prop_map(|n| json!(n)).boxed(),
                "array" => {
                    let items = s.get("items").cloned().unwrap_or(json!({}));
                    prop::collection::vec(self.value(&items, depth + 1), 0..3)
                        .prop_map(Value::Array)
                        .boxed()
                }
                "object" => self.object(s, depth),
                _ => self.string(s),
            })
            .collect();
        prop::strategy::Union::new(strategies).boxed()
    }

    fn object(&self, s: &Value, depth: usize) -> BoxedStrategy<Value> {
        let props: Vec<(String, Value)> = s
            .get("properties")
            .and_then(Value::as_object)
            .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let required: Vec<String> = s
            .get("required")
            .and_then(Value::as_array)
            .map(|r| {
                r.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = props
            .iter()
            .map(|(k, v)| {
                let key = k.clone();
                let value = self.value(v, depth + 1);
                if required.contains(k) || depth > 3 {
                    if required.contains(k) {
                        value.prop_map(move |v| Some((key.clone(), v))).boxed()
                    } else {
                        Just(None).boxed()
                    }
                } else {
                    prop::option::of(value.prop_map(move |v| (key.clone(), v))).boxed()
                }
            })
            .collect();
        let extra = match s.get("additionalProperties") {
            Some(Value::Object(_)) if props.is_empty() => {
                let value = self.value(&s["additionalProperties"], depth + 1);
                let max = s
                    .get("maxProperties")
                    .and_then(Value::as_u64)
                    .unwrap_or(3)
                    .min(3) as usize;
                prop::collection::btree_map(self.key(s), value, 0..=max)
                    .prop_map(|m| m.into_iter().collect::<Vec<_>>())
                    .boxed()
            }
            _ => Just(Vec::new()).boxed(),
        };
        (fields, extra)
            .prop_map(|(fields, extra)| {
                let mut map = Map::new();
                for (k, v) in fields.into_iter().flatten().chain(extra) {
                    map.insert(k, v);
                }
                Value::Object(map)
            })
            .boxed()
    }
}

/// A valid RFC 3339 timestamp from Unix milliseconds (no chrono needed here).
fn chrono_like(ms: i64) -> String {
    let secs = ms / 1000;
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms % 1000
    )
}

/// Spec-forbidden changes a Rust type can express.
fn mutations(schema: &Value, value: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let Some(obj) = value.as_object() else {
        return out;
    };
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        for r in required.iter().filter_map(Value::as_str) {
            let mut v = obj.clone();
            if v.remove(r).is_some() {
                out.push((format!("without required `{r}`"), Value::Object(v)));
            }
        }
    }
    for (k, field) in obj {
        let wrong = match field {
            Value::String(_) => json!(12345),
            Value::Number(_) | Value::Bool(_) => json!("not the right type"),
            Value::Object(_) | Value::Array(_) => json!(true),
            Value::Null => continue,
        };
        let mut v = obj.clone();
        v.insert(k.clone(), wrong);
        out.push((format!("`{k}` of the wrong JSON type"), Value::Object(v)));
    }
    if schema.get("additionalProperties") == Some(&Value::Bool(false)) {
        let mut v = obj.clone();
        v.insert("contract_unknown_key".into(), json!(1));
        out.push(("with an unknown key".into(), Value::Object(v)));
    }
    out
}

#[test]
fn generated_types_agree_with_the_spec() {
    let v = validator();
    let doc = v.schema_document();
    let generator = Gen { doc: &doc };
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(64);
    let mut disagreements: Vec<String> = Vec::new();
    let mut checked = (0usize, 0usize);
    for (name, trip) in types() {
        let pointer = format!("#/components/schemas/{name}");
        let schema = doc
            .pointer(&format!("/components/schemas/{name}"))
            .cloned()
            .unwrap();
        let strategy = generator.value(&schema, 0);
        let mut runner = TestRunner::new(Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        });
        for _ in 0..cases {
            let Ok(tree) = strategy.new_tree(&mut runner) else {
                continue;
            };
            let value = tree.current();
            if !v.check_schema(&pointer, &value).is_valid() {
                continue; // the generator's approximation produced something the spec forbids
            }
            checked.0 += 1;
            match trip(value.clone()) {
                Err(e) => disagreements.push(format!(
                    "{name}: the spec accepts {value} but the type rejects it: {e}"
                )),
                Ok(back) => {
                    let report = v.check_schema(&pointer, &back);
                    if !report.is_valid() {
                        disagreements.push(format!(
                            "{name}: {value} round-trips to {back}, which the spec rejects: {:?}",
                            report.violations
                        ));
                    }
                }
            }
            let resolved = generator.resolve(&schema).clone();
            for (what, mutated) in mutations(&resolved, &value) {
                if v.check_schema(&pointer, &mutated).is_valid() {
                    continue; // allowed after all (e.g. open objects)
                }
                checked.1 += 1;
                if trip(mutated.clone()).is_ok() {
                    disagreements.push(format!(
                        "{name}: {what} the spec rejects {mutated} but the type accepts it"
                    ));
                }
            }
        }
    }
    println!(
        "{} valid instances round-tripped, {} forbidden mutations rejected",
        checked.0, checked.1
    );
    assert!(
        checked.0 >= 14 * cases as usize / 2,
        "too few valid instances generated: {}",
        checked.0
    );
    disagreements.sort();
    disagreements.dedup();
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
