//! Values made from JSON Schemas: what the mock answers when a spec gives no example, and
//! (later) what generated contract tests send. Valid by construction where the schema's
//! keywords can be satisfied directly — types, formats, `pattern` (through `rand_regex`),
//! bounds, lengths, `enum`/`const`, `allOf` merged, one branch of `oneOf`/`anyOf`, nullable,
//! `readOnly`/`writeOnly` by direction, recursion bounded — and checked against the schema by
//! callers that must be sure (`crate::mock_any` retries other seeds).
//!
//! Deterministic: the same seed gives the same values.

use openapi_runtime::check::schemas::{
    Direction, REQUIRED_IN_REQUESTS, REQUIRED_IN_RESPONSES, required_only_in,
};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde_json::{Map, Number, Value, json};
use std::borrow::Cow;

/// Below this many `$ref`/nesting levels values are filled in; beyond it only what the
/// schema requires is made (optional properties left out, arrays as short as allowed, `null`
/// where allowed), so recursive schemas end.
const SHALLOW: usize = 4;
/// Past this many values made for one call of [`Synth::at`], every level is made as if deep
/// in recursion: wide schemas (hundreds of optional properties, each an object) stay small.
const BUDGET: usize = 400;
/// Past this nesting, nothing more is built (a schema that requires infinite depth).
const MAX_DEPTH: usize = 32;
/// Set by [`Synth::flatten`] on a `oneOf` branch: `true` to make all its properties, `false`
/// only its required ones.
const PROPERTIES_MARK: &str = "x-synth-all-properties";

/// A schema's `pattern`, compiled.
struct Pattern {
    /// Strings matching it; `None` where the generator cannot read it (lookarounds,
    /// backreferences).
    generator: Option<rand_regex::Regex>,
    /// Whether a string matches it; `None` where the matcher cannot read it.
    matcher: Option<regex::Regex>,
}

impl Pattern {
    /// Whether `s` matches, as far as the matcher can tell (unreadable patterns match).
    fn matches(&self, s: &str) -> bool {
        self.matcher.as_ref().is_none_or(|m| m.is_match(s))
    }
}

/// A value maker over one document (schemas in 2020-12 form, `$ref`s local).
pub struct Synth<'d> {
    doc: &'d Value,
    rng: StdRng,
    direction: Direction,
    patterns: std::collections::BTreeMap<String, Pattern>,
    /// Values made since the last [`Synth::at`].
    made: usize,
}

impl<'d> Synth<'d> {
    /// A maker for `doc`, reading `readOnly`/`writeOnly` for `direction`, seeded with `seed`.
    pub fn new(doc: &'d Value, seed: u64, direction: Direction) -> Synth<'d> {
        Synth {
            doc,
            rng: StdRng::seed_from_u64(seed),
            direction,
            patterns: std::collections::BTreeMap::new(),
            made: 0,
        }
    }

    /// A value for the schema at a JSON pointer of the document (`/components/schemas/X`
    /// or `#/components/schemas/X`).
    pub fn at(&mut self, pointer: &str) -> Value {
        self.made = 0;
        match self.resolve(pointer) {
            Some(schema) => self.value(schema, 0),
            None => Value::Null,
        }
    }

    /// A value for `schema` at nesting `depth`.
    pub fn value(&mut self, schema: &Value, depth: usize) -> Value {
        if depth > MAX_DEPTH {
            return Value::Null;
        }
        self.made += 1;
        let Some(map) = self.flatten(schema, &[], depth, 0) else {
            // `true`: anything; `false`: nothing is valid, null is as good as any.
            return if schema == &Value::Bool(false) {
                Value::Null
            } else {
                json!("example")
            };
        };
        if let Some(c) = map.get("const") {
            return c.clone();
        }
        if let Some(Value::Array(values)) = map.get("enum") {
            let choices: Vec<&Value> = values.iter().filter(|v| !v.is_null()).collect();
            return match choices.as_slice() {
                [] => values.first().cloned().unwrap_or(Value::Null),
                some => some[self.rng.random_range(0..some.len())].clone(),
            };
        }
        match self.pick_type(&map, depth).as_str() {
            "null" => Value::Null,
            "boolean" => Value::Bool(self.rng.random_bool(0.5)),
            "integer" => self.integer(&map),
            "number" => self.number(&map),
            "array" => self.array(&map, depth),
            "object" => self.object(&map, depth),
            _ => self.string(&map),
        }
    }

    /// `schema`'s keywords as one map: `$ref`s followed, `allOf` merged, one branch of each
    /// `oneOf`/`anyOf` chosen. `None` for boolean schemas. What generated test cases read
    /// bounds, lengths and properties from.
    pub fn shape(&mut self, schema: &Value) -> Option<Map<String, Value>> {
        self.flatten(schema, &[], 0, 0).map(Cow::into_owned)
    }

    /// Whether to make only what is required at `depth`: deep in recursion, or past the
    /// budget of values.
    fn shallow(&self, depth: usize) -> bool {
        depth >= SHALLOW || self.made > BUDGET
    }

    /// A local `$ref` (or pointer) resolved to its schema.
    fn resolve(&self, reference: &str) -> Option<&'d Value> {
        let fragment = reference.strip_prefix('#').unwrap_or(reference);
        if reference.contains('#') && !reference.starts_with('#') {
            return None;
        }
        let decoded = percent_encoding::percent_decode_str(fragment)
            .decode_utf8()
            .ok()?;
        self.doc.pointer(&decoded)
    }

