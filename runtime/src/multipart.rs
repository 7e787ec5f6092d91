//! `multipart/form-data` bodies as typed structs: a file part is a [`FilePart`] (bytes, file
//! name, content type), every other property a text part (JSON for objects and arrays, as
//! OpenAPI's default encoding says). Clients build [`Parts`] from a generated struct and
//! send them with reqwest's multipart support; routers read a body with `multer` into two
//! JSON views — one to validate against the schema (a file is its base64 text), one to
//! decode into the struct (a file keeps its name and content type).

use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A file part: its bytes, and the file name and content type it is sent with.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FilePart {
    /// The content.
    pub bytes: Vec<u8>,
    /// `filename` of the part's `Content-Disposition`.
    pub file_name: Option<String>,
    /// The part's `Content-Type` (default `application/octet-stream`).
    pub content_type: Option<String>,
}

impl FilePart {
    /// A file part of these bytes, with no name or content type.
    pub fn new(bytes: impl Into<Vec<u8>>) -> FilePart {
        FilePart {
            bytes: bytes.into(),
            file_name: None,
            content_type: None,
        }
    }

    /// Sets the file name.
    #[must_use]
    pub fn with_file_name(mut self, name: impl Into<String>) -> FilePart {
        self.file_name = Some(name.into());
        self
    }

    /// Sets the content type.
    #[must_use]
    pub fn with_content_type(mut self, media: impl Into<String>) -> FilePart {
        self.content_type = Some(media.into());
        self
    }
}

/// The key a decoded file's JSON form is recognised by.
const FILE_KEY: &str = "$file";

