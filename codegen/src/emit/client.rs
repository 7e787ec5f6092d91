//! `src/client.rs`: the `Client` trait (one async method per operation, so users can mock
//! it) and its implementation on the runtime's `ReqwestClient`.

use super::operations::{params_ident, response_ident};
use super::plan::Plan;
use super::ty::{ty, unaliased};
use super::types::doc;
use crate::model::Model;
use crate::model::ir::{Ty, TypeKind};
use crate::model::operations::{BodyKind, Operation};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The client module's items (each method behind its operation's feature gate).
pub fn items(model: &Model, plan: &Plan) -> TokenStream {
    let sigs: Vec<TokenStream> = model
        .operations
        .iter()
        .map(|op| signature(model, op))
        .collect();
    let decls = model
        .operations
        .iter()
        .zip(&sigs)
        .enumerate()
        .map(|(i, (op, sig))| {
            let docs = doc(op.doc.as_deref());
            let gate = plan.op_gate(i);
            quote! { #gate #docs #sig; }
        });
    let impls = model
        .operations
        .iter()
        .zip(&sigs)
        .enumerate()
        .map(|(i, (op, sig))| {
            let body = body(model, op);
            let gate = plan.op_gate(i);
            quote! { #gate #sig { #body } }
        });
    let servers = model.servers.iter().map(|s| {
        let url = Literal::string(&s.url);
        let description = Literal::string(s.description.as_deref().unwrap_or(""));
        quote!((#url, #description),)
    });
    let default_server = match model.servers.first() {
        Some(s) => {
            let url = Literal::string(&s.url);
            quote! {
                /// The first server the spec lists (production, by convention).
                pub const DEFAULT_SERVER: &str = #url;
            }
        }
        None => quote!(),
    };
    quote! {
        pub use crate::runtime::client::{Answered, ClientBuilder, Credential, Credentials, Error, RawResponse, ReqwestClient, Secret};
        pub use crate::runtime::{Answer, ErrorResponse};

        /// The servers the spec lists: (base URL, description), in the spec's order.
        pub const SERVERS: &[(&str, &str)] = &[#(#servers)*];
        #default_server

        /// Every operation of the API. Implemented by [`ReqwestClient`]; implement it yourself to mock the API.
        pub trait Client: Send + Sync {
            #(#decls)*
        }

        impl Client for ReqwestClient {
            #(#impls)*
        }
    }
}

fn signature(model: &Model, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.fn_name);
    let params = params_ident(op).map(|p| quote!(, params: &crate::operations::#p));
    let body = op.body.as_ref().map(|b| {
        let t = borrowed(model, &b.ty);
        if b.required {
            quote!(, body: &#t)
        } else {
            quote!(, body: Option<&#t>)
        }
    });
    let response = response_ident(op);
    quote! {
        fn #name(&self #params #body) -> impl ::std::future::Future<Output = Result<Answered<crate::operations::#response>, Error>> + Send
    }
}

/// Builds the parts of a typed multipart body, property by property: files as file parts
/// (each item of a list of files its own part), lists as repeated parts, everything else
/// as text (JSON for objects); the undeclared properties last.
fn multipart(model: &Model, t: &Ty) -> TokenStream {
    let fields = match t {
        Ty::Named(id) => match model.types.get(id.0).map(|d| &d.kind) {
            Some(TypeKind::Struct(s)) => Some(s),
            _ => None,
        },
        _ => None,
    };
    let Some(s) = fields else {
        return quote!(Err(Error::InvalidRequest(
            "this multipart body is not an object".into()
        )));
    };
    let stmts = s.fields.iter().map(|f| {
        let ident = format_ident!("{}", f.ident);
        let wire = Literal::string(&f.wire);
        let file = |t: &Ty| matches!(unaliased(model, t), Ty::File);
        match unaliased(model, &f.ty) {
            Ty::File => quote!(parts.file(#wire, &body.#ident);),
            Ty::Option(inner) if file(inner) => {
                quote!(if let Some(v) = &body.#ident { parts.file(#wire, v); })
            }
            Ty::Vec(inner) if file(inner) => {
                quote!(for v in &body.#ident { parts.file(#wire, v); })
            }
            Ty::Option(inner) if matches!(unaliased(model, inner), Ty::Vec(i) if file(i)) => {
                quote!(if let Some(vs) = &body.#ident { for v in vs { parts.file(#wire, v); } })
            }
            Ty::Vec(_) => quote! {
                for v in &body.#ident { parts.value(#wire, v).map_err(Error::InvalidRequest)?; }
            },
            Ty::Option(inner) if matches!(unaliased(model, inner), Ty::Vec(_)) => quote! {
                if let Some(vs) = &body.#ident {
                    for v in vs { parts.value(#wire, v).map_err(Error::InvalidRequest)?; }
                }
            },
            _ => quote!(parts.value(#wire, &body.#ident).map_err(Error::InvalidRequest)?;),
        }
    });
    let rest = s.extra.as_ref().map(|(ident, _)| {
        let ident = format_ident!("{}", ident);
        quote! {
            for (k, v) in &body.#ident { parts.value(k, v).map_err(Error::InvalidRequest)?; }
        }
    });
    quote! {{
        let mut parts = crate::runtime::multipart::Parts::new();
        #(#stmts)*
        #rest
        Ok::<_, Error>(r.multipart(parts))
    }}
}

/// The borrowed form of a body type (`str`, `[T]`), as idiomatic (and clippy) want.
fn borrowed(model: &Model, t: &crate::model::ir::Ty) -> TokenStream {
    match t {
        Ty::String => quote!(str),
        Ty::Bytes => quote!([u8]),
        Ty::Vec(inner) => {
            let inner = ty(model, inner);
            quote!([#inner])
        }
        other => ty(model, other),
    }
}

fn body(model: &Model, op: &Operation) -> TokenStream {
    let description = super::description::static_ident(op);
    let op_ref = quote!(&crate::operations::#description);
    let request = if params_ident(op).is_some() {
        quote!(crate::runtime::client::Request::with_params(#op_ref, params))
    } else {
        quote!(Ok::<_, Error>(crate::runtime::client::Request::new(#op_ref)))
    };
    let request = match &op.body {
        None => request,
        Some(b) => {
            let media = Literal::string(&b.media.media);
            let (set, fallible) = match b.kind() {
                _ if b.is_multipart() => (multipart(model, &b.ty), true),
                BodyKind::Json => (quote!(r.json(#media, body)), true),
                BodyKind::Form => (quote!(r.form(body)), true),
                BodyKind::Text => (quote!(r.raw(#media, body.as_bytes().to_vec())), false),
                BodyKind::Bytes => (quote!(r.raw(#media, body.to_vec())), false),
            };
            match (b.required, fallible) {
                (true, true) => quote!(#request.and_then(|r| #set)),
                (true, false) => quote!(#request.map(|r| #set)),
                (false, true) => {
                    quote!(#request.and_then(|r| match body { Some(body) => #set, None => Ok(r) }))
                }
                (false, false) => {
                    quote!(#request.map(|r| match body { Some(body) => #set, None => r }))
                }
            }
        }
    };
    let response = response_ident(op);
    quote! {
        self.send(#request, crate::operations::#response::decode)
    }
}