    /// `schema` with `$ref`s followed, as one set of keywords: every `allOf` part merged in,
    /// and one branch of each `oneOf`/`anyOf` chosen and merged with the keywords beside it
    /// (a discriminator's property set to the chosen branch's name) — a branch agreeing with
    /// the keywords beside it and in `context`, those of the schemas it is merged into.
    /// `None` for boolean schemas. `level` bounds combinators nested in combinators.
    fn flatten<'s>(
        &mut self,
        schema: &'s Value,
        context: &[&Map<String, Value>],
        depth: usize,
        level: usize,
    ) -> Option<Cow<'s, Map<String, Value>>>
    where
        'd: 's,
    {
        let Value::Object(map) = self.follow(schema) else {
            return None;
        };
        const COMBINATORS: [&str; 3] = ["allOf", "oneOf", "anyOf"];
        if !COMBINATORS.iter().any(|k| map.contains_key(*k)) {
            return Some(Cow::Borrowed(map));
        }
        let base: Map<String, Value> = map
            .iter()
            .filter(|(k, _)| *k != "$ref" && !COMBINATORS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let branches_of = |key: &str| {
            map.get(key)
                .and_then(Value::as_array)
                .filter(|b| !b.is_empty())
        };
        let (all, one, any) = (
            branches_of("allOf"),
            branches_of("oneOf"),
            branches_of("anyOf"),
        );
        let discriminator = base.get("discriminator").cloned();
        let mut parts = vec![base];
        if level >= 16 {
            return parts.pop().map(Cow::Owned);
        }
        for b in all.into_iter().flatten() {
            let around: Vec<&Map<String, Value>> = context.iter().copied().chain(&parts).collect();
            let flat = self.flatten(b, &around, depth, level + 1);
            parts.extend(flat.map(Cow::into_owned));
        }
        for (key, combinator) in [("oneOf", one), ("anyOf", any)] {
            let Some(branches) = combinator else { continue };
            let around: Vec<&Map<String, Value>> = context.iter().copied().chain(&parts).collect();
            let branch = self.choose(branches, &around, depth);
            let Some(chosen) = self.flatten(branch, &around, depth, level + 1) else {
                continue;
            };
            let mut chosen = chosen.into_owned();
            if key == "oneOf" {
                // Exactly one branch must match: either all the chosen branch's properties or
                // only its required ones, whichever tells it from overlapping siblings (the
                // callers that check try several seeds).
                let mode = self.rng.random_range(0..3u8);
                chosen.insert(PROPERTIES_MARK.into(), (mode != 1).into());
                let closed = |m: &Map<String, Value>| {
                    m.get("additionalProperties") == Some(&Value::Bool(false))
                };
                let open = !closed(&chosen) && !around.iter().any(|m| closed(m));
                if mode == 2 && open {
                    self.exclude(&mut chosen, branches, branch);
                }
            }
            if let (Some(d), Some(r)) = (&discriminator, branch.get("$ref").and_then(Value::as_str))
            {
                Synth::discriminate(&mut chosen, d, r);
            }
            parts.push(chosen);
        }
        Some(Cow::Owned(merge(parts)))
    }

    /// One branch of a `oneOf`/`anyOf`: deep in recursion a `null` one when there is one,
    /// else a random one whose type agrees with the keywords beside the combinator.
    fn choose<'b>(
        &mut self,
        branches: &'b [Value],
        beside: &[&Map<String, Value>],
        depth: usize,
    ) -> &'b Value {
        let is_null = |b: &Value| b.get("type").is_some_and(|t| t == "null");
        if self.shallow(depth)
            && let Some(null) = branches.iter().find(|b| is_null(b))
        {
            return null;
        }
        let wanted: Option<Vec<String>> = beside
            .iter()
            .filter_map(|m| types_of(m))
            .reduce(|a, b| intersect(&a, &b));
        let allowed: Vec<&Vec<Value>> = beside
            .iter()
            .filter_map(|m| m.get("enum")?.as_array())
            .collect();
        let agrees = |b: &&Value| {
            let Some(target) = self.follow(b).as_object() else {
                return true;
            };
            let typed = wanted
                .as_ref()
                .is_none_or(|w| types_of(target).is_none_or(|t| !intersect(&t, w).is_empty()));
            // A branch naming values (`const`, `enum`) must name one the enums beside allow.
            let named: Option<Vec<&Value>> = match (target.get("const"), target.get("enum")) {
                (Some(c), _) => Some(vec![c]),
                (None, Some(Value::Array(e))) => Some(e.iter().collect()),
                _ => None,
            };
            let listed =
                named.is_none_or(|n| allowed.iter().all(|a| n.iter().any(|v| a.contains(v))));
            typed && listed
        };
        let candidates: Vec<&Value> = branches
            .iter()
            .filter(|b| !is_null(b))
            .filter(agrees)
            .collect();
        match candidates.as_slice() {
            [] => &branches[0],
            some => some[self.rng.random_range(0..some.len())],
        }
    }

    /// Makes `chosen` (an open object branch) fail every other branch of its `oneOf`: for
    /// each, a property that branch types and `chosen` leaves free is required with a value
    /// of another type. Open branches whose required properties overlap are otherwise all
    /// matched by one value, which `oneOf` forbids.
    fn exclude(&self, chosen: &mut Map<String, Value>, branches: &[Value], branch: &Value) {
        for other in branches.iter().filter(|b| !std::ptr::eq(*b, branch)) {
            let theirs = self.declared(other, 0);
            let mine = chosen.get("properties").and_then(Value::as_object);
            let poison = theirs.into_iter().find_map(|(name, schema)| {
                let free = mine.is_none_or(|m| !m.contains_key(name));
                let wrong = free
                    .then(|| self.follow(schema).as_object().and_then(wrong_for))
                    .flatten()?;
                Some((name.to_owned(), wrong))
            });
            let Some((name, wrong)) = poison else {
                continue;
            };
            if let Value::Object(p) = chosen
                .entry("properties")
                .or_insert_with(|| Value::Object(Map::new()))
            {
                p.insert(name.clone(), json!({ "const": wrong }));
            }
            if let Value::Array(r) = chosen
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                r.push(Value::String(name));
            }
        }
    }

    /// The properties `schema` declares, on itself and in its `allOf` parts (the first
    /// declaration of a name wins).
    fn declared<'s>(&self, schema: &'s Value, level: usize) -> Vec<(&'s str, &'s Value)>
    where
        'd: 's,
    {
        let target = self.follow(schema);
        let mut out: Vec<(&str, &Value)> = target
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.iter().map(|(k, v)| (k.as_str(), v)).collect())
            .unwrap_or_default();
        if let (Some(Value::Array(parts)), true) = (target.get("allOf"), level < 8) {
            for part in parts {
                for (name, schema) in self.declared(part, level + 1) {
                    if !out.iter().any(|(n, _)| *n == name) {
                        out.push((name, schema));
                    }
                }
            }
        }
        out
    }

    /// `schema` with its `$ref`s followed.
    fn follow<'s>(&self, schema: &'s Value) -> &'s Value
    where
        'd: 's,
    {
        let mut s = schema;
        for _ in 0..32 {
            match s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.resolve(r))
            {
                Some(t) => s = t,
                None => break,
            }
        }
        s
    }

    /// Sets the discriminator property of `chosen` (reached through `reference`) to the
    /// mapping key naming it, or to the last segment of the reference.
    fn discriminate(chosen: &mut Map<String, Value>, discriminator: &Value, reference: &str) {
        let Some(property) = discriminator.get("propertyName").and_then(Value::as_str) else {
            return;
        };
        let name = reference.rsplit('/').next().unwrap_or(reference);
        let key = discriminator
            .get("mapping")
            .and_then(Value::as_object)
            .and_then(|m| {
                m.iter()
                    .find(|(_, v)| v.as_str().is_some_and(|v| v == reference || v == name))
                    .map(|(k, _)| k.clone())
            })
            .unwrap_or_else(|| name.to_owned());
        let properties = chosen
            .entry("properties")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(p) = properties {
            // Only when the branch allows that value: an enum without it means the mapping
            // names the branch differently, and the branch's own schema wins.
            let allowed = p
                .get(property)
                .and_then(|s| s.get("enum"))
                .and_then(Value::as_array);
            if allowed.is_none_or(|a| a.contains(&Value::String(key.clone()))) {
                p.insert(property.to_owned(), json!({ "const": key }));
            }
        }
    }

    /// The type to make: the schema's (`null` only when nothing else is allowed, or deep in
    /// recursion), else what its keywords imply.
    fn pick_type(&mut self, map: &Map<String, Value>, depth: usize) -> String {
        let listed: Vec<String> = types_of(map).unwrap_or_default();
        if !listed.is_empty() {
            if self.shallow(depth) && listed.iter().any(|t| t == "null") {
                return "null".into();
            }
            let non_null: Vec<&String> = listed.iter().filter(|t| *t != "null").collect();
            return match non_null.as_slice() {
                [] => "null".into(),
                some => some[self.rng.random_range(0..some.len())].clone(),
            };
        }
        let has = |keys: &[&str]| keys.iter().any(|k| map.contains_key(*k));
        if has(&[
            "properties",
            "required",
            "additionalProperties",
            "minProperties",
            "patternProperties",
        ]) {
            "object".into()
        } else if has(&["items", "prefixItems", "minItems", "maxItems"]) {
            "array".into()
        } else if has(&[
            "minimum",
            "maximum",
            "exclusiveMinimum",
            "exclusiveMaximum",
            "multipleOf",
        ]) {
            "number".into()
        } else {
            "string".into()
        }
    }

    fn bounds(map: &Map<String, Value>) -> (Option<f64>, Option<f64>, bool, bool) {
        let num = |k: &str| map.get(k).and_then(Value::as_f64);
        let (mut lo, mut hi) = (num("minimum"), num("maximum"));
        let (mut lo_ex, mut hi_ex) = (false, false);
        if let Some(x) = num("exclusiveMinimum")
            && lo.is_none_or(|l| x >= l)
        {
            lo = Some(x);
            lo_ex = true;
        }
        if let Some(x) = num("exclusiveMaximum")
            && hi.is_none_or(|h| x <= h)
        {
            hi = Some(x);
            hi_ex = true;
        }
        (lo, hi, lo_ex, hi_ex)
    }

    fn integer(&mut self, map: &Map<String, Value>) -> Value {
        let (lo, hi, lo_ex, hi_ex) = Synth::bounds(map);
        let mut lo = lo.map(|l| if lo_ex { l.floor() + 1.0 } else { l.ceil() });
        let mut hi = hi.map(|h| if hi_ex { h.ceil() - 1.0 } else { h.floor() });
        match (lo, hi) {
            (None, None) => {
                lo = Some(1.0);
                hi = Some(100.0);
            }
            (Some(l), None) => hi = Some(l + 100.0),
            (None, Some(h)) => lo = Some((h - 100.0).min(h)),
            _ => {}
        }
        let (lo, hi) = (
            lo.unwrap_or(0.0).max(-9.0e15),
            hi.unwrap_or(0.0).min(9.0e15),
        );
        let step = map
            .get("multipleOf")
            .and_then(Value::as_f64)
            .filter(|m| *m > 0.0 && m.fract() == 0.0)
            .unwrap_or(1.0);
        let (first, last) = ((lo / step).ceil() as i64, (hi / step).floor() as i64);
        let k = if first <= last {
            self.rng.random_range(first..=last)
        } else {
            first
        };
        Value::from(k.saturating_mul(step as i64))
    }

    fn number(&mut self, map: &Map<String, Value>) -> Value {
        let (lo, hi, lo_ex, hi_ex) = Synth::bounds(map);
        let (lo, hi) = match (lo, hi) {
            (None, None) => (0.0, 100.0),
            (Some(l), None) => (l, l + 100.0),
            (None, Some(h)) => (h - 100.0, h),
            (Some(l), Some(h)) => (l, h),
        };
        if let Some(m) = map
            .get("multipleOf")
            .and_then(Value::as_f64)
            .filter(|m| *m > 0.0)
        {
            let first = (lo / m).ceil() + if lo_ex { 1.0 } else { 0.0 };
            let last = (hi / m).floor() - if hi_ex { 1.0 } else { 0.0 };
            let k = if first <= last {
                self.rng.random_range(first as i64..=last as i64) as f64
            } else {
                first
            };
            return Number::from_f64(k * m).map_or(Value::Null, Value::Number);
        }
        // Halves, strictly inside exclusive bounds.
        let (lo, hi) = (
            if lo_ex { lo + (hi - lo) / 4.0 } else { lo },
            if hi_ex { hi - (hi - lo) / 4.0 } else { hi },
        );
        let x = if hi > lo {
            let steps = ((hi - lo) * 2.0).floor().min(1.0e6) as i64;
            lo + self.rng.random_range(0..=steps.max(0)) as f64 / 2.0
        } else {
            lo
        };
        Number::from_f64(x.clamp(lo, hi.max(lo))).map_or(Value::Null, Value::Number)
    }

    fn string(&mut self, map: &Map<String, Value>) -> Value {
        let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = map
            .get("maxLength")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let fits = |s: &str| {
            let n = s.chars().count();
            n >= min && max.is_none_or(|m| n <= m)
        };
        let pattern = map.get("pattern").and_then(Value::as_str);
        let formatted = map
            .get("format")
            .and_then(Value::as_str)
            .and_then(|f| self.format(f));
        // A formatted value when it also matches the pattern (a pattern narrowing a format).
        if let Some(s) = formatted.as_ref().filter(|s| fits(s))
            && pattern.is_none_or(|p| self.pattern(p).matches(s))
        {
            return Value::String(s.clone());
        }
        if let Some(generator) = pattern.and_then(|p| self.pattern(p).generator.clone()) {
            // Several tries for one within the length bounds.
            for _ in 0..8 {
                let s: String = self.rng.sample(&generator);
                if fits(&s) {
                    return Value::String(s);
                }
            }
        }
        if let Some(s) = formatted {
            return Value::String(s);
        }
        // Short words: a `maxLength` of thousands is a limit, not a wish.
        let upper = max.unwrap_or(min + 8).min(min.max(1) + 16).max(min);
        let len = if min == 0 && upper == 0 {
            0
        } else {
            self.rng.random_range(min.max(1).min(upper)..=upper)
        };
        let word: String = (0..len)
            .map(|_| char::from(b'a' + self.rng.random_range(0..26u8)))
            .collect();
        Value::String(word)
    }

    /// `pattern` compiled once, to generate and to match.
    fn pattern(&mut self, pattern: &str) -> &Pattern {
        self.patterns
            .entry(pattern.to_owned())
            .or_insert_with(|| Pattern {
                generator: rand_regex::Regex::compile(&generable(pattern), 4).ok(),
                matcher: regex::Regex::new(pattern).ok(),
            })
    }

    fn format(&mut self, format: &str) -> Option<String> {
        let n = |r: &mut StdRng, lo: u32, hi: u32| r.random_range(lo..=hi);
        let r = &mut self.rng;
        Some(match format {
            "date-time" => format!(
                "20{:02}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                n(r, 10, 30),
                n(r, 1, 12),
                n(r, 1, 28),
                n(r, 0, 23),
                n(r, 0, 59),
                n(r, 0, 59)
            ),
            "date" => format!(
                "20{:02}-{:02}-{:02}",
                n(r, 10, 30),
                n(r, 1, 12),
                n(r, 1, 28)
            ),
            "time" => format!("{:02}:{:02}:{:02}Z", n(r, 0, 23), n(r, 0, 59), n(r, 0, 59)),
            "email" | "idn-email" => format!("user{}@example.com", n(r, 1, 999)),
            "uuid" => {
                let b: [u8; 16] = r.random();
                format!(
                    "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
                    u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
                    u16::from_be_bytes([b[4], b[5]]),
                    u16::from_be_bytes([b[6], b[7]]) & 0x0fff,
                    (u16::from_be_bytes([b[8], b[9]]) & 0x3fff) | 0x8000,
                    u64::from_be_bytes([0, 0, b[10], b[11], b[12], b[13], b[14], b[15]])
                )
            }
            "uri" | "url" | "iri" | "uri-reference" | "iri-reference" => {
                format!("https://example.com/items/{}", n(r, 1, 999))
            }
            "uri-template" => "https://example.com/items/{id}".into(),
            "hostname" | "idn-hostname" => format!("host{}.example.com", n(r, 1, 99)),
            "ipv4" => format!("192.0.2.{}", n(r, 1, 254)),
            "ipv6" => format!("2001:db8::{:x}", n(r, 1, 0xffff)),
            "byte" => "ZXhhbXBsZQ==".into(),
            "duration" => format!("P{}D", n(r, 1, 30)),
            "json-pointer" => "/items/0".into(),
            "relative-json-pointer" => "0/items".into(),
            "regex" => "^[a-z]+$".into(),
            _ => return None,
        })
    }

    fn array(&mut self, map: &Map<String, Value>, depth: usize) -> Value {
        let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let mut out: Vec<Value> = Vec::new();
        if let Some(Value::Array(prefix)) = map.get("prefixItems") {
            for p in prefix {
                out.push(self.value(p, depth + 1));
            }
        }
        let items = map.get("items");
        if items == Some(&Value::Bool(false)) {
            return Value::Array(out);
        }
        let extra = if self.shallow(depth) { min } else { min.max(1) };
        let target = max.map_or(extra, |m| extra.min(m)).max(out.len());
        let unique = map.get("uniqueItems") == Some(&Value::Bool(true));
        let anything = Value::Bool(true);
        let schema: &Value = items.unwrap_or(&anything);
        let mut tries = 0;
        while out.len() < target && tries < target * 8 + 8 {
            tries += 1;
            let v = self.value(schema, depth + 1);
            if unique && out.contains(&v) {
                continue;
            }
            out.push(v);
        }
        Value::Array(out)
    }

    /// Whether a property schema carries `flag` (on itself or where it refers).
    fn flagged(&self, schema: &Value, flag: &str) -> bool {
        let mut s = schema;
        for _ in 0..32 {
            if s.get(flag).and_then(Value::as_bool) == Some(true) {
                return true;
            }
            match s
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| self.resolve(r))
            {
                Some(t) => s = t,
                None => return false,
            }
        }
        false
    }

    /// Removes from `value` the properties that do not travel in this direction (`writeOnly`
    /// in responses, `readOnly` in requests) wherever `schema` declares them, through
    /// `$ref`s, compositions, items and additional properties. Documented examples often
    /// show them; OpenAPI says they SHOULD NOT be sent, and schemathesis and Prism reject
    /// them.
    pub fn strip_untravelled(&self, schema: &Value, value: &mut Value) {
        self.strip(schema, value, 0);
    }

    fn strip(&self, schema: &Value, value: &mut Value, depth: usize) {
        if depth > 32 {
            return;
        }
        let target = self.follow(schema);
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(branches)) = target.get(key) {
                for b in branches {
                    self.strip(b, value, depth + 1);
                }
            }
        }
        match value {
            Value::Object(map) => {
                let declared = self.declared(target, 0);
                for (name, property) in &declared {
                    if self.skipped(property) {
                        map.remove(*name);
                    } else if let Some(v) = map.get_mut(*name) {
                        self.strip(property, v, depth + 1);
                    }
                }
                if let Some(extra @ Value::Object(_)) = target.get("additionalProperties") {
                    for (k, v) in map.iter_mut() {
                        if !declared.iter().any(|(n, _)| n == k) {
                            self.strip(extra, v, depth + 1);
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item) = target.get("items") {
                    for v in items {
                        self.strip(item, v, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether a property does not travel in this direction.
    fn skipped(&self, schema: &Value) -> bool {
        match self.direction {
            Direction::Request => self.flagged(schema, "readOnly"),
            Direction::Response => self.flagged(schema, "writeOnly"),
        }
    }

    fn object(&mut self, map: &Map<String, Value>, depth: usize) -> Value {
        let empty = Map::new();
        let properties = match map.get("properties") {
            Some(Value::Object(p)) => p,
            _ => &empty,
        };
        // Names required both ways, and those required in this direction only (a document
        // registered by `Schemas` splits `readOnly`/`writeOnly` ones out).
        let required: Vec<&str> = ["required", required_only_in(self.direction)]
            .iter()
            .filter_map(|k| map.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let max = map
            .get("maxProperties")
            .and_then(Value::as_u64)
            .map(|m| m as usize);
        let mark = map.get(PROPERTIES_MARK).and_then(Value::as_bool);
        let mut out = Map::new();
        for (name, schema) in properties {
            let needed = required.contains(&name.as_str());
            if self.skipped(schema) {
                continue;
            }
            let room = max.is_none_or(|m| out.len() < m);
            let optional = match mark {
                Some(all) => all,
                None => self.rng.random_bool(0.7),
            };
            let wanted = needed || !self.shallow(depth) && room && optional;
            if wanted {
                let v = self.value(schema, depth + 1);
                out.insert(name.clone(), v);
            }
        }
        // Required names without a property schema: anything.
        for name in required.iter().filter(|n| !properties.contains_key(**n)) {
            out.entry((*name).to_owned())
                .or_insert_with(|| json!("example"));
        }
        // `not: {required: [a, b]}` (“not both”): one of them left out.
        if let Some(Value::Array(exclusive)) = map
            .get("not")
            .map(|n| self.follow(n))
            .and_then(|n| n.get("required"))
            && exclusive
                .iter()
                .all(|n| n.as_str().is_some_and(|n| out.contains_key(n)))
            && let Some(drop) = exclusive
                .iter()
                .filter_map(Value::as_str)
                .find(|n| !required.contains(n))
        {
            out.remove(drop);
        }
        let min = map
            .get("minProperties")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        let additional = map.get("additionalProperties");
        if additional != Some(&Value::Bool(false)) {
            let anything = Value::Bool(true);
            let schema: &Value = additional.unwrap_or(&anything);
            let mut i = 0;
            while out.len() < min && i < min + 8 {
                let v = self.value(schema, depth + 1);
                out.insert(format!("key{i}"), v);
                i += 1;
            }
        }
        Value::Object(out)
    }
}

/// `pattern` as the generator should read it: without the `^`/`$` anchors that open or
/// close it or one of its alternatives (the generator supports none, and a string matching
/// the rest whole matches the anchored pattern too), and with `\\d`, `\\w`, `\\s` spelled as
/// the ASCII classes they are in ECMA-262 (the generator reads them as Unicode classes).
fn generable(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len());
    let (mut escaped, mut class) = (false, false);
    for (i, &c) in chars.iter().enumerate() {
        if escaped {
            escaped = false;
            let ascii = match c {
                'd' => Some("0-9"),
                'w' => Some("A-Za-z0-9_"),
                's' => Some(" \\t\\n\\r"),
                _ => None,
            };
            match ascii {
                Some(set) if class => out.push_str(set),
                Some(set) => {
                    out.push('[');
                    out.push_str(set);
                    out.push(']');
                }
                None => {
                    out.push('\\');
                    out.push(c);
                }
            }
            continue;
        }
        match c {
            '\\' => {
                escaped = true;
                continue;
            }
            '[' if !class => class = true,
            ']' if class => class = false,
            '^' if !class
                && (out.is_empty()
                    || out.ends_with('|')
                    || out.ends_with('(')
                    || out.ends_with("?:")) =>
            {
                continue;
            }
            '$' if !class && matches!(chars.get(i + 1), None | Some('|') | Some(')')) => continue,
            _ => {}
        }
        out.push(c);
    }
    if escaped {
        out.push('\\');
    }
    out
}

/// A value of a type `schema` (keywords with `$ref`s followed) does not allow, if it says
/// which types it allows.
fn wrong_for(schema: &Map<String, Value>) -> Option<Value> {
    let listed = match types_of(schema) {
        Some(t) => t,
        None => match schema.get("enum").or(schema.get("const")) {
            Some(Value::Array(values)) if values.iter().all(Value::is_string) => {
                vec!["string".to_owned()]
            }
            Some(Value::String(_)) => vec!["string".to_owned()],
            _ => return None,
        },
    };
    [
        (json!(0), "integer"),
        (json!("x"), "string"),
        (json!(true), "boolean"),
    ]
    .into_iter()
    .find(|(_, kind)| intersect(&listed, &[(*kind).to_owned()]).is_empty())
    .map(|(value, _)| value)
}

/// The types a schema lists (`integer` counting as a kind of `number`), if it lists any.
fn types_of(map: &Map<String, Value>) -> Option<Vec<String>> {
    match map.get("type") {
        Some(Value::String(t)) => Some(vec![t.clone()]),
        Some(Value::Array(ts)) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
        ),
        _ => None,
    }
}

/// The types both lists allow (`integer` where one says `number` and the other `integer`).
fn intersect(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for t in a {
        let kept = if b.contains(t) {
            Some(t.clone())
        } else if t == "number" && b.iter().any(|x| x == "integer") {
            Some("integer".to_owned())
        } else if t == "integer" && b.iter().any(|x| x == "number") {
            Some(t.clone())
        } else {
            None
        };
        if let Some(k) = kept.filter(|k| !out.contains(k)) {
            out.push(k);
        }
    }
    out
}

/// One set of keywords that asks what all `parts` ask, as far as a value maker needs:
/// types intersected, properties of every part (one named twice becomes an `allOf` of
/// both), `required` united, the tighter of each bound, enums intersected; otherwise the
/// first part that says a keyword wins.
fn merge(parts: Vec<Map<String, Value>>) -> Map<String, Value> {
    let mut parts = parts.into_iter();
    let Some(mut out) = parts.next() else {
        return Map::new();
    };
    for part in parts {
        for (key, value) in part {
            let Some(mine) = out.get_mut(&key) else {
                out.insert(key, value);
                continue;
            };
            match key.as_str() {
                "type" => {
                    let as_list =
                        |v: &Value| types_of(&Map::from_iter([("type".to_owned(), v.clone())]));
                    if let (Some(a), Some(b)) = (as_list(mine), as_list(&value)) {
                        let both = intersect(&a, &b);
                        if !both.is_empty() {
                            *mine = Value::Array(both.into_iter().map(Value::String).collect());
                        }
                    }
                }
                "properties" => {
                    if let (Value::Object(mine), Value::Object(theirs)) = (mine, value) {
                        for (name, schema) in theirs {
                            match mine.get_mut(&name) {
                                Some(existing) if *existing != schema => {
                                    *existing = json!({ "allOf": [existing.clone(), schema] });
                                }
                                Some(_) => {}
                                None => {
                                    mine.insert(name, schema);
                                }
                            }
                        }
                    }
                }
                "required" | REQUIRED_IN_REQUESTS | REQUIRED_IN_RESPONSES => {
                    if let (Value::Array(mine), Value::Array(theirs)) = (mine, value) {
                        for name in theirs {
                            if !mine.contains(&name) {
                                mine.push(name);
                            }
                        }
                    }
                }
                "enum" => {
                    if let (Value::Array(mine), Value::Array(theirs)) = (mine, value) {
                        let both: Vec<Value> = mine
                            .iter()
                            .filter(|v| theirs.contains(v))
                            .cloned()
                            .collect();
                        if !both.is_empty() {
                            *mine = both;
                        }
                    }
                }
                "minimum" | "exclusiveMinimum" | "minLength" | "minItems" | "minProperties"
                    if value.as_f64() > mine.as_f64() =>
                {
                    *mine = value;
                }
                "maximum" | "exclusiveMaximum" | "maxLength" | "maxItems" | "maxProperties"
                    if value.as_f64() < mine.as_f64() =>
                {
                    *mine = value;
                }
                "additionalProperties" | "items" => {
                    if value == Value::Bool(false) || *mine == Value::Bool(true) {
                        *mine = value;
                    } else if value != Value::Bool(true)
                        && *mine != value
                        && *mine != Value::Bool(false)
                    {
                        *mine = json!({ "allOf": [mine.clone(), value] });
                    }
                }
                _ => {}
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn make(doc: &Value, seed: u64, pointer: &str) -> Value {
        Synth::new(doc, seed, Direction::Response).at(pointer)
    }

    #[test]
    fn patterns_lose_their_anchors_and_read_classes_as_ascii() {
        assert_eq!(generable("^ab$"), "ab");
        assert_eq!(generable("^ssh-(rsa|dss) |^ecdsa$"), "ssh-(rsa|dss) |ecdsa");
        assert_eq!(generable(r"^(?:^a|b$)$"), "(?:a|b)");
        assert_eq!(generable(r"[\d-]\d\$"), r"[0-9-][0-9]\$");
        assert_eq!(generable(r"[$^]"), r"[$^]");
    }

    #[test]
    fn types_intersect_with_integer_inside_number() {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            intersect(&s(&["number", "null"]), &s(&["integer"])),
            s(&["integer"])
        );
        assert_eq!(intersect(&s(&["string"]), &s(&["integer"])), s(&[]));
    }

    #[test]
    fn all_of_merges_properties_required_and_bounds() {
        let doc = json!({"S": {"allOf": [
            {"type": "object", "properties": {"a": {"type": "integer", "minimum": 3}}, "required": ["a"]},
            {"properties": {"a": {"maximum": 3}, "b": {"const": "x"}}, "required": ["b"]}
        ]}});
        for seed in 0..8 {
            assert_eq!(make(&doc, seed, "/S"), json!({"a": 3, "b": "x"}));
        }
    }

    #[test]
    fn one_of_picks_a_branch_the_enum_beside_it_allows_and_sets_the_discriminator() {
        let doc = json!({
            "Kind": {"type": "integer", "enum": [2], "allOf": [{"oneOf": [{"const": 1}, {"const": 2}]}]},
            "Pet": {"oneOf": [{"$ref": "#/Cat"}, {"$ref": "#/Dog"}],
                    "discriminator": {"propertyName": "kind", "mapping": {"dog": "#/Dog"}}},
            "Cat": {"type": "object", "properties": {"kind": {"type": "string"}}, "required": ["kind"]},
            "Dog": {"type": "object", "properties": {"kind": {"type": "string"}}, "required": ["kind"]}
        });
        for seed in 0..8 {
            assert_eq!(make(&doc, seed, "/Kind"), json!(2));
            let pet = make(&doc, seed, "/Pet");
            assert!(pet["kind"] == "Cat" || pet["kind"] == "dog", "{pet}");
        }
    }

    #[test]
    fn an_exclusive_one_of_value_fails_the_overlapping_branches() {
        let doc = json!({
            "A": {"type": "object", "properties": {"x": {"type": "string"}}},
            "B": {"type": "object", "properties": {"y": {"type": "string"}}},
        });
        let synth = Synth::new(&doc, 0, Direction::Response);
        let mut chosen = Map::new();
        let branches = [json!({"$ref": "#/A"}), json!({"$ref": "#/B"})];
        synth.exclude(&mut chosen, &branches, &branches[0]);
        assert_eq!(chosen["properties"]["y"], json!({"const": 0}));
        assert_eq!(chosen["required"], json!(["y"]));
    }

    #[test]
    fn examples_lose_the_properties_of_the_other_direction() {
        let doc = json!({"Card": {"type": "object", "properties": {
            "cvc": {"type": "integer", "writeOnly": true},
            "id": {"type": "string", "readOnly": true},
            "lines": {"type": "array", "items": {"$ref": "#/Line"}}}},
            "Line": {"anyOf": [{"properties": {"secret": {"writeOnly": true}, "n": {}}}]}});
        let mut example = json!({"cvc": 123, "id": "c1", "lines": [{"secret": "s", "n": 1}]});
        Synth::new(&doc, 0, Direction::Response)
            .strip_untravelled(&json!({"$ref": "#/Card"}), &mut example);
        assert_eq!(example, json!({"id": "c1", "lines": [{"n": 1}]}));
        let mut request = json!({"cvc": 123, "id": "c1"});
        Synth::new(&doc, 0, Direction::Request)
            .strip_untravelled(&json!({"$ref": "#/Card"}), &mut request);
        assert_eq!(request, json!({"cvc": 123}));
    }

    #[test]
    fn read_only_properties_stay_out_of_requests_and_recursion_ends() {
        let doc = json!({"Node": {"type": "object", "required": ["id", "next"], "properties": {
            "id": {"type": "string", "readOnly": true},
            "next": {"anyOf": [{"$ref": "#/Node"}, {"type": "null"}]}
        }}});
        let value = Synth::new(&doc, 1, Direction::Request).at("/Node");
        assert!(value.get("id").is_none(), "{value}");
        let mut depth = 0;
        let mut at = &value;
        while let Some(next) = at.get("next").filter(|n| !n.is_null()) {
            depth += 1;
            at = next;
        }
        assert!(depth <= SHALLOW + 1, "{value}");
    }

    #[test]
    fn the_same_seed_makes_the_same_value_and_strings_keep_their_bounds() {
        let doc = json!({"S": {"type": "object", "properties": {
            "p": {"type": "string", "pattern": "^[A-Z]{3}-\\d{2}$"},
            "d": {"type": "string", "format": "date", "pattern": "^\\d{4}-\\d{2}-\\d{2}$"},
            "n": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
            "l": {"type": "string", "minLength": 2, "maxLength": 100000},
            "m": {"type": "integer", "multipleOf": 7, "minimum": 10, "maximum": 30}
        }, "required": ["p", "d", "n", "l", "m"]}});
        for seed in 0..16 {
            let v = make(&doc, seed, "/S");
            assert_eq!(v, make(&doc, seed, "/S"));
            let p = v["p"].as_str().unwrap_or_default();
            assert!(
                p.len() == 6
                    && p.as_bytes()[3] == b'-'
                    && p[4..].bytes().all(|b| b.is_ascii_digit()),
                "{v}"
            );
            assert!(v["d"].as_str().is_some_and(|d| d.starts_with("20")), "{v}");
            let n = v["n"].as_f64().unwrap_or(-1.0);
            assert!(n > 0.0 && n < 1.0, "{v}");
            let l = v["l"].as_str().map_or(0, str::len);
            assert!((2..=18).contains(&l), "{v}");
            assert!([14, 21, 28].contains(&v["m"].as_i64().unwrap_or(0)), "{v}");
        }
    }
}
