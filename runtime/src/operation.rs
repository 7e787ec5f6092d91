//! What the runtime knows about an operation: its parameters (where each travels and how it
//! is serialized), the media types of its request body, and its security alternatives.
//!
//! The generator's model reads these facts from the spec once; generated crates hold them as
//! statics (`crate::operations::GET_CONNECTION`), and the contract validator builds the same
//! values at run time from the same model. The client serializes requests from them, the
//! router parses and checks requests from them, and the validator checks recorded traffic
//! from them: one description, three readers.

use std::borrow::Cow;

/// Text in a description: borrowed in generated statics, owned when built at run time.
pub type Text = Cow<'static, str>;

/// A list in a description: borrowed in generated statics, owned when built at run time.
pub type List<T> = Cow<'static, [T]>;

/// One operation: method, path template, parameters, body and security.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operation {
    /// Upper-case HTTP method (`GET`).
    pub method: Text,
    /// The spec's path template (`/connections/{connectionId}`).
    pub path: Text,
    /// Parameters, path item and operation merged (the operation's win).
    pub params: List<Param>,
    /// The request body, if the operation documents one.
    pub body: Option<Body>,
    /// The security schemes the requirements below point into (the spec's whole table).
    pub schemes: List<Scheme>,
    /// Alternatives (any one will do), each a set of schemes (all needed), as indices into
    /// `schemes`. No alternative: no security. An empty alternative (`{}`): security optional.
    pub security: List<List<u16>>,
}

impl Operation {
    /// `METHOD /template`, as reports name an operation.
    pub fn label(&self) -> String {
        format!("{} {}", self.method, self.path)
    }

    /// Whether a request must present credentials (no empty alternative).
    pub fn requires_credentials(&self) -> bool {
        !self.security.is_empty() && self.security.iter().all(|a| !a.is_empty())
    }

    /// Whether the operation looks at credentials at all.
    pub fn has_security(&self) -> bool {
        self.security.iter().any(|a| !a.is_empty())
    }

    /// The names in the path template, in order (`/a/{x}/b/{y}` → `x`, `y`).
    pub fn path_names(&self) -> impl Iterator<Item = &str> {
        template_names(&self.path)
    }
}

/// The `{name}`s of a path template, in order.
pub fn template_names(template: &str) -> impl Iterator<Item = &str> {
    let mut rest = template;
    std::iter::from_fn(move || {
        let open = rest.find('{')?;
        let close = open + rest[open..].find('}')?;
        let name = &rest[open + 1..close];
        rest = &rest[close + 1..];
        Some(name)
    })
}

/// The raw (still percent-encoded) value of each template parameter in an actual path, or
/// `None` when the path does not have the template's shape. A segment like `{id}.json`
/// gives the text between its literal prefix and suffix; one with several parameters
/// (`{base}...{head}`) is split at its literals, each parameter ending at the first
/// occurrence of the literal after it.
pub fn path_values<'t, 'p>(template: &'t str, path: &'p str) -> Option<Vec<(&'t str, &'p str)>> {
    let mut out = Vec::new();
    let mut actual = path.split('/');
    for t in template.split('/') {
        let a = actual.next()?;
        if !segment_values(t, a, &mut out) {
            return None;
        }
    }
    actual.next().is_none().then_some(out)
}

/// Matches one template segment against one actual segment, pushing its parameters.
fn segment_values<'t, 'p>(t: &'t str, a: &'p str, out: &mut Vec<(&'t str, &'p str)>) -> bool {
    // Literals and names alternate: lit0 {n1} lit1 {n2} … litN.
    let mut literals: Vec<&str> = Vec::new();
    let mut names: Vec<&str> = Vec::new();
    let mut rest = t;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        literals.push(&rest[..open]);
        names.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    literals.push(rest);
    if names.is_empty() {
        return t == a;
    }
    let (first, last) = (literals[0], literals[literals.len() - 1]);
    if a.len() < first.len() + last.len() || !a.starts_with(first) || !a.ends_with(last) {
        return false;
    }
    let mut middle = &a[first.len()..a.len() - last.len()];
    for (i, name) in names.iter().enumerate() {
        let after = literals[i + 1];
        if i + 1 == names.len() {
            out.push((name, middle));
        } else if after.is_empty() {
            // `{a}{b}`: nothing tells them apart; the first takes nothing.
            out.push((name, ""));
        } else {
            let Some(at) = middle.find(after) else {
                return false;
            };
            out.push((name, &middle[..at]));
            middle = &middle[at + after.len()..];
        }
    }
    true
}

/// Where a parameter travels.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub enum Location {
    /// A segment of the path.
    Path,
    /// The query string.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

