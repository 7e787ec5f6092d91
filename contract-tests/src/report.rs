//! Reports of a contract run: a human table, JSON, and JUnit XML for CI.

use crate::validator::Violation;

/// The verdict on one exchange.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// It keeps the contract.
    Pass,
    /// It breaks it.
    Fail,
    /// It was not checked.
    Skip,
}

impl Verdict {
    /// How the table shows it (`pass`, `FAIL`, `skip`).
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "FAIL",
            Verdict::Skip => "skip",
        }
    }
}

/// An answer as reports show it: its status, Content-Type and the start of its body.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Excerpt {
    /// Status (0 when no answer came).
    pub status: u16,
    /// Content-Type.
    pub content_type: Option<String>,
    /// The start of the body.
    pub body: String,
}

impl Excerpt {
    /// At most this many characters of a body are kept.
    pub const BODY_CHARS: usize = 2000;

    /// An excerpt of an answer, its body cut after [`Excerpt::BODY_CHARS`] characters.
    pub fn of(status: u16, content_type: Option<&str>, body: &[u8]) -> Excerpt {
        Excerpt::cut(status, content_type, body, Excerpt::BODY_CHARS)
    }

    /// An excerpt of an answer, its body cut after `limit` characters, secret-named fields
    /// redacted ([`crate::redact::body`]).
    pub fn cut(status: u16, content_type: Option<&str>, body: &[u8], limit: usize) -> Excerpt {
        let shown = crate::redact::body(content_type, body);
        let text = String::from_utf8_lossy(&shown);
        let body = match text.char_indices().nth(limit) {
            Some((cut, _)) => format!("{}…", &text[..cut]),
            None => text.into_owned(),
        };
        Excerpt {
            status,
            content_type: content_type.map(str::to_owned),
            body,
        }
    }
}

/// The exchange behind a row, as a person reproduces it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Shown {
    /// The request as curl (secrets redacted).
    pub curl: String,
    /// The answer.
    pub response: Excerpt,
}

/// One checked exchange.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    /// `METHOD /template`, or the raw request when no operation matched.
    pub operation: String,
    /// The response status.
    pub status: u16,
    /// What was exercised (a scenario name, or `har #3`).
    pub scenario: String,
    /// Pass, fail or skip.
    pub verdict: Verdict,
    /// Where the server (or the exchange as a whole) breaks the contract: each one fails
    /// the row.
    pub violations: Vec<Violation>,
    /// Where the client's request breaks the contract: failures only when requests are
    /// judged strictly (`--strict-requests`).
    pub request_problems: Vec<Violation>,
    /// What a reader should know about a passing exchange ("request invalid: …; rejected
    /// as documented").
    pub notes: Vec<String>,
    /// Why it was not checked, when it was skipped.
    pub skipped: Option<String>,
    /// The request and answer of a failed exchange, when the run saw them.
    pub exchange: Option<Shown>,
}

impl Row {
    /// A checked exchange: failed when it has violations; skipped (with the spec's reason)
    /// when the spec cannot check it.
    pub fn checked(
        operation: String,
        status: u16,
        scenario: String,
        violations: Vec<Violation>,
    ) -> Row {
        let skipped = violations
            .iter()
            .find(|v| v.kind == crate::Kind::SpecProblem)
            .map(|v| v.message.clone());
        let mut row = Row {
            operation,
            status,
            scenario,
            verdict: Verdict::Pass,
            violations,
            request_problems: Vec::new(),
            notes: Vec::new(),
            skipped,
            exchange: None,
        };
        row.decide(false);
        row
    }

    /// An exchange that was not checked, and why.
    pub fn skipped(operation: String, status: u16, scenario: String, why: String) -> Row {
        let mut row = Row::checked(operation, status, scenario, Vec::new());
        row.skip(why);
        row
    }

    /// Marks the row not checked, for `why`.
    pub fn skip(&mut self, why: String) {
        self.skipped = Some(why);
        self.verdict = Verdict::Skip;
    }

    /// Sets the verdict from what the row holds: skipped, else failed by a violation (or,
    /// with `strict_requests`, by a request problem), else passed.
    pub fn decide(&mut self, strict_requests: bool) {
        self.verdict = if self.skipped.is_some() {
            Verdict::Skip
        } else if !self.violations.is_empty()
            || (strict_requests && !self.request_problems.is_empty())
        {
            Verdict::Fail
        } else {
            Verdict::Pass
        };
    }

    /// The line a reader sees first: why it was skipped, the first violation, the first
    /// request problem, or the first note.
    pub fn headline(&self) -> String {
        if let Some(why) = &self.skipped {
            return why.clone();
        }
        match (self.violations.first(), self.request_problems.first()) {
            (Some(v), _) => v.to_string(),
            (None, Some(p)) if self.verdict == Verdict::Fail => format!("request {p}"),
            _ => self.notes.first().cloned().unwrap_or_default(),
        }
    }
}

/// Totals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    /// Exchanges that conform.
    pub passed: usize,
    /// Exchanges with violations.
    pub failed: usize,
    /// Exchanges not run.
    pub skipped: usize,
    /// Contract violations of checked exchanges (the server's answers, or what it accepted).
    pub violations: usize,
    /// Problems of clients' requests in checked exchanges.
    pub request_problems: usize,
}

/// Counts rows by verdict, and violations and request problems apart.
pub fn totals(rows: &[Row]) -> Totals {
    let mut t = Totals::default();
    for r in rows {
        match r.verdict {
            Verdict::Pass => t.passed += 1,
            Verdict::Skip => t.skipped += 1,
            Verdict::Fail => t.failed += 1,
        }
        if r.verdict != Verdict::Skip {
            t.violations += r.violations.len();
            t.request_problems += r.request_problems.len();
        }
    }
    t
}

