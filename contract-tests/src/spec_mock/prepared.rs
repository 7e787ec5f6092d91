//! What a mock keeps of a spec, made once from the loaded document: the operations (without
//! their descriptions), the document in lean JSON Schema 2020-12 form, the holders'
//! examples and where they are written. It is data: `cargo xtask mock` writes it, then
//! serves from a fresh image of itself that reads it back, so the server holds only this
//! and none of what loading, linting and converting a large spec left behind (see
//! `ARCHITECTURE.md`, "A mock served from a fresh process image").

use super::values::Examples;
use super::{BuildError, holders};
use codegen::load::Loaded;
use codegen::load::normalize;
use codegen::load::pointer::JsonPointer;
use codegen::model::http::{self, Endpoint, Http};
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{Read, Write};

/// A spec made ready to serve.
#[derive(Debug)]
pub struct Prepared {
    /// Operations and security schemes, without descriptions.
    pub(crate) http: Http,
    /// The document as validators read it, made without the holders' examples.
    pub(crate) document: Value,
    /// The holders' examples.
    pub(crate) examples: Examples,
    /// Where each holder of examples is written (`file:line:col` by `#/…` pointer).
    pub(crate) locations: BTreeMap<String, String>,
}

impl Prepared {
    /// Makes a loaded spec ready to serve (the two conversions run on two threads).
    pub fn new(loaded: &Loaded) -> Result<Prepared, BuildError> {
        let doc = loaded.document.as_ref().ok_or(BuildError::NoDocument)?;
        // The document's conversion takes longest; the model, the examples and where they
        // are written are read meanwhile.
        let (mut http, document, examples, locations) = std::thread::scope(|scope| {
            let json = scope.spawn(|| normalize::to_json_schema_2020_served(doc));
            let described = http::describe(doc);
            let holders = holders(&described);
            let examples = Examples::of_document(&doc.root, &holders);
            let locations = example_holders(loaded, &holders);
            let json = json
                .join()
                .unwrap_or_else(|_| normalize::to_json_schema_2020_served(doc));
            (described, json, examples, locations)
        });
        http.endpoints.iter_mut().for_each(without_docs);
        http.schemes.iter_mut().for_each(|s| s.doc = None);
        Ok(Prepared {
            http,
            document,
            examples,
            locations,
        })
    }

    /// Writes it as four lines of JSON: operations, document, examples, locations. The
    /// (de)serializing code is compiled with the model and the document's conversions,
    /// optimized even in debug builds (github-api.json: ~7 MB, written and read back in
    /// well under half a second by `cargo xtask mock`).
    pub fn write(&self, mut to: impl Write) -> Result<(), String> {
        let (http, document) = std::thread::scope(|scope| {
            let document = scope.spawn(|| normalize::to_text(&self.document));
            let http = self.http.to_json();
            (http, document.join())
        });
        let document = document.map_err(|_| "the document could not be written".to_owned())?;
        let parts = [
            http,
            document,
            serde_json::to_string(&self.examples).map_err(|e| e.to_string())?,
            serde_json::to_string(&self.locations).map_err(|e| e.to_string())?,
        ];
        for part in parts {
            to.write_all(part.as_bytes())
                .and_then(|()| to.write_all(b"\n"))
                .map_err(|e| e.to_string())?;
        }
        to.flush().map_err(|e| e.to_string())
    }

    /// Reads what [`Prepared::write`] wrote.
    pub fn read(mut from: impl Read) -> Result<Prepared, String> {
        let mut text = String::new();
        from.read_to_string(&mut text).map_err(|e| e.to_string())?;
        // Compact JSON has no raw line breaks: one part per line.
        let mut parts = text.split_terminator('\n');
        let mut next = |what: &str| parts.next().ok_or(format!("the {what} are missing"));
        let http = Http::from_json(next("operations")?)?;
        let document = normalize::from_text_exact(next("document")?)?;
        let examples = serde_json::from_str(next("examples")?).map_err(|e| e.to_string())?;
        let locations = serde_json::from_str(next("locations")?).map_err(|e| e.to_string())?;
        if parts.next().is_some() {
            return Err("more than four parts".into());
        }
        Ok(Prepared {
            http,
            document,
            examples,
            locations,
        })
    }
}

