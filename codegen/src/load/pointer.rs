//! RFC 6901 JSON pointers, as used in `$ref` fragments and in every diagnostic.

use percent_encoding::percent_decode_str;
use std::fmt;

/// A JSON pointer: the path from the document root to one node.
#[derive(
    Clone,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
)]
pub struct JsonPointer(Vec<String>);

/// Why a `$ref` string is not a pointer into this document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefSyntaxError {
    /// The reference names another document (`other.yaml#/…`, `https://…`).
    External(String),
    /// The fragment is not a JSON pointer (for example a plain-name `$anchor`).
    NotAPointer(String),
}

impl JsonPointer {
    /// The root pointer (`#`).
    pub fn root() -> JsonPointer {
        JsonPointer(Vec::new())
    }

    /// Builds a pointer from unescaped tokens.
    pub fn from_tokens<I, S>(tokens: I) -> JsonPointer
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        JsonPointer(tokens.into_iter().map(Into::into).collect())
    }

    /// Parses a local `$ref` (`#/components/schemas/A%20B/properties/x~1y`).
    pub fn parse_ref(reference: &str) -> Result<JsonPointer, RefSyntaxError> {
        let Some(fragment) = reference.strip_prefix('#') else {
            return Err(RefSyntaxError::External(reference.to_owned()));
        };
        if fragment.is_empty() {
            return Ok(JsonPointer::root());
        }
        let Some(path) = fragment.strip_prefix('/') else {
            return Err(RefSyntaxError::NotAPointer(reference.to_owned()));
        };
        let tokens = path
            .split('/')
            .map(|raw| {
                let decoded = percent_decode_str(raw).decode_utf8_lossy();
                decoded.replace("~1", "/").replace("~0", "~")
            })
            .collect();
        Ok(JsonPointer(tokens))
    }

    /// The pointer as a URI fragment (`#/paths/~1a~1%7Bid%7D/get`), what a `$ref` into a
    /// registered document needs: characters outside RFC 3986's fragment set percent-encoded
    /// (UTF-8 bytes).
    pub fn fragment(&self) -> String {
        let mut out = String::new();
        for c in self.to_string().chars() {
            if c.is_ascii_alphanumeric() || "#/-._~!$&'()*+,;=:@".contains(c) {
                out.push(c);
            } else {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("%{b:02X}"));
                }
            }
        }
        out
    }

    /// The unescaped tokens.
    pub fn tokens(&self) -> &[String] {
        &self.0
    }

    /// A pointer one level deeper.
    pub fn child(&self, token: impl Into<String>) -> JsonPointer {
        let mut tokens = self.0.clone();
        tokens.push(token.into());
        JsonPointer(tokens)
    }

    /// A pointer one level deeper, at an array index.
    pub fn index(&self, index: usize) -> JsonPointer {
        self.child(index.to_string())
    }

    /// The pointer of the parent, or `None` at the root.
    pub fn parent(&self) -> Option<JsonPointer> {
        let (_, rest) = self.0.split_last()?;
        Some(JsonPointer(rest.to_vec()))
    }

    /// The last token, or `None` at the root.
    pub fn last(&self) -> Option<&str> {
        self.0.last().map(String::as_str)
    }

    /// Whether `self` equals `prefix` or lies beneath it.
    pub fn starts_with(&self, prefix: &JsonPointer) -> bool {
        self.0.starts_with(&prefix.0)
    }
}

impl fmt::Display for JsonPointer {
    /// Renders as a URI fragment (`#/paths/~1pets/get`), the form `$ref` uses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("#")?;
        for token in &self.0 {
            f.write_str("/")?;
            f.write_str(&token.replace('~', "~0").replace('/', "~1"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_escaped_and_percent_encoded_refs() {
        let p = JsonPointer::parse_ref("#/paths/~1users~1%7Bid%7D/get/a~0b").unwrap();
        assert_eq!(p.tokens(), ["paths", "/users/{id}", "get", "a~b"]);
        assert_eq!(p.to_string(), "#/paths/~1users~1{id}/get/a~0b");
        assert_eq!(JsonPointer::parse_ref("#").unwrap(), JsonPointer::root());
    }

    #[test]
    fn rejects_external_and_anchor_refs() {
        assert_eq!(
            JsonPointer::parse_ref("other.yaml#/a"),
            Err(RefSyntaxError::External("other.yaml#/a".into()))
        );
        assert_eq!(
            JsonPointer::parse_ref("#anchor"),
            Err(RefSyntaxError::NotAPointer("#anchor".into()))
        );
    }
}
