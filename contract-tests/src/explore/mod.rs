//! Contract testing driven by the spec, for any API: cases generated for every operation
//! ([`cases`]) are sent to a running server ([`send`]), each judged by the validator before
//! it goes (positive or negative, so the expectation is the spec's, not a guess) and its
//! answer after ([`checks`]); stateful flows follow ([`stateful`]). A finding is kept once
//! per (operation, check, status) and shrunk to the least request that still shows it
//! ([`shrink`]); exploring an operation goes on after its first finding.
//!
//! Deterministic for a seed: cases, their order and the requests are fixed by it (a server
//! that answers the same way gives the same findings).

pub mod cases;
pub mod checks;
pub mod edges;
mod methods;
pub mod report;
pub mod send;
pub mod shrink;
pub mod stateful;

use crate::ContractValidator;
use crate::requests::{self, Made};
use crate::validator::{Kind, Violation};
use cases::{Auth, Case};
use checks::{Check, Expect, Failure};
use codegen::model::http::Endpoint;
use openapi_runtime::client::credentials::Credentials;
use openapi_runtime::operation::{BodyKind, KeyLocation, Operation, SchemeKind};
use send::{Answer, SendError, Sender};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What a run sends and checks.
#[derive(Clone, Debug)]
pub struct Config {
    /// The server under test (`http://127.0.0.1:8080`, a path prefix allowed).
    pub base_url: String,
    /// Headers sent with every request (`-H`): credentials or anything else.
    pub headers: Vec<(String, String)>,
    /// Seed of every made value.
    pub seed: u64,
    /// Cases made from further seeds, per operation, beyond the systematic ones.
    pub max_examples: usize,
    /// The checks to apply.
    pub checks: Vec<Check>,
    /// How long one request may take.
    pub timeout: Duration,
    /// Requests one finding's shrinking may spend.
    pub shrink_budget: usize,
    /// Requests all shrinking of a run may spend together (a server with many findings
    /// does not multiply the run's length).
    pub shrink_total: usize,
    /// Values every valid request uses for parameters and body properties of these names
    /// (`--value`): ids of resources that exist on the server, so a valid request is not
    /// refused for naming nothing.
    pub pins: serde_json::Map<String, serde_json::Value>,
}

impl Config {
    /// Defaults for a server at `base_url`: every check, seed 0, 10 further examples.
    pub fn new(base_url: impl Into<String>) -> Config {
        Config {
            base_url: base_url.into(),
            headers: Vec::new(),
            seed: 0,
            max_examples: 10,
            checks: Check::ALL.to_vec(),
            timeout: Duration::from_secs(10),
            shrink_budget: 60,
            shrink_total: 3_000,
            pins: serde_json::Map::new(),
        }
    }
}

impl Config {
    /// What Nango's generated cases need, where `-H` and `--value` do not say otherwise:
    /// the secret key as bearer credential, and the target's integration and connection for
    /// the parameters and properties that name them (the spec cannot say that an
    /// integration must exist, and the server refuses unknown ones with 400).
    pub fn nango(&mut self, target: &crate::suite::Target) {
        if !self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        {
            self.headers.push((
                "Authorization".into(),
                format!("Bearer {}", target.secret_key),
            ));
        }
        let integration = serde_json::Value::String(target.integration.clone());
        let mut pins = vec![
            ("provider_config_key", integration.clone()),
            ("integration_id", integration.clone()),
            (
                "allowed_integrations",
                serde_json::Value::Array(vec![integration]),
            ),
        ];
        if let Some(c) = &target.session_connection {
            let c = serde_json::Value::String(c.clone());
            pins.extend([("connectionId", c.clone()), ("connection_id", c)]);
        }
        for (name, value) in pins {
            self.pins.entry(name.to_owned()).or_insert(value);
        }
    }
}

/// The answer of a finding, as reports show it.
pub use crate::report::Excerpt;

/// One defect: an operation failed a check with a status.
#[derive(Clone, Debug)]
pub struct Finding {
    /// `METHOD /template`.
    pub operation: String,
    /// The check.
    pub check: Check,
    /// The status that failed it (0 when the server did not answer).
    pub status: u16,
    /// What was seen.
    pub message: String,
    /// The case that showed it first (`body /price = -1`).
    pub case: String,
    /// The least request that still shows it, as curl (steps before it on their own lines).
    pub curl: String,
    /// The answer.
    pub response: Excerpt,
    /// The violated keyword, where it is written, and the instance path.
    pub violation: Option<Violation>,
}

