//! `$ref` resolution by full JSON pointer, including pointers into the middle of a schema
//! (`#/components/schemas/A/properties/b`), with cycle detection for ref-to-ref chains.

use super::node::Node;
use super::pointer::{JsonPointer, RefSyntaxError};

/// Longest ref-to-ref chain followed before giving up: far beyond any real document (they
/// use ≤ 4), and only a guard; cycles are found exactly at any length.
const MAX_CHAIN: usize = 1_000_000;

/// Why a `$ref` does not lead to a node.
#[derive(Clone, Debug, PartialEq)]
pub enum RefError {
    /// `$ref` is not a string.
    NotAString,
    /// Points into another document.
    External(String),
    /// A fragment that is not a JSON pointer (`#anchor`).
    NotAPointer(String),
    /// Nothing at that pointer; `suggestion` is a near-miss that exists.
    Missing {
        /// The pointer that was looked up.
        pointer: JsonPointer,
        /// A similar `$ref` that resolves, when one is close enough.
        suggestion: Option<String>,
    },
    /// The chain of refs comes back to where it started: the pointers from the start to
    /// the repeated one. Shared, so every `$ref` leading into one cycle holds the same list.
    Cycle(std::sync::Arc<[JsonPointer]>),
    /// The chain is longer than any real document needs.
    TooLong,
}

/// The `$ref` string of a node, if it has a `$ref` key.
pub fn ref_of(node: &Node) -> Option<&Node> {
    node.get("$ref")
}

/// Resolves one `$ref` string against the document root.
pub fn resolve<'a>(root: &'a Node, reference: &str) -> Result<(&'a Node, JsonPointer), RefError> {
    let pointer = JsonPointer::parse_ref(reference).map_err(|e| match e {
        RefSyntaxError::External(s) => RefError::External(s),
        RefSyntaxError::NotAPointer(s) => RefError::NotAPointer(s),
    })?;
    match root.pointer(&pointer) {
        Some(node) => Ok((node, pointer)),
        None => {
            let suggestion = suggest(root, &pointer);
            Err(RefError::Missing {
                pointer,
                suggestion,
            })
        }
    }
}

/// Follows `$ref`s from `node` (at `at`) until a node without `$ref`.
/// Returns that node and its pointer; a node without `$ref` resolves to itself.
pub fn resolve_chain<'a>(
    root: &'a Node,
    node: &'a Node,
    at: &JsonPointer,
) -> Result<(&'a Node, JsonPointer), RefError> {
    resolve_chain_with(root, node, at, &mut Memo::default())
}

/// Where chains already followed ended: pointer → the final node's pointer (or the error),
/// so resolving every `$ref` of a document costs each link once, not once per holder.
#[derive(Debug, Default)]
pub struct Memo {
    ends: std::collections::HashMap<JsonPointer, Result<JsonPointer, RefError>>,
}

/// [`resolve_chain`], reusing and recording in `memo` where chains end. Linear in the chain's
/// length (a set of the pointers seen finds a cycle at any length).
pub fn resolve_chain_with<'a>(
    root: &'a Node,
    node: &'a Node,
    at: &JsonPointer,
    memo: &mut Memo,
) -> Result<(&'a Node, JsonPointer), RefError> {
    let mut order = vec![at.clone()];
    let mut seen: std::collections::HashSet<JsonPointer> = std::collections::HashSet::new();
    seen.insert(at.clone());
    let mut current = (node, at.clone());
    let end: Result<(&'a Node, JsonPointer), RefError> = loop {
        let Some(reference) = ref_of(current.0) else {
            break Ok(current);
        };
        let Some(reference) = reference.as_str() else {
            break Err(RefError::NotAString);
        };
        let next = match resolve(root, reference) {
            Ok(n) => n,
            Err(e) => break Err(e),
        };
        if let Some(known) = memo.ends.get(&next.1) {
            break match known.clone() {
                Ok(p) => root
                    .pointer(&p)
                    .map(|n| (n, p.clone()))
                    .ok_or(RefError::Missing {
                        pointer: p,
                        suggestion: None,
                    }),
                Err(e) => Err(e),
            };
        }
        if !seen.insert(next.1.clone()) {
            // The cycle itself: from the first visit of the repeated pointer on.
            let from = order.iter().position(|p| *p == next.1).unwrap_or(0);
            let mut cycle = order[from..].to_vec();
            cycle.push(next.1);
            break Err(RefError::Cycle(cycle.into()));
        }
        if order.len() > MAX_CHAIN {
            break Err(RefError::TooLong);
        }
        order.push(next.1.clone());
        current = next;
    };
    let recorded = end.as_ref().map(|(_, p)| p.clone()).map_err(Clone::clone);
    for p in order {
        memo.ends.insert(p, recorded.clone());
    }
    end
}

