//! What emit adds around items beyond the model: extra derives (`--derive`) and the `cfg`
//! gates of per-tag features. Both are decided in `model` (traits, features); this turns the
//! decisions into attributes.

use super::Options;
use crate::model::Model;
use crate::model::features::{self, Features, Gate};
use crate::model::traits;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The extra derives and feature gates of one crate.
pub struct Plan {
    derives: traits::Plan,
    /// The tag features, when the crate has them.
    pub features: Option<Features>,
}

impl Plan {
    /// Decides both for a model and the emit options.
    pub fn new(model: &Model, options: &Options) -> Plan {
        Plan {
            derives: traits::plan(model, &options.derives),
            features: features::plan(model, options.tag_features),
        }
    }

    fn gate(&self, gate: Option<&Gate>) -> TokenStream {
        match (&self.features, gate) {
            (Some(f), Some(Gate::Any(set))) => {
                let names: Vec<Literal> = set
                    .iter()
                    .filter_map(|i| f.names.get(*i))
                    .map(|n| Literal::string(n))
                    .collect();
                match names.as_slice() {
                    [one] => quote!(#[cfg(feature = #one)]),
                    _ => quote!(#[cfg(any(#(feature = #names),*))]),
                }
            }
            _ => quote!(),
        }
    }

    /// `#[cfg(any(feature = …))]` for type `i` (nothing without tag features).
    pub fn type_gate(&self, i: usize) -> TokenStream {
        self.gate(self.features.as_ref().and_then(|f| f.types.get(i)))
    }

    /// `#[cfg(any(feature = …))]` for operation `i` (nothing without tag features).
    pub fn op_gate(&self, i: usize) -> TokenStream {
        self.gate(self.features.as_ref().and_then(|f| f.operations.get(i)))
    }

    /// `Eq, Hash, …,` for type `i`.
    pub fn type_derives(&self, i: usize) -> TokenStream {
        derives(self.derives.types.get(i).map_or(&[][..], Vec::as_slice))
    }

    /// `Eq, Hash, …,` for the parameters struct of operation `i`.
    pub fn params_derives(&self, i: usize) -> TokenStream {
        derives(self.derives.params.get(i).map_or(&[][..], Vec::as_slice))
    }
}

/// `Eq, Hash, …,` for a derive list.
fn derives(traits: &[traits::Trait]) -> TokenStream {
    let names = traits.iter().map(|t| format_ident!("{}", t.name()));
    quote!(#(#names,)*)
}