impl Location {
    /// As OpenAPI writes it (`query`).
    pub fn as_str(self) -> &'static str {
        match self {
            Location::Path => "path",
            Location::Query => "query",
            Location::Header => "header",
            Location::Cookie => "cookie",
        }
    }
}

/// How a parameter value is serialized (OpenAPI `style`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Style {
    /// `simple`: `a,b` (path and header default).
    Simple,
    /// `label`: `.a.b` or `.a,b` (path).
    Label,
    /// `matrix`: `;id=a,b` or `;id=a;id=b` (path).
    Matrix,
    /// `form`: `id=a&id=b` or `id=a,b` (query and cookie default).
    Form,
    /// `spaceDelimited`: `id=a%20b` (query arrays).
    SpaceDelimited,
    /// `pipeDelimited`: `id=a|b` (query arrays).
    PipeDelimited,
    /// `deepObject`: `id[role]=admin` (query objects).
    DeepObject,
}

/// The JSON type a string from the wire is read as before validation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Scalar {
    /// Kept as a string.
    String,
    /// `true` / `false`.
    Boolean,
    /// An integer.
    Integer,
    /// A number.
    Number,
}

/// The structure of a parameter's value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Shape {
    /// One value.
    Scalar(Scalar),
    /// A list of values of one type.
    Array(Scalar),
    /// Named values; the listed properties have known types, others are strings.
    Object(List<(Text, Scalar)>),
    /// A JSON document (a parameter described with `content: application/json`).
    Json,
}

/// One parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The name on the wire.
    pub name: Text,
    /// Where it travels.
    pub location: Location,
    /// Required by the spec (path parameters always are).
    pub required: bool,
    /// Serialization style.
    pub style: Style,
    /// `explode`.
    pub explode: bool,
    /// The structure of its value.
    pub shape: Shape,
    /// Its schema in the spec as a URI fragment (`#/paths/…/schema`); empty when it has none.
    pub schema: Text,
}

/// How a body is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum BodyKind {
    /// `application/json` and `+json` types.
    Json,
    /// `application/x-www-form-urlencoded`.
    Form,
    /// `text/*`.
    Text,
    /// Anything else (bytes with their media type).
    Bytes,
}

impl BodyKind {
    /// The kind of a media type (`application/vnd.api+json` → `Json`).
    pub fn of(media: &str) -> BodyKind {
        let essence = essence(media);
        if is_json(essence) {
            BodyKind::Json
        } else if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            BodyKind::Form
        } else if essence.len() >= 5 && essence[..5].eq_ignore_ascii_case("text/") {
            BodyKind::Text
        } else {
            BodyKind::Bytes
        }
    }
}

/// The media type without its parameters (`application/json` of `application/json; charset=utf-8`).
pub fn essence(media: &str) -> &str {
    media.split(';').next().unwrap_or("").trim()
}

/// Whether a media type is `multipart/form-data` (read into typed values by the router).
pub fn is_multipart(media: &str) -> bool {
    essence(media).eq_ignore_ascii_case("multipart/form-data")
}

/// Whether a media type is JSON (`application/json` or any `+json` type).
pub fn is_json(media: &str) -> bool {
    let e = essence(media);
    e.eq_ignore_ascii_case("application/json")
        || e.len() >= 5
            && e.is_char_boundary(e.len() - 5)
            && e[e.len() - 5..].eq_ignore_ascii_case("+json")
}

/// Whether a documented media range (`application/*`, `*/*`) covers an actual media type.
pub fn media_matches(documented: &str, actual: &str) -> bool {
    let (d, a) = (essence(documented), essence(actual));
    if d.eq_ignore_ascii_case(a) || d == "*/*" {
        return true;
    }
    match (d.split_once('/'), a.split_once('/')) {
        (Some((dt, "*")), Some((at, _))) => dt.eq_ignore_ascii_case(at),
        _ => false,
    }
}

/// One documented media type of a body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Media {
    /// The media type (or range) as documented.
    pub media: Text,
    /// How it is encoded.
    pub kind: BodyKind,
    /// Its schema as a URI fragment; empty when it has none.
    pub schema: Text,
    /// For form bodies: each property's shape, so `a=1&tags[]=x` is read as the schema's
    /// types (empty for other kinds, and for properties the schema does not list).
    pub fields: List<(Text, Shape)>,
}

/// A request body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Body {
    /// Required by the spec.
    pub required: bool,
    /// Documented media types, in document order.
    pub media: List<Media>,
}

impl Body {
    /// The documented media type an actual `Content-Type` selects.
    pub fn media_for(&self, content_type: &str) -> Option<&Media> {
        self.media
            .iter()
            .find(|m| media_matches(&m.media, content_type))
    }
}

