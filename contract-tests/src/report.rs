//! Reports of a contract run: a human table, JSON, and JUnit XML for CI.

use crate::validator::Violation;

/// One checked exchange.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Row {
    /// `METHOD /template`, or the raw request when no operation matched.
    pub operation: String,
    /// The response status.
    pub status: u16,
    /// What was exercised (a scenario name, or `har #3`).
    pub scenario: String,
    /// Everything wrong with it (request and response); empty when it conforms.
    pub violations: Vec<Violation>,
    /// Why it was not run, when it was skipped.
    pub skipped: Option<String>,
}

impl Row {
    /// A checked exchange; skipped (with the spec's reason) when the spec cannot check it.
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
        Row {
            operation,
            status,
            scenario,
            violations,
            skipped,
        }
    }

    /// `pass`, `FAIL` or `skip`.
    pub fn verdict(&self) -> &'static str {
        match (&self.skipped, self.violations.is_empty()) {
            (Some(_), _) => "skip",
            (None, true) => "pass",
            (None, false) => "FAIL",
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
}

/// Counts rows by verdict.
pub fn totals(rows: &[Row]) -> Totals {
    let mut t = Totals::default();
    for r in rows {
        match r.verdict() {
            "pass" => t.passed += 1,
            "skip" => t.skipped += 1,
            _ => t.failed += 1,
        }
    }
    t
}

/// The summary table: operation, status, scenario, verdict, first violation.
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
        "{:<w_op$}  {:>6}  {:<w_sc$}  {:<7}  first violation\n",
        "operation", "status", "scenario", "verdict"
    );
    for r in rows {
        let first = match (&r.skipped, r.violations.first()) {
            (Some(why), _) => why.clone(),
            (None, Some(v)) => v.to_string(),
            (None, None) => String::new(),
        };
        out.push_str(&format!(
            "{:<w_op$}  {:>6}  {:<w_sc$}  {:<7}  {first}\n",
            r.operation,
            r.status,
            r.scenario,
            r.verdict()
        ));
    }
    let t = totals(rows);
    out.push_str(&format!(
        "{} passed, {} failed, {} skipped\n",
        t.passed, t.failed, t.skipped
    ));
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
        if let Some(why) = &r.skipped {
            out.push_str(&format!("<skipped message=\"{}\"/>", xml(why)));
        } else if let Some(first) = r.violations.first() {
            let all: Vec<String> = r.violations.iter().map(ToString::to_string).collect();
            out.push_str(&format!(
                "<failure message=\"{}\">{}</failure>",
                xml(&first.to_string()),
                xml(&all.join("\n"))
            ));
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
        let rows = vec![
            Row {
                operation: "POST /a".into(),
                status: 201,
                scenario: "ok".into(),
                violations: vec![],
                skipped: None,
            },
            Row {
                operation: "POST /a".into(),
                status: 500,
                scenario: "<bad>".into(),
                violations: vec![Violation {
                    kind: Kind::UndocumentedStatus,
                    message: "status 500 & more".into(),
                    instance_path: String::new(),
                    keyword: String::new(),
                    location: None,
                }],
                skipped: None,
            },
            Row {
                operation: "GET /b".into(),
                status: 0,
                scenario: "seeded".into(),
                violations: vec![],
                skipped: Some("no id".into()),
            },
        ];
        let t = table(&rows);
        assert!(
            t.contains("FAIL     undocumented_status: status 500 & more"),
            "{t}"
        );
        assert!(t.ends_with("1 passed, 1 failed, 1 skipped\n"), "{t}");
        assert_eq!(json(&rows)["totals"]["failed"], 1);
        let x = junit(&rows, "contract");
        assert!(
            x.contains("tests=\"3\" failures=\"1\" skipped=\"1\""),
            "{x}"
        );
        assert!(x.contains("&lt;bad&gt;") && x.contains("&amp; more"), "{x}");
    }
}
