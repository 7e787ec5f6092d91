//! `src/server.rs`: the `Server` trait and the axum router (filled in below).

use crate::model::Model;
use proc_macro2::TokenStream;
use quote::quote;

/// The server module's items.
pub fn items(model: &Model) -> TokenStream {
    let _ = model;
    quote!()
}
