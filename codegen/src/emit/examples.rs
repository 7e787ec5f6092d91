//! `tests/examples.rs` of the generated crate: every example of the spec that is valid
//! against its own schema must decode into its generated type and encode back equal
//! (`openapi_runtime::examples`). Each check sits behind its type's or operation's gate.

use super::plan::Plan;
use super::ty::ty;
use crate::model::Model;
use crate::model::examples::Owner;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

/// The test file's items, or `None` when the spec has no example.
pub fn test_file(model: &Model, plan: &Plan, crate_name: &str) -> Option<TokenStream> {
    if model.examples.is_empty() {
        return None;
    }
    let krate = format_ident!("{}", crate_name.replace('-', "_"));
    let pushes = model.examples.iter().map(|e| {
        let gate = match e.owner {
            Owner::Type(id) => plan.type_gate(id.0),
            Owner::Operation(i) => plan.op_gate(i),
        };
        let at = Literal::string(&e.at);
        let schema = Literal::string(&e.schema);
        let json = Literal::string(&e.value.to_string());
        let direction = if e.request {
            quote!(Direction::Request)
        } else {
            quote!(Direction::Response)
        };
        let t = ty(model, &e.ty);
        quote! {
            #gate
            examples.push(Example {
                at: #at,
                schema: #schema,
                direction: #direction,
                json: #json,
                check: round_trip::<#t>,
            });
        }
    });
    Some(quote! {
        //! Every example of the spec that is valid against its own schema decodes into its
        //! generated type and encodes back to an equal value; the invalid ones are listed
        //! and skipped. `cargo test --test examples -- --nocapture` prints the count.

        // Formatted by prettyplease at generation; rustfmt must leave it alone or
        // `cargo xtask codegen --check` would see a difference.
        #[rustfmt::skip]
        #[allow(unused_imports, unused_mut, clippy::all)]
        mod examples {
        use #krate::types;
        use #krate::runtime::check::schemas::Direction;
        use #krate::runtime::examples::{round_trip, run, Example};
        use ::std::collections::BTreeMap;
        use ::serde_json::{Map, Value};

        #[test]
        fn every_valid_example_round_trips() {
            let mut examples: Vec<Example> = Vec::new();
            #(#pushes)*
            let report = match run(include_str!("../src/spec.json"), &examples) {
                Ok(report) => report,
                Err(e) => panic!("the embedded spec cannot be read: {e}"),
            };
            println!("{report}");
            assert!(report.failures.is_empty(), "{report}");
        }
        }
    })
}
