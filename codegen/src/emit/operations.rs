//! `src/operations.rs`: per operation, a parameters struct and a response enum with one
//! variant per documented status. Shared by client and server; needs neither.

use super::plan::Plan;
use super::ty::ty;
use super::types::doc;
use crate::model::Model;
use crate::model::operations::{BodyKind, Operation, Response, Status};
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The params struct name of an operation, when it has parameters.
pub fn params_ident(op: &Operation) -> Option<proc_macro2::Ident> {
    (!op.params.is_empty()).then(|| format_ident!("{}Params", op.type_name))
}

/// The response enum name.
pub fn response_ident(op: &Operation) -> proc_macro2::Ident {
    format_ident!("{}Response", op.type_name)
}

/// The description, parameters struct and response enum of the operations `start..` of a
/// chunk, each item behind its operation's feature gate.
pub fn items_of(model: &Model, plan: &Plan, start: usize, ops: &[Operation]) -> TokenStream {
    let items = ops.iter().enumerate().map(|(offset, op)| {
        let i = start + offset;
        let gate = plan.op_gate(i);
        let description = super::description::operation(op);
        let params = params_struct(model, op, &plan.params_derives(i));
        let (response, methods, answer) = response_enum(model, op);
        let params = if params.is_empty() {
            quote!()
        } else {
            quote!(#gate #params)
        };
        quote! { #gate #description #params #gate #response #gate #methods #gate #answer }
    });
    quote!(#(#items)*)
}

fn params_struct(model: &Model, op: &Operation, extra: &TokenStream) -> TokenStream {
    let Some(name) = params_ident(op) else {
        return quote!();
    };
    let fields = op.params.iter().map(|p| {
        let ident = format_ident!("{}", p.ident);
        let t = ty(model, &p.ty);
        let docs = doc(p.spec.doc.as_deref());
        let into = super::types::takes_into(model, &p.ty, p.spec.required);
        let attr = super::types::wire_attr(&p.spec.wire, p.spec.required, into);
        quote! { #docs #attr pub #ident: #t, }
    });
    let text = format!(" Parameters of `{} {}`.", op.method(), op.path());
    quote! {
        #[doc = #text]
        #[derive(Debug, Clone, PartialEq, #extra crate::runtime::Record)]
        #[record(skip_schema)]
        #[cfg_attr(not(feature = "client"), record(skip_encode))]
        #[cfg_attr(not(feature = "server"), record(skip_decode))]
        pub struct #name { #(#fields)* }
    }
}

fn status_code(r: &Response) -> u16 {
    match r.status {
        Status::Code(c) => c,
        Status::Range(d) => d * 100,
        Status::Default => 500,
    }
}

/// Whether the variant carries the status (ranges and `default` do).
fn carries_status(r: &Response) -> bool {
    !matches!(r.status, Status::Code(_))
}

/// The response enum, its `impl` block and its `Answer` impl (three items, each gated by
/// the caller).
fn response_enum(model: &Model, op: &Operation) -> (TokenStream, TokenStream, TokenStream) {
    let name = response_ident(op);
    let variants = op.responses.iter().map(|r| {
        let ident = format_ident!("{}", r.variant);
        let docs = doc(Some(&format!(
            "{} — {}",
            status_label(r),
            r.doc.as_deref().unwrap_or("")
        )));
        let status = if carries_status(r) {
            quote!(u16,)
        } else {
            quote!()
        };
        match &r.body {
            Some(b) => {
                let t = ty(model, &b.ty);
                quote! { #docs #ident(#status #t), }
            }
            None if carries_status(r) => quote! { #docs #ident(u16), },
            None => quote! { #docs #ident, },
        }
    });
    let status_arms = op.responses.iter().map(|r| {
        let ident = format_ident!("{}", r.variant);
        let code = Literal::u16_unsuffixed(status_code(r));
        match (&r.body, carries_status(r)) {
            (_, true) => quote!(Self::#ident(status, ..) => status,),
            (Some(_), false) => quote!(Self::#ident(..) => #code,),
            (None, false) => quote!(Self::#ident => #code,),
        }
    });
    let decode = decode_fn(op);
    let encode = encode_fn(op);
    let text = format!(
        " Responses of `{} {}`, one variant per documented status.",
        op.method(),
        op.path()
    );
    let item = quote! {
        #[doc = #text]
        #[derive(Debug, Clone, PartialEq)]
        pub enum #name { #(#variants)* }
    };
    let (success, into_result) = result_parts(model, op);
    let message_arms = op.responses.iter().map(|r| {
        let ident = format_ident!("{}", r.variant);
        let status = if carries_status(r) {
            quote!(_,)
        } else {
            quote!()
        };
        match &r.body {
            Some(b) => {
                let message = match b.kind() {
                    BodyKind::Json | BodyKind::Form => quote!(crate::runtime::message_of(value)),
                    BodyKind::Text => quote!(crate::runtime::message_of_text(value)),
                    BodyKind::Bytes => {
                        quote!(crate::runtime::message_of_text(&String::from_utf8_lossy(
                            value
                        )))
                    }
                };
                quote!(Self::#ident(#status value) => #message,)
            }
            None if carries_status(r) => quote!(Self::#ident(..) => None,),
            None => quote!(Self::#ident => None,),
        }
    });
    let message = if op.responses.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#message_arms)* })
    };
    let methods = quote! {
        impl #name {
            /// The HTTP status of this response.
            pub fn status(&self) -> u16 {
                match *self { #(#status_arms)* }
            }
            /// The 2xx answer as `Ok`; any other (documented error statuses, `default`) as
            /// an `Err` that is a `std::error::Error` keeping this typed response.
            pub fn into_result(self) -> Result<#success, crate::runtime::ErrorResponse<Self>> {
                #into_result
            }
            #decode
            #encode
        }
    };
    let answer = quote! {
        impl crate::runtime::Answer for #name {
            type Success = #success;
            fn status(&self) -> u16 {
                #name::status(self)
            }
            fn message(&self) -> Option<String> {
                #message
            }
            fn into_result(self) -> Result<#success, crate::runtime::ErrorResponse<Self>> {
                #name::into_result(self)
            }
        }
    };
    (item, methods, answer)
}

/// The `Ok` type of `into_result` and its body: the one documented 2xx status's body when
/// there is exactly one and no `2XX` range (`default` is then the error side, whatever its
/// status); otherwise the whole response when its status is 2xx.
fn result_parts(model: &Model, op: &Operation) -> (TokenStream, TokenStream) {
    let success: Vec<&Response> = op
        .responses
        .iter()
        .filter(|r| matches!(r.status, Status::Code(c) if (200..300).contains(&c)))
        .collect();
    let open = op
        .responses
        .iter()
        .any(|r| matches!(r.status, Status::Range(2)));
    let whole = (
        quote!(Self),
        quote! {
            if (200..300).contains(&self.status()) {
                Ok(self)
            } else {
                Err(crate::runtime::ErrorResponse::new(self))
            }
        },
    );
    let [only] = success.as_slice() else {
        return whole;
    };
    if open {
        return whole;
    }
    let ident = format_ident!("{}", only.variant);
    let (ty, pattern) = match &only.body {
        Some(b) => (ty(model, &b.ty), quote!(Self::#ident(value) => Ok(value),)),
        None => (quote!(()), quote!(Self::#ident => Ok(()),)),
    };
    let rest = (op.responses.len() > 1)
        .then(|| quote!(other => Err(crate::runtime::ErrorResponse::new(other)),));
    (ty, quote!(match self { #pattern #rest }))
}

fn status_label(r: &Response) -> String {
    match r.status {
        Status::Code(c) => c.to_string(),
        Status::Range(d) => format!("{d}XX"),
        Status::Default => "default".into(),
    }
}

fn decode_fn(op: &Operation) -> TokenStream {
    let mut exact = Vec::new();
    let mut ranges = Vec::new();
    let mut default = None;
    for r in &op.responses {
        let ident = format_ident!("{}", r.variant);
        let status_arg = if carries_status(r) {
            quote!(status,)
        } else {
            quote!()
        };
        let value = match &r.body {
            Some(b) => {
                let decode = match b.kind() {
                    BodyKind::Json | BodyKind::Form => quote!(crate::runtime::json(status, body)?),
                    BodyKind::Text => quote!(crate::runtime::text(status, body)?),
                    BodyKind::Bytes => quote!(body.to_vec()),
                };
                quote!(Self::#ident(#status_arg #decode))
            }
            None if carries_status(r) => quote!(Self::#ident(status)),
            None => quote!(Self::#ident),
        };
        match r.status {
            Status::Code(c) => {
                let c = Literal::u16_unsuffixed(c);
                exact.push(quote!(#c => #value,));
            }
            Status::Range(d) => {
                let (lo, hi) = (
                    Literal::u16_unsuffixed(d * 100),
                    Literal::u16_unsuffixed(d * 100 + 99),
                );
                ranges.push(quote!(#lo..=#hi => #value,));
            }
            Status::Default => default = Some(quote!(_ => #value,)),
        }
    }
    if exact.is_empty() && ranges.is_empty() && default.is_none() {
        return quote! {
            /// Decodes a response: this operation documents no status, so every one is undocumented.
            pub fn decode(status: u16, body: &[u8]) -> Result<Self, crate::runtime::DecodeError> {
                Err(crate::runtime::DecodeError::UndocumentedStatus { status, body: body.to_vec() })
            }
        };
    }
    let fallback = default.unwrap_or_else(|| {
        quote!(_ => return Err(crate::runtime::DecodeError::UndocumentedStatus { status, body: body.to_vec() }),)
    });
    quote! {
        /// Decodes a response by status (exact codes, then `NXX` ranges, then `default`).
        pub fn decode(status: u16, body: &[u8]) -> Result<Self, crate::runtime::DecodeError> {
            let _ = body;
            Ok(match status {
                #(#exact)*
                #(#ranges)*
                #fallback
            })
        }
    }
}

fn encode_fn(op: &Operation) -> TokenStream {
    let arms = op.responses.iter().map(|r| {
        let ident = format_ident!("{}", r.variant);
        let code = Literal::u16_unsuffixed(status_code(r));
        let (pattern_status, status) = if carries_status(r) {
            (quote!(status,), quote!(*status))
        } else {
            (quote!(), quote!(#code))
        };
        match &r.body {
            Some(b) => {
                let media = Literal::string(&b.media.media);
                let bytes = match b.kind() {
                    BodyKind::Json | BodyKind::Form => quote!(crate::runtime::to_json(value)),
                    BodyKind::Text => quote!(value.as_bytes().to_vec()),
                    BodyKind::Bytes => quote!(value.clone()),
                };
                quote!(Self::#ident(#pattern_status value) => (#status, Some((#media, #bytes))),)
            }
            None if carries_status(r) => quote!(Self::#ident(status) => (*status, None),),
            None => quote!(Self::#ident => (#code, None),),
        }
    });
    let matched = if op.responses.is_empty() {
        quote!(match *self {})
    } else {
        quote!(match self { #(#arms)* })
    };
    quote! {
        /// Status, media type and body bytes, as a server sends them.
        #[cfg(feature = "server")]
        pub fn encode(&self) -> (u16, Option<(&'static str, Vec<u8>)>) {
            #matched
        }
    }
}
