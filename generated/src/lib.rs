//! Generated Nango API crate: types, client and server. Produced by `cargo xtask codegen` (issue 3); empty until then.