/// Where an API key travels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum KeyLocation {
    /// A header.
    Header,
    /// A query parameter.
    Query,
    /// A cookie.
    Cookie,
}

/// How a security scheme puts credentials on a request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum SchemeKind {
    /// `Authorization: Bearer <token>`: http bearer, oauth2 and openIdConnect.
    Bearer,
    /// `Authorization: Basic base64(user:password)`.
    Basic,
    /// `Authorization: <scheme> <value>` for any other http scheme (`Digest`…).
    Http(Text),
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// The header, parameter or cookie name.
        name: Text,
        /// Where.
        location: KeyLocation,
    },
    /// A scheme HTTP cannot show (mutualTLS): taken as present, left to `authenticate`.
    Other,
}

/// A security scheme of the spec.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scheme {
    /// Its name under `components/securitySchemes`.
    pub name: Text,
    /// How it travels.
    pub kind: SchemeKind,
}

/// Short constructors for generated statics (all `const`, borrowed).
impl Param {
    /// A parameter.
    pub const fn new(
        name: &'static str,
        location: Location,
        required: bool,
        style: Style,
        explode: bool,
        shape: Shape,
        schema: &'static str,
    ) -> Param {
        Param {
            name: Cow::Borrowed(name),
            location,
            required,
            style,
            explode,
            shape,
            schema: Cow::Borrowed(schema),
        }
    }
}

impl Media {
    /// A media type.
    pub const fn new(media: &'static str, kind: BodyKind, schema: &'static str) -> Media {
        Media {
            media: Cow::Borrowed(media),
            kind,
            schema: Cow::Borrowed(schema),
            fields: Cow::Borrowed(&[]),
        }
    }

    /// A form media type whose properties have these shapes.
    pub const fn form(
        media: &'static str,
        schema: &'static str,
        fields: &'static [(Text, Shape)],
    ) -> Media {
        Media {
            media: Cow::Borrowed(media),
            kind: BodyKind::Form,
            schema: Cow::Borrowed(schema),
            fields: Cow::Borrowed(fields),
        }
    }
}

impl Scheme {
    /// A scheme.
    pub const fn new(name: &'static str, kind: SchemeKind) -> Scheme {
        Scheme {
            name: Cow::Borrowed(name),
            kind,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_and_templates() {
        assert!(media_matches(
            "application/json",
            "application/json; charset=utf-8"
        ));
        assert!(media_matches("application/*", "application/problem+json"));
        assert!(media_matches("*/*", "text/plain"));
        assert!(!media_matches("application/json", "text/plain"));
        assert_eq!(BodyKind::of("application/vnd.api+json"), BodyKind::Json);
        assert_eq!(
            BodyKind::of("application/x-www-form-urlencoded"),
            BodyKind::Form
        );
        assert_eq!(BodyKind::of("TEXT/plain"), BodyKind::Text);
        assert_eq!(BodyKind::of("image/png"), BodyKind::Bytes);
        assert!(!is_json("json"));
        assert_eq!(
            template_names("/a/{x}/b/{y}.json").collect::<Vec<_>>(),
            ["x", "y"]
        );
        assert_eq!(template_names("/a/{x").count(), 0);
        assert_eq!(
            path_values("/a/{x}/b/{y}.json", "/a/1%2F2/b/z.json"),
            Some(vec![("x", "1%2F2"), ("y", "z")])
        );
        assert_eq!(path_values("/a/{x}", "/a/1/2"), None);
        assert_eq!(path_values("/a/{x}", "/b/1"), None);
        assert_eq!(
            path_values("/c/{base}...{head}", "/c/main...feature%2Fx"),
            Some(vec![("base", "main"), ("head", "feature%2Fx")])
        );
        assert_eq!(path_values("/c/{base}...{head}", "/c/main"), None);
        assert_eq!(
            path_values("/c/v{a}.{b}", "/c/v1.2.3"),
            Some(vec![("a", "1"), ("b", "2.3")])
        );
    }

    #[test]
    fn security_alternatives() {
        let op = |security: Vec<List<u16>>| Operation {
            method: "GET".into(),
            path: "/".into(),
            params: Cow::Borrowed(&[]),
            body: None,
            schemes: Cow::Borrowed(&[]),
            security: security.into(),
        };
        assert!(!op(vec![]).requires_credentials());
        assert!(op(vec![Cow::Borrowed(&[0])]).requires_credentials());
        let optional = op(vec![Cow::Borrowed(&[0]), Cow::Borrowed(&[])]);
        assert!(!optional.requires_credentials());
        assert!(optional.has_security());
    }
}
