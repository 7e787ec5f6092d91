//! Encoding of generated structs (see `#[derive(Record)]`): properties in declaration order, then
//! the leftovers map, as a JSON object.

use ::serde::ser::{Serialize, SerializeMap};

/// A required property: always written (`null` when its `Option` is empty).
pub fn required<M: SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    key: &'static str,
    value: &T,
) -> ::std::result::Result<(), M::Error> {
    map.serialize_entry(key, value)
}

/// An optional property: written only when present.
pub fn optional<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &'static str,
    value: &Option<T>,
) -> ::std::result::Result<(), M::Error> {
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
