//! `src/types.rs` of the generated crate: one item per [`TypeDef`], in name order.

use super::plan::Plan;
use super::ty::ty;
use crate::model::Model;
use crate::model::ir::{Struct, Tagging, Ty, TypeDef, TypeKind, Union};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// Doc attribute tokens (nothing when there is no text).
pub fn doc(text: Option<&str>) -> TokenStream {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            // Whole: a cut description loses what the API says (the schema summary the
            // derive makes is the short form).
            let lines = t.lines().map(|l| Literal::string(&format!(" {l}")));
            quote!(#(#[doc = #lines])*)
        }
        None => quote!(),
    }
}

/// A type's docs followed by where its schema is: `Source: #/components/schemas/X`, or
/// the operation and position of an inline schema.
fn with_source(docs: TokenStream, def: &TypeDef) -> TokenStream {
    let source = Literal::string(&format!(" Source: `{}`", def.pointer.fragment()));
    if docs.is_empty() {
        quote!(#[doc = #source])
    } else {
        quote!(#docs #[doc = ""] #[doc = #source])
    }
}

/// The type definitions in output order (by identifier), with their index in the model.
pub fn sorted(model: &Model) -> Vec<(usize, &TypeDef)> {
    let mut defs: Vec<(usize, &TypeDef)> = model.types.iter().enumerate().collect();
    defs.sort_by(|a, b| a.1.ident.cmp(&b.1.ident));
    defs
}

/// The items of some type definitions, in the order given, each with the extra derives
/// and the feature gate `plan` gives it.
pub fn items_of(model: &Model, plan: &Plan, defs: &[(usize, &TypeDef)]) -> TokenStream {
    let items = defs
        .iter()
        .map(|(i, d)| item(model, d, &plan.type_derives(*i), &plan.type_gate(*i)));
    quote!(#(#items)*)
}

/// A type's items, each behind `gate`.
fn item(model: &Model, def: &TypeDef, extra: &TokenStream, gate: &TokenStream) -> TokenStream {
    let name = format_ident!("{}", def.ident);
    let docs = with_source(doc(def.doc.as_deref()), def);
    match &def.kind {
        TypeKind::Alias(t) => {
            let t = ty(model, t);
            quote! { #gate #docs pub type #name = #t; }
        }
        TypeKind::StringEnum(variants) => {
            let idents = variants.iter().map(|v| format_ident!("{}", v.ident));
            let wires = variants.iter().map(|v| Literal::string(&v.wire));
            quote! {
                #gate
                crate::runtime::string_enum! {
                    #docs
                    #name { #(#idents => #wires,)* }
                }
            }
        }
        TypeKind::Struct(s) => {
            let body = strukt(model, &name, docs, s, extra);
            quote!(#gate #body)
        }
        TypeKind::Union(u) => union(model, def, &name, docs, u, extra, gate),
    }
}

fn strukt(
    model: &Model,
    name: &proc_macro2::Ident,
    docs: TokenStream,
    s: &Struct,
    extra_derives: &TokenStream,
) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let t = ty(model, &f.ty);
        let docs = doc(f.doc.as_deref());
        let required = f.always_required();
        let attr = wire_attr(&f.wire, required, takes_into(model, &f.ty, required));
        quote! { #docs #attr pub #ident: #t, }
    });
    let extra = s.extra.as_ref().map(|(ident, t)| {
        let ident = format_ident!("{}", ident);
        let t = match t {
            crate::model::ir::Ty::Any => {
                quote!(::serde_json::Map<String, ::serde_json::Value>)
            }
            other => {
                let inner = ty(model, other);
                quote!(BTreeMap<String, #inner>)
            }
        };
        quote! {
            /// Properties the schema does not name, kept so nothing is lost.
            #[record(rest)]
            pub #ident: #t,
        }
    });
    let mode = if s.closed {
        quote!(#[record(closed)])
    } else {
        quote!()
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, #extra_derives crate::runtime::Record)]
        #mode
        pub struct #name {
            #(#fields)*
            #extra
        }
    }
}

/// A field's `#[record(wire = "…", required, into)]`: its JSON key, whether it must be
/// there, and whether its constructor and setter take `impl Into<…>` (strings).
pub fn wire_attr(wire: &str, required: bool, into: bool) -> TokenStream {
    let wire = Literal::string(wire);
    match (required, into) {
        (true, true) => quote!(#[record(wire = #wire, required, into)]),
        (true, false) => quote!(#[record(wire = #wire, required)]),
        (false, true) => quote!(#[record(wire = #wire, into)]),
        (false, false) => quote!(#[record(wire = #wire)]),
    }
}

/// Whether a field's constructor argument is a string (`impl Into<String>`): its type,
/// or the type inside its `Option` when it is optional, is `String` or an alias of it.
pub fn takes_into(model: &Model, t: &Ty, required: bool) -> bool {
    let string = |t: &Ty| matches!(super::ty::unaliased(model, t), Ty::String);
    match (required, t) {
        (false, Ty::Option(inner)) => string(inner),
        (false, _) => false,
        (true, t) => string(t),
    }
}

/// The first paragraph of a description, at most 300 characters, for a union's schema
/// `description` (the full text is in the rustdoc; structs take theirs from their doc
/// comments in the derive).
fn summary(text: Option<&str>) -> String {
    let first = text
        .unwrap_or("")
        .trim()
        .split("\n\n")
        .next()
        .unwrap_or("")
        .trim();
    if first.chars().count() <= 300 {
        return first.to_owned();
    }
    let mut out: String = first.chars().take(300).collect();
    out.push('…');
    out
}

fn union(
    model: &Model,
    def: &TypeDef,
    name: &proc_macro2::Ident,
    docs: TokenStream,
    u: &Union,
    extra: &TokenStream,
    gate: &TokenStream,
) -> TokenStream {
    let types = u.variants.iter().map(|v| ty(model, &v.ty));
    let text = Literal::string(&summary(def.doc.as_deref()));
    let schema = quote!(#gate crate::runtime::union_schema!(#name, #text, [#(#types),*]););
    let variants = u.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.ident);
        let t = ty(model, &v.ty);
        quote!(#ident(#t),)
    });
    let common = quote! {
        #docs
        #[serde(untagged)]
        pub enum #name { #(#variants)* }
        #schema
    };
    match &u.tagging {
        Tagging::Untagged => quote! {
            #gate
            #[derive(Debug, Clone, PartialEq, #extra Serialize, Deserialize)]
            #common
        },
        Tagging::Discriminator(property) => {
            let property = Literal::string(property);
            let arms = u.variants.iter().map(|v| {
                let ident = format_ident!("{}", v.ident);
                let tags = v.tags.iter().map(|t| Literal::string(t));
                quote!(#(#tags)|* => #ident,)
            });
            quote! {
                #gate
                #[derive(Debug, Clone, PartialEq, #extra Serialize)]
                #common
                #gate
                crate::runtime::discriminated!(#name, #property, { #(#arms)* });
            }
        }
    }
}
