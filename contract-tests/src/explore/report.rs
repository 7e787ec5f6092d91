//! A run's outcome as people and CI read it: a table for the terminal, JSON, and JUnit XML
//! with one test case per operation and check.

use super::checks::Check;
use super::{Finding, Outcome};
use crate::report::{Verdict, xml};
use serde_json::{Value, json};
use std::fmt::Write;

/// The terminal's closing table: each finding with its reproduction, then the totals.
pub fn table(outcome: &Outcome) -> String {
    let mut out = String::new();
    for (n, f) in outcome.findings.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n{}. {} — {} (status {})",
            n + 1,
            f.operation,
            f.check,
            status(f.status)
        );
        let _ = writeln!(out, "   {}", f.message);
        if let Some(v) = &f.violation
            && !v.keyword.is_empty()
        {
            let _ = write!(out, "   keyword {}", v.keyword);
            if let Some(l) = &v.location {
                let _ = write!(out, " @ {l}");
            }
            out.push('\n');
        }
        let _ = writeln!(out, "   found by: {}", f.case);
        let _ = writeln!(
            out,
            "   response: {} {} {}",
            status(f.response.status),
            f.response
                .content_type
                .as_deref()
                .unwrap_or("(no content type)"),
            one_line(&f.response.body, 160)
        );
        for line in f.curl.lines() {
            let _ = writeln!(out, "   {line}");
        }
    }
    let width = outcome
        .findings
        .iter()
        .map(|f| f.operation.len())
        .max()
        .unwrap_or(9)
        .max(9);
    if !outcome.findings.is_empty() {
        let _ = writeln!(out, "\n{:width$}  {:29}  status", "operation", "check");
        for f in &outcome.findings {
            let _ = writeln!(
                out,
                "{:width$}  {:29}  {}",
                f.operation,
                f.check.as_str(),
                status(f.status)
            );
        }
    }
    let skipped = outcome.skipped();
    let _ = writeln!(
        out,
        "\n{} operations ({} skipped), {} cases, {} requests, {} findings in {:.1}s",
        outcome.operations.len(),
        skipped,
        outcome.cases,
        outcome.requests,
        outcome.findings.len(),
        outcome.elapsed.as_secs_f64()
    );
    for o in &outcome.operations {
        if let Some(reason) = &o.skipped {
            let _ = writeln!(out, "skipped {}: {reason}", o.operation);
        }
    }
    out
}

fn status(s: u16) -> String {
    if s == 0 { "none".into() } else { s.to_string() }
}

/// Text on one line, cut at `limit` characters.
fn one_line(text: &str, limit: usize) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match flat.char_indices().nth(limit) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

/// The JSON report: `{"totals", "cases", "requests", "skipped", "findings": [...]}`, the
/// totals counting operations × checks as [`grid`] does.
pub fn json(outcome: &Outcome) -> Value {
    let findings: Vec<Value> = outcome.findings.iter().map(finding).collect();
    let skipped: Vec<Value> = outcome
        .operations
        .iter()
        .filter_map(|o| {
            o.skipped
                .as_ref()
                .map(|r| json!({"operation": o.operation, "reason": r}))
        })
        .collect();
    let cells = grid(outcome);
    let (passed, failed, skipped_cells) = totals(&cells);
    json!({
        "totals": {
            "tests": cells.len(),
            "passed": passed,
            "failed": failed,
            "skipped": skipped_cells,
            "findings": outcome.findings.len(),
        },
        "cases": outcome.cases,
        "requests": outcome.requests,
        "operations": outcome.operations.len(),
        "skipped": skipped,
        "checks": outcome.checks.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
        "findings": findings,
    })
}

fn finding(f: &Finding) -> Value {
    let mut v = json!({
        "operation": f.operation,
        "check": f.check.as_str(),
        "status": f.status,
        "message": f.message,
        "case": f.case,
        "curl": f.curl,
        "response": {
            "status": f.response.status,
            "content_type": f.response.content_type,
            "body": f.response.body,
        },
    });
    if let (Some(violation), Value::Object(map)) = (&f.violation, &mut v) {
        map.insert("instance_path".into(), json!(violation.instance_path));
        map.insert("keyword".into(), json!(violation.keyword));
        map.insert("location".into(), json!(violation.location));
    }
    v
}

/// JUnit XML: one test case per operation and check, failed when it has findings.
pub fn junit(outcome: &Outcome, suite: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n{}</testsuites>\n",
        junit_suite(outcome, suite)
    )
}

/// One operation under one check.
#[derive(Clone, Debug)]
pub struct Cell<'o> {
    /// `METHOD /template`.
    pub operation: &'o str,
    /// The check.
    pub check: Check,
    /// Failed when it has findings, skipped when the operation was not tested.
    pub verdict: Verdict,
    /// Why the operation was not tested, when it was not.
    pub skipped: Option<&'o str>,
    /// What the check found there.
    pub findings: Vec<&'o Finding>,
}

