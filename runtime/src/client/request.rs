//! A request built from an operation's description: the parameters struct is serialized
//! once (wire names from its own `Serialize`), and each parameter is placed in the path,
//! query string, headers or cookies as its OpenAPI `style` and `explode` say.

use super::Error;
use crate::operation::{List, Location, Operation, Param, Scheme, Shape, Style};
use serde_json::Value;

/// A request being built for one operation.
#[derive(Debug)]
pub struct Request {
    pub(super) method: reqwest::Method,
    pub(super) path: String,
    pub(super) query: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
    pub(super) cookies: Vec<String>,
    pub(super) body: Option<(String, Vec<u8>)>,
    pub(super) multipart: Option<crate::multipart::Parts>,
    pub(super) schemes: List<Scheme>,
    pub(super) security: List<List<u16>>,
}

fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// Percent-encodes one path segment (RFC 3986 unreserved characters stay).
pub fn encode_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a path segment is `.` or `..`, written plainly or percent-encoded.
fn is_dot_segment(segment: &str) -> bool {
    let dots = segment.to_ascii_lowercase().replace("%2e", ".");
    dots == "." || dots == ".."
}

/// The items of an array value, as text.
fn items(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().filter_map(scalar).collect(),
        other => scalar(other).into_iter().collect(),
    }
}

/// The properties of an object value, as text.
fn pairs(value: &Value) -> Vec<(String, String)> {
    match value {
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| scalar(v).map(|v| (k.clone(), v)))
            .collect(),
        _ => Vec::new(),
    }
}

/// A path parameter, encoded per `simple`, `label` or `matrix`.
fn path_segment(p: &Param, value: &Value) -> String {
    // Label style separates with `.`, an unreserved character: inside values it is encoded
    // so the server, which splits before decoding, reads the items back.
    let label = p.style == Style::Label;
    let enc = |s: &str| {
        let e = encode_segment(s);
        if label { e.replace('.', "%2E") } else { e }
    };
    let name = enc(&p.name);
    match (&p.shape, value) {
        (Shape::Json, v) => enc(&v.to_string()),
        (_, Value::Array(_)) => {
            let list: Vec<String> = items(value).iter().map(|i| enc(i)).collect();
            match (p.style, p.explode) {
                (Style::Label, true) => format!(".{}", list.join(".")),
                (Style::Label, false) => format!(".{}", list.join(",")),
                (Style::Matrix, true) => list.iter().map(|i| format!(";{name}={i}")).collect(),
                (Style::Matrix, false) => format!(";{name}={}", list.join(",")),
                _ => list.join(","),
            }
        }
        (_, Value::Object(_)) => {
            let kv = pairs(value);
            let assigned = || kv.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v)));
            let flat = || {
                kv.iter()
                    .flat_map(|(k, v)| [enc(k), enc(v)])
                    .collect::<Vec<_>>()
            };
            match (p.style, p.explode) {
                (Style::Label, true) => assigned().map(|a| format!(".{a}")).collect(),
                (Style::Label, false) => format!(".{}", flat().join(",")),
                (Style::Matrix, true) => assigned().map(|a| format!(";{a}")).collect(),
                (Style::Matrix, false) => format!(";{name}={}", flat().join(",")),
                (_, true) => assigned().collect::<Vec<_>>().join(","),
                (_, false) => flat().join(","),
            }
        }
        (_, v) => {
            let text = enc(&scalar(v).unwrap_or_default());
            match p.style {
                Style::Label => format!(".{text}"),
                Style::Matrix => format!(";{name}={text}"),
                _ => text,
            }
        }
    }
}

fn deep(out: &mut Vec<(String, String)>, key: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                deep(out, &format!("{key}[{k}]"), v);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                deep(out, &format!("{key}[{i}]"), v);
            }
        }
        other => {
            if let Some(v) = scalar(other) {
                out.push((key.to_owned(), v));
            }
        }
    }
}

