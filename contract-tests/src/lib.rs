//! Contract testing: prove that what a server answers is what the spec promises, and point
//! at the exact place where it is not.
//!
//! [`validator::ContractValidator`] checks requests and responses against the effective spec
//! (documented + overlays). It does not depend on the generated crate: it reads the spec.

pub mod docs;
#[cfg(feature = "mock")]
pub mod explore;
pub mod har;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "mock")]
pub mod proxy;
pub mod report;
pub mod requests;
pub mod schemathesis;
#[cfg(feature = "mock")]
pub mod spec_mock;
pub mod suite;
pub mod synth;
pub mod validator;

pub use validator::{ContractValidator, Kind, Report, Violation};