/// One operation's part of a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperationRun {
    /// `METHOD /template`.
    pub operation: String,
    /// Cases sent.
    pub cases: usize,
    /// Findings on it (so far).
    pub findings: usize,
    /// Why it was not tested, when it was not.
    pub skipped: Option<String>,
}

/// What a run found.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Cases sent (each one request, shrinking and flows aside).
    pub cases: usize,
    /// Requests sent in all.
    pub requests: usize,
    /// Findings, sorted by operation, check and status.
    pub findings: Vec<Finding>,
    /// Every operation, in spec order.
    pub operations: Vec<OperationRun>,
    /// The checks that were applied.
    pub checks: Vec<Check>,
    /// OpenAPI links followed (with a 2xx answer to follow them from).
    pub links: usize,
    /// Wall time.
    pub elapsed: Duration,
}

impl Outcome {
    /// Operations not tested.
    pub fn skipped(&self) -> usize {
        self.operations
            .iter()
            .filter(|o| o.skipped.is_some())
            .count()
    }
}

/// A finding before it is shrunk and reported.
struct Pending {
    op: usize,
    /// The case, when it can be shrunk (flows cannot).
    case: Option<Case>,
    expect: Expect,
    /// The request's violations (negative cases keep to a subset of them when shrunk).
    violations: Vec<(Kind, String)>,
    /// Requests sent before it (flows), and it.
    steps: Vec<Made>,
    answer: Answer,
    failure: Failure,
}

/// One run against one server.
pub(crate) struct Explorer<'a> {
    validator: &'a ContractValidator,
    config: &'a Config,
    sender: Sender,
    doc: &'a serde_json::Value,
    ops: Vec<(Operation, &'a Endpoint)>,
    /// Credentials made up for operations when the run gives none (`-H`).
    made_up: Credentials,
    /// Whether `-H` carries credentials.
    given_credentials: bool,
    /// Header names that carry credentials (`authorization`, API key headers, `cookie`).
    credential_headers: Vec<String>,
    cases: usize,
    requests: usize,
    answered: usize,
    /// Requests spent shrinking so far.
    shrunk: usize,
    links: usize,
    pending: BTreeMap<(String, Check, u16), Pending>,
}

/// Runs every generated case of every operation, the stateful flows and the undeclared
/// methods against `config.base_url`; `progress` hears of each operation when it is done.
/// Fails only when the server cannot be reached at all.
pub async fn run(
    validator: &ContractValidator,
    config: &Config,
    progress: &mut dyn FnMut(&OperationRun),
) -> Result<Outcome, SendError> {
    let started = Instant::now();
    let mut explorer = Explorer::new(validator, config)?;
    let mut operations = Vec::new();
    for i in 0..explorer.ops.len() {
        let run = explorer.explore(i).await;
        if explorer.requests > 0 && explorer.answered == 0 {
            return Err(SendError::new(format!(
                "{} does not answer (is the server running?)",
                config.base_url
            )));
        }
        progress(&run);
        operations.push(run);
    }
    explorer.undeclared_methods().await;
    explorer.flows().await;
    explorer.links().await;
    let findings = explorer.finish().await;
    for run in &mut operations {
        run.findings = findings
            .iter()
            .filter(|f| f.operation == run.operation)
            .count();
    }
    Ok(Outcome {
        cases: explorer.cases,
        requests: explorer.requests,
        findings,
        operations,
        checks: config.checks.clone(),
        links: explorer.links,
        elapsed: started.elapsed(),
    })
}

