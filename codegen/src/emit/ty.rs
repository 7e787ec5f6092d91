//! Type expressions → tokens, with fully qualified paths so the output compiles in any module.

use crate::model::Model;
use crate::model::ir::{Ty, TypeKind};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

/// The `use` block every generated module starts with. Generated type names never take
/// these names (see `model::RESERVED`), so the short paths cannot be shadowed; short paths
/// keep the output small, which makes both formatting and compiling it faster.
pub fn prelude() -> TokenStream {
    quote! {
        #[allow(unused_imports)]
        use crate::types;
        #[allow(unused_imports)]
        use ::std::collections::BTreeMap;
        #[allow(unused_imports)]
        use ::serde_json::{Map, Value};
        #[allow(unused_imports)]
        use ::serde::{Deserialize, Serialize};
    }
}

/// A type with its named aliases followed (`$ref: Upload` where `Upload` is
/// `format: binary` is a file).
pub fn unaliased<'m>(model: &'m Model, t: &'m Ty) -> &'m Ty {
    let mut t = t;
    for _ in 0..16 {
        match t {
            Ty::Named(id) => match model.types.get(id.0).map(|d| &d.kind) {
                Some(TypeKind::Alias(inner)) => t = inner,
                _ => return t,
            },
            _ => return t,
        }
    }
    t
}

/// Tokens for a type in any generated module (`types::X`, `Option<String>`…).
pub fn ty(model: &Model, t: &Ty) -> TokenStream {
    match t {
        Ty::Any => quote!(Value),
        Ty::JsonObject => quote!(Map<String, Value>),
        Ty::Bool => quote!(bool),
        Ty::String => quote!(String),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::U64 => quote!(u64),
        Ty::F64 => quote!(f64),
        Ty::DateTime => quote!(::chrono::DateTime<::chrono::FixedOffset>),
        Ty::Date => quote!(::chrono::NaiveDate),
        Ty::Uuid => quote!(::uuid::Uuid),
        Ty::Bytes => quote!(Vec<u8>),
        Ty::File => quote!(crate::runtime::FilePart),
        Ty::Vec(inner) => {
            let inner = ty(model, inner);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = ty(model, inner);
            quote!(BTreeMap<String, #inner>)
        }
        Ty::Tuple(items) => {
            let items = items.iter().map(|i| ty(model, i));
            quote!((#(#items,)*))
        }
        Ty::Option(inner) => {
            let inner = ty(model, inner);
            quote!(Option<#inner>)
        }
        Ty::Boxed(inner) => {
            let inner = ty(model, inner);
            quote!(Box<#inner>)
        }
        Ty::Named(id) => {
            let name = model
                .types
                .get(id.0)
                .map_or("UnknownType", |t| t.ident.as_str());
            let ident = format_ident!("{}", name);
            quote!(types::#ident)
        }
    }
}

/// Whether a type can be compared with `Eq` (no floats inside, transitively).
pub fn uses_float(model: &Model, t: &Ty, depth: usize) -> bool {
    if depth > 64 {
        return true;
    }
    match t {
        Ty::F64 => true,
        Ty::Vec(i) | Ty::Map(i) | Ty::Option(i) | Ty::Boxed(i) => uses_float(model, i, depth + 1),
        Ty::Tuple(items) => items.iter().any(|i| uses_float(model, i, depth + 1)),
        Ty::Named(id) => match model.types.get(id.0).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => {
                s.fields.iter().any(|f| uses_float(model, &f.ty, depth + 1))
                    || s.extra
                        .as_ref()
                        .is_some_and(|(_, t)| uses_float(model, t, depth + 1))
            }
            Some(TypeKind::Union(u)) => u
                .variants
                .iter()
                .any(|v| uses_float(model, &v.ty, depth + 1)),
            Some(TypeKind::Alias(t)) => uses_float(model, t, depth + 1),
            _ => false,
        },
        _ => false,
    }
}

/// Which optional crates the generated code needs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uses {
    /// `chrono` for date-time / date.
    pub chrono: bool,
    /// `uuid`.
    pub uuid: bool,
}

/// Scans every type expression of the model.
pub fn uses(model: &Model) -> Uses {
    let mut u = Uses::default();
    let mut see = |t: &Ty| scan(t, &mut u);
    for def in &model.types {
        match &def.kind {
            TypeKind::Struct(s) => {
                s.fields.iter().for_each(|f| see(&f.ty));
                if let Some((_, t)) = &s.extra {
                    see(t);
                }
            }
            TypeKind::Union(un) => un.variants.iter().for_each(|v| see(&v.ty)),
            TypeKind::Alias(t) => see(t),
            TypeKind::StringEnum(_) => {}
        }
    }
    for op in &model.operations {
        op.params.iter().for_each(|p| see(&p.ty));
        if let Some(b) = &op.body {
            see(&b.ty);
        }
        for r in &op.responses {
            if let Some(b) = &r.body {
                see(&b.ty);
            }
        }
    }
    u
}

fn scan(t: &Ty, u: &mut Uses) {
    match t {
        Ty::DateTime | Ty::Date => u.chrono = true,
        Ty::Uuid => u.uuid = true,
        Ty::Vec(i) | Ty::Map(i) | Ty::Option(i) | Ty::Boxed(i) => scan(i, u),
        Ty::Tuple(items) => items.iter().for_each(|i| scan(i, u)),
        _ => {}
    }
}
