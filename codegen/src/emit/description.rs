//! The operation descriptions of `src/operations.rs`: one `runtime::operation::Operation`
//! static per operation and the spec's security schemes, emitted from the model's HTTP
//! facts. The generated client builds requests from them and the generated router checks
//! requests against them, so neither repeats what a parameter's style or an operation's
//! security is.

use crate::load::pointer::JsonPointer;
use crate::model::Model;
use crate::model::http::{self, Scalar, SchemeKind, Shape};
use crate::model::operations::Operation;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The name of an operation's description static (`GET_CONNECTION`).
pub fn static_ident(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}", op.fn_name.to_ascii_uppercase())
}

fn schema(pointer: Option<&JsonPointer>) -> Literal {
    Literal::string(&pointer.map(JsonPointer::fragment).unwrap_or_default())
}

/// A unit variant of a runtime enum by its name (`op::Style::Form`): the model speaks the
/// runtime's own description types, so their `Debug` names are the variants.
fn variant(ty: &str, value: impl std::fmt::Debug) -> TokenStream {
    let ty = format_ident!("{ty}");
    let value = format_ident!("{value:?}");
    quote!(op::#ty::#value)
}

fn scalar(s: Scalar) -> TokenStream {
    variant("Scalar", s)
}

fn shape(s: &Shape) -> TokenStream {
    match s {
        Shape::Scalar(x) => {
            let x = scalar(*x);
            quote!(op::Shape::Scalar(#x))
        }
        Shape::Array(x) => {
            let x = scalar(*x);
            quote!(op::Shape::Array(#x))
        }
        Shape::Object(fields) => {
            let fields = fields.iter().map(|(name, s)| {
                let name = Literal::string(name);
                let s = scalar(*s);
                quote!((Cow::Borrowed(#name), #s))
            });
            quote!(op::Shape::Object(Cow::Borrowed(&[#(#fields),*])))
        }
        Shape::Json => quote!(op::Shape::Json),
    }
}

fn param(p: &http::ParamSpec) -> TokenStream {
    let name = Literal::string(&p.wire);
    let location = variant("Location", p.location);
    let style = variant("Style", p.style);
    let (required, explode) = (p.required, p.explode);
    let shape = shape(&p.shape);
    let schema = schema(p.schema.as_ref());
    quote!(op::Param::new(#name, #location, #required, #style, #explode, #shape, #schema))
}

fn media(m: &http::MediaSpec) -> TokenStream {
    let name = Literal::string(&m.media);
    let schema = schema(m.schema.as_ref());
    if m.kind == http::BodyKind::Form && !m.fields.is_empty() {
        let fields = m.fields.iter().map(|(field, s)| {
            let field = Literal::string(field);
            let s = shape(s);
            quote!((Cow::Borrowed(#field), #s))
        });
        return quote!(op::Media::form(#name, #schema, &[#(#fields),*]));
    }
    let kind = variant("BodyKind", m.kind);
    quote!(op::Media::new(#name, #kind, #schema))
}

/// The `SECURITY_SCHEMES` table every description's security points into.
pub fn schemes(model: &Model) -> TokenStream {
    let count = model.security_schemes.len();
    let entries = model.security_schemes.iter().map(|s| {
        let name = Literal::string(&s.name);
        let kind = match &s.kind {
            k if k.is_bearer() => quote!(op::SchemeKind::Bearer),
            SchemeKind::Basic => quote!(op::SchemeKind::Basic),
            SchemeKind::Http(scheme) => {
                let scheme = Literal::string(scheme);
                quote!(op::SchemeKind::Http(Cow::Borrowed(#scheme)))
            }
            SchemeKind::ApiKey { name, location } => {
                let key = Literal::string(name);
                let location = variant("KeyLocation", location);
                quote!(op::SchemeKind::ApiKey { name: Cow::Borrowed(#key), location: #location })
            }
            _ => quote!(op::SchemeKind::Other),
        };
        quote!(op::Scheme::new(#name, #kind))
    });
    let count = Literal::usize_unsuffixed(count);
    quote! {
        /// The spec's security schemes (`components/securitySchemes`), in document order;
        /// each operation's security names them by index.
        pub static SECURITY_SCHEMES: [op::Scheme; #count] = [#(#entries),*];
    }
}

/// One operation's description static.
pub fn operation(op: &Operation) -> TokenStream {
    let name = static_ident(op);
    let e = &op.http;
    let method = Literal::string(&e.method);
    let path = Literal::string(&e.path);
    let params = e.params.iter().map(param);
    let body = match &e.body {
        Some(b) => {
            let required = b.required;
            let media = b.content.iter().map(media);
            quote!(Some(op::Body { required: #required, media: Cow::Borrowed(&[#(#media),*]) }))
        }
        None => quote!(None),
    };
    let security = e.security.iter().map(|set| {
        let indices = set
            .iter()
            .map(|i| Literal::u16_unsuffixed(u16::try_from(*i).unwrap_or(u16::MAX)));
        quote!(Cow::Borrowed(&[#(#indices),*]))
    });
    let doc = format!(
        " `{} {}`: parameters, body media types and security, as the client and the router read them.",
        e.method, e.path
    );
    quote! {
        #[doc = #doc]
        pub static #name: op::Operation = op::Operation {
            method: Cow::Borrowed(#method),
            path: Cow::Borrowed(#path),
            params: Cow::Borrowed(&[#(#params),*]),
            body: #body,
            schemes: Cow::Borrowed(&SECURITY_SCHEMES),
            security: Cow::Borrowed(&[#(#security),*]),
        };
    }
}
