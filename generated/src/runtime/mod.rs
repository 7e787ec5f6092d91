//! Runtime support shared by the generated types, client and server.
//! Copied verbatim by `cargo xtask codegen`; do not edit in a generated crate.

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "server")]
pub mod server;

/// A string enum with a catch-all `Other` variant: values the spec does not list are kept
/// (forward compatible), while `VALUES` and the JSON Schema list the documented ones.
#[allow(unused_macros)]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $wire:literal,)* }) => {
        $(#[$meta])*
        #[derive(::std::fmt::Debug, ::std::clone::Clone, ::std::cmp::PartialEq, ::std::cmp::Eq, ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord)]
        pub enum $name {
            $(#[doc = concat!("`", $wire, "`")] $variant,)*
            /// A value the spec does not list (kept rather than rejected).
            Other(::std::string::String),
        }
        impl $name {
            /// The values the spec documents.
            pub const VALUES: &'static [&'static str] = &[$($wire),*];
            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Other(other) => other.as_str(),
                }
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(match s {
                    $($wire => Self::$variant,)*
                    other => Self::Other(other.to_owned()),
                })
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String as ::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(match s.parse::<Self>() {
                    ::std::result::Result::Ok(v) => v,
                    ::std::result::Result::Err(never) => match never {},
                })
            }
        }
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                // Built in code: `json_schema!` recurses per value and hits the macro
                // recursion limit on enums with a hundred values or more.
                let mut schema = ::serde_json::Map::new();
                schema.insert("type".into(), "string".into());
                let values = Self::VALUES.iter().map(|v| ::serde_json::Value::from(*v)).collect();
                schema.insert("enum".into(), ::serde_json::Value::Array(values));
                ::schemars::Schema::from(schema)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum;

