//! The macros generated types expand: string enums, discriminated unions and union schemas
//! (structs use `#[derive(Record)]`, from `openapi-runtime-derive`).
//! Each is written once here so the generated code is one short line per item.

/// A string enum with a catch-all `Other` variant: values the spec does not list are kept
/// (forward compatible), while `VALUES` and the JSON Schema list the documented ones.
#[macro_export]
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
        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let s = <::std::string::String as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(match s.parse::<Self>() {
                    ::std::result::Result::Ok(v) => v,
                    ::std::result::Result::Err(never) => match never {},
                })
            }
        }
        $crate::__with_schemars! {
            impl $crate::__private::schemars::JsonSchema for $name {
                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(stringify!($name))
                }
                fn json_schema(_: &mut $crate::__private::schemars::SchemaGenerator) -> $crate::__private::schemars::Schema {
                    $crate::schema::string_enum(Self::VALUES)
                }
            }
        }
    };
}

/// `Deserialize` for a union with an OpenAPI `discriminator`: read the tag property, then
/// decode exactly the variant it names (the tag stays in the variant's own fields). A value
/// without the tag, or with a tag no mapping names, is still valid JSON Schema when it fits
/// a branch (`oneOf` does not require the property): the variants are then tried in order.
#[macro_export]
macro_rules! discriminated {
    ($name:ident, $tag:literal, { $($($value:literal)|+ => $variant:ident,)* }) => {
        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                use $crate::__private::serde::de::Error as _;
                let value = <$crate::__private::serde_json::Value as $crate::__private::serde::Deserialize>::deserialize(deserializer)?;
                let tag = value.get($tag).and_then($crate::__private::serde_json::Value::as_str).map(::std::borrow::ToOwned::to_owned);
                let problem = match tag.as_deref() {
                    $(::std::option::Option::Some($($value)|+) => return $crate::__private::serde_json::from_value(value).map(Self::$variant).map_err(D::Error::custom),)*
                    ::std::option::Option::Some(other) => format!("unknown {} `{}`", $tag, other),
                    ::std::option::Option::None => concat!("missing discriminator property `", $tag, "`").to_owned(),
                };
                $(if let ::std::result::Result::Ok(v) = $crate::__private::serde_json::from_value(value.clone()) {
                    return ::std::result::Result::Ok(Self::$variant(v));
                })*
                ::std::result::Result::Err(D::Error::custom(format!("{problem}, and no variant fits the value")))
            }
        }
    };
}

/// The tokens given, when the runtime is built with `schemars` (generated types implement
/// `JsonSchema` only then: the impls are a sixth of a large crate's check time); nothing
/// otherwise. Used by the item macros and `#[derive(Record)]`.
#[cfg(feature = "schemars")]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_schemars {
    ($($item:tt)*) => { $($item)* };
}

/// Without `schemars`: nothing.
#[cfg(not(feature = "schemars"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __with_schemars {
    ($($item:tt)*) => {};
}

/// `JsonSchema` of an untagged or discriminated union: `anyOf` its variants' types (with the
/// `schemars` feature; nothing without).
#[macro_export]
macro_rules! union_schema {
    ($name:ident, $text:literal, [$($ty:ty),* $(,)?]) => {
        $crate::__with_schemars! {
        impl $crate::__private::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(stringify!($name))
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(concat!(module_path!(), "::", stringify!($name)))
            }
            fn json_schema(g: &mut $crate::__private::schemars::SchemaGenerator) -> $crate::__private::schemars::Schema {
                $crate::schema::any_of($text, [$(g.subschema_for::<$ty>()),*])
            }
        }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::*;

    string_enum! {
        /// A test enum.
        Color { Red => "red", DarkBlue => "dark-blue", }
    }

    #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
    #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
    struct Cat {
        kind: String,
        lives: u8,
    }

    #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
    #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
    struct Dog {
        kind: String,
        good: bool,
    }

    #[derive(Debug, Clone, PartialEq, ::serde::Serialize)]
    #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
    #[serde(untagged)]
    enum Pet {
        Cat(Cat),
        Dog(Box<Dog>),
    }
    discriminated!(Pet, "kind", { "cat" | "kitten" => Cat, "dog" => Dog, });

    /// A session.
    #[derive(Debug, Clone, PartialEq, crate::Record)]
    struct Session {
        /// The token.
        #[record(wire = "token", required)]
        token: String,
        #[record(wire = "link", required)]
        link: Option<String>,
        #[record(wire = "note")]
        note: Option<u8>,
        #[record(rest)]
        rest: ::std::collections::BTreeMap<String, u8>,
    }

    #[derive(Debug, Clone, PartialEq, crate::Record)]
    #[record(closed)]
    struct Input {
        #[record(wire = "id", required)]
        id: String,
    }

    #[test]
    fn records_decode_like_the_schema_says() {
        let s: Session = serde_json::from_str(r#"{"token":"t","link":null,"extra":7}"#).unwrap();
        assert_eq!(
            (s.token.as_str(), &s.link, s.note, s.rest.get("extra")),
            ("t", &None, None, Some(&7))
        );
        // Encoded back: declared order, required null kept, absent optional left out, leftovers last.
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"token":"t","link":null,"extra":7}"#
        );
        // Required but nullable: present as null is fine, absent is not.
        let err = serde_json::from_str::<Session>(r#"{"token":"t"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `link`"), "{err}");
        let err = serde_json::from_str::<Session>(r#"{"token":"t","link":null,"token":"u"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("duplicate field `token`"), "{err}");
        // A leftover of the wrong type fails in the map, not silently.
        assert!(serde_json::from_str::<Session>(r#"{"token":"t","link":null,"x":"no"}"#).is_err());
        // Positional arrays are not objects.
        assert!(serde_json::from_str::<Input>(r#"["a"]"#).is_err());
        let err = serde_json::from_str::<Input>(r#"{"id":"a","idx":1}"#)
            .unwrap_err()
            .to_string();
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

    #[cfg(feature = "schemars")]
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
        assert_eq!(
            pet,
            Pet::Cat(Cat {
                kind: "kitten".into(),
                lives: 9
            })
        );
        assert_eq!(
            serde_json::to_value(&pet).unwrap(),
            serde_json::json!({"kind":"kitten","lives":9})
        );
        let err = serde_json::from_str::<Pet>(r#"{"kind":"fish"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown kind `fish`"), "{err}");
        let err = serde_json::from_str::<Pet>(r#"{"good":true}"#)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("missing discriminator property `kind`"),
            "{err}"
        );
        // A tag that matches but a body that does not: the variant's own error.
        assert!(serde_json::from_str::<Pet>(r#"{"kind":"dog","good":"yes"}"#).is_err());
    }

    #[test]
    fn json_decode_errors_name_the_path_and_show_the_body() {
        let err = json::<Vec<Cat>>(201, br#"[{"kind":"cat","lives":"nine"}]"#).unwrap_err();
        match err {
            DecodeError::Body {
                status,
                path,
                snippet,
                ..
            } => {
                assert_eq!((status, path.as_str()), (201, "[0].lives"));
                assert!(snippet.starts_with("[{\"kind\""));
            }
            other => panic!("{other:?}"),
        }
        assert!(snippet(&[b'x'; 300]).ends_with('…'));
    }
}
