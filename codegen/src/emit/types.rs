//! `src/types.rs` of the generated crate: one item per [`TypeDef`], in name order.

use super::ty::ty;
use crate::model::Model;
use crate::model::ir::{Struct, Tagging, TypeDef, TypeKind, Union};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// Doc attribute tokens (nothing when there is no text).
pub fn doc(text: Option<&str>) -> TokenStream {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            // Keep doc blobs small: the first paragraphs are what readers need.
            let mut t = t.to_owned();
            if t.len() > 1200 {
                let cut = (0..=1200)
                    .rev()
                    .find(|i| t.is_char_boundary(*i))
                    .unwrap_or(0);
                t.truncate(cut);
                t.push('…');
            }
            let lines = t.lines().map(|l| Literal::string(&format!(" {l}")));
            quote!(#(#[doc = #lines])*)
        }
        None => quote!(),
    }
}

/// The type definitions in output order (by identifier).
pub fn sorted(model: &Model) -> Vec<&TypeDef> {
    let mut defs: Vec<&TypeDef> = model.types.iter().collect();
    defs.sort_by(|a, b| a.ident.cmp(&b.ident));
    defs
}

/// The items of some type definitions, in the order given.
pub fn items_of(model: &Model, defs: &[&TypeDef]) -> TokenStream {
    let items = defs.iter().map(|d| item(model, d));
    quote!(#(#items)*)
}

fn item(model: &Model, def: &TypeDef) -> TokenStream {
    let name = format_ident!("{}", def.ident);
    let docs = doc(def.doc.as_deref());
    match &def.kind {
        TypeKind::Alias(t) => {
            let t = ty(model, t);
            quote! { #docs pub type #name = #t; }
        }
        TypeKind::StringEnum(variants) => {
            let idents = variants.iter().map(|v| format_ident!("{}", v.ident));
            let wires = variants.iter().map(|v| Literal::string(&v.wire));
            quote! {
                crate::runtime::string_enum! {
                    #docs
                    #name { #(#idents => #wires,)* }
                }
            }
        }
        TypeKind::Struct(s) => strukt(model, def, &name, docs, s),
        TypeKind::Union(u) => union(model, &name, docs, u),
    }
}

fn strukt(
    model: &Model,
    def: &TypeDef,
    name: &proc_macro2::Ident,
    docs: TokenStream,
    s: &Struct,
) -> TokenStream {
    let deny = if s.closed {
        quote!(#[serde(deny_unknown_fields)])
    } else {
        quote!()
    };
    let fields = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let t = ty(model, &f.ty);
        let docs = doc(f.doc.as_deref());
        let rename = if f.ident != f.wire {
            let wire = Literal::string(&f.wire);
            quote!(#[serde(rename = #wire)])
        } else {
            quote!()
        };
        let optional = if !f.required {
            quote!(#[serde(default, skip_serializing_if = "Option::is_none")])
        } else if matches!(f.ty, crate::model::ir::Ty::Option(_)) {
            // Required but nullable: the key must be there (serde would default a missing Option).
            quote!(#[serde(deserialize_with = "crate::runtime::required_nullable")])
        } else {
            quote!()
        };
        quote! { #docs #rename #optional pub #ident: #t, }
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
            #[serde(flatten)]
            pub #ident: #t,
        }
    });
    let _ = def;
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
        #deny
        pub struct #name {
            #(#fields)*
            #extra
        }
    }
}

fn union(model: &Model, name: &proc_macro2::Ident, docs: TokenStream, u: &Union) -> TokenStream {
    let variants = u.variants.iter().map(|v| {
        let ident = format_ident!("{}", v.ident);
        let t = ty(model, &v.ty);
        quote!(#ident(#t),)
    });
    let common = quote! {
        #docs
        #[serde(untagged)]
        pub enum #name { #(#variants)* }
    };
    match &u.tagging {
        Tagging::Untagged => quote! {
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
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
                #[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
                #common
                crate::runtime::discriminated!(#name, #property, { #(#arms)* });
            }
        }
    }
}
