//! `src/server.rs`: the `Server` trait (one async method per operation taking typed,
//! already-validated inputs and returning the per-status enum) and `router`, which builds
//! an `axum::Router` from any implementation.

use super::description::static_ident;
use super::operations::{params_ident, response_ident};
use super::plan::Plan;
use super::ty::ty;
use super::types::doc;
use crate::model::Model;
use crate::model::operations::{BodyKind, Operation};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// `handle_{fn_name}`; a name that starts with `_` (`_4od_feed`, from a leading digit)
/// joins without a second underscore, which rustc would flag as not snake case.
fn handler_ident(op: &Operation) -> proc_macro2::Ident {
    format_ident!(
        "handle_{}",
        op.fn_name.strip_prefix('_').unwrap_or(&op.fn_name)
    )
}

fn method_sig(model: &Model, op: &Operation) -> TokenStream {
    let name = format_ident!("{}", op.fn_name);
    let principal = if op.requires_credentials() {
        Some(quote!(, principal: Self::Principal))
    } else if op.has_security() {
        Some(quote!(, principal: Option<Self::Principal>))
    } else {
        None
    };
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

fn handler(model: &Model, op: &Operation, index: usize) -> TokenStream {
    let handler = handler_ident(op);
    let method = format_ident!("{}", op.fn_name);
    let description = static_ident(op);
    let index = Literal::usize_unsuffixed(index);
    let mut args = Vec::new();
    if op.requires_credentials() {
        args.push(quote!(p.principal()?));
    } else if op.has_security() {
        args.push(quote!(p.optional_principal()));
    }
    if params_ident(op).is_some() {
        args.push(quote!(p.params()?));
    }
    if let Some(b) = &op.body {
        args.push(match (b.kind(), b.required) {
            _ if b.is_multipart() && b.required => quote!(p.multipart_body()?),
            _ if b.is_multipart() => quote!(p.optional_multipart_body()?),
            (BodyKind::Json | BodyKind::Form, true) => quote!(p.body()?),
            (BodyKind::Json | BodyKind::Form, false) => quote!(p.optional_body()?),
            (BodyKind::Text, true) => quote!(p.text_body()?),
            (BodyKind::Text, false) => quote!(Some(p.text_body()?)),
            (BodyKind::Bytes, true) => quote!(p.raw_body()),
            (BodyKind::Bytes, false) => quote!(Some(p.raw_body())),
        });
    }
    let binding = if args.is_empty() {
        quote!(_p)
    } else if op.has_security() {
        quote!(mut p)
    } else {
        quote!(p)
    };
    let authenticate = if secured(model) {
        quote!(|c| s.authenticate(c))
    } else {
        quote!(|_| ::std::future::ready(Ok::<(), Rejection>(())))
    };
    quote! {
        async fn #handler<S: Server>(
            ::axum::extract::State(shared): ::axum::extract::State<::std::sync::Arc<Shared<S>>>,
            request: ::axum::extract::Request,
        ) -> ::axum::response::Response {
            let s = &shared.server;
            crate::runtime::server::serve(&*shared, #index, &crate::operations::#description, request, #authenticate, |#binding| async move {
                Ok(s.#method(#(#args),*).await.encode())
            })
            .await
        }
    }
}

/// Whether any operation of the spec looks at credentials (then `Server` has `Principal`
/// and `authenticate`).
fn secured(model: &Model) -> bool {
    model.operations.iter().any(Operation::has_security)
}