impl<'a> Explorer<'a> {
    fn new(
        validator: &'a ContractValidator,
        config: &'a Config,
    ) -> Result<Explorer<'a>, SendError> {
        let http = validator.http();
        let schemes = http.runtime_schemes();
        let ops = http
            .endpoints
            .iter()
            .map(|e| (e.describe(&schemes), e))
            .collect();
        let mut credential_headers: Vec<String> = vec![
            "authorization".into(),
            "cookie".into(),
            "proxy-authorization".into(),
        ];
        for s in &http.schemes {
            if let SchemeKind::ApiKey {
                name,
                location: KeyLocation::Header,
            } = &s.runtime_kind()
            {
                credential_headers.push(name.to_ascii_lowercase());
            }
        }
        let given_credentials = config
            .headers
            .iter()
            .any(|(k, _)| credential_headers.contains(&k.to_ascii_lowercase()));
        Ok(Explorer {
            validator,
            config,
            sender: Sender::new(&config.base_url, config.timeout)?,
            doc: validator.document(),
            ops,
            made_up: requests::any_credentials(http, "contract-test-token"),
            given_credentials,
            credential_headers,
            cases: 0,
            requests: 0,
            answered: 0,
            shrunk: 0,
            links: 0,
            pending: BTreeMap::new(),
        })
    }

    /// Sends every case of operation `i`.
    async fn explore(&mut self, i: usize) -> OperationRun {
        let (op, endpoint) = &self.ops[i];
        let label = op.label();
        let source = cases::Source {
            op,
            endpoint,
            doc: self.doc,
            seed: self.config.seed,
            random: self.config.max_examples,
            has_credentials: self.given_credentials,
            pins: &self.config.pins,
        };
        if op.path.contains('?') {
            return OperationRun {
                operation: label,
                cases: 0,
                findings: 0,
                skipped: Some(
                    "its path template carries a query string, which OpenAPI does not allow (`cargo xtask lint`)"
                        .into(),
                ),
            };
        }
        let generated = cases::generate(&source);
        let before = self.cases;
        let mut skipped = None;
        for case in &generated {
            if let Err(Unjudged::Spec(reason)) = self.try_case(i, case).await {
                skipped = Some(format!("the spec cannot judge its requests: {reason}"));
                break;
            }
        }
        if skipped.is_none() && self.cases == before {
            skipped = Some("no request could be made from its description".into());
        }
        OperationRun {
            operation: label,
            cases: self.cases - before,
            findings: 0,
            skipped,
        }
    }

    /// A case as a request.
    fn made(&self, i: usize, case: &Case) -> Option<Made> {
        let (op, _) = self.ops.get(i)?;
        let none = Credentials::default();
        let credentials = if case.auth == Auth::Valid && !self.given_credentials {
            &self.made_up
        } else {
            &none
        };
        // Bodies the runner cannot encode from their schema (multipart, XML, binary) would
        // be judged valid while no server could read them: such cases are not sent.
        if let Some((media, kind, _)) = &case.parts.body {
            let plain =
                openapi_runtime::operation::essence(media).eq_ignore_ascii_case("text/plain");
            if *kind == BodyKind::Bytes || (*kind == BodyKind::Text && !plain) {
                return None;
            }
        }
        let mut made = requests::build(op, &case.parts, credentials).ok()?;
        if let Some(m) = &case.method {
            made.method = m.clone();
        }
        if let Some(ct) = &case.content_type {
            made.headers
                .retain(|(k, _)| !k.eq_ignore_ascii_case("content-type"));
            made.headers.push(("content-type".into(), ct.clone()));
            if let Some((media, _)) = &mut made.body {
                *media = ct.clone();
            }
        }
        for (name, value) in &self.config.headers {
            let lower = name.to_ascii_lowercase();
            let credential = self.credential_headers.contains(&lower);
            let value = match case.auth {
                Auth::Missing if credential => continue,
                Auth::Invalid if credential => spoil(value),
                _ => value.clone(),
            };
            made.headers.retain(|(k, _)| !k.eq_ignore_ascii_case(name));
            made.headers.push((name.clone(), value));
        }
        Some(made)
    }

    /// What the spec says of a request: the expectation and the request's violations, or
    /// why the case cannot be judged.
    fn judge(&self, case: &Case, made: &Made) -> Result<(Expect, Vec<(Kind, String)>), Unjudged> {
        let body = made.body.as_ref().map_or(&[][..], |(_, b)| b.as_slice());
        let report = self.validator.check_request(
            &made.method,
            &made.target,
            &made.headers,
            made.content_type(),
            body,
        );
        if case.method.is_some() {
            // Undeclared for this template, but perhaps declared by another that matches
            // the same path (`/a/{id}` and `/a/{name}`).
            let unknown = report
                .violations
                .iter()
                .any(|v| v.kind == Kind::UnknownOperation);
            return if unknown {
                Ok((Expect::NotAllowed, Vec::new()))
            } else {
                Err(Unjudged::Mixed)
            };
        }
        if let Some(v) = report
            .violations
            .iter()
            .find(|v| v.kind == Kind::SpecProblem)
        {
            return Err(Unjudged::Spec(v.message.clone()));
        }
        if report
            .violations
            .iter()
            .any(|v| v.kind == Kind::UnknownOperation)
        {
            // The values made a path no template matches (an empty segment): this case only.
            return Err(Unjudged::Mixed);
        }
        let violations: Vec<(Kind, String)> = report
            .violations
            .iter()
            .map(|v| (v.kind, v.instance_path.clone()))
            .collect();
        let security = violations.iter().any(|(k, _)| *k == Kind::Security);
        let expect = match case.auth {
            Auth::Missing | Auth::Invalid
                if violations.iter().all(|(k, _)| *k == Kind::Security) =>
            {
                Expect::Unauthorized
            }
            Auth::Valid if violations.is_empty() => Expect::Accept,
            Auth::Valid if !security => Expect::Reject,
            _ => return Err(Unjudged::Mixed),
        };
        Ok((expect, violations))
    }

    /// Sends one request, counting it.
    async fn send(&mut self, made: &Made) -> Result<Answer, SendError> {
        self.requests += 1;
        let answer = self.sender.send(made).await;
        if answer.is_ok() {
            self.answered += 1;
        }
        answer
    }

    /// The checks an answer fails (a request that got no answer fails `not_a_server_error`).
    fn failures(
        &self,
        expect: Expect,
        made: &Made,
        answer: &Result<Answer, SendError>,
    ) -> Vec<Failure> {
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                return if self.config.checks.contains(&Check::NotAServerError) {
                    vec![Failure {
                        check: Check::NotAServerError,
                        message: format!("no answer: {e}"),
                        violation: None,
                    }]
                } else {
                    Vec::new()
                };
            }
        };
        let mut response = Vec::new();
        if expect != Expect::NotAllowed && !answer.truncated {
            response = self
                .validator
                .check_response(
                    &made.method,
                    &made.target,
                    answer.status,
                    answer.content_type(),
                    &answer.body,
                )
                .violations;
            response.extend(
                self.validator
                    .check_response_headers(
                        &made.method,
                        &made.target,
                        answer.status,
                        &answer.headers,
                    )
                    .violations,
            );
        }
        checks::failures(&self.config.checks, expect, answer, &response)
    }

    /// Judges, sends and checks one case; Err when it cannot be judged.
    async fn try_case(&mut self, i: usize, case: &Case) -> Result<(), Unjudged> {
        let made = self.made(i, case).ok_or(Unjudged::Unserializable)?;
        let (expect, violations) = self.judge(case, &made)?;
        if expect == Expect::Accept && !cases::respects(&case.parts, &self.config.pins) {
            // A valid request naming something else than the pinned resource proves nothing.
            return Ok(());
        }
        self.cases += 1;
        let answer = self.send(&made).await;
        if let Err(e) = &answer
            && e.local()
        {
            // The request could not be built (a header value no client can send).
            return Err(Unjudged::Unserializable);
        }
        let failures = self.failures(expect, &made, &answer);
        let operation = match &case.method {
            Some(m) => format!("{m} {}", self.ops[i].0.path),
            None => self.ops[i].0.label(),
        };
        for failure in failures {
            let status = answer.as_ref().map_or(0, |a| a.status);
            let key = (operation.clone(), failure.check, status);
            self.pending.entry(key).or_insert_with(|| Pending {
                op: i,
                case: Some(case.clone()),
                expect,
                violations: violations.clone(),
                steps: vec![made.clone()],
                answer: answer.clone().unwrap_or_else(|_| no_answer()),
                failure,
            });
        }
        Ok(())
    }

    /// Records a finding of a flow (not shrunk): `steps` are the requests, the last one's
    /// answer `answer`.
    fn flow_finding(&mut self, i: usize, steps: Vec<Made>, answer: Answer, failure: Failure) {
        let Some(last) = steps.last() else { return };
        let operation = match self.ops.get(i) {
            Some((op, _)) if op.method.eq_ignore_ascii_case(&last.method) => op.label(),
            Some((op, _)) => format!("{} {}", last.method, op.path),
            None => return,
        };
        let key = (operation, failure.check, answer.status);
        self.pending.entry(key).or_insert(Pending {
            op: i,
            case: None,
            expect: Expect::Conform,
            violations: Vec::new(),
            steps,
            answer,
            failure,
        });
    }

    /// Shrinks every finding and turns it into its report.
    async fn finish(&mut self) -> Vec<Finding> {
        let pending = std::mem::take(&mut self.pending);
        let mut out = Vec::new();
        for ((operation, check, status), mut p) in pending {
            // A finding without an answer (status 0) is not shrunk: each try could wait the
            // whole timeout.
            if p.case.is_some() && status != 0 {
                self.shrink(&mut p, check, status).await;
            }
            let curl = p
                .steps
                .iter()
                .map(|m| {
                    send::curl(
                        m,
                        self.config.base_url.trim_end_matches('/'),
                        &self.credential_headers,
                    )
                })
                .collect::<Vec<_>>()
                .join("\n");
            out.push(Finding {
                operation,
                check,
                status,
                message: p.failure.message,
                case: p
                    .case
                    .map(|c| c.label)
                    .unwrap_or_else(|| "stateful flow".into()),
                curl,
                response: Excerpt::cut(
                    p.answer.status,
                    p.answer.content_type(),
                    &p.answer.body,
                    400,
                ),
                violation: p.failure.violation,
            });
        }
        out
    }

    /// Replaces the finding's case by smaller ones that still fail `check` with `status`.
    async fn shrink(&mut self, p: &mut Pending, check: Check, status: u16) {
        let Some(mut current) = p.case.clone() else {
            return;
        };
        let required: Vec<String> = self.ops[p.op]
            .0
            .params
            .iter()
            .filter(|q| q.required)
            .map(|q| q.name.to_string())
            .collect();
        let required: Vec<&str> = required.iter().map(String::as_str).collect();
        let mut budget = self
            .config
            .shrink_budget
            .min(self.config.shrink_total.saturating_sub(self.shrunk));
        'outer: while budget > 0 {
            for candidate in shrink::candidates(&current, &required) {
                if budget == 0 {
                    break 'outer;
                }
                let Some(made) = self.made(p.op, &candidate) else {
                    continue;
                };
                let Ok((expect, violations)) = self.judge(&candidate, &made) else {
                    continue;
                };
                let same_rule = violations.iter().all(|v| p.violations.contains(v));
                let pinned = expect != Expect::Accept
                    || cases::respects(&candidate.parts, &self.config.pins);
                if expect != p.expect || !same_rule || !pinned {
                    continue;
                }
                budget -= 1;
                self.shrunk += 1;
                let answer = self.send(&made).await;
                let Ok(a) = &answer else { continue };
                if a.status != status {
                    continue;
                }
                if let Some(f) = self
                    .failures(expect, &made, &answer)
                    .into_iter()
                    .find(|f| f.check == check)
                {
                    current = candidate;
                    p.steps = vec![made];
                    p.answer = a.clone();
                    p.failure = f;
                    p.violations = violations;
                    continue 'outer;
                }
            }
            break;
        }
        p.case = Some(current);
    }
}

