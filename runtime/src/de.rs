//! Decoding of generated structs (see `#[derive(Record)]`): the generic part, written once.

use ::serde::de::{
    Deserialize, DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, Visitor,
};
use ::std::marker::PhantomData;

/// A struct decoded from a JSON object, key by key.
pub trait Record: Sized {
    /// The struct's name, for error messages.
    const NAME: &'static str;
    /// Reads the object's entries and builds the struct.
    fn visit<'de, A: MapAccess<'de>>(map: A) -> ::std::result::Result<Self, A::Error>;
}

/// Decodes a [`Record`]: only a map is accepted (never a positional array).
pub fn record<'de, D: Deserializer<'de>, T: Record>(
    deserializer: D,
) -> ::std::result::Result<T, D::Error> {
    deserializer.deserialize_map(RecordVisitor::<T>(PhantomData))
}

struct RecordVisitor<T>(PhantomData<T>);

impl<'de, T: Record> Visitor<'de> for RecordVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        write!(f, "struct {}", T::NAME)
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
    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> ::std::result::Result<Key<'de>, D::Error> {
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
    fn visit_string<E: Error>(
        self,
        v: ::std::string::String,
    ) -> ::std::result::Result<Key<'de>, E> {
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

/// `#[record(closed)]`: keys the struct does not name are errors.
pub fn closed() -> bool {
    true
}

/// `#[record(open)]`: keys the struct does not name are skipped (or kept).
pub fn open() -> bool {
    false
}

/// A required property's value (present, possibly `null` when its type is an `Option`).
pub fn required<T, E: Error>(slot: Option<T>, name: &'static str) -> ::std::result::Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// An optional property's value: absent and `null` are both `None`.
pub fn optional<T, E: Error>(
    slot: Option<Option<T>>,
    _name: &'static str,
) -> ::std::result::Result<Option<T>, E> {
    Ok(slot.flatten())
}

/// Where a struct puts keys it does not name: nowhere (`()`) or its flattened map.
pub trait Leftovers {
    /// Takes the value of `key`; `Ok(false)` when there is nowhere to keep it.
    fn keep<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
    ) -> ::std::result::Result<bool, A::Error>;
}

impl Leftovers for () {
    fn keep<'de, A: MapAccess<'de>>(
        &mut self,
        _: Key<'de>,
        _: &mut A,
    ) -> ::std::result::Result<bool, A::Error> {
        Ok(false)
    }
}

impl<M: crate::RestMap> Leftovers for M
where
    M::Value: ::serde::de::DeserializeOwned,
{
    fn keep<'de, A: MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
    ) -> ::std::result::Result<bool, A::Error> {
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
