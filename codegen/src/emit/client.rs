//! `src/client.rs`: the `Client` trait (one async method per operation, so users can mock
//! it) and its implementation on the runtime's `ReqwestClient`.

use super::operations::{params_ident, response_ident};
use super::ty::ty;
use super::types::doc;
use crate::model::Model;
use crate::model::operations::{Auth, BodyKind, Location, Operation, Style};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The client module's items.
pub fn items(model: &Model) -> TokenStream {
    let sigs: Vec<TokenStream> = model
        .operations
        .iter()
        .map(|op| signature(model, op))
        .collect();
    let decls = model.operations.iter().zip(&sigs).map(|(op, sig)| {
        let docs = doc(op.doc.as_deref());
        quote! { #docs #sig; }
    });
    let impls = model.operations.iter().zip(&sigs).map(|(op, sig)| {
        let body = body(model, op);
        quote! { #sig { #body } }
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
        pub use crate::runtime::client::{ClientBuilder, Credentials, Error, ReqwestClient, Secret};

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
        fn #name(&self #params #body) -> impl ::std::future::Future<Output = Result<crate::operations::#response, Error>> + Send
    }
}

/// The borrowed form of a body type (`str`, `[T]`), as idiomatic (and clippy) want.
fn borrowed(model: &Model, t: &crate::model::ir::Ty) -> TokenStream {
    use crate::model::ir::Ty;
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
    let _ = model;
    // Path: "/connections/{connectionId}" → format!("/connections/{}", path_param(...)?)
    let mut template = String::new();
    let mut args = Vec::new();
    let mut rest = op.path.as_str();
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        template.push_str(&rest[..open].replace('{', "{{").replace('}', "}}"));
        template.push_str("{}");
        let wire = &rest[open + 1..close];
        match op
            .params
            .iter()
            .find(|p| p.location == Location::Path && p.wire == wire)
        {
            Some(p) => {
                let ident = format_ident!("{}", p.ident);
                let wire = Literal::string(wire);
                args.push(quote!(crate::runtime::client::path_param(#wire, &params.#ident)?));
            }
            None => args.push(quote!(String::new())),
        }
        rest = &rest[close + 1..];
    }
    template.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    let path_expr = if args.is_empty() {
        let path = Literal::string(&template.replace("{{", "{").replace("}}", "}"));
        quote!(String::from(#path))
    } else {
        let template = Literal::string(&template);
        quote!(format!(#template #(, #args)*))
    };
    let method = Literal::string(&op.method);
    let auth = match &op.auth {
        Auth::None => quote!(crate::runtime::client::AuthKind::None),
        Auth::Bearer => quote!(crate::runtime::client::AuthKind::Bearer),
        Auth::Basic => quote!(crate::runtime::client::AuthKind::Basic),
        Auth::ApiKey {
            name,
            location: Location::Query,
        } => {
            let name = Literal::string(name);
            quote!(crate::runtime::client::AuthKind::ApiKeyQuery(#name))
        }
        Auth::ApiKey { name, .. } => {
            let name = Literal::string(name);
            quote!(crate::runtime::client::AuthKind::ApiKeyHeader(#name))
        }
    };
    let adds = op.params.iter().filter(|p| p.location != Location::Path).map(|p| {
        let ident = format_ident!("{}", p.ident);
        let wire = Literal::string(&p.wire);
        match p.location {
            Location::Query => {
                let style = match p.style {
                    Style::DeepObject => quote!(DeepObject),
                    Style::SpaceDelimited => quote!(SpaceDelimited),
                    Style::PipeDelimited => quote!(PipeDelimited),
                    Style::Simple | Style::Label | Style::Matrix => quote!(Simple),
                    Style::Form => quote!(Form),
                };
                let explode = p.explode;
                quote!(request.query(#wire, &params.#ident, crate::runtime::client::Style::#style, #explode)?;)
            }
            Location::Header => quote!(request.header(#wire, &params.#ident)?;),
            Location::Cookie => quote!(request.cookie(#wire, &params.#ident)?;),
            Location::Path => quote!(),
        }
    });
    let body = op.body.as_ref().map(|b| {
        let media = Literal::string(&b.media);
        let set = match b.kind {
            BodyKind::Json => quote!(request.json(#media, body)?;),
            BodyKind::Form => quote!(request.form(body)?;),
            BodyKind::Text => quote!(request.raw(#media, body.as_bytes().to_vec());),
            BodyKind::Bytes => quote!(request.raw(#media, body.to_vec());),
        };
        if b.required {
            set
        } else {
            quote!(if let Some(body) = body { #set })
        }
    });
    let response = response_ident(op);
    quote! {
        let build = || -> Result<crate::runtime::client::Request, Error> {
            #[allow(unused_mut)]
            let mut request = crate::runtime::client::Request::new(#method, #path_expr, #auth);
            #(#adds)*
            #body
            Ok(request)
        };
        self.send(build(), crate::operations::#response::decode)
    }
}
