//! `#[derive(Record)]`: a struct that is a JSON object, with each field's wire name and
//! whether it is required written next to the field (in the style of prost's
//! `#[derive(Message)]`):
//!
//! ```ignore
//! /// A connect session.
//! #[derive(Debug, Clone, PartialEq, openapi_runtime::Record)]
//! #[record(open)]
//! pub struct ConnectSession {
//!     /// The connect session token
//!     #[record(wire = "token", required)]
//!     pub token: String,
//!     #[record(wire = "connect_link")]
//!     pub connect_link: Option<String>,
//!     #[record(rest)]
//!     pub additional_properties: serde_json::Map<String, serde_json::Value>,
//! }
//! ```
//!
//! It implements `Deserialize` (through `openapi_runtime::de::Record`: one loop over the
//! object's keys with serde's messages for missing, duplicate and unknown fields),
//! `Serialize` (declared properties in order, absent optional ones left out, then the rest)
//! and, when the runtime has its `schemars` feature, `schemars::JsonSchema` (the object
//! schema, each property's description the first paragraph of its doc comment). The generic work is in the runtime's `de`, `ser` and
//! `schema` modules, so each struct expands to little code.
//!
//! Struct attributes: `open` (default: unknown keys are skipped, or kept in the `rest`
//! field), `closed` (unknown keys are an error), `skip_decode` / `skip_encode` /
//! `skip_schema` (leave out `Deserialize`, `Serialize` or `JsonSchema`: a generated params
//! struct is only encoded by a client and only decoded by a server), `crate = "path"` (where
//! the runtime is; default `::openapi_runtime`). Field attributes: `wire = "name"`, `required` (absent is an
//! error; `null` is fine when the type is an `Option`), `rest` (the map of the keys the
//! struct does not name), `into` (the constructor and setter take `impl Into<T>`: strings).
//!
//! It also writes the constructors: `new(<required fields in declaration order>)`, one
//! `with_<field>(value)` per optional field (taking the type inside its `Option`), and
//! `Default` when no field is required. The `rest` map is never an argument.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use syn::{Data, DeriveInput, Fields, LitStr, parse_macro_input};

