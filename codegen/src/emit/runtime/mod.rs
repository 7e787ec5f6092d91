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

/// Deserializes a property that must be present but may be `null`. serde treats a missing
/// `Option` field as `None`; with this, a missing key is an error, as the spec says.
pub fn required_nullable<'de, D, T>(deserializer: D) -> ::std::result::Result<::std::option::Option<T>, D::Error>
where
    D: ::serde::Deserializer<'de>,
    T: ::serde::Deserialize<'de>,
{
    <::std::option::Option<T> as ::serde::Deserialize>::deserialize(deserializer)
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