/// Every operation (in spec order, then any only findings name) under every applied check:
/// the cases of the JUnit report, the JSON totals, and the HTML tables.
pub fn grid(outcome: &Outcome) -> Vec<Cell<'_>> {
    let mut operations: Vec<&str> = outcome
        .operations
        .iter()
        .map(|o| o.operation.as_str())
        .collect();
    for f in &outcome.findings {
        if !operations.contains(&f.operation.as_str()) {
            operations.push(&f.operation);
        }
    }
    let mut cells = Vec::with_capacity(operations.len() * outcome.checks.len());
    for operation in operations {
        let skipped = outcome
            .operations
            .iter()
            .find(|o| o.operation == operation)
            .and_then(|o| o.skipped.as_deref());
        for check in &outcome.checks {
            let findings: Vec<&Finding> = outcome
                .findings
                .iter()
                .filter(|f| f.operation == operation && f.check == *check)
                .collect();
            let verdict = match (skipped, findings.is_empty()) {
                (Some(_), _) => Verdict::Skip,
                (None, false) => Verdict::Fail,
                (None, true) => Verdict::Pass,
            };
            cells.push(Cell {
                operation,
                check: *check,
                verdict,
                skipped,
                findings,
            });
        }
    }
    cells
}

/// How many cells passed, failed and were skipped.
pub fn totals(cells: &[Cell<'_>]) -> (usize, usize, usize) {
    let count = |v: Verdict| cells.iter().filter(|c| c.verdict == v).count();
    (
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Skip),
    )
}

/// The `<testsuite>` element of [`junit`], to place beside other suites.
pub fn junit_suite(outcome: &Outcome, suite: &str) -> String {
    let cells = grid(outcome);
    let (_, failures, skipped) = totals(&cells);
    let mut body = String::new();
    for cell in &cells {
        let _ = write!(
            body,
            "  <testcase classname=\"{}\" name=\"{}\">",
            xml(cell.operation),
            cell.check.as_str()
        );
        if let Some(reason) = cell.skipped {
            let _ = write!(body, "<skipped message=\"{}\"/>", xml(reason));
        } else if let Some(first) = cell.findings.first() {
            let text: Vec<String> = cell
                .findings
                .iter()
                .map(|f| format!("status {}: {}\n{}", status(f.status), f.message, f.curl))
                .collect();
            let _ = write!(
                body,
                "<failure message=\"{}\">{}</failure>",
                xml(&first.message),
                xml(&text.join("\n\n"))
            );
        }
        body.push_str("</testcase>\n");
    }
    format!(
        "<testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\">\n{body}</testsuite>\n",
        xml(suite),
        cells.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::explore::{Excerpt, OperationRun};
    use std::time::Duration;

    fn outcome() -> Outcome {
        Outcome {
            cases: 3,
            requests: 5,
            findings: vec![Finding {
                operation: "GET /pets/{id}".into(),
                check: Check::NotAServerError,
                status: 500,
                message: "the server answered 500".into(),
                case: "path id = \"ü\"".into(),
                curl: "curl -X GET 'http://h/pets/%C3%BC'".into(),
                response: Excerpt {
                    status: 500,
                    content_type: Some("text/plain".into()),
                    body: "boom <\u{1}>".into(),
                },
                violation: None,
            }],
            operations: vec![
                OperationRun {
                    operation: "GET /pets/{id}".into(),
                    cases: 3,
                    findings: 1,
                    skipped: None,
                },
                OperationRun {
                    operation: "POST /pets".into(),
                    cases: 0,
                    findings: 0,
                    skipped: Some("a $ref to nothing".into()),
                },
            ],
            checks: vec![Check::NotAServerError, Check::IgnoredAuth],
            links: 0,
            elapsed: Duration::from_millis(1500),
        }
    }

    #[test]
    fn junit_has_a_case_per_operation_and_check() {
        let xml = junit(&outcome(), "contract");
        assert!(
            xml.contains("tests=\"4\" failures=\"1\" skipped=\"2\""),
            "{xml}"
        );
        assert!(
            xml.contains("<failure message=\"the server answered 500\">"),
            "{xml}"
        );
        assert!(!xml.contains('\u{1}'));
    }

    #[test]
    fn json_names_operation_check_status_and_curl() {
        let v = json(&outcome());
        assert_eq!(v["findings"][0]["operation"], "GET /pets/{id}");
        assert_eq!(v["findings"][0]["check"], "not_a_server_error");
        assert_eq!(v["findings"][0]["status"], 500);
        assert_eq!(v["skipped"][0]["operation"], "POST /pets");
        assert_eq!(v["cases"], 3);
        assert_eq!(
            v["totals"],
            json!({"tests": 4, "passed": 1, "failed": 1, "skipped": 2, "findings": 1})
        );
    }

    #[test]
    fn table_ends_with_totals_and_skips() {
        let t = table(&outcome());
        assert!(
            t.contains("2 operations (1 skipped), 3 cases, 5 requests, 1 findings"),
            "{t}"
        );
        assert!(t.contains("skipped POST /pets: a $ref to nothing"));
        assert!(t.contains("curl -X GET"));
    }
}