/// The server module's items (each operation's method and route behind its feature gate).
pub fn items(model: &Model, plan: &Plan) -> TokenStream {
    let sigs = model.operations.iter().enumerate().map(|(i, op)| {
        let docs = doc(op.doc.as_deref());
        let sig = method_sig(model, op);
        let gate = plan.op_gate(i);
        quote! { #gate #docs #sig; }
    });
    // Every operation is added; the runtime keeps the first of two with the same method and
    // path shape, so with tag features the one whose tag is enabled is served.
    let adds = model.operations.iter().enumerate().map(|(i, op)| {
        let index = Literal::usize_unsuffixed(i);
        let description = static_ident(op);
        let filter = format_ident!("{}", op.method().to_uppercase());
        let handler = handler_ident(op);
        let gate = plan.op_gate(i);
        // One statement per route: a method chain as long as the spec has paths would nest
        // that deep in every parser and printer (Microsoft Graph has thousands of paths).
        quote! {
            #gate
            routes.add(#index, &crate::operations::#description, ::axum::routing::on(::axum::routing::MethodFilter::#filter, #handler::<S>))?;
        }
    });
    let count = Literal::usize_unsuffixed(model.operations.len());
    // With tag features, every `add` may be compiled out.
    let routes_binding = if !model.operations.is_empty() {
        quote!(#[allow(unused_mut)] let mut routes)
    } else {
        quote!(let routes)
    };
    let auth = if secured(model) {
        quote! {
            /// Who a request authenticates as.
            type Principal: Send + 'static;

            /// Checks the credentials a request presented for the security alternative it
            /// satisfies (called only for operations with security, and only when the request
            /// satisfies one of their alternatives; otherwise the router answers 401 itself).
            fn authenticate(&self, credentials: Credentials) -> impl ::std::future::Future<Output = Result<Self::Principal, Rejection>> + Send;
        }
    } else {
        quote!()
    };
    let spec_doc = " The effective spec requests are validated against (embedded at build time).";
    quote! {
        pub use crate::runtime::server::{codes, Credential, Credentials, FieldError, Part, Reading, Rejection, RouterError, RouterOptions};

        #[doc = #spec_doc]
        pub const SPEC: &str = include_str!("spec.json");

        /// The API's operations, to implement. Inputs arrive typed and already validated
        /// against the spec; answer with the operation's response enum.
        pub trait Server: Send + Sync + 'static {
            #auth

            /// How the router answers a request it refuses before any operation runs (bad
            /// content type, size, JSON, credentials, parameters or body; unknown path or
            /// method). The default is RFC 9457 `application/problem+json`; override it to
            /// answer in the API's own documented error shape.
            fn reject(&self, rejection: Rejection) -> ::axum::response::Response {
                crate::runtime::server::problem(rejection)
            }

            #(#sigs)*
        }

        /// State shared by the handlers: the server and the router's compiled checks.
        pub struct Shared<S> {
            server: S,
            core: crate::runtime::server::Core,
        }

        impl<S: Server> crate::runtime::server::Host for Shared<S> {
            fn core(&self) -> &crate::runtime::server::Core {
                &self.core
            }
            fn reject(&self, rejection: Rejection) -> ::axum::response::Response {
                self.server.reject(rejection)
            }
        }

        /// A router with default options (1 MiB body limit, unknown query parameters rejected,
        /// `readOnly`/`writeOnly` read as OpenAPI says).
        pub fn router<S: Server>(server: S) -> Result<::axum::Router, RouterError> {
            router_with(server, RouterOptions::default())
        }

        /// A router with explicit options. Fails only if the embedded spec cannot be compiled.
        pub fn router_with<S: Server>(server: S, options: RouterOptions) -> Result<::axum::Router, RouterError> {
            Ok(router_shared(server, options)?.0)
        }

        /// The router and the state it holds.
        fn router_shared<S: Server>(server: S, options: RouterOptions) -> Result<(::axum::Router, ::std::sync::Arc<Shared<S>>), RouterError> {
            #routes_binding = crate::runtime::server::Routes::new(SPEC, #count, options)?;
            #(#adds)*
            Ok(routes.finish_shared(|core| Shared { server, core }))
        }

        /// Serves `server` on `listener` until the task is dropped, with the limits a public
        /// server needs (header-read timeout, connection cap: `limits`); a request too
        /// malformed to route (400, 414, 431 from the HTTP parser) is answered with
        /// [`Server::reject`]'s body like every other refusal.
        pub async fn serve<S: Server>(
            listener: crate::runtime::listen::TcpListener,
            server: S,
            options: RouterOptions,
            limits: crate::runtime::listen::Limits,
        ) -> ::std::io::Result<()> {
            let (router, shared) = router_shared(server, options).map_err(::std::io::Error::other)?;
            let render: crate::runtime::listen::parse_errors::Render =
                ::std::sync::Arc::new(move |rejection| shared.server.reject(rejection));
            crate::runtime::listen::serve(listener, router, crate::runtime::listen::Limits { render, ..limits }).await
        }
    }
}

/// The axum route of a path template (parameters by position, as the runtime's
/// `route_path` names them): two templates with the same shape are the same route.
fn route_shape(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let (Some(open), Some(close)) = (rest.find('{'), rest.find('}')) {
        if close < open {
            break;
        }
        out.push_str(&rest[..open]);
        out.push_str("{}");
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

/// Whether the router serves each operation (by index). Two operations with the same
/// method on templates that differ only in parameter names cannot be told apart by any
/// router: the first in document order is served, the other is not.
fn served(model: &Model) -> Vec<bool> {
    let mut seen: std::collections::BTreeSet<(String, &str)> = std::collections::BTreeSet::new();
    model
        .operations
        .iter()
        .map(|op| seen.insert((route_shape(op.path()), op.method())))
        .collect()
}

/// The axum handlers of the operations at `range` (indices into `model.operations`).
/// A handler that another operation shadows (see [`served`]) is documented as such.
pub fn handlers(model: &Model, plan: &Plan, range: std::ops::Range<usize>) -> TokenStream {
    let served = served(model);
    let handlers = model.operations.iter().zip(served).enumerate().skip(range.start).take(range.len()).map(|(i, (op, served))| {
        let h = handler(model, op, i);
        let gate = plan.op_gate(i);
        if served {
            quote!(#gate #h)
        } else {
            let note = format!(" Shadowed: another {} operation has the same path shape; when both are compiled in, the first one in the spec is served.", op.method());
            quote! { #gate #[doc = #note] #h }
        }
    });
    quote!(#(#handlers)*)
}