/// Derives `Deserialize`, `Serialize` and `JsonSchema` for a struct that is a JSON object.
/// See the crate documentation for the attributes.
#[proc_macro_derive(Record, attributes(record))]
pub fn derive_record(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

struct Field {
    ident: syn::Ident,
    ty: syn::Type,
    wire: String,
    required: bool,
    into: bool,
    doc: String,
}

/// The type inside `Option<…>`, when `ty` is written as one.
fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else {
        return None;
    };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// `new`, the `with_<field>` setters and (with no required field) `Default`.
fn constructors(name: &syn::Ident, fields: &[Field], rest: Option<&syn::Ident>) -> TokenStream {
    let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
    let args = required.iter().map(|f| {
        let (ident, ty) = (&f.ident, &f.ty);
        if f.into {
            quote!(#ident: impl ::std::convert::Into<#ty>)
        } else {
            quote!(#ident: #ty)
        }
    });
    let inits = fields.iter().map(|f| {
        let ident = &f.ident;
        match (f.required, f.into) {
            (true, true) => quote!(#ident: ::std::convert::Into::into(#ident),),
            (true, false) => quote!(#ident,),
            (false, _) => quote!(#ident: ::std::default::Default::default(),),
        }
    });
    let rest_init = rest.map(|r| quote!(#r: ::std::default::Default::default(),));
    let setters = fields.iter().filter(|f| !f.required).map(|f| {
        let ident = &f.ident;
        let setter = format_ident!("with_{}", ident.to_string().trim_start_matches("r#"));
        let text = format!(" Sets `{}`.", f.wire);
        let (inner, wrapped) = match option_inner(&f.ty) {
            Some(inner) => (inner, quote!(::std::option::Option::Some(value))),
            None => (&f.ty, quote!(value)),
        };
        let (arg, wrapped) = if f.into {
            (
                quote!(impl ::std::convert::Into<#inner>),
                match option_inner(&f.ty) {
                    Some(_) => quote!(::std::option::Option::Some(::std::convert::Into::into(
                        value
                    ))),
                    None => quote!(::std::convert::Into::into(value)),
                },
            )
        } else {
            (quote!(#inner), wrapped)
        };
        quote! {
            #[doc = #text]
            #[inline]
            #[must_use]
            pub fn #setter(mut self, value: #arg) -> Self {
                self.#ident = #wrapped;
                self
            }
        }
    });
    let count = required.len();
    let new_doc = if count == 0 {
        " A value with every optional field absent (as `Default`).".to_owned()
    } else {
        " A value with its required fields; the optional ones absent (`with_…` sets them)."
            .to_owned()
    };
    let inits: Vec<TokenStream> = inits.collect();
    let default = (count == 0).then(|| {
        quote! {
            impl ::std::default::Default for #name {
                #[inline]
                fn default() -> Self {
                    Self { #(#inits)* #rest_init }
                }
            }
        }
    });
    quote! {
        #[allow(dead_code)]
        impl #name {
            #[doc = #new_doc]
            #[inline]
            #[allow(clippy::too_many_arguments, clippy::new_without_default)]
            pub fn new(#(#args),*) -> Self {
                Self { #(#inits)* #rest_init }
            }
            #(#setters)*
        }
        #default
    }
}

/// The first paragraph of a doc comment, at most 300 characters: a schema's description
/// (the whole text stays in the rustdoc).
fn summary(attrs: &[syn::Attribute]) -> String {
    let mut lines = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("doc")) {
        if let syn::Meta::NameValue(nv) = &attr.meta
            && let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = &nv.value
        {
            lines.push(s.value());
        }
    }
    let text = lines
        .iter()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let first = text.trim().split("\n\n").next().unwrap_or("").trim();
    if first.chars().count() <= 300 {
        return first.to_owned();
    }
    let mut out: String = first.chars().take(300).collect();
    out.push('…');
    out
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    if !input.generics.params.is_empty() {
        return Err(syn::Error::new_spanned(
            &input.generics,
            "#[derive(Record)] does not support generic structs",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new(
            Span::call_site(),
            "#[derive(Record)] is for structs with named fields",
        ));
    };
    let Fields::Named(named) = &data.fields else {
        return Err(syn::Error::new_spanned(
            &data.fields,
            "#[derive(Record)] needs named fields",
        ));
    };
    let mut closed = false;
    let (mut decode, mut encode, mut schema) = (true, true, true);
    let mut krate: syn::Path = syn::parse_quote!(::openapi_runtime);
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("record")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("closed") {
                closed = true;
            } else if meta.path.is_ident("open") {
                closed = false;
            } else if meta.path.is_ident("skip_decode") {
                decode = false;
            } else if meta.path.is_ident("skip_encode") {
                encode = false;
            } else if meta.path.is_ident("skip_schema") {
                schema = false;
            } else if meta.path.is_ident("crate") {
                let path: LitStr = meta.value()?.parse()?;
                krate = path.parse()?;
            } else {
                return Err(meta.error(
                    "expected `open`, `closed`, `skip_decode`, `skip_encode`, `skip_schema` or `crate = \"path\"`",
                ));
            }
            Ok(())
        })?;
    }
    let mut fields = Vec::new();
    let mut rest: Option<(syn::Ident, syn::Type)> = None;
    for field in &named.named {
        let Some(ident) = field.ident.clone() else {
            continue;
        };
        let mut wire = None;
        let mut required = false;
        let mut into = false;
        let mut is_rest = false;
        for attr in field.attrs.iter().filter(|a| a.path().is_ident("record")) {
            attr.parse_nested_meta(|meta| {
                if meta.path.is_ident("wire") {
                    let name: LitStr = meta.value()?.parse()?;
                    wire = Some(name.value());
                } else if meta.path.is_ident("required") {
                    required = true;
                } else if meta.path.is_ident("rest") {
                    is_rest = true;
                } else if meta.path.is_ident("into") {
                    into = true;
                } else {
                    return Err(
                        meta.error("expected `wire = \"name\"`, `required`, `into` or `rest`")
                    );
                }
                Ok(())
            })?;
        }
        if is_rest {
            if rest.is_some() {
                return Err(syn::Error::new_spanned(
                    field,
                    "only one field can be `rest`",
                ));
            }
            rest = Some((ident, field.ty.clone()));
            continue;
        }
        let Some(wire) = wire else {
            return Err(syn::Error::new_spanned(
                field,
                "every field needs #[record(wire = \"name\")] (or #[record(rest)])",
            ));
        };
        fields.push(Field {
            ident,
            ty: field.ty.clone(),
            wire,
            required,
            into,
            doc: summary(&field.attrs),
        });
    }
    let name = &input.ident;
    let name_text = name.to_string();
    let text = summary(&input.attrs);
    let slots: Vec<syn::Ident> = fields
        .iter()
        .map(|f| format_ident!("__field_{}", f.ident))
        .collect();
    let wires: Vec<&String> = fields.iter().map(|f| &f.wire).collect();
    let idents: Vec<&syn::Ident> = fields.iter().map(|f| &f.ident).collect();
    let tys: Vec<&syn::Type> = fields.iter().map(|f| &f.ty).collect();
    let docs: Vec<&String> = fields.iter().map(|f| &f.doc).collect();
    let marks: Vec<syn::Ident> = fields
        .iter()
        .map(|f| format_ident!("{}", if f.required { "required" } else { "optional" }))
        .collect();
    let mode = format_ident!("{}", if closed { "closed" } else { "open" });
    let (rest_init, rest_slot, rest_field, rest_ser, rest_schema) = match &rest {
        Some((ident, ty)) => (
            quote!(let mut __rest: #ty = ::std::default::Default::default();),
            quote!(&mut __rest),
            quote!(#ident: __rest,),
            quote!(#krate::ser::rest(&mut __map, &self.#ident)?;),
            quote!(g.subschema_for::<<#ty as #krate::RestMap>::Value>()),
        ),
        None => (quote!(), quote!(&mut ()), quote!(), quote!(), quote!()),
    };
    let private = quote!(#krate::__private);
    let decoding = quote! {
        impl #krate::de::Record for #name {
            const NAME: &'static str = #name_text;
            fn visit<'de, A: #private::serde::de::MapAccess<'de>>(mut __map: A) -> ::std::result::Result<Self, A::Error> {
                const NAMES: &[&str] = &[#(#wires),*];
                #(let mut #slots = ::std::option::Option::None;)*
                #rest_init
                while let ::std::option::Option::Some(__key) = __map.next_key_seed(#krate::de::Keys)? {
                    match __key.as_str() {
                        #(#wires => #krate::de::set(&mut #slots, &mut __map, #wires)?,)*
                        _ => #krate::de::other(&mut __map, __key, NAMES, #krate::de::#mode(), #rest_slot)?,
                    }
                }
                ::std::result::Result::Ok(Self {
                    #(#idents: #krate::de::#marks(#slots, #wires)?,)*
                    #rest_field
                })
            }
        }
        impl<'de> #private::serde::Deserialize<'de> for #name {
            fn deserialize<D: #private::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                #krate::de::record(deserializer)
            }
        }
    };
    let encoding = quote! {
        impl #private::serde::Serialize for #name {
            fn serialize<S: #private::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut __map = #private::serde::Serializer::serialize_map(serializer, ::std::option::Option::None)?;
                #(#krate::ser::#marks(&mut __map, #wires, &self.#idents)?;)*
                #rest_ser
                #private::serde::ser::SerializeMap::end(__map)
            }
        }
    };
    let describing = quote! {
        #krate::__with_schemars! {
        impl #private::schemars::JsonSchema for #name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(#name_text)
            }
            fn schema_id() -> ::std::borrow::Cow<'static, str> {
                ::std::borrow::Cow::Borrowed(::std::concat!(::std::module_path!(), "::", #name_text))
            }
            fn json_schema(g: &mut #private::schemars::SchemaGenerator) -> #private::schemars::Schema {
                #krate::schema::object(
                    #text,
                    [#((#wires, g.subschema_for::<#tys>(), #krate::schema::#marks(), #docs)),*],
                    #krate::schema::Rest::new(#krate::de::#mode(), [#rest_schema]),
                )
            }
        }
        }
    };
    let building = constructors(name, &fields, rest.as_ref().map(|(i, _)| i));
    let decoding = decode.then_some(decoding);
    let encoding = encode.then_some(encoding);
    let describing = schema.then_some(describing);
    Ok(quote! {
        #building
        #decoding
        #encoding
        #describing
    })
}