/// Why a case is not sent.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Unjudged {
    /// The spec cannot check the operation's requests (a schema that does not compile):
    /// the operation is skipped.
    Spec(String),
    /// Credentials and something else are wrong at once: no single expectation.
    Mixed,
    /// The values cannot be serialized as the operation describes (a path value missing).
    Unserializable,
}

/// A credential header's value with its secret replaced (the scheme word kept).
fn spoil(value: &str) -> String {
    match value.split_once(' ') {
        Some((scheme, _)) if scheme.eq_ignore_ascii_case("basic") => {
            format!("{scheme} aW52YWxpZDppbnZhbGlk")
        }
        Some((scheme, _)) => format!("{scheme} invalid-contract-test-credential"),
        None => "invalid-contract-test-credential".into(),
    }
}

/// The answer recorded for a request that got none.
fn no_answer() -> Answer {
    Answer {
        status: 0,
        headers: Vec::new(),
        body: Vec::new(),
        truncated: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spoiled_credentials_keep_their_scheme() {
        assert_eq!(
            spoil("Bearer abc"),
            "Bearer invalid-contract-test-credential"
        );
        assert_eq!(spoil("Basic dXNlcjpwdw=="), "Basic aW52YWxpZDppbnZhbGlk");
        assert_eq!(spoil("k3y"), "invalid-contract-test-credential");
    }
}