/// `Deserialize` for a union with an OpenAPI `discriminator`: read the tag property, then
/// decode exactly the variant it names (the tag stays in the variant's own fields).
#[allow(unused_macros)]
macro_rules! discriminated {
    ($name:ident, $tag:literal, { $($($value:literal)|+ => $variant:ident,)* }) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                use ::serde::de::Error as _;
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get($tag).and_then(::serde_json::Value::as_str).map(::std::borrow::ToOwned::to_owned);
                match tag.as_deref() {
                    $(::std::option::Option::Some($($value)|+) => ::serde_json::from_value(value).map(Self::$variant).map_err(D::Error::custom),)*
                    ::std::option::Option::Some(other) => ::std::result::Result::Err(D::Error::custom(format!("unknown {} `{}`", $tag, other))),
                    ::std::option::Option::None => ::std::result::Result::Err(D::Error::custom(concat!("missing discriminator property `", $tag, "`"))),
                }
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use discriminated;

/// A generated struct's `Deserialize` (through [`de::Record`]), `Serialize` and `JsonSchema`, from one
/// line per property: `field = "wire", required|optional, "summary";` (types come from the
/// struct). Keys the struct does not name are rejected (`closed`), skipped (`open`), or
/// kept in the map named by `rest field`. Replaces `#[derive(Serialize, Deserialize, JsonSchema)]`,
/// whose expansion was most of a generated crate's `cargo check` time.
#[allow(unused_macros)]
macro_rules! record {
    (
        $name:ident, $mode:ident, $text:literal $(, rest $rest:ident)?;
        $($field:ident = $wire:literal, $req:ident, $doc:literal;)*
    ) => {
        impl $crate::runtime::de::Record for $name {
            const NAME: &'static str = stringify!($name);
            fn visit<'de, A: ::serde::de::MapAccess<'de>>(mut map: A) -> ::std::result::Result<Self, A::Error> {
                const NAMES: &[&str] = &[$($wire),*];
                $(let mut $field = ::std::option::Option::None;)*
                $(let mut $rest = ::std::default::Default::default();)?
                while let ::std::option::Option::Some(key) = map.next_key_seed($crate::runtime::de::Keys)? {
                    match key.as_str() {
                        $($wire => $crate::runtime::de::set(&mut $field, &mut map, $wire)?,)*
                        _ => $crate::runtime::de::other(&mut map, key, NAMES, $crate::runtime::de::$mode(), &mut ($($rest)?))?,
                    }
                }
                ::std::result::Result::Ok(Self { $($field: $crate::runtime::de::$req($field, $wire)?,)* $($rest,)? })
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::runtime::de::record(deserializer)
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut map = ::serde::Serializer::serialize_map(serializer, ::std::option::Option::None)?;
                $($crate::runtime::ser::$req(&mut map, $wire, &self.$field)?;)*
                $($crate::runtime::ser::rest(&mut map, &self.$rest)?;)?
                ::serde::ser::SerializeMap::end(map)
            }
        }
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }
            fn json_schema(g: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                $crate::runtime::schema::object(
                    $text,
                    [$(($wire, $crate::runtime::schema::of(g, |v: Self| v.$field), $crate::runtime::schema::$req(), $doc)),*],
                    $crate::runtime::schema::Rest::new($crate::runtime::de::$mode(), [$($crate::runtime::schema::values_of(g, |v: Self| v.$rest))?]),
                )
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use record;

/// `JsonSchema` of an untagged or discriminated union: `anyOf` its variants' types.
#[allow(unused_macros)]
macro_rules! union_schema {
    ($name:ident, $text:literal, [$($ty:ty),* $(,)?]) => {
        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }
            fn json_schema(g: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                $crate::runtime::schema::any_of($text, [$(g.subschema_for::<$ty>()),*])
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use union_schema;

/// A struct's map of the properties its schema does not name (`rest` in `record!`): what
/// decoding fills and what the schema's `additionalProperties` describes.
pub trait RestMap {
    /// The type of each value.
    type Value;
    /// Keeps one property.
    fn put(&mut self, key: ::std::string::String, value: Self::Value);
}

impl<T> RestMap for ::std::collections::BTreeMap<::std::string::String, T> {
    type Value = T;
    fn put(&mut self, key: ::std::string::String, value: T) {
        self.insert(key, value);
    }
}

impl RestMap for ::serde_json::Map<::std::string::String, ::serde_json::Value> {
    type Value = ::serde_json::Value;
    fn put(&mut self, key: ::std::string::String, value: ::serde_json::Value) {
        self.insert(key, value);
    }
}

/// Decoding of generated structs (see `record!`): the generic part, written once.
pub mod de {
    use ::serde::de::{Deserialize, DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, Visitor};
    use ::std::marker::PhantomData;

    /// A struct decoded from a JSON object, key by key.
    pub trait Record: Sized {
        /// The struct's name, for error messages.
        const NAME: &'static str;
        /// Reads the object's entries and builds the struct.
        fn visit<'de, A: MapAccess<'de>>(map: A) -> ::std::result::Result<Self, A::Error>;
    }

    /// Decodes a [`Record`]: only a map is accepted (never a positional array).
    pub fn record<'de, D: Deserializer<'de>, T: Record>(deserializer: D) -> ::std::result::Result<T, D::Error> {
        deserializer.deserialize_map(RecordVisitor::<T>(PhantomData))
    }

    struct RecordVisitor<T>(PhantomData<T>);

    impl<'de, T: Record> Visitor<'de> for RecordVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            write!(f, "an object ({})", T::NAME)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> ::std::result::Result<T, A::Error> {
            T::visit(map)
        }
    }

    /// One key of an object, borrowed from the input when it can be.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Key<'de> {
        /// Borrowed from the input.
        Borrowed(&'de str),
        /// Unescaped or from an owned source.
        Owned(::std::string::String),
    }

    impl Key<'_> {
        /// The key's text.
        pub fn as_str(&self) -> &str {
            match self {
                Key::Borrowed(text) => text,
                Key::Owned(text) => text,
            }
        }
        /// The key as an owned string.
        pub fn into_owned(self) -> ::std::string::String {
            match self {
                Key::Borrowed(text) => text.to_owned(),
                Key::Owned(text) => text,
            }
        }
    }

    /// Reads an object key.
    pub struct Keys;

    impl<'de> DeserializeSeed<'de> for Keys {
        type Value = Key<'de>;
        fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> ::std::result::Result<Key<'de>, D::Error> {
            deserializer.deserialize_identifier(self)
        }
    }

    impl<'de> Visitor<'de> for Keys {
        type Value = Key<'de>;
        fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
            f.write_str("a property name")
        }
        fn visit_borrowed_str<E: Error>(self, v: &'de str) -> ::std::result::Result<Key<'de>, E> {
            Ok(Key::Borrowed(v))
        }
        fn visit_str<E: Error>(self, v: &str) -> ::std::result::Result<Key<'de>, E> {
            Ok(Key::Owned(v.to_owned()))
        }
        fn visit_string<E: Error>(self, v: ::std::string::String) -> ::std::result::Result<Key<'de>, E> {
            Ok(Key::Owned(v))
        }
        fn visit_bytes<E: Error>(self, v: &[u8]) -> ::std::result::Result<Key<'de>, E> {
            match ::std::str::from_utf8(v) {
                Ok(text) => self.visit_str(text),
                Err(_) => Err(E::invalid_value(::serde::de::Unexpected::Bytes(v), &self)),
            }
        }
    }

    /// Stores the value of a property seen for the first time; a repeated key is an error.
    pub fn set<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
        slot: &mut Option<T>,
        map: &mut A,
        name: &'static str,
    ) -> ::std::result::Result<(), A::Error> {
        if slot.is_some() {
            return Err(A::Error::duplicate_field(name));
        }
        *slot = Some(map.next_value()?);
        Ok(())
    }

    /// `record!`'s `closed` mode: keys the struct does not name are errors.
    pub fn closed() -> bool {
        true
    }

    /// `record!`'s `open` mode: keys the struct does not name are skipped (or kept).
    pub fn open() -> bool {
        false
    }

    /// A required property's value (present, possibly `null` when its type is an `Option`).
    pub fn required<T, E: Error>(slot: Option<T>, name: &'static str) -> ::std::result::Result<T, E> {
        slot.ok_or_else(|| E::missing_field(name))
    }

    /// An optional property's value: absent and `null` are both `None`.
    pub fn optional<T, E: Error>(slot: Option<Option<T>>, _name: &'static str) -> ::std::result::Result<Option<T>, E> {
        Ok(slot.flatten())
    }

    /// Where a struct puts keys it does not name: nowhere (`()`) or its flattened map.
    pub trait Leftovers {
        /// Takes the value of `key`; `Ok(false)` when there is nowhere to keep it.
        fn keep<'de, A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> ::std::result::Result<bool, A::Error>;
    }

    impl Leftovers for () {
        fn keep<'de, A: MapAccess<'de>>(&mut self, _: Key<'de>, _: &mut A) -> ::std::result::Result<bool, A::Error> {
            Ok(false)
        }
    }

    impl<M: super::RestMap> Leftovers for M
    where
        M::Value: ::serde::de::DeserializeOwned,
    {
        fn keep<'de, A: MapAccess<'de>>(&mut self, key: Key<'de>, map: &mut A) -> ::std::result::Result<bool, A::Error> {
            self.put(key.into_owned(), map.next_value()?);
            Ok(true)
        }
    }

    /// A key the struct does not name: kept in its map if it has one, else an error when
    /// the schema is closed, else skipped.
    pub fn other<'de, A: MapAccess<'de>, L: Leftovers>(
        map: &mut A,
        key: Key<'de>,
        names: &'static [&'static str],
        closed: bool,
        leftovers: &mut L,
    ) -> ::std::result::Result<(), A::Error> {
        if closed {
            return Err(A::Error::unknown_field(key.as_str(), names));
        }
        if !leftovers.keep(key, map)? {
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// Encoding of generated structs (see `record!`): properties in declaration order, then
/// the leftovers map, as a JSON object.
pub mod ser {
    use ::serde::ser::{Serialize, SerializeMap};

    /// A required property: always written (`null` when its `Option` is empty).
    pub fn required<M: SerializeMap, T: Serialize + ?Sized>(map: &mut M, key: &'static str, value: &T) -> ::std::result::Result<(), M::Error> {
        map.serialize_entry(key, value)
    }

    /// An optional property: written only when present.
    pub fn optional<M: SerializeMap, T: Serialize>(map: &mut M, key: &'static str, value: &Option<T>) -> ::std::result::Result<(), M::Error> {
        match value {
            Some(value) => map.serialize_entry(key, value),
            None => Ok(()),
        }
    }

    /// The entries of a struct's leftovers map.
    pub fn rest<'a, M: SerializeMap, V: Serialize + 'a>(
        map: &mut M,
        entries: impl IntoIterator<Item = (&'a ::std::string::String, &'a V)>,
    ) -> ::std::result::Result<(), M::Error> {
        for (key, value) in entries {
            map.serialize_entry(key, value)?;
        }
        Ok(())
    }
}

/// JSON Schemas of generated types (see `record!`): generated types list their properties'
/// Rust types and these helpers assemble the object; `$ref`s come from the generator.
pub mod schema {
    use ::schemars::Schema;
    use ::serde_json::{Map, Value};

    /// What an object schema says about the properties it does not name.
    pub enum Rest {
        /// `additionalProperties: false`.
        Closed,
        /// Nothing (any other property is allowed).
        Open,
        /// `additionalProperties` with this schema (they are kept in a map).
        Typed(Schema),
    }

    impl Rest {
        /// `Typed` when a schema for the leftovers is given, else `Closed` or `Open`.
        pub fn new(closed: bool, typed: impl IntoIterator<Item = Schema>) -> Rest {
            match typed.into_iter().next() {
                Some(schema) => Rest::Typed(schema),
                None if closed => Rest::Closed,
                None => Rest::Open,
            }
        }
    }

    /// `record!`'s `required` marker: the property is listed in `required`.
    pub fn required() -> bool {
        true
    }

    /// `record!`'s `optional` marker: the property may be absent.
    pub fn optional() -> bool {
        false
    }

    /// The schema of a field's type; `field` is never called, it only names the type
    /// (`|v: Self| v.token`), so the macro needs no type syntax.
    pub fn of<S, T: ::schemars::JsonSchema>(g: &mut ::schemars::SchemaGenerator, field: impl FnOnce(S) -> T) -> Schema {
        let _ = field;
        g.subschema_for::<T>()
    }

    /// The schema of the values of a field's map (`additionalProperties`).
    pub fn values_of<S, M: super::RestMap>(g: &mut ::schemars::SchemaGenerator, field: impl FnOnce(S) -> M) -> Schema
    where
        M::Value: ::schemars::JsonSchema,
    {
        let _ = field;
        g.subschema_for::<M::Value>()
    }

    /// One property: wire name, schema, required, description (empty for none).
    pub type Property = (&'static str, Schema, bool, &'static str);

    fn with_description(mut out: Map<String, Value>, description: &str) -> Schema {
        if !description.is_empty() {
            out.insert("description".into(), description.into());
        }
        Schema::from(out)
    }

    /// An object schema.
    pub fn object(description: &str, properties: impl IntoIterator<Item = Property>, rest: Rest) -> Schema {
        let mut out = Map::new();
        out.insert("type".into(), "object".into());
        let mut names = Map::new();
        let mut required = ::std::vec::Vec::new();
        for (name, schema, is_required, doc) in properties {
            let mut value = schema.to_value();
            if let (Value::Object(fields), false) = (&mut value, doc.is_empty()) {
                fields.entry("description").or_insert_with(|| doc.into());
            }
            names.insert(name.into(), value);
            if is_required {
                required.push(Value::from(name));
            }
        }
        out.insert("properties".into(), Value::Object(names));
        if !required.is_empty() {
            out.insert("required".into(), Value::Array(required));
        }
        match rest {
            Rest::Closed => {
                out.insert("additionalProperties".into(), false.into());
            }
            Rest::Open => {}
            Rest::Typed(schema) => {
                out.insert("additionalProperties".into(), schema.to_value());
            }
        }
        with_description(out, description)
    }

    /// A union decoded by trying each variant (`anyOf`).
    pub fn any_of(description: &str, variants: impl IntoIterator<Item = Schema>) -> Schema {
        let mut out = Map::new();
        out.insert("anyOf".into(), Value::Array(variants.into_iter().map(Schema::to_value).collect()));
        with_description(out, description)
    }
}

/// Why a response could not be turned into the operation's response type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The status is not documented for this operation (the raw body is kept).
    UndocumentedStatus {
        /// HTTP status.
        status: u16,
        /// Raw body.
        body: ::std::vec::Vec<u8>,
    },
    /// The body does not match the documented type.
    Body {
        /// HTTP status.
        status: u16,
        /// Where in the body decoding failed (`data.expires_at`).
        path: ::std::string::String,
        /// What serde said.
        message: ::std::string::String,
        /// The start of the body, for the log.
        snippet: ::std::string::String,
    },
}

impl ::std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        match self {
            DecodeError::UndocumentedStatus { status, body } => {
                write!(f, "undocumented status {status}: {}", snippet(body))
            }
            DecodeError::Body { status, path, message, snippet } => {
                write!(f, "status {status}: body does not match the spec at `{path}`: {message} (body: {snippet})")
            }
        }
    }
}

