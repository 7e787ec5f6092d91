//! Load: files → span-carrying tree → overlays applied → a versioned [`Document`].
//!
//! Nothing here panics on input: every problem becomes a located [`Diagnostic`], and a
//! document is returned whenever continuing would not mislead.

pub mod json;
pub mod node;
pub mod normalize;
pub mod openapi;
pub mod overlay;
pub mod pointer;
pub mod refs;
pub mod schema;
pub mod source;
pub mod yaml;

use crate::diag::Diagnostic;
use node::Node;
use pointer::JsonPointer;
use source::{FileId, SourceMap, Span};
use std::path::Path;

/// One input file: a display name (used in every location) and its text.
#[derive(Clone, Debug)]
pub struct Input {
    /// How locations name the file, e.g. `spec/nango.yaml`.
    pub name: String,
    /// The file's content.
    pub text: String,
}

impl Input {
    /// An input from memory.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Input {
        Input {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Reads a file, naming it `name` in diagnostics.
    pub fn read(path: &Path, name: impl Into<String>) -> Result<Input, Diagnostic> {
        let name = name.into();
        match std::fs::read(path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => Ok(Input { name, text }),
                Err(e) => Err(Diagnostic::error(
                    "read",
                    format!(
                        "{name} is not UTF-8 (byte {})",
                        e.utf8_error().valid_up_to()
                    ),
                )
                .help("save the file as UTF-8")),
            },
            Err(e) => Err(
                Diagnostic::error("read", format!("cannot read {name}: {e}"))
                    .help("check the path; defaults are relative to the workspace root"),
            ),
        }
    }
}

/// The OpenAPI major.minor line a document follows; it decides how schemas are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SpecVersion {
    /// 3.0.x: schemas are the OpenAPI 3.0 subset (`nullable`, boolean exclusive bounds).
    V3_0,
    /// 3.1.x: schemas are JSON Schema 2020-12.
    V3_1,
}

/// An OpenAPI document ready for lint and modelling.
#[derive(Clone, Debug)]
pub struct Document {
    /// The effective tree (documented spec with overlays applied).
    pub root: Node,
    /// How to read it.
    pub version: SpecVersion,
    /// The `openapi` field as written.
    pub version_text: String,
}

