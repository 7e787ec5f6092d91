//! Contract testing: prove that what a server answers is what the spec promises, and point
//! at the exact place where it is not.
//!
//! [`validator::ContractValidator`] checks requests and responses against the effective spec
//! (documented + overlays). It does not depend on the generated crate: it reads the spec.

pub mod curl;
pub mod docs;
#[cfg(feature = "mock")]
pub mod explore;
pub mod har;
#[cfg(feature = "mock")]
pub mod html;
pub mod large_body;
#[cfg(feature = "mock")]
pub mod mock;
#[cfg(feature = "mock")]
pub mod proxy;
pub mod recorded;
pub mod redact;
pub mod report;
pub mod requests;
pub mod schemathesis;
#[cfg(feature = "mock")]
pub mod spec_mock;
pub mod suite;
pub mod synth;
pub mod validator;

pub use validator::{ContractValidator, Kind, Report, Violation};

/// An error and its causes on one line (`outer: cause: root cause`): HTTP clients' own
/// text names only the outermost.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
