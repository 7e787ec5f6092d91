//! Reading the document in validation form by `#/…` fragment: what made cases, flows and
//! planted faults look up (examples, links, schemas).

use serde_json::Value;

/// The node at a `#/…` fragment (percent-encoding decoded), or a plain JSON pointer.
pub fn at<'d>(doc: &'d Value, fragment: &str) -> Option<&'d Value> {
    let pointer = fragment.strip_prefix('#').unwrap_or(fragment);
    let decoded = percent_encoding::percent_decode_str(pointer)
        .decode_utf8()
        .ok()?;
    doc.pointer(&decoded)
}

/// A node with its local `$ref`s followed (a few hops; a cycle stops there).
pub fn follow<'d>(doc: &'d Value, mut node: &'d Value) -> &'d Value {
    for _ in 0..8 {
        match node
            .get("$ref")
            .and_then(Value::as_str)
            .filter(|r| r.starts_with('#'))
            .and_then(|r| at(doc, r))
        {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fragments_are_decoded_and_refs_followed() {
        let doc = json!({
            "paths": {"/a b": {"get": {"x": 1}}},
            "components": {"r": {"$ref": "#/components/s"}, "s": {"$ref": "#/components/r"}, "t": {"v": 2}},
            "u": {"$ref": "#/components/t"}
        });
        assert_eq!(at(&doc, "#/paths/~1a%20b/get/x"), Some(&json!(1)));
        assert_eq!(follow(&doc, &doc["u"]), &json!({"v": 2}));
        // A cycle ends after a few hops, on one of its members.
        assert!(follow(&doc, &doc["components"]["r"]).get("$ref").is_some());
    }
}
