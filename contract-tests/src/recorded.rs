//! One exchange someone else made (recorded in a HAR file, or passing through the proxy),
//! judged against the contract.
//!
//! The verdict is about the server's side of the contract, since the client is not under
//! test: the answer is always checked (documented status, body allowed, Content-Type, body
//! schema, documented headers). The request's problems are kept apart: an invalid request
//! answered by a documented 4xx whose body conforms passes with a note ("rejected as
//! documented"); one answered 2xx is the finding `negative_data_accepted`, or
//! `ignored_auth` when what was missing is the credentials. With `strict_requests`, the
//! request's problems fail the row too. An unknown operation is reported once.

use crate::redact::Redact;
use crate::report::{Excerpt, Row, Shown, Verdict};
use crate::validator::{ContractValidator, Kind, Report, Violation};

/// One exchange as seen: the request (its path as the spec names it, its query kept) and
/// the answer.
#[derive(Clone, Copy, Debug)]
pub struct Seen<'a> {
    /// The request method.
    pub method: &'a str,
    /// Path and query, with the servers' base path removed (`/pets/1?x=2`).
    pub path: &'a str,
    /// The URL the request went to (for the curl line).
    pub url: &'a str,
    /// Request headers.
    pub request_headers: &'a [(String, String)],
    /// The request's Content-Type (its body's media type).
    pub request_content_type: Option<&'a str>,
    /// The request's body.
    pub request_body: &'a [u8],
    /// The response status.
    pub status: u16,
    /// Response headers.
    pub response_headers: &'a [(String, String)],
    /// The response's Content-Type.
    pub response_content_type: Option<&'a str>,
    /// The response's body.
    pub response_body: &'a [u8],
}

/// How strictly exchanges are judged.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    /// Request problems fail the row (for teams that police their clients).
    pub strict_requests: bool,
}

/// Checks the request and the answer; see the module's documentation for the verdict.
pub fn judge(
    validator: &ContractValidator,
    seen: &Seen<'_>,
    rules: Rules,
    redact: &Redact,
    scenario: String,
) -> Row {
    let request = validator.check_request(
        seen.method,
        seen.path,
        seen.request_headers,
        seen.request_content_type,
        seen.request_body,
    );
    judge_with(validator, seen, request, rules, redact, scenario)
}

/// [`judge`] with the request already checked (the proxy checks it before forwarding).
pub fn judge_with(
    validator: &ContractValidator,
    seen: &Seen<'_>,
    request: Report,
    rules: Rules,
    redact: &Redact,
    scenario: String,
) -> Row {
    // The reproduction is kept for failures only: a long recording stays small.
    let shown = || Shown {
        curl: crate::curl::command(
            seen.method,
            &redact.url(seen.url),
            seen.request_headers,
            seen.request_body,
            redact,
        ),
        response: Excerpt::of(seen.status, seen.response_content_type, seen.response_body),
    };
    // What names an exchange no operation matched.
    let as_sent = || format!("{} {}", seen.method.to_uppercase(), path_only(seen.path));
    if seen.status == 0 {
        // Browsers record aborted and blocked requests with status 0: nothing came back.
        let operation = request
            .operation
            .as_deref()
            .map_or_else(as_sent, str::to_owned);
        return Row::skipped(
            operation,
            0,
            scenario,
            "no answer was recorded (status 0)".into(),
        );
    }
    let Some(operation) = request.operation.as_deref().map(str::to_owned) else {
        let preflight = seen.method.eq_ignore_ascii_case("OPTIONS")
            && seen
                .request_headers
                .iter()
                .any(|(k, _)| k.eq_ignore_ascii_case("access-control-request-method"));
        if preflight {
            return Row::skipped(
                format!("OPTIONS {}", path_only(seen.path)),
                seen.status,
                scenario,
                "a CORS preflight, which the spec does not describe".into(),
            );
        }
        // No operation matched: that is the whole story, said once.
        let mut row = Row::checked(as_sent(), seen.status, scenario, request.violations);
        if row.verdict == Verdict::Fail {
            row.exchange = Some(shown());
        }
        return row;
    };
    let mut response = validator.check_response(
        seen.method,
        seen.path,
        seen.status,
        seen.response_content_type,
        seen.response_body,
    );
    response.violations.extend(
        validator
            .check_response_headers(seen.method, seen.path, seen.status, seen.response_headers)
            .violations,
    );
    let (spec_problems, problems): (Vec<Violation>, Vec<Violation>) = request
        .violations
        .into_iter()
        .partition(|v| v.kind == Kind::SpecProblem);
    let mut violations = response.violations;
    // What the spec keeps from checking in the request is said, and the answer still judged.
    let mut notes: Vec<String> = spec_problems
        .iter()
        .map(|p| format!("request {}", p.message))
        .collect();
    if !problems.is_empty() {
        let what = summary(&problems);
        let status = seen.status;
        let success = (200..300).contains(&status);
        let found = if success {
            accepted(&problems, status)
        } else {
            Vec::new()
        };
        notes.push(if !found.is_empty() {
            format!("request invalid: {what}")
        } else if success {
            format!("request invalid: {what}; accepted ({status}), as servers may ignore what they do not know")
        } else if (400..500).contains(&status) && violations.is_empty() {
            format!("request invalid: {what}; rejected as documented ({status})")
        } else {
            format!("request invalid: {what}; answered {status}")
        });
        violations.extend(found);
    }
    let mut row = Row::checked(operation, seen.status, scenario, violations);
    row.request_problems = problems;
    row.notes = notes;
    row.decide(rules.strict_requests);
    if row.verdict == Verdict::Fail {
        row.exchange = Some(shown());
    }
    row
}

/// The findings of a 2xx answer to a request that broke the contract: `ignored_auth` for
/// missing credentials, `negative_data_accepted` for the rest but undeclared query
/// parameters (which stay request problems).
fn accepted(problems: &[Violation], status: u16) -> Vec<Violation> {
    let finding = |kind, message: String| Violation {
        kind,
        message,
        instance_path: String::new(),
        keyword: String::new(),
        location: None,
    };
    let (auth, data): (Vec<&Violation>, Vec<&Violation>) = problems
        .iter()
        // Servers may ignore a query parameter they do not know: not data they accepted.
        .filter(|p| p.kind != Kind::UndeclaredParameter)
        .partition(|p| p.kind == Kind::Security);
    let mut out = Vec::new();
    if let Some(first) = auth.first() {
        out.push(finding(
            Kind::IgnoredAuth,
            format!(
                "answered {status} to a request without valid credentials ({})",
                first.message
            ),
        ));
    }
    if !data.is_empty() {
        let data: Vec<Violation> = data.into_iter().cloned().collect();
        let mut v = finding(
            Kind::NegativeDataAccepted,
            format!(
                "answered {status} to an invalid request ({})",
                summary(&data)
            ),
        );
        // The first problem's place in the spec, so the report points at the rule.
        if let Some(first) = data.first() {
            v.instance_path.clone_from(&first.instance_path);
            v.keyword.clone_from(&first.keyword);
            v.location.clone_from(&first.location);
        }
        out.push(v);
    }
    out
}

/// The first problem, and how many more.
fn summary(problems: &[Violation]) -> String {
    let first = problems
        .first()
        .map(ToString::to_string)
        .unwrap_or_default();
    match problems.len() {
        0 | 1 => first,
        n => format!("{first} (+{} more)", n - 1),
    }
}

/// `/pets/1?x=2` → `/pets/1`.
fn path_only(path: &str) -> &str {
    path.split(['?', '#']).next().unwrap_or(path)
}
