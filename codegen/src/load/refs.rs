//! `$ref` resolution by full JSON pointer, including pointers into the middle of a schema
//! (`#/components/schemas/A/properties/b`), with cycle detection for ref-to-ref chains.

use super::node::Node;
use super::pointer::{JsonPointer, RefSyntaxError};

/// Longest ref-to-ref chain followed before giving up (real specs use ≤ 4).
const MAX_CHAIN: usize = 64;

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
    /// The chain of refs comes back to where it started.
    Cycle(Vec<JsonPointer>),
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
    let mut seen = vec![at.clone()];
    let mut current = (node, at.clone());
    while let Some(reference) = ref_of(current.0) {
        let reference = reference.as_str().ok_or(RefError::NotAString)?;
        let next = resolve(root, reference)?;
        if seen.contains(&next.1) {
            seen.push(next.1);
            return Err(RefError::Cycle(seen));
        }
        if seen.len() > MAX_CHAIN {
            return Err(RefError::TooLong);
        }
        seen.push(next.1.clone());
        current = next;
    }
    Ok(current)
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
}