/// Everything a load produced: sources for rendering, the document, and findings.
#[derive(Debug)]
pub struct Loaded {
    /// The spec and overlay files.
    pub sources: SourceMap,
    /// `None` when the spec could not be parsed or is not OpenAPI 3.x.
    pub document: Option<Document>,
    /// Problems found while parsing, overlaying and reading the version.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one file as JSON or YAML (by extension, else by its first character).
pub fn parse_file(sources: &SourceMap, id: FileId) -> (Option<Node>, Vec<Diagnostic>) {
    let Some(file) = sources.get(id) else {
        return (None, Vec::new());
    };
    let name = file.name().to_ascii_lowercase();
    let looks_json = name.ends_with(".json")
        || (!name.ends_with(".yaml")
            && !name.ends_with(".yml")
            && file.text().trim_start().starts_with(['{', '[']));
    if looks_json {
        json::parse(file, id)
    } else {
        yaml::parse(file, id)
    }
}

/// Loads a spec and applies overlays in order.
pub fn load(spec: Input, overlays: Vec<Input>) -> Loaded {
    let mut sources = SourceMap::new();
    let spec_id = sources.add(spec.name, spec.text);
    let (root, mut diagnostics) = parse_file(&sources, spec_id);
    let overlay_ids: Vec<FileId> = overlays
        .into_iter()
        .map(|o| sources.add(o.name, o.text))
        .collect();
    let Some(mut root) = root else {
        return Loaded {
            sources,
            document: None,
            diagnostics,
        };
    };
    for id in overlay_ids {
        let (overlay, parse_diags) = parse_file(&sources, id);
        diagnostics.extend(parse_diags);
        if let Some(overlay) = overlay {
            diagnostics.extend(overlay::apply(&mut root, &overlay, &sources));
        }
    }
    let document = read_version(root, &mut diagnostics);
    Loaded {
        sources,
        document,
        diagnostics,
    }
}

fn read_version(root: Node, diagnostics: &mut Vec<Diagnostic>) -> Option<Document> {
    let top = JsonPointer::root();
    let Some(obj) = root.as_object() else {
        diagnostics.push(
            Diagnostic::error(
                "not-openapi",
                format!(
                    "an OpenAPI document must be an object, found {}",
                    root.kind_name()
                ),
            )
            .at(top, root.span)
            .help("start the document with `openapi: 3.1.0`"),
        );
        return None;
    };
    let Some(field) = obj.get("openapi") else {
        let (message, help) = if obj.contains_key("swagger") {
            (
                "Swagger 2.0 documents are not supported",
                "convert it to OpenAPI 3 first (for example with swagger2openapi)",
            )
        } else {
            (
                "missing `openapi` version field",
                "add `openapi: 3.1.0` (or the 3.0.x version the document follows)",
            )
        };
        let span = obj.member("swagger").map_or(
            Span {
                end: root.span.start,
                ..root.span
            },
            |m| m.key_span,
        );
        diagnostics.push(
            Diagnostic::error("openapi-version", message)
                .at(top, span)
                .help(help),
        );
        return None;
    };
    let at = top.child("openapi");
    let Some(text) = field.as_str() else {
        diagnostics.push(
            Diagnostic::error(
                "openapi-version",
                format!("`openapi` must be a string, found {}", field.kind_name()),
            )
            .at(at, field.span)
            .label("unquoted versions like 3.0 read as numbers")
            .help("quote it: `openapi: '3.0.3'`"),
        );
        return None;
    };
    let version = match text.split('.').take(2).collect::<Vec<_>>().as_slice() {
        ["3", "0"] => SpecVersion::V3_0,
        ["3", "1"] => SpecVersion::V3_1,
        ["3", _] => {
            diagnostics.push(
                Diagnostic::error(
                    "openapi-version",
                    format!("unsupported OpenAPI version `{text}`"),
                )
                .at(at, field.span)
                .label("checked with 3.1 rules")
                .help("supported versions are 3.0.x and 3.1.x"),
            );
            SpecVersion::V3_1
        }
        _ => {
            diagnostics.push(
                Diagnostic::error(
                    "openapi-version",
                    format!("unsupported OpenAPI version `{text}`"),
                )
                .at(at, field.span)
                .help("supported versions are 3.0.x and 3.1.x"),
            );
            return None;
        }
    };
    let version_text = text.to_owned();
    Some(Document {
        root,
        version,
        version_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_read_and_checked() {
        let v = |text: &str| {
            let l = load(Input::new("a.yaml", text), vec![]);
            (
                l.document.map(|d| d.version),
                l.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(),
            )
        };
        assert_eq!(v("openapi: 3.0.3\n"), (Some(SpecVersion::V3_0), vec![]));
        assert_eq!(v("openapi: 3.1.1\n"), (Some(SpecVersion::V3_1), vec![]));
        assert_eq!(
            v("openapi: 3.2.0\n"),
            (Some(SpecVersion::V3_1), vec!["openapi-version"])
        );
        assert_eq!(v("openapi: 3.0\n"), (None, vec!["openapi-version"]));
        assert_eq!(v("swagger: '2.0'\n"), (None, vec!["openapi-version"]));
        assert_eq!(v("- 1\n"), (None, vec!["not-openapi"]));
    }

    #[test]
    fn json_is_detected_by_content_when_the_name_says_nothing() {
        let l = load(Input::new("spec", "{\"openapi\": \"3.1.0\"}"), vec![]);
        assert!(l.document.is_some());
        assert!(l.diagnostics.is_empty());
    }
}
