//! The named checks a generated case's answer goes through (`--checks`), and how each reads
//! an exchange.

use super::send::Answer;
use crate::validator::{Kind, Violation};

/// One check, named as in reports and `--checks`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// A 5xx answer.
    NotAServerError,
    /// A status the operation does not document.
    StatusCodeConformance,
    /// A Content-Type the response does not document, or none on a body.
    ContentTypeConformance,
    /// A body that breaks its documented schema.
    ResponseSchemaConformance,
    /// A required documented header missing, or one that breaks its schema.
    ResponseHeadersConformance,
    /// A request the spec forbids answered 2xx.
    NegativeDataRejection,
    /// A request the spec allows answered 400 or 422.
    PositiveDataAcceptance,
    /// A request without (or with invalid) credentials answered 2xx.
    IgnoredAuth,
    /// A resource read back with 2xx after a successful DELETE.
    UseAfterFree,
    /// A method the path does not declare answered other than 405 with `Allow`.
    UnsupportedMethod,
}

impl Check {
    /// Every check, in report order.
    pub const ALL: [Check; 10] = [
        Check::NotAServerError,
        Check::StatusCodeConformance,
        Check::ContentTypeConformance,
        Check::ResponseSchemaConformance,
        Check::ResponseHeadersConformance,
        Check::NegativeDataRejection,
        Check::PositiveDataAcceptance,
        Check::IgnoredAuth,
        Check::UseAfterFree,
        Check::UnsupportedMethod,
    ];

    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            Check::NotAServerError => "not_a_server_error",
            Check::StatusCodeConformance => "status_code_conformance",
            Check::ContentTypeConformance => "content_type_conformance",
            Check::ResponseSchemaConformance => "response_schema_conformance",
            Check::ResponseHeadersConformance => "response_headers_conformance",
            Check::NegativeDataRejection => "negative_data_rejection",
            Check::PositiveDataAcceptance => "positive_data_acceptance",
            Check::IgnoredAuth => "ignored_auth",
            Check::UseAfterFree => "use_after_free",
            Check::UnsupportedMethod => "unsupported_method",
        }
    }

    /// Reads `--checks` (`all`, or names separated by commas).
    pub fn parse_list(list: &str) -> Result<Vec<Check>, String> {
        let mut out = Vec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if name == "all" {
                return Ok(Check::ALL.to_vec());
            }
            match Check::ALL.iter().find(|c| c.as_str() == name) {
                Some(c) if !out.contains(c) => out.push(*c),
                Some(_) => {}
                None => {
                    let known: Vec<&str> = Check::ALL.iter().map(|c| c.as_str()).collect();
                    return Err(format!(
                        "unknown check `{name}` (known: all, {})",
                        known.join(", ")
                    ));
                }
            }
        }
        if out.is_empty() {
            return Err("--checks names no check".into());
        }
        out.sort();
        Ok(out)
    }
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a case promised about its request, which decides what its answer may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Valid per the spec: must not be refused as invalid (400/422).
    Accept,
    /// Invalid per the spec: must not be answered 2xx.
    Reject,
    /// Without or with wrong credentials on an operation that requires them: not 2xx.
    Unauthorized,
    /// A method the path does not declare: 405 with `Allow`.
    NotAllowed,
    /// Nothing beyond the answer's own conformance (a request of a stateful flow whose
    /// data came from the server).
    Conform,
}

/// One check that failed on an answer.
#[derive(Clone, Debug)]
pub struct Failure {
    /// Which.
    pub check: Check,
    /// What was seen.
    pub message: String,
    /// The spec's keyword and where it is written, when a schema is involved.
    pub violation: Option<Violation>,
}

/// The checks of `enabled` that `answer` fails, given what the case expected and the
/// validator's verdict on the response (`response`).
pub fn failures(
    enabled: &[Check],
    expect: Expect,
    answer: &Answer,
    response: &[Violation],
) -> Vec<Failure> {
    let mut out = Vec::new();
    let mut fail = |check: Check, message: String, violation: Option<Violation>| {
        if enabled.contains(&check) {
            out.push(Failure {
                check,
                message,
                violation,
            });
        }
    };
    let status = answer.status;
    if status >= 500 {
        fail(
            Check::NotAServerError,
            format!("the server answered {status}"),
            None,
        );
    }
    let success = (200..300).contains(&status);
    match expect {
        Expect::Reject if success => fail(
            Check::NegativeDataRejection,
            format!("a request the spec forbids was answered {status}"),
            None,
        ),
        Expect::Accept if status == 400 || status == 422 => fail(
            Check::PositiveDataAcceptance,
            format!("a request the spec allows was refused with {status}"),
            None,
        ),
        Expect::Unauthorized if success => fail(
            Check::IgnoredAuth,
            format!("a request without valid credentials was answered {status}"),
            None,
        ),
        Expect::NotAllowed => {
            if status != 405 {
                fail(
                    Check::UnsupportedMethod,
                    format!("an undeclared method was answered {status}, not 405"),
                    None,
                );
            } else if answer.header("allow").is_none() {
                fail(
                    Check::UnsupportedMethod,
                    "405 without an `Allow` header".into(),
                    None,
                );
            }
            // The answer to an undeclared method has no documented shape.
            return out;
        }
        _ => {}
    }
    for v in response {
        let check = match v.kind {
            Kind::UndocumentedStatus => Check::StatusCodeConformance,
            Kind::MissingContentType | Kind::UnexpectedContentType => Check::ContentTypeConformance,
            Kind::Schema | Kind::NotJson => Check::ResponseSchemaConformance,
            Kind::Header => Check::ResponseHeadersConformance,
            _ => continue,
        };
        fail(check, v.to_string(), Some(v.clone()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_refuse_unknown_names() {
        assert_eq!(
            Check::parse_list("ignored_auth, not_a_server_error"),
            Ok(vec![Check::NotAServerError, Check::IgnoredAuth])
        );
        assert_eq!(Check::parse_list("all"), Ok(Check::ALL.to_vec()));
        let e = Check::parse_list("not_a_check").unwrap_err();
        assert!(e.contains("unknown check `not_a_check`"), "{e}");
        assert!(Check::parse_list(",").is_err());
    }

    fn answer(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            truncated: false,
        }
    }

    #[test]
    fn each_expectation_fails_its_own_check() {
        let all = Check::ALL;
        let names = |f: Vec<Failure>| f.iter().map(|f| f.check).collect::<Vec<_>>();
        assert_eq!(
            names(failures(&all, Expect::Reject, &answer(201), &[])),
            [Check::NegativeDataRejection]
        );
        assert_eq!(
            names(failures(&all, Expect::Accept, &answer(422), &[])),
            [Check::PositiveDataAcceptance]
        );
        assert_eq!(
            names(failures(&all, Expect::Unauthorized, &answer(200), &[])),
            [Check::IgnoredAuth]
        );
        assert_eq!(
            names(failures(&all, Expect::NotAllowed, &answer(404), &[])),
            [Check::UnsupportedMethod]
        );
        assert_eq!(
            names(failures(&all, Expect::Accept, &answer(500), &[])),
            [Check::NotAServerError]
        );
        assert!(failures(&all, Expect::Reject, &answer(400), &[]).is_empty());
        // A disabled check reports nothing.
        assert!(failures(&[Check::IgnoredAuth], Expect::Reject, &answer(201), &[]).is_empty());
    }
}