/// A query parameter per `form`, `spaceDelimited`, `pipeDelimited` or `deepObject`.
fn query_pairs(p: &Param, value: &Value, out: &mut Vec<(String, String)>) {
    let name = p.name.to_string();
    match (&p.shape, value) {
        (Shape::Json, v) => out.push((name, v.to_string())),
        (_, Value::Array(_)) => {
            let list = items(value);
            let sep = match p.style {
                Style::SpaceDelimited => Some(" "),
                Style::PipeDelimited => Some("|"),
                _ if p.explode => None,
                _ => Some(","),
            };
            match sep {
                None => out.extend(list.into_iter().map(|i| (name.clone(), i))),
                Some(sep) => out.push((name, list.join(sep))),
            }
        }
        (_, Value::Object(map)) => match (p.style, p.explode) {
            (Style::DeepObject, _) => {
                for (k, v) in map {
                    deep(out, &format!("{name}[{k}]"), v);
                }
            }
            (_, true) => out.extend(pairs(value)),
            (_, false) => {
                let flat: Vec<String> =
                    pairs(value).into_iter().flat_map(|(k, v)| [k, v]).collect();
                out.push((name, flat.join(",")));
            }
        },
        (_, v) => {
            if let Some(v) = scalar(v) {
                out.push((name, v));
            }
        }
    }
}

/// A header or cookie value (`simple` / `form`).
fn text_value(p: &Param, value: &Value) -> String {
    match (&p.shape, value) {
        (Shape::Json, v) => v.to_string(),
        (_, Value::Array(_)) => items(value).join(","),
        (_, Value::Object(_)) => {
            let kv = pairs(value);
            if p.explode {
                kv.iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            } else {
                kv.into_iter()
                    .flat_map(|(k, v)| [k, v])
                    .collect::<Vec<_>>()
                    .join(",")
            }
        }
        (_, v) => scalar(v).unwrap_or_default(),
    }
}

impl Request {
    /// A request for an operation without parameters (its path is the template).
    pub fn new(op: &Operation) -> Request {
        Request {
            method: reqwest::Method::from_bytes(op.method.as_bytes())
                .unwrap_or(reqwest::Method::GET),
            path: op.path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            cookies: Vec::new(),
            body: None,
            multipart: None,
            schemes: op.schemes.clone(),
            security: op.security.clone(),
        }
    }

