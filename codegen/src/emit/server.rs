//! `src/server.rs`: the `Server` trait (one async method per operation taking typed,
//! already-validated inputs and returning the per-status enum) and `router`, which builds
//! an `axum::Router` from any implementation.

use super::operations::{params_ident, response_ident};
use super::ty::ty;
use super::types::doc;
use crate::load::pointer::JsonPointer;
use crate::model::Model;
use crate::model::ir::{Ty, TypeKind};
use crate::model::operations::{Auth, BodyKind, Location, Operation};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use std::collections::BTreeMap;

/// A JSON pointer as a URI fragment (`#/paths/~1a~1%7Bid%7D/get`), for `$ref`.
fn fragment(pointer: &JsonPointer) -> String {
    let mut out = String::new();
    for c in pointer.to_string().chars() {
        if c.is_ascii_alphanumeric() || "#/-._~!$&'()*+,;=:@".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn param_type(model: &Model, t: &Ty, depth: usize) -> TokenStream {
    let base = quote!(crate::runtime::server::ParamType);
    if depth > 16 {
        return quote!(#base::String);
    }
    match t {
        Ty::Bool => quote!(#base::Boolean),
        Ty::I32 | Ty::I64 | Ty::U64 => quote!(#base::Integer),
        Ty::F64 => quote!(#base::Number),
        Ty::Option(inner) | Ty::Boxed(inner) => param_type(model, inner, depth + 1),
        Ty::Vec(inner) => {
            let item = param_type(model, inner, depth + 1);
            quote!(#base::Array(&#item))
        }
        Ty::Map(_) | Ty::JsonObject => quote!(#base::Object),
        Ty::Named(id) => match model.types.get(id.0).map(|d| &d.kind) {
            Some(TypeKind::Struct(_)) => quote!(#base::Object),
            Some(TypeKind::Alias(inner)) => param_type(model, inner, depth + 1),
            _ => quote!(#base::String),
        },
        _ => quote!(#base::String),
    }
}

/// `handle_{fn_name}`; a name that starts with `_` (`_4od_feed`, from a leading digit)
/// joins without a second underscore, which rustc would flag as not snake case.
fn handler_ident(op: &Operation) -> proc_macro2::Ident {
    format_ident!(
        "handle_{}",
        op.fn_name.strip_prefix('_').unwrap_or(&op.fn_name)
    )
}

/// Template parameter names in order (`/a/{x}/b/{y}` → `[x, y]`).
fn template_names(path: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = path;
    while let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) {
        if close < open {
            break;
        }
        out.push(&rest[open + 1..close]);
        rest = &rest[close + 1..];
    }
    out
}

/// The axum route: parameters renamed by position (`{p0}`), so paths that name the same
/// segment differently never conflict.
fn route_path(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    let mut i = 0;
    while let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) {
        if close < open {
            break;
        }
        out.push_str(&rest[..open]);
        out.push_str(&format!("{{p{i}}}"));
        i += 1;
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    if out.is_empty() { "/".into() } else { out }
}

fn operation_spec(model: &Model, op: &Operation) -> TokenStream {
    let params = op.params.iter().map(|p| {
        let wire = Literal::string(&p.wire);
        let location = match p.location {
            Location::Path => quote!(Path),
            Location::Query => quote!(Query),
            Location::Header => quote!(Header),
            Location::Cookie => quote!(Cookie),
        };
        let required = p.required;
        let explode = p.explode;
        let t = param_type(model, &p.ty, 0);
        let schema = Literal::string(&p.schema_pointer.as_ref().map(fragment).unwrap_or_default());
        quote! {
            crate::runtime::server::ParamSpec {
                wire: #wire,
                location: crate::runtime::server::Location::#location,
                required: #required,
                ty: #t,
                explode: #explode,
                schema: #schema,
            },
        }
    });
    let body = match &op.body {
        Some(b) => {
            let media = Literal::string(&b.media);
            let kind = match b.kind {
                BodyKind::Json => quote!(Json),
                BodyKind::Form => quote!(Form),
                BodyKind::Text => quote!(Text),
                BodyKind::Bytes => quote!(Bytes),
            };
            let required = b.required;
            let schema =
                Literal::string(&b.schema_pointer.as_ref().map(fragment).unwrap_or_default());
            quote! {
                Some(crate::runtime::server::BodySpec {
                    media: #media,
                    kind: crate::runtime::server::BodyKind::#kind,
                    required: #required,
                    schema: #schema,
                })
            }
        }
        None => quote!(None),
    };
    let auth = match &op.auth {
        Auth::None => quote!(None),
        Auth::Bearer => quote!(Bearer),
        Auth::Basic => quote!(Basic),
        Auth::ApiKey {
            name,
            location: Location::Query,
        } => {
            let name = Literal::string(name);
            quote!(ApiKeyQuery(#name))
        }
        Auth::ApiKey { name, .. } => {
            let name = Literal::string(name);
            quote!(ApiKeyHeader(#name))
        }
    };
    quote! {
        crate::runtime::server::OperationSpec {
            params: &[#(#params)*],
            body: #body,
            auth: crate::runtime::server::AuthScheme::#auth,
        },
    }
}

fn method_sig(model: &Model, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.fn_name);
    let principal = (op.auth != Auth::None).then(|| quote!(, principal: Self::Principal));
    let params = params_ident(op).map(|p| quote!(, params: crate::operations::#p));
    let body = op.body.as_ref().map(|b| {
        let t = ty(model, &b.ty);
        if b.required {
            quote!(, body: #t)
        } else {
            quote!(, body: Option<#t>)
        }
    });
    let response = response_ident(op);
    quote! {
        fn #name(&self #principal #params #body) -> impl ::std::future::Future<Output = crate::operations::#response> + Send
    }
}

fn handler(op: &Operation, index: usize) -> TokenStream {
    let handler = handler_ident(op);
    let method = format_ident!("{}", op.fn_name);
    let index = Literal::usize_unsuffixed(index);
    let names = template_names(&op.path).into_iter().map(Literal::string);
    let mut args = Vec::new();
    if op.auth != Auth::None {
        args.push(quote!(p.principal()?));
    }
    if params_ident(op).is_some() {
        args.push(quote!(p.params()?));
    }
    if let Some(b) = &op.body {
        args.push(match (b.kind, b.required) {
            (BodyKind::Json | BodyKind::Form, true) => quote!(p.body()?),
            (BodyKind::Json | BodyKind::Form, false) => quote!(p.optional_body()?),
            (BodyKind::Text, true) => quote!(p.text_body()?),
            (BodyKind::Text, false) => quote!(Some(p.text_body()?)),
            (BodyKind::Bytes, true) => quote!(p.raw_body()),
            (BodyKind::Bytes, false) => quote!(Some(p.raw_body())),
        });
    }
    let binding = if args.iter().any(|a| a.to_string().contains("principal")) {
        quote!(mut p)
    } else {
        quote!(p)
    };
    let binding = if args.is_empty() { quote!(_p) } else { binding };
    quote! {
        async fn #handler<S: Server>(
            ::axum::extract::State(shared): ::axum::extract::State<::std::sync::Arc<Shared<S>>>,
            raw: ::axum::extract::RawPathParams,
            request: ::axum::extract::Request,
        ) -> ::axum::response::Response {
            let s = &shared.server;
            crate::runtime::server::serve(&shared.core, &OPERATIONS[#index], #index, &[#(#names),*], raw, request, |c| s.authenticate(c), |#binding| async move {
                Ok(s.#method(#(#args),*).await.encode())
            })
            .await
        }
    }
}

/// The server module's items.
pub fn items(model: &Model) -> TokenStream {
    let sigs = model.operations.iter().map(|op| {
        let docs = doc(op.doc.as_deref());
        let sig = method_sig(model, op);
        quote! { #docs #sig; }
    });
    let specs = model.operations.iter().map(|op| operation_spec(model, op));
    let routes = routes(model);
    let route_calls = routes.iter().map(|(path, methods)| {
        let path = Literal::string(path);
        let allow = Literal::string(&methods.iter().map(|(m, _)| m.as_str()).collect::<Vec<_>>().join(", "));
        let chain = methods.iter().map(|(m, h)| {
            let filter = format_ident!("{}", m.to_uppercase());
            quote!(.on(::axum::routing::MethodFilter::#filter, #h::<S>))
        });
        // One statement per route: a method chain as long as the spec has paths would nest
        // that deep in every parser and printer (Microsoft Graph has thousands of paths).
        quote! {
            router = router.route(#path, ::axum::routing::MethodRouter::new() #(#chain)* .fallback(|| async { crate::runtime::server::method_not_allowed(#allow) }));
        }
    });
    let router_binding = if routes.is_empty() {
        quote!(let router)
    } else {
        quote!(let mut router)
    };
    let spec_doc = " The effective spec requests are validated against (embedded at build time).";
    let unused = if model.operations.is_empty() {
        quote!(#[allow(dead_code)])
    } else {
        quote!()
    };
    quote! {
        pub use crate::runtime::server::{Credentials, FieldError, Rejection, RouterError, RouterOptions};

        #[doc = #spec_doc]
        pub const SPEC: &str = include_str!("spec.json");

        /// The API's operations, to implement. Inputs arrive typed and already validated
        /// against the spec; answer with the operation's response enum.
        pub trait Server: Send + Sync + 'static {
            /// Who a request authenticates as.
            type Principal: Send + 'static;

            /// Checks credentials (called only when the operation requires auth and they are present).
            fn authenticate(&self, credentials: Credentials) -> impl ::std::future::Future<Output = Result<Self::Principal, Rejection>> + Send;

            #(#sigs)*
        }

        static OPERATIONS: &[crate::runtime::server::OperationSpec] = &[#(#specs)*];

        /// State shared by the handlers.
        #unused
        pub struct Shared<S> {
            server: S,
            core: crate::runtime::server::Core,
        }

        /// A router with default options (1 MiB body limit, unknown query parameters rejected).
        pub fn router<S: Server>(server: S) -> Result<::axum::Router, RouterError> {
            router_with(server, RouterOptions::default())
        }

        /// A router with explicit options. Fails only if the embedded spec cannot be compiled.
        pub fn router_with<S: Server>(server: S, options: RouterOptions) -> Result<::axum::Router, RouterError> {
            let validators = crate::runtime::server::Validators::build(SPEC, OPERATIONS)?;
            let shared = ::std::sync::Arc::new(Shared { server, core: crate::runtime::server::Core { validators, options } });
            #router_binding = ::axum::Router::new();
            #(#route_calls)*
            Ok(router.fallback(crate::runtime::server::not_found).with_state(shared))
        }
    }
}

/// Whether the router serves each operation (by index). Two operations with the same
/// method on templates that differ only in parameter names cannot be told apart by any
/// router: the first in document order is served, the other is not.
fn served(model: &Model) -> Vec<bool> {
    let mut seen: std::collections::BTreeSet<(String, &str)> = std::collections::BTreeSet::new();
    model
        .operations
        .iter()
        .map(|op| seen.insert((route_path(&op.path), op.method.as_str())))
        .collect()
}

/// Served operations grouped by route, so each path is registered once (method, handler).
fn routes(model: &Model) -> BTreeMap<String, Vec<(String, proc_macro2::Ident)>> {
    let mut routes: BTreeMap<String, Vec<(String, proc_macro2::Ident)>> = BTreeMap::new();
    for (op, served) in model.operations.iter().zip(served(model)) {
        if served {
            routes
                .entry(route_path(&op.path))
                .or_default()
                .push((op.method.clone(), handler_ident(op)));
        }
    }
    routes
}

/// The axum handlers of the operations at `range` (indices into `model.operations`).
/// A handler the router never reaches (see [`served`]) is kept, documented and allowed dead.
pub fn handlers(model: &Model, range: std::ops::Range<usize>) -> TokenStream {
    let served = served(model);
    let handlers = model.operations.iter().zip(served).enumerate().skip(range.start).take(range.len()).map(|(i, (op, served))| {
        let h = handler(op, i);
        if served {
            h
        } else {
            let note = format!(" Unreachable: another {} operation has the same path shape; the first one in the spec is served.", op.method);
            quote! { #[doc = #note] #[allow(dead_code)] #h }
        }
    });
    quote!(#(#handlers)*)
}
