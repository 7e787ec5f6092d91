//! The effective spec as a file: what Prism, schemathesis and validators read.

use crate::load::Document;
use std::path::Path;

/// Output format of a bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// YAML (keys in document order, strings quoted wherever YAML 1.1 readers could misread them).
    Yaml,
    /// Pretty-printed JSON.
    Json,
}

impl Format {
    /// The format an output path asks for, by extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}

/// Why a document could not be serialized (the serializer's message).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleError(pub String);

impl std::fmt::Display for BundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot serialize the bundle: {}", self.0)
    }
}

impl std::error::Error for BundleError {}

/// Serializes the effective document (`$ref`s kept as written).
pub fn render(doc: &Document, format: Format) -> Result<String, BundleError> {
    let value = doc.root.to_json();
    match format {
        Format::Yaml => serde_yaml::to_string(&value).map_err(|e| BundleError(e.to_string())),
        Format::Json => serde_json::to_string_pretty(&value)
            .map(|s| s + "\n")
            .map_err(|e| BundleError(e.to_string())),
    }
}