    /// A request for an operation with parameters: `params` serializes to an object keyed
    /// by wire name (absent optional parameters are left out).
    pub fn with_params<P: serde::Serialize + ?Sized>(
        op: &Operation,
        params: &P,
    ) -> Result<Request, Error> {
        let mut request = Request::new(op);
        let values = match serde_json::to_value(params) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return Err(Error::InvalidRequest(
                    "parameters must serialize to an object".into(),
                ));
            }
            Err(e) => return Err(Error::InvalidRequest(format!("parameters: {e}"))),
        };
        let mut path = String::new();
        let mut rest = op.path.as_ref();
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}').map(|c| open + c) else {
                break;
            };
            path.push_str(&rest[..open]);
            let name = &rest[open + 1..close];
            let param = op
                .params
                .iter()
                .find(|p| p.location == Location::Path && p.name == name);
            match (param, values.get(name)) {
                (Some(p), Some(v)) if !v.is_null() => {
                    let segment = path_segment(p, v);
                    // A whole segment of dots, encoded or not, is a dot-segment: URL
                    // resolution (RFC 3986 §5.2.4; WHATWG reads `%2e` as `.`) removes it
                    // and the request would reach another path.
                    let whole = close + 1 == rest.len() || rest[close + 1..].starts_with('/');
                    let after_slash = path.ends_with('/');
                    if whole && after_slash && is_dot_segment(&segment) {
                        return Err(Error::InvalidRequest(format!(
                            "path parameter `{name}` would be the segment `{segment}`, a dot-segment that URL resolution removes: no HTTP client can send it"
                        )));
                    }
                    path.push_str(&segment);
                }
                _ => {
                    return Err(Error::InvalidRequest(format!(
                        "path parameter `{name}` has no value"
                    )));
                }
            }
            rest = &rest[close + 1..];
        }
        path.push_str(rest);
        request.path = path;
        for p in op.params.iter() {
            let Some(value) = values.get(p.name.as_ref()).filter(|v| !v.is_null()) else {
                continue;
            };
            match p.location {
                Location::Path => {}
                Location::Query => query_pairs(p, value, &mut request.query),
                Location::Header => request
                    .headers
                    .push((p.name.to_string(), text_value(p, value))),
                Location::Cookie => request.cookies.push(format!(
                    "{}={}",
                    p.name,
                    encode_segment(&text_value(p, value))
                )),
            }
        }
        Ok(request)
    }

    /// Adds a JSON body.
    pub fn json<T: serde::Serialize + ?Sized>(
        mut self,
        media: &str,
        body: &T,
    ) -> Result<Request, Error> {
        let bytes =
            serde_json::to_vec(body).map_err(|e| Error::InvalidRequest(format!("body: {e}")))?;
        self.body = Some((media.to_owned(), bytes));
        Ok(self)
    }

    /// Adds an `application/x-www-form-urlencoded` body (nested values as deepObject keys).
    pub fn form<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Result<Request, Error> {
        let mut pairs = Vec::new();
        match serde_json::to_value(body) {
            Ok(Value::Object(map)) => {
                for (k, v) in &map {
                    deep(&mut pairs, k, v);
                }
            }
            Ok(_) => {
                return Err(Error::InvalidRequest(
                    "a form body must serialize to an object".into(),
                ));
            }
            Err(e) => return Err(Error::InvalidRequest(format!("body: {e}"))),
        }
        let mut encoded = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            encoded.append_pair(k, v);
        }
        self.body = Some((
            "application/x-www-form-urlencoded".to_owned(),
            encoded.finish().into_bytes(),
        ));
        Ok(self)
    }

    /// Adds a `multipart/form-data` body (sent with reqwest's multipart support, which
    /// writes the boundary).
    pub fn multipart(mut self, parts: crate::multipart::Parts) -> Request {
        self.multipart = Some(parts);
        self
    }

    /// Adds a raw body with its media type.
    pub fn raw(mut self, media: &str, body: Vec<u8>) -> Request {
        self.body = Some((media.to_owned(), body));
        self
    }

    /// The path with parameters filled in and encoded.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query pairs, before encoding.
    pub fn query(&self) -> &[(String, String)] {
        &self.query
    }

    /// Header parameters.
    pub fn headers(&self) -> &[(String, String)] {
        &self.headers
    }

    /// Cookie parameters (`name=value`).
    pub fn cookies(&self) -> &[String] {
        &self.cookies
    }

    /// The body's media type and bytes.
    pub fn body(&self) -> Option<(&str, &[u8])> {
        self.body.as_ref().map(|(m, b)| (m.as_str(), b.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::Scalar;
    use serde_json::json;
    use std::borrow::Cow;

    fn op(params: Vec<Param>) -> Operation {
        Operation {
            method: "GET".into(),
            path: "/items/{id}".into(),
            params: params.into(),
            body: None,
            schemes: Cow::Borrowed(&[]),
            security: Cow::Borrowed(&[]),
        }
    }

    fn path(style: Style, explode: bool, shape: Shape, value: Value) -> String {
        let op = op(vec![Param::new(
            "id",
            Location::Path,
            true,
            style,
            explode,
            shape,
            "",
        )]);
        Request::with_params(&op, &json!({ "id": value }))
            .unwrap()
            .path
    }

    fn query(style: Style, explode: bool, shape: Shape, value: Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        query_pairs(
            &Param::new("q", Location::Query, false, style, explode, shape, ""),
            &value,
            &mut out,
        );
        out
    }

    fn list(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn path_styles_follow_openapi() {
        let s = Shape::Array(Scalar::String);
        assert_eq!(
            path(Style::Simple, false, s.clone(), json!(["a b", "c/d"])),
            "/items/a%20b,c%2Fd"
        );
        assert_eq!(
            path(Style::Label, true, s.clone(), json!(["a", "b"])),
            "/items/.a.b"
        );
        assert_eq!(
            path(Style::Matrix, true, s.clone(), json!(["a", "b"])),
            "/items/;id=a;id=b"
        );
        assert_eq!(
            path(Style::Matrix, false, s, json!(["a", "b"])),
            "/items/;id=a,b"
        );
        assert_eq!(
            path(
                Style::Simple,
                false,
                Shape::Scalar(Scalar::Integer),
                json!(5)
            ),
            "/items/5"
        );
        // Dot-segments cannot travel (URL resolution removes them, `%2E` included): an
        // error, not a request to another path. Dots inside a longer segment are fine.
        let dots = Shape::Scalar(Scalar::String);
        for value in [".", "..", ""] {
            let style = if value.is_empty() {
                Style::Label
            } else {
                Style::Simple
            };
            let op = op(vec![Param::new(
                "id",
                Location::Path,
                true,
                style,
                false,
                dots.clone(),
                "",
            )]);
            let error = Request::with_params(&op, &json!({ "id": value })).unwrap_err();
            assert!(error.to_string().contains("dot-segment"), "{error}");
        }
        assert_eq!(path(Style::Simple, false, dots, json!("...")), "/items/...");
        let o = Shape::Object(Cow::Borrowed(&[]));
        assert_eq!(
            path(Style::Simple, true, o.clone(), json!({"a": 1, "b": 2})),
            "/items/a=1,b=2"
        );
        assert_eq!(path(Style::Label, false, o, json!({"a": 1})), "/items/.a,1");
    }

    #[test]
    fn query_styles_follow_openapi() {
        let a = Shape::Array(Scalar::Integer);
        assert_eq!(
            query(Style::Form, true, a.clone(), json!([1, 2])),
            list(&[("q", "1"), ("q", "2")])
        );
        assert_eq!(
            query(Style::Form, false, a.clone(), json!([1, 2])),
            list(&[("q", "1,2")])
        );
        assert_eq!(
            query(Style::PipeDelimited, false, a, json!(["a", "b"])),
            list(&[("q", "a|b")])
        );
        let o = Shape::Object(Cow::Borrowed(&[]));
        assert_eq!(
            query(
                Style::DeepObject,
                true,
                o.clone(),
                json!({"a": 1, "b": {"c": "x"}})
            ),
            list(&[("q[a]", "1"), ("q[b][c]", "x")])
        );
        assert_eq!(
            query(Style::Form, true, o.clone(), json!({"a": 1})),
            list(&[("a", "1")])
        );
        assert_eq!(
            query(Style::Form, false, o, json!({"a": 1, "b": 2})),
            list(&[("q", "a,1,b,2")])
        );
        assert_eq!(
            query(Style::Form, true, Shape::Json, json!({"a": 1})),
            list(&[("q", "{\"a\":1}")])
        );
    }

    #[test]
    fn absent_optional_parameters_are_left_out_and_missing_path_values_refused() {
        let op = op(vec![
            Param::new(
                "id",
                Location::Path,
                true,
                Style::Simple,
                false,
                Shape::Scalar(Scalar::String),
                "",
            ),
            Param::new(
                "x-trace",
                Location::Header,
                false,
                Style::Simple,
                false,
                Shape::Scalar(Scalar::String),
                "",
            ),
            Param::new(
                "sid",
                Location::Cookie,
                false,
                Style::Form,
                true,
                Shape::Scalar(Scalar::String),
                "",
            ),
        ]);
        let r =
            Request::with_params(&op, &json!({"id": "7", "x-trace": null, "sid": "a b"})).unwrap();
        assert_eq!(
            (r.path(), r.headers().len(), r.cookies()),
            ("/items/7", 0, &["sid=a%20b".to_owned()][..])
        );
        let e = Request::with_params(&op, &json!({})).unwrap_err();
        assert!(
            e.to_string().contains("path parameter `id` has no value"),
            "{e}"
        );
    }
}
