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
        TypeKind::Union(u) => union(model, def, &name, docs, u),
    }
}

fn strukt(
    model: &Model,
    def: &TypeDef,
    name: &proc_macro2::Ident,
    docs: TokenStream,
    s: &Struct,
) -> TokenStream {
    // Wire names, optionality and unknown keys live in the `record!` line below.
    let fields = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let t = ty(model, &f.ty);
        let docs = doc(f.doc.as_deref());
        quote! { #docs pub #ident: #t, }
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
            pub #ident: #t,
        }
    });
    let record = record(name, def.doc.as_deref(), s);
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        pub struct #name {
            #(#fields)*
            #extra
        }
        #record
    }
}

/// `Deserialize` and `JsonSchema` of a struct through the runtime's `record!`: one line per
/// property instead of serde's and schemars' derives (a fraction of the code for rustc).
pub fn record(name: &proc_macro2::Ident, text: Option<&str>, s: &Struct) -> TokenStream {
    let lines = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let wire = Literal::string(&f.wire);
        let req = if f.always_required() {
            format_ident!("required")
        } else {
            format_ident!("optional")
        };
        let summary = Literal::string(&summary(f.doc.as_deref()));
        quote!(#ident = #wire, #req, #summary;)
    });
    let rest = s.extra.as_ref().map(|(ident, _)| {
        let ident = format_ident!("{}", ident);
        quote!(, rest #ident)
    });
    let mode = if s.closed {
        format_ident!("closed")
    } else {
        format_ident!("open")
    };
    let text = Literal::string(&summary(text));
    quote! {
        crate::runtime::record! {
            #name, #mode, #text #rest;
            #(#lines)*
        }
    }
}

/// The first paragraph of a description, at most 300 characters, for a schema's
/// `description` (the full text is in the rustdoc).
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
) -> TokenStream {
    let types = u.variants.iter().map(|v| ty(model, &v.ty));
    let text = Literal::string(&summary(def.doc.as_deref()));
    let schema = quote!(crate::runtime::union_schema!(#name, #text, [#(#types),*]););
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
            #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
                #[derive(Debug, Clone, PartialEq, Serialize)]
                #common
                crate::runtime::discriminated!(#name, #property, { #(#arms)* });
            }
        }
    }
}
