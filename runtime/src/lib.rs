//! Runtime support for crates generated from OpenAPI descriptions by `cargo xtask codegen`.
//!
//! Generated crates depend on this crate and re-export it as `runtime`; everything that is
//! the same for every API lives here once (decoding, encoding and schemas of generated
//! structs, string enums, the reqwest client plumbing, the axum request pipeline), so the
//! generated code is only what differs between APIs.
//!
//! - Always: [`Record`] (the derive of generated structs) with [`de`] and [`ser`] doing
//!   its generic work, the decode helpers and the item macros ([`string_enum!`],
//!   [`discriminated!`], [`union_schema!`]).
//! - Feature `schemars`: `schema`, and `JsonSchema` for every generated type (off by default:
//!   the impls are a sixth of a large crate's `cargo check` time).
//! - Always: [`answer`], a response enum as a `Result` ([`Answer`], [`ErrorResponse`]).
//! - Always: [`operation`], the description of an operation (parameters and their styles,
//!   body media types, security) that generated crates hold as statics.
//! - Feature `client`: [`client`], the HTTP plumbing of generated clients (reqwest, rustls).
//! - Feature `validate`: [`examples`], the round trip of the spec's examples that every
//!   generated crate's `tests/examples.rs` runs.
//! - Feature `validate`: [`check`], request checks against a description and the spec's
//!   schemas, shared by generated routers and the contract validator.
//! - Feature `server`: [`server`], the request pipeline of generated routers (axum).

pub mod answer;
#[cfg(feature = "validate")]
pub mod check;
#[cfg(feature = "client")]
pub mod client;
pub mod de;
mod decode;
#[cfg(feature = "validate")]
pub mod examples;
#[cfg(feature = "server")]
pub mod listen;
mod macros;
pub mod multipart;
pub mod operation;
#[cfg(feature = "schemars")]
pub mod schema;
pub mod ser;
#[cfg(feature = "server")]
pub mod server;
pub mod status;

pub use answer::{Answer, ErrorResponse, message_of, message_of_text};
pub use decode::*;
pub use multipart::FilePart;
pub use openapi_runtime_derive::Record;

// The derive names the runtime `::openapi_runtime`; inside this crate (its tests) that is us.
extern crate self as openapi_runtime;

/// Crates the macros expand to, so generated code needs no extra dependency to use them.
#[doc(hidden)]
pub mod __private {
    #[cfg(feature = "schemars")]
    pub use ::schemars;
    pub use ::serde;
    pub use ::serde_json;
}

/// A struct's map of the properties its schema does not name (`#[record(rest)]`): what
/// decoding fills and what the schema's `additionalProperties` describes.
pub trait RestMap {
    /// The type of each value.
    type Value;
    /// Keeps one property.
    fn put(&mut self, key: ::std::string::String, value: Self::Value);
}

impl<T> RestMap for ::std::collections::BTreeMap<::std::string::String, T> {
    type Value = T;
    fn put(&mut self, key: ::std::string::String, value: T) {
        self.insert(key, value);
    }
}

impl RestMap for ::serde_json::Map<::std::string::String, ::serde_json::Value> {
    type Value = ::serde_json::Value;
    fn put(&mut self, key: ::std::string::String, value: ::serde_json::Value) {
        self.insert(key, value);
    }
}