impl ::std::error::Error for DecodeError {}

/// The first 200 characters of a body, lossily decoded.
pub fn snippet(body: &[u8]) -> ::std::string::String {
    let text = ::std::string::String::from_utf8_lossy(body);
    let mut out: ::std::string::String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Decodes a JSON body, reporting the path where it fails.
pub fn json<T: ::serde::de::DeserializeOwned>(status: u16, body: &[u8]) -> ::std::result::Result<T, DecodeError> {
    let de = &mut ::serde_json::Deserializer::from_slice(body);
    ::serde_path_to_error::deserialize(de).map_err(|e| DecodeError::Body {
        status,
        path: e.path().to_string(),
        message: e.inner().to_string(),
        snippet: snippet(body),
    })
}

/// Decodes a text body.
pub fn text(status: u16, body: &[u8]) -> ::std::result::Result<::std::string::String, DecodeError> {
    ::std::string::String::from_utf8(body.to_vec()).map_err(|e| DecodeError::Body {
        status,
        path: ::std::string::String::new(),
        message: e.to_string(),
        snippet: snippet(body),
    })
}

/// Encodes a JSON body (serialization of generated types cannot fail; `Null` if it does).
pub fn to_json<T: ::serde::Serialize>(value: &T) -> ::std::vec::Vec<u8> {
    ::serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    string_enum! {
        /// A test enum.
        Color { Red => "red", DarkBlue => "dark-blue", }
    }

    #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]
    struct Cat {
        kind: String,
        lives: u8,
    }

    #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize, ::schemars::JsonSchema)]
    struct Dog {
        kind: String,
        good: bool,
    }

    #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::schemars::JsonSchema)]
    #[serde(untagged)]
    enum Pet {
        Cat(Cat),
        Dog(Box<Dog>),
    }
    discriminated!(Pet, "kind", { "cat" | "kitten" => Cat, "dog" => Dog, });

    #[derive(Debug, Clone, PartialEq)]
    struct Session {
        token: String,
        link: Option<String>,
        note: Option<u8>,
        rest: ::std::collections::BTreeMap<String, u8>,
    }
    record! {
        Session, open, "A session.", rest rest;
        token = "token", required, "The token.";
        link = "link", required, "";
        note = "note", optional, "";
    }

    #[derive(Debug, Clone, PartialEq)]
    struct Input {
        id: String,
    }
    record! {
        Input, closed, "";
        id = "id", required, "";
    }

    #[test]
    fn records_decode_like_the_schema_says() {
        let s: Session = serde_json::from_str(r#"{"token":"t","link":null,"extra":7}"#).unwrap();
        assert_eq!((s.token.as_str(), &s.link, s.note, s.rest.get("extra")), ("t", &None, None, Some(&7)));
        // Encoded back: declared order, required null kept, absent optional left out, leftovers last.
        assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"token":"t","link":null,"extra":7}"#);
        // Required but nullable: present as null is fine, absent is not.
        let err = serde_json::from_str::<Session>(r#"{"token":"t"}"#).unwrap_err().to_string();
        assert!(err.contains("missing field `link`"), "{err}");
        let err = serde_json::from_str::<Session>(r#"{"token":"t","link":null,"token":"u"}"#).unwrap_err().to_string();
        assert!(err.contains("duplicate field `token`"), "{err}");
        // A leftover of the wrong type fails in the map, not silently.
        assert!(serde_json::from_str::<Session>(r#"{"token":"t","link":null,"x":"no"}"#).is_err());
        // Positional arrays are not objects.
        assert!(serde_json::from_str::<Input>(r#"["a"]"#).is_err());
        let err = serde_json::from_str::<Input>(r#"{"id":"a","idx":1}"#).unwrap_err().to_string();
        assert!(err.contains("unknown field `idx`, expected `id`"), "{err}");
        // Escaped keys (owned, not borrowed) and `from_value` (owned keys) work too.
        let i: Input = serde_json::from_str(r#"{"\u0069d":"a"}"#).unwrap();
        assert_eq!(i, Input { id: "a".into() });
        let i: Input = serde_json::from_value(serde_json::json!({"id": "b"})).unwrap();
        assert_eq!(i.id, "b");
        // The decode path is reported through records.
        match json::<Vec<Session>>(200, br#"[{"token":5,"link":null}]"#).unwrap_err() {
            DecodeError::Body { path, .. } => assert_eq!(path, "[0].token"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn record_schemas_list_properties_required_and_leftovers() {
        let schema = serde_json::to_value(::schemars::schema_for!(Session)).unwrap();
        assert_eq!(schema["description"], "A session.");
        assert_eq!(schema["required"], serde_json::json!(["token", "link"]));
        assert_eq!(schema["properties"]["token"]["description"], "The token.");
        assert_eq!(schema["additionalProperties"]["type"], "integer");
        let schema = serde_json::to_value(::schemars::schema_for!(Input)).unwrap();
        assert_eq!(schema["additionalProperties"], false);
    }

    #[test]
    fn string_enums_round_trip_and_keep_unknown_values() {
        let c: Color = serde_json::from_str("\"dark-blue\"").unwrap();
        assert_eq!(c, Color::DarkBlue);
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"dark-blue\"");
        let other: Color = serde_json::from_str("\"green\"").unwrap();
        assert_eq!(other, Color::Other("green".into()));
        assert_eq!(other.to_string(), "green");
        assert_eq!(Color::VALUES, ["red", "dark-blue"]);
        assert_eq!("red".parse::<Color>(), Ok(Color::Red));
    }

    #[test]
    fn discriminated_unions_decode_by_tag_and_keep_it() {
        let pet: Pet = serde_json::from_str(r#"{"kind":"kitten","lives":9}"#).unwrap();
        assert_eq!(pet, Pet::Cat(Cat { kind: "kitten".into(), lives: 9 }));
        assert_eq!(serde_json::to_value(&pet).unwrap(), serde_json::json!({"kind":"kitten","lives":9}));
        let err = serde_json::from_str::<Pet>(r#"{"kind":"fish"}"#).unwrap_err().to_string();
        assert!(err.contains("unknown kind `fish`"), "{err}");
        let err = serde_json::from_str::<Pet>(r#"{"good":true}"#).unwrap_err().to_string();
        assert!(err.contains("missing discriminator property `kind`"), "{err}");
        // A tag that matches but a body that does not: the variant's own error.
        assert!(serde_json::from_str::<Pet>(r#"{"kind":"dog","good":"yes"}"#).is_err());
    }

    #[test]
    fn json_decode_errors_name_the_path_and_show_the_body() {
        let err = json::<Vec<Cat>>(201, br#"[{"kind":"cat","lives":"nine"}]"#).unwrap_err();
        match err {
            DecodeError::Body { status, path, snippet, .. } => {
                assert_eq!((status, path.as_str()), (201, "[0].lives"));
                assert!(snippet.starts_with("[{\"kind\""));
            }
            other => panic!("{other:?}"),
        }
        assert!(snippet(&[b'x'; 300]).ends_with('…'));
    }
}