/// As JSON a file is `{"$file": <base64>, "file_name": …, "content_type": …}` (what the
/// router's decode view holds); text with no name or content type is a plain string (a
/// `binary` string of a JSON body), and a plain string is read as the file's bytes.
impl Serialize for FilePart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use base64::Engine;
        // A `binary` string of a JSON body: text with nothing else to carry.
        if self.file_name.is_none()
            && self.content_type.is_none()
            && let Ok(text) = std::str::from_utf8(&self.bytes)
        {
            return serializer.serialize_str(text);
        }
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry(
            FILE_KEY,
            &base64::engine::general_purpose::STANDARD.encode(&self.bytes),
        )?;
        if let Some(n) = &self.file_name {
            map.serialize_entry("file_name", n)?;
        }
        if let Some(c) = &self.content_type {
            map.serialize_entry("content_type", c)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for FilePart {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<FilePart, D::Error> {
        struct FileVisitor;
        impl<'de> Visitor<'de> for FileVisitor {
            type Value = FilePart;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a file part")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<FilePart, E> {
                Ok(FilePart::new(v.as_bytes()))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<FilePart, A::Error> {
                use base64::Engine;
                let mut out = FilePart::default();
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        FILE_KEY => {
                            let text: String = map.next_value()?;
                            out.bytes = base64::engine::general_purpose::STANDARD
                                .decode(text)
                                .map_err(de::Error::custom)?;
                        }
                        "file_name" => out.file_name = map.next_value()?,
                        "content_type" => out.content_type = map.next_value()?,
                        _ => {
                            map.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_any(FileVisitor)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for FilePart {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("FilePart")
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "format": "binary"})
    }
}

/// One part of a multipart body, as a client sends it.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// A text part (with `application/json` for objects and arrays).
    Text {
        /// The form field name.
        name: String,
        /// The text.
        value: String,
        /// Its content type, when not plain text.
        content_type: Option<&'static str>,
    },
    /// A file part.
    File {
        /// The form field name.
        name: String,
        /// The file.
        file: FilePart,
    },
}

/// The parts of a multipart body, built property by property by generated clients.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parts {
    /// In order.
    pub parts: Vec<Part>,
}

impl Parts {
    /// No parts yet.
    pub fn new() -> Parts {
        Parts::default()
    }

    /// A property's value: strings as they are, numbers and booleans as their text,
    /// objects and arrays as JSON; `null` is left out.
    pub fn value<T: Serialize + ?Sized>(&mut self, name: &str, value: &T) -> Result<(), String> {
        let value = serde_json::to_value(value).map_err(|e| format!("`{name}`: {e}"))?;
        let (value, content_type) = match value {
            serde_json::Value::Null => return Ok(()),
            serde_json::Value::String(s) => (s, None),
            serde_json::Value::Bool(_) | serde_json::Value::Number(_) => (value.to_string(), None),
            other => (other.to_string(), Some("application/json")),
        };
        self.parts.push(Part::Text {
            name: name.to_owned(),
            value,
            content_type,
        });
        Ok(())
    }

    /// A file part.
    pub fn file(&mut self, name: &str, file: &FilePart) {
        self.parts.push(Part::File {
            name: name.to_owned(),
            file: file.clone(),
        });
    }
}

impl Parts {
    /// The body as bytes with its `Content-Type` (for requests sent without reqwest, such
    /// as the contract runner's): RFC 7578, with a boundary no part contains.
    pub fn encode(&self) -> (String, Vec<u8>) {
        let contains = |boundary: &str| {
            self.parts.iter().any(|p| match p {
                Part::Text { value, .. } => value.contains(boundary),
                Part::File { file, .. } => file
                    .bytes
                    .windows(boundary.len())
                    .any(|w| w == boundary.as_bytes()),
            })
        };
        let mut boundary = "openapi-toolkit-7f3a9c2e".to_owned();
        while contains(&boundary) {
            boundary.push_str("-x");
        }
        // Names and file names are quoted; a quote or line break in one is escaped as the
        // HTML form encoding does.
        let quoted = |s: &str| {
            s.replace('"', "%22")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let mut out = Vec::new();
        for part in &self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let (name, file_name, media, data): (&str, Option<&str>, Option<&str>, &[u8]) =
                match part {
                    Part::Text {
                        name,
                        value,
                        content_type,
                    } => (name, None, *content_type, value.as_bytes()),
                    Part::File { name, file } => (
                        name,
                        Some(file.file_name.as_deref().unwrap_or("file")),
                        Some(
                            file.content_type
                                .as_deref()
                                .unwrap_or("application/octet-stream"),
                        ),
                        &file.bytes,
                    ),
                };
            let mut disposition =
                format!("Content-Disposition: form-data; name=\"{}\"", quoted(name));
            if let Some(f) = file_name {
                disposition.push_str(&format!("; filename=\"{}\"", quoted(f)));
            }
            out.extend_from_slice(disposition.as_bytes());
            out.extend_from_slice(b"\r\n");
            if let Some(m) = media {
                out.extend_from_slice(format!("Content-Type: {m}\r\n").as_bytes());
            }
            out.extend_from_slice(b"\r\n");
            out.extend_from_slice(data);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (format!("multipart/form-data; boundary={boundary}"), out)
    }
}

/// What a router reads from a multipart body.
#[cfg(feature = "validate")]
#[derive(Clone, Debug, PartialEq)]
pub struct Read {
    /// To validate against the schema: a file is its base64 text.
    pub validate: serde_json::Value,
    /// To decode into the generated struct: a file is [`FilePart`]'s JSON form.
    pub decode: serde_json::Value,
}

/// Reads a `multipart/form-data` body (all in memory: the router has read it within its
/// limit) with `multer`. Text parts are typed by `tree` (the schema's form tree: `"5"` for an
/// integer property is `5`), JSON parts parsed; a field given twice is an array. A part
/// with a file name, or a non-text content type, is a file.
#[cfg(feature = "validate")]
pub fn read(
    content_type: &str,
    body: Vec<u8>,
    tree: Option<&crate::check::form::FormTree>,
) -> Result<Read, String> {
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let stream = futures_util::stream::once(std::future::ready(Ok::<_, std::io::Error>(
        bytes::Bytes::from(body),
    )));
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut validate = serde_json::Map::new();
    let mut decode = serde_json::Map::new();
    // Everything is in memory, so no step waits: poll each future once.
    loop {
        let field = now(multipart.next_field())?.map_err(|e| e.to_string())?;
        let Some(field) = field else { break };
        let name = field.name().unwrap_or("").to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let media = field.content_type().map(|m| m.essence_str().to_owned());
        let bytes = now(field.bytes())?.map_err(|e| e.to_string())?;
        let is_file = file_name.is_some()
            || media
                .as_deref()
                .is_some_and(|m| !m.starts_with("text/") && m != "application/json");
        let (for_validation, for_decoding) = if is_file {
            use base64::Engine;
            let file = FilePart {
                bytes: bytes.to_vec(),
                file_name,
                content_type: media,
            };
            let text = base64::engine::general_purpose::STANDARD.encode(&file.bytes);
            (
                serde_json::Value::String(text),
                serde_json::to_value(&file).map_err(|e| e.to_string())?,
            )
        } else {
            let text = String::from_utf8(bytes.to_vec())
                .map_err(|_| format!("the part `{name}` is not UTF-8 text"))?;
            let value = if media.as_deref() == Some("application/json") {
                serde_json::from_str(&text).map_err(|e| format!("the part `{name}`: {e}"))?
            } else {
                serde_json::Value::String(text)
            };
            (value.clone(), value)
        };
        push(&mut validate, &name, for_validation);
        push(&mut decode, &name, for_decoding);
    }
    let (mut validate, mut decode) = (
        serde_json::Value::Object(validate),
        serde_json::Value::Object(decode),
    );
    if let Some(tree) = tree {
        validate = crate::check::form::apply(tree, validate);
        decode = crate::check::form::apply(tree, decode);
    }
    Ok(Read { validate, decode })
}

/// Adds a field; a second one of the same name makes it an array.
#[cfg(feature = "validate")]
fn push(
    map: &mut serde_json::Map<String, serde_json::Value>,
    name: &str,
    value: serde_json::Value,
) {
    match map.get_mut(name) {
        Some(serde_json::Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = serde_json::Value::Array(vec![first, value]);
        }
        None => {
            map.insert(name.to_owned(), value);
        }
    }
}

/// The output of a future that never waits (its input is all in memory); an error if it
/// does not finish in a few polls.
#[cfg(feature = "validate")]
fn now<F: std::future::Future>(future: F) -> Result<F::Output, String> {
    let mut future = std::pin::pin!(future);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    for _ in 0..16 {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return Ok(out);
        }
    }
    Err("the multipart body could not be read".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_survives_its_json_form() {
        let file = FilePart::new(vec![0u8, 159, 146, 150])
            .with_file_name("a.bin")
            .with_content_type("application/octet-stream");
        let json = serde_json::to_value(&file).unwrap_or_default();
        assert_eq!(json["$file"], "AJ+Slg==");
        assert_eq!(serde_json::from_value::<FilePart>(json).ok(), Some(file));
        let plain: FilePart = serde_json::from_value(serde_json::json!("text")).unwrap_or_default();
        assert_eq!(plain.bytes, b"text");
    }

    #[test]
    fn values_become_text_or_json_parts() {
        let mut parts = Parts::new();
        parts.value("n", &5).unwrap_or_default();
        parts.value("s", "x").unwrap_or_default();
        parts
            .value("o", &serde_json::json!({"a": 1}))
            .unwrap_or_default();
        parts
            .value("none", &Option::<i32>::None)
            .unwrap_or_default();
        let texts: Vec<(String, String, Option<&str>)> = parts
            .parts
            .iter()
            .filter_map(|p| match p {
                Part::Text {
                    name,
                    value,
                    content_type,
                } => Some((name.clone(), value.clone(), *content_type)),
                Part::File { .. } => None,
            })
            .collect();
        assert_eq!(
            texts,
            [
                ("n".into(), "5".into(), None),
                ("s".into(), "x".into(), None),
                ("o".into(), "{\"a\":1}".into(), Some("application/json")),
            ]
        );
    }

    #[cfg(feature = "validate")]
    #[test]
    fn a_body_is_read_into_both_views() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHello\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\na\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"tag\"\r\n\r\nb\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.txt\"\r\nContent-Type: text/plain\r\n\r\nabc\r\n\
            --XyZ--\r\n";
        let views = read(
            "multipart/form-data; boundary=XyZ",
            body.as_bytes().to_vec(),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(views.validate["title"], "Hello");
        assert_eq!(views.validate["tag"], serde_json::json!(["a", "b"]));
        assert_eq!(views.validate["file"], "YWJj");
        assert_eq!(views.decode["file"]["file_name"], "x.txt");
        assert_eq!(views.decode["file"]["content_type"], "text/plain");
        // What `Parts::encode` writes reads back the same.
        let mut parts = Parts::new();
        parts
            .value("title", "a \"quoted\" title")
            .unwrap_or_default();
        parts.file(
            "file",
            &FilePart::new(b"--openapi-toolkit-7f3a9c2e".to_vec()),
        );
        let (media, bytes) = parts.encode();
        let back = read(&media, bytes, None).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.validate["title"], "a \"quoted\" title");
        assert_eq!(back.decode["file"]["file_name"], "file");
        let bad = read(
            "multipart/form-data; boundary=XyZ",
            b"--XyZ\r\ngarbage".to_vec(),
            None,
        );
        assert!(bad.is_err());
        assert!(read("multipart/form-data", Vec::new(), None).is_err());
    }
}