/// Where each object holding documented examples (a media type, parameter or header with
/// `example` or `examples`) is written, by `#/…` pointer: a few entries, kept so warnings
/// about an invalid example name its file:line:col.
fn example_holders(loaded: &Loaded, holders: &[JsonPointer]) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Some(doc) = loaded.document.as_ref() else {
        return out;
    };
    for pointer in holders {
        let Some(node) = doc.root.pointer(pointer) else {
            continue;
        };
        if node.get("example").is_none() && node.get("examples").is_none() {
            continue;
        }
        let span = doc.root.key_span(pointer).unwrap_or(node.span);
        if let Some(location) = loaded.sources.location(span) {
            out.insert(pointer.fragment(), location.to_string());
        }
    }
    out
}

/// Drops an endpoint's descriptions, which the mock never shows (github-api.json repeats
/// long parameter descriptions in hundreds of operations).
fn without_docs(endpoint: &mut Endpoint) {
    for p in &mut endpoint.params {
        p.doc = None;
    }
    for r in &mut endpoint.responses {
        r.doc = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use codegen::load::{Input, load};

    const SPEC: &str = r##"{"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/pets/{id}": {"get": {"description": "long words",
            "parameters": [{"name": "id", "in": "path", "required": true, "description": "d",
                "schema": {"type": "integer", "minimum": 1.5}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Pet"},
                "examples": {"rex": {"$ref": "#/components/examples/Rex"}}}}}}}}},
        "components": {"schemas": {"Pet": {"type": "object", "required": ["name"],
            "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {}}}}},
            "examples": {"Rex": {"value": {"name": "Rex", "tags": []}}}}}"##;

    fn prepared() -> Prepared {
        let loaded = load(Input::new("pets.json", SPEC), vec![]);
        Prepared::new(&loaded).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let before = prepared();
        let mut text = Vec::new();
        before.write(&mut text).unwrap_or_else(|e| panic!("{e}"));
        let after = Prepared::read(text.as_slice()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(after.http, before.http);
        assert_eq!(after.document, before.document);
        assert_eq!(after.locations, before.locations);
        let holder = "#/paths/~1pets~1%7Bid%7D/get/responses/200/content/application~1json";
        assert_eq!(
            crate::spec_mock::values::named(&after.examples, holder),
            vec![(
                "rex".to_owned(),
                serde_json::json!({"name": "Rex", "tags": []})
            )]
        );
        assert_eq!(
            after.locations.get(holder).map(String::as_str),
            Some("pets.json:5:68")
        );
        // Descriptions are not kept; the schema is, numbers and all.
        assert_eq!(after.http.endpoints[0].params[0].doc, None);
        assert_eq!(
            after
                .document
                .pointer("/paths/~1pets~1{id}/get/parameters/0/schema/minimum"),
            Some(&serde_json::json!(1.5))
        );
        assert_eq!(after.document.pointer("/components/examples"), None);
    }

    #[test]
    fn a_truncated_or_foreign_file_is_an_error_not_a_panic() {
        let mut text = Vec::new();
        prepared()
            .write(&mut text)
            .unwrap_or_else(|e| panic!("{e}"));
        text.truncate(text.len() / 2);
        assert!(Prepared::read(text.as_slice()).is_err());
        assert!(Prepared::read(&b"{\"http\": 1}"[..]).is_err());
        let mut extra = Vec::new();
        prepared()
            .write(&mut extra)
            .unwrap_or_else(|e| panic!("{e}"));
        extra.extend_from_slice(b"{}\n");
        assert!(Prepared::read(extra.as_slice()).is_err());
    }
}
