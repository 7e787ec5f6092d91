//! The intermediate representation: named types and type expressions. Every naming,
//! de-duplication and recursion decision is already made here; emit only prints.

use super::names::Name;
use crate::load::pointer::JsonPointer;

/// Index of a [`TypeDef`] in [`crate::model::Model::types`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TypeId(pub usize);

/// A type expression, as a field, parameter or body uses it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Ty {
    /// Any JSON value (`serde_json::Value`): the documented fallback.
    Any,
    /// Any JSON object (`serde_json::Map<String, Value>`).
    JsonObject,
    /// `bool`
    Bool,
    /// `String`
    String,
    /// `i32` (`format: int32`)
    I32,
    /// `i64`
    I64,
    /// `u64` (`format: uint64`, or a non-negative integer too large for i64)
    U64,
    /// `f64`
    F64,
    /// `chrono::DateTime<FixedOffset>` (`format: date-time`)
    DateTime,
    /// `chrono::NaiveDate` (`format: date`)
    Date,
    /// `uuid::Uuid` (`format: uuid`)
    Uuid,
    /// Raw bytes (non-JSON bodies).
    Bytes,
    /// A file (`type: string, format: binary`): `runtime::FilePart`, bytes with a file name
    /// and content type (a file part of a multipart body; plain text in JSON).
    File,
    /// `Vec<T>`
    Vec(Box<Ty>),
    /// `BTreeMap<String, T>`
    Map(Box<Ty>),
    /// `(A, B, …)` from `prefixItems`.
    Tuple(Vec<Ty>),
    /// `Option<T>`: nullable.
    Option(Box<Ty>),
    /// `Box<T>`: breaks a containment cycle.
    Boxed(Box<Ty>),
    /// A generated type.
    Named(TypeId),
}

impl Ty {
    /// Wraps in `Option` unless already optional.
    pub fn optional(self) -> Ty {
        match self {
            Ty::Option(_) => self,
            other => Ty::Option(Box::new(other)),
        }
    }

    /// Applies `f` to every `TypeId` inside.
    pub fn map_ids(&mut self, f: &impl Fn(TypeId) -> TypeId) {
        match self {
            Ty::Named(id) => *id = f(*id),
            Ty::Vec(t) | Ty::Map(t) | Ty::Option(t) | Ty::Boxed(t) => t.map_ids(f),
            Ty::Tuple(ts) => ts.iter_mut().for_each(|t| t.map_ids(f)),
            _ => {}
        }
    }
}

/// A generated type.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeDef {
    /// The Rust identifier (unique, final).
    pub ident: String,
    /// Where the name came from.
    pub origin: Name,
    /// The schema it was made from.
    pub pointer: JsonPointer,
    /// Doc comment (title, description, deprecation, default).
    pub doc: Option<String>,
    /// What it is.
    pub kind: TypeKind,
}

/// The shape of a generated type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeKind {
    /// A struct for an object schema.
    Struct(Struct),
    /// A string enum (`enum` / `const` of strings), with a catch-all for unknown values.
    StringEnum(Vec<EnumVariant>),
    /// A sum type for `oneOf`/`anyOf`/type lists.
    Union(Union),
    /// A named alias for a non-structural schema (`pub type Tags = BTreeMap<…>`).
    Alias(Ty),
}

/// An object schema as a struct.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Struct {
    /// Declared properties, in schema order.
    pub fields: Vec<Field>,
    /// `additionalProperties: false`: unknown keys are rejected.
    pub closed: bool,
    /// Where other keys go when the object is open: (field ident, value type).
    pub extra: Option<(String, Ty)>,
}

/// Which way a property travels (`readOnly`, `writeOnly`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Access {
    /// Both ways.
    #[default]
    ReadWrite,
    /// `readOnly`: in responses only; a required one is required in responses only.
    ReadOnly,
    /// `writeOnly`: in requests only; a required one is required in requests only.
    WriteOnly,
}

/// One property.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Field {
    /// Rust identifier.
    pub ident: String,
    /// JSON key.
    pub wire: String,
    /// Type; already `Option` when the property is optional or nullable, or required in
    /// one direction only.
    pub ty: Ty,
    /// Listed in `required`.
    pub required: bool,
    /// `readOnly` / `writeOnly`.
    pub access: Access,
    /// Doc comment.
    pub doc: Option<String>,
}

impl Field {
    /// Required whichever way the value travels (listed in `required`, and neither
    /// `readOnly` nor `writeOnly`): what the generated type enforces.
    pub fn always_required(&self) -> bool {
        self.required && self.access == Access::ReadWrite
    }
}

/// One value of a string enum.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EnumVariant {
    /// Rust identifier.
    pub ident: String,
    /// The string on the wire.
    pub wire: String,
}

/// A sum type.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Union {
    /// Variants in schema order.
    pub variants: Vec<UnionVariant>,
    /// How a value picks its variant.
    pub tagging: Tagging,
}

/// One alternative of a union.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnionVariant {
    /// Rust identifier.
    pub ident: String,
    /// Payload type.
    pub ty: Ty,
    /// Discriminator values that select this variant (empty when untagged).
    pub tags: Vec<String>,
}

/// How a union is decoded.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tagging {
    /// Try each variant in order (`#[serde(untagged)]`).
    Untagged,
    /// Read the string property first and decode the variant it names; the property stays
    /// in the variant's own fields (OpenAPI `discriminator` semantics).
    Discriminator(String),
}