/// The summary table: operation, status, scenario, verdict, and the first line of what is
/// wrong (or of a note).
pub fn table(rows: &[Row]) -> String {
    let w_op = rows
        .iter()
        .map(|r| r.operation.len())
        .max()
        .unwrap_or(9)
        .max(9);
    let w_sc = rows
        .iter()
        .map(|r| r.scenario.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = format!(
        "{:<w_op$}  {:>6}  {:<w_sc$}  {:<7}  details\n",
        "operation", "status", "scenario", "verdict"
    );
    for r in rows {
        out.push_str(&format!(
            "{:<w_op$}  {:>6}  {:<w_sc$}  {:<7}  {}\n",
            r.operation,
            r.status,
            r.scenario,
            r.verdict.label(),
            r.headline()
        ));
    }
    out.push_str(&summary(&totals(rows)));
    out
}

/// The closing line: verdicts, then contract violations and request problems apart.
pub fn summary(t: &Totals) -> String {
    let mut out = format!(
        "{} passed, {} failed, {} skipped\n",
        t.passed, t.failed, t.skipped
    );
    if t.violations + t.request_problems > 0 {
        out.push_str(&format!(
            "{} contract violation(s); {} client request problem(s)\n",
            t.violations, t.request_problems
        ));
    }
    out
}

/// The JSON report.
pub fn json(rows: &[Row]) -> serde_json::Value {
    serde_json::json!({ "totals": totals(rows), "exchanges": rows })
}

/// Text as XML character data or attribute value; characters XML cannot carry (controls
/// but tab and newline, U+FFFE, U+FFFF) are dropped.
pub(crate) fn xml(text: &str) -> String {
    text.chars()
        .filter(|c| {
            (!c.is_control() || *c == '\n' || *c == '\t') && !matches!(c, '\u{FFFE}' | '\u{FFFF}')
        })
        .map(|c| match c {
            '&' => "&amp;".into(),
            '<' => "&lt;".into(),
            '>' => "&gt;".into(),
            '"' => "&quot;".into(),
            '\'' => "&apos;".into(),
            c => c.to_string(),
        })
        .collect()
}

/// JUnit XML: one test case per exchange, one failure line per violation.
pub fn junit(rows: &[Row], suite: &str) -> String {
    let t = totals(rows);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites><testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
        xml(suite),
        rows.len(),
        t.failed,
        t.skipped
    ));
    for r in rows {
        let name = format!("{} {} {}", r.operation, r.status, r.scenario);
        out.push_str(&format!(
            "  <testcase classname=\"{}\" name=\"{}\">",
            xml(&r.operation),
            xml(&name)
        ));
        match r.verdict {
            Verdict::Skip => out.push_str(&format!(
                "<skipped message=\"{}\"/>",
                xml(r.skipped.as_deref().unwrap_or_default())
            )),
            Verdict::Fail => {
                let mut all: Vec<String> = r.violations.iter().map(ToString::to_string).collect();
                all.extend(r.request_problems.iter().map(|p| format!("request {p}")));
                if let Some(shown) = &r.exchange {
                    all.push(shown.curl.clone());
                }
                out.push_str(&format!(
                    "<failure message=\"{}\">{}</failure>",
                    xml(&r.headline()),
                    xml(&all.join("\n"))
                ));
            }
            Verdict::Pass => {
                if !r.notes.is_empty() {
                    out.push_str(&format!(
                        "<system-out>{}</system-out>",
                        xml(&r.notes.join("\n"))
                    ));
                }
            }
        }
        out.push_str("</testcase>\n");
    }
    out.push_str("</testsuite></testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validator::Kind;

    #[test]
    fn renders_table_json_and_escaped_junit() {
        let violation = |kind, message: &str| Violation {
            kind,
            message: message.into(),
            instance_path: String::new(),
            keyword: String::new(),
            location: None,
        };
        let mut rejected = Row::checked("POST /a".into(), 400, "har #3".into(), vec![]);
        rejected.request_problems = vec![violation(Kind::MissingBody, "no body")];
        rejected.notes = vec!["request invalid: no body; rejected as documented".into()];
        rejected.decide(false);
        let rows = vec![
            Row::checked("POST /a".into(), 201, "ok".into(), vec![]),
            Row::checked(
                "POST /a".into(),
                500,
                "<bad>".into(),
                vec![violation(Kind::UndocumentedStatus, "status 500 & more")],
            ),
            Row::skipped("GET /b".into(), 0, "seeded".into(), "no id".into()),
            rejected.clone(),
        ];
        let t = table(&rows);
        assert!(
            t.contains("FAIL     undocumented_status: status 500 & more"),
            "{t}"
        );
        assert!(t.contains("pass     request invalid: no body"), "{t}");
        assert!(
            t.ends_with(
                "2 passed, 1 failed, 1 skipped\n1 contract violation(s); 1 client request problem(s)\n"
            ),
            "{t}"
        );
        assert_eq!(json(&rows)["totals"]["failed"], 1);
        assert_eq!(json(&rows)["exchanges"][3]["verdict"], "pass");
        let x = junit(&rows, "contract");
        assert!(
            x.contains("tests=\"4\" failures=\"1\" skipped=\"1\""),
            "{x}"
        );
        assert!(x.contains("<system-out>request invalid"), "{x}");
        // Strict: the same request problem fails the row.
        let mut strict = rejected;
        strict.decide(true);
        assert_eq!(strict.verdict, Verdict::Fail);
        assert_eq!(strict.headline(), "request missing_body: no body");
        assert!(x.contains("&lt;bad&gt;") && x.contains("&amp; more"), "{x}");
    }
}