/// A resolvable ref close to a missing one: the deepest existing prefix, then the most
/// similar key at the first missing step, then the rest if it resolves from there.
fn suggest(root: &Node, pointer: &JsonPointer) -> Option<String> {
    let tokens = pointer.tokens();
    let mut node = root;
    let mut depth = 0;
    while depth < tokens.len() {
        match node.step(&tokens[depth]) {
            Some(next) => {
                node = next;
                depth += 1;
            }
            None => break,
        }
    }
    let missing = tokens.get(depth)?;
    let best = node
        .as_object()?
        .iter()
        .map(|(k, _)| {
            (
                strsim::jaro_winkler(&k.to_lowercase(), &missing.to_lowercase()),
                k,
            )
        })
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))?
        .1;
    let mut fixed: Vec<String> = tokens[..depth].to_vec();
    fixed.push(best.to_owned());
    fixed.extend(tokens[depth + 1..].iter().cloned());
    let candidate = JsonPointer::from_tokens(fixed);
    root.pointer(&candidate).map(|_| candidate.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::source::Span;
    use serde_json::json;

    fn doc() -> Node {
        Node::from_json(
            &json!({"components": {"schemas": {
                "Input": {"properties": {"tags": {"type": "object"}}},
                "Alias": {"$ref": "#/components/schemas/Input/properties/tags"},
                "Loop1": {"$ref": "#/components/schemas/Loop2"},
                "Loop2": {"$ref": "#/components/schemas/Loop1"},
            }}}),
            Span::DETACHED,
        )
    }

    #[test]
    fn resolves_pointers_into_the_middle_of_a_schema() {
        let d = doc();
        let (node, ptr) = resolve(&d, "#/components/schemas/Input/properties/tags").unwrap();
        assert_eq!(node.to_json(), json!({"type": "object"}));
        assert_eq!(
            ptr.to_string(),
            "#/components/schemas/Input/properties/tags"
        );
        let alias = d
            .pointer(&JsonPointer::parse_ref("#/components/schemas/Alias").unwrap())
            .unwrap();
        let (node, _) = resolve_chain(&d, alias, &JsonPointer::root()).unwrap();
        assert_eq!(node.to_json(), json!({"type": "object"}));
    }

    #[test]
    fn detects_cycles_and_suggests_near_misses() {
        let d = doc();
        let ptr = JsonPointer::parse_ref("#/components/schemas/Loop1").unwrap();
        let err = resolve_chain(&d, d.pointer(&ptr).unwrap(), &ptr).unwrap_err();
        assert!(
            matches!(err, RefError::Cycle(ref c) if c.len() == 3),
            "{err:?}"
        );
        let err = resolve(&d, "#/components/schemas/input/properties/tags").unwrap_err();
        assert_eq!(
            err,
            RefError::Missing {
                pointer: JsonPointer::parse_ref("#/components/schemas/input/properties/tags")
                    .unwrap(),
                suggestion: Some("#/components/schemas/Input/properties/tags".into())
            }
        );
        assert!(matches!(
            resolve(&d, "other.yaml#/x"),
            Err(RefError::External(_))
        ));
    }

    /// `n` schemas, each a `$ref` to the next; the last one refers to `last`.
    fn chain(n: usize, last: serde_json::Value) -> Node {
        let mut schemas = serde_json::Map::new();
        for i in 0..n {
            schemas.insert(
                format!("S{i}"),
                json!({"$ref": format!("#/components/schemas/S{}", i + 1)}),
            );
        }
        schemas.insert(format!("S{n}"), last);
        Node::from_json(&json!({"components": {"schemas": schemas}}), Span::DETACHED)
    }

    #[test]
    fn long_chains_resolve_and_long_cycles_are_cycles() {
        let n = 20_000;
        let d = chain(n, json!({"type": "string"}));
        let mut memo = Memo::default();
        for i in [0, n / 2, n - 1] {
            let at = JsonPointer::parse_ref(&format!("#/components/schemas/S{i}")).unwrap();
            let (node, end) =
                resolve_chain_with(&d, d.pointer(&at).unwrap(), &at, &mut memo).unwrap();
            assert_eq!(node.to_json(), json!({"type": "string"}));
            assert_eq!(end.to_string(), format!("#/components/schemas/S{n}"));
        }
        let d = chain(n, json!({"$ref": "#/components/schemas/S0"}));
        let at = JsonPointer::parse_ref("#/components/schemas/S0").unwrap();
        let err = resolve_chain(&d, d.pointer(&at).unwrap(), &at).unwrap_err();
        assert!(
            matches!(err, RefError::Cycle(ref c) if c.len() == n + 2),
            "{}",
            match &err {
                RefError::Cycle(c) => c.len(),
                _ => 0,
            }
        );
        // A chain that runs into a cycle names the cycle, memoized or not.
        let mut memo = Memo::default();
        let mid = JsonPointer::parse_ref("#/components/schemas/S7").unwrap();
        for _ in 0..2 {
            let e = resolve_chain_with(&d, d.pointer(&mid).unwrap(), &mid, &mut memo).unwrap_err();
            assert!(matches!(e, RefError::Cycle(_)));
        }
    }
}
