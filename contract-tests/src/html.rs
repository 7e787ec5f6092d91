//! The report a person opens: one self-contained HTML page (inline style and script, no
//! fetch of any kind) for any contract run: exchanges (the Nango suite, a HAR file, the
//! proxy) and generated cases. It shows the totals, a table per operation (one line per
//! exchange, or per check), and under each line what was wrong: the request as curl, the
//! response's start, and each violated keyword with where it is written. Lines can be
//! filtered by verdict; the script counts the lines it shows, so a browser renders the
//! same numbers the JSON report holds.

use crate::explore::Outcome;
use crate::explore::report::{Cell, grid};
use crate::report::{Row, Shown, Verdict, totals, xml};
use crate::validator::Violation;
use std::fmt::Write;

/// What one run produced.
#[derive(Clone, Copy, Debug)]
pub struct Run<'r> {
    /// The page's title (`contract --har traffic.har`).
    pub title: &'r str,
    /// Checked exchanges, when the run checked any.
    pub rows: Option<&'r [Row]>,
    /// Generated cases, when the run sent any.
    pub generated: Option<&'r Outcome>,
}

const STYLE: &str = "
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}h3{font-size:1em;font-family:monospace}
table{border-collapse:collapse;width:100%;margin:.4em 0 1em}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.pass td.v{color:#17692b}.fail td.v{color:#b00020;font-weight:bold}.skip td.v{color:#777}
pre{white-space:pre-wrap;word-break:break-all;background:#f7f7f7;padding:.4em;margin:.2em 0}
dl.totals{display:flex;flex-wrap:wrap;gap:.3em 1.6em}dl.totals dt{font-weight:bold}
dl.totals dd{margin:0 0 0 .3em}#filter{margin:1em 0;border:1px solid #ccc;padding:.5em}
tr.hidden{display:none}.note{color:#555}
";

/// Hides the lines of unticked verdicts; counts the lines of each verdict into the
/// `data-lines` spans; marks the body ready (or records the first error).
const SCRIPT: &str = r#"
window.addEventListener('error', function (e) { document.body.setAttribute('data-error', String(e.message)); });
(function () {
  var boxes = document.querySelectorAll('#filter input[type=checkbox]');
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    document.querySelectorAll('tr[data-verdict]').forEach(function (tr) {
      tr.classList.toggle('hidden', !on[tr.getAttribute('data-verdict')]);
    });
  }
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  document.querySelectorAll('[data-lines]').forEach(function (span) {
    var section = span.getAttribute('data-section');
    var verdict = span.getAttribute('data-lines');
    var n = document.querySelectorAll('#' + section + ' tr[data-verdict=' + verdict + ']').length;
    span.textContent = String(n);
  });
  apply();
  document.body.setAttribute('data-ready', '1');
})();
"#;

/// The page for a run.
pub fn page(run: &Run<'_>) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n",
        xml(run.title),
        xml(run.title)
    );
    out.push_str(
        "<fieldset id=\"filter\"><legend>Show</legend>\
         <label><input type=\"checkbox\" value=\"fail\" checked> failed</label> \
         <label><input type=\"checkbox\" value=\"pass\" checked> passed</label> \
         <label><input type=\"checkbox\" value=\"skip\" checked> skipped</label></fieldset>\n",
    );
    if let Some(rows) = run.rows {
        exchanges(&mut out, rows);
    }
    if let Some(outcome) = run.generated {
        generated(&mut out, outcome);
    }
    let _ = write!(out, "<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

/// `name: value` pairs as the totals list; `counted` adds what the script counts.
fn totals_list(out: &mut String, section: &str, pairs: &[(&str, &str, usize)]) {
    out.push_str("<dl class=\"totals\">");
    for (key, label, n) in pairs {
        let _ = write!(
            out,
            "<div><dt>{label}</dt><dd data-total=\"{section}.{key}\">{n}</dd></div>"
        );
    }
    for (verdict, label) in [
        ("pass", "lines passed"),
        ("fail", "lines failed"),
        ("skip", "lines skipped"),
    ] {
        let _ = write!(
            out,
            "<div><dt>{label}</dt><dd><span data-section=\"{section}\" data-lines=\"{verdict}\">?</span></dd></div>"
        );
    }
    out.push_str("</dl>\n");
}

fn verdict_class(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "pass",
        Verdict::Fail => "fail",
        Verdict::Skip => "skip",
    }
}

/// Rows grouped by operation, in the order operations first appear.
fn by_operation(rows: &[Row]) -> Vec<(&str, Vec<&Row>)> {
    let mut groups: Vec<(&str, Vec<&Row>)> = Vec::new();
    let mut index: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for row in rows {
        let at = *index.entry(&row.operation).or_insert_with(|| {
            groups.push((&row.operation, Vec::new()));
            groups.len() - 1
        });
        if let Some((_, list)) = groups.get_mut(at) {
            list.push(row);
        }
    }
    groups
}

fn exchanges(out: &mut String, rows: &[Row]) {
    let t = totals(rows);
    out.push_str("<section id=\"exchanges\"><h2>Exchanges</h2>\n");
    totals_list(
        out,
        "exchanges",
        &[
            ("passed", "passed", t.passed),
            ("failed", "failed", t.failed),
            ("skipped", "skipped", t.skipped),
            ("violations", "contract violations", t.violations),
            (
                "request_problems",
                "client request problems",
                t.request_problems,
            ),
        ],
    );
    for (operation, list) in by_operation(rows) {
        let _ = write!(
            out,
            "<h3>{}</h3>\n<table><tr><th>status</th><th>exchange</th><th>verdict</th><th>checks</th><th>details</th></tr>\n",
            xml(operation)
        );
        for row in list {
            let class = verdict_class(row.verdict);
            let mut kinds: Vec<&str> = row
                .violations
                .iter()
                .chain(&row.request_problems)
                .map(|v| v.kind.as_str())
                .collect();
            kinds.sort_unstable();
            kinds.dedup();
            let _ = write!(
                out,
                "<tr class=\"{class}\" data-verdict=\"{class}\"><td>{}</td><td>{}</td><td class=\"v\">{}</td><td>{}</td><td>",
                row.status,
                xml(&row.scenario),
                row.verdict.label(),
                xml(&kinds.join(", "))
            );
            if let Some(why) = &row.skipped {
                let _ = write!(out, "<p class=\"note\">not checked: {}</p>", xml(why));
            }
            for note in &row.notes {
                let _ = write!(out, "<p class=\"note\">{}</p>", xml(note));
            }
            violations(out, "contract violations", &row.violations);
            violations(out, "request problems", &row.request_problems);
            if row.verdict == Verdict::Fail
                && let Some(shown) = &row.exchange
            {
                exchange(out, shown);
            }
            out.push_str("</td></tr>\n");
        }
        out.push_str("</table>\n");
    }
    out.push_str("</section>\n");
}

fn violations(out: &mut String, title: &str, list: &[Violation]) {
    if list.is_empty() {
        return;
    }
    let _ = write!(out, "<p>{title}:</p><ul>");
    for v in list {
        let _ = write!(out, "<li><code>{}</code>", v.kind.as_str());
        if !v.instance_path.is_empty() {
            let _ = write!(out, " at <code>{}</code>", xml(&v.instance_path));
        }
        let _ = write!(out, " {}", xml(&v.message));
        keyword(out, &v.keyword, v.location.as_deref());
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

fn keyword(out: &mut String, keyword: &str, location: Option<&str>) {
    if keyword.is_empty() {
        return;
    }
    let _ = write!(out, "<br>keyword <code>{}</code>", xml(keyword));
    if let Some(l) = location {
        let _ = write!(out, " written at <code>{}</code>", xml(l));
    }
}

fn exchange(out: &mut String, shown: &Shown) {
    let r = &shown.response;
    let _ = write!(
        out,
        "<p>request:</p><pre>{}</pre><p>response: {} {}</p><pre>{}</pre>",
        xml(&shown.curl),
        r.status,
        xml(r.content_type.as_deref().unwrap_or("(no content type)")),
        xml(&r.body)
    );
}

fn generated(out: &mut String, outcome: &Outcome) {
    let cells = grid(outcome);
    out.push_str("<section id=\"generated\"><h2>Generated cases</h2>\n");
    totals_list(
        out,
        "generated",
        &[
            ("operations", "operations", outcome.operations.len()),
            ("cases", "cases", outcome.cases),
            ("requests", "requests", outcome.requests),
            ("findings", "findings", outcome.findings.len()),
        ],
    );
    let mut start = 0;
    while start < cells.len() {
        let operation = cells[start].operation;
        let end = cells[start..]
            .iter()
            .position(|c| c.operation != operation)
            .map_or(cells.len(), |n| start + n);
        let _ = write!(
            out,
            "<h3>{}</h3>\n<table><tr><th>check</th><th>verdict</th><th>details</th></tr>\n",
            xml(operation)
        );
        for cell in &cells[start..end] {
            cell_row(out, cell);
        }
        out.push_str("</table>\n");
        start = end;
    }
    out.push_str("</section>\n");
}

fn cell_row(out: &mut String, cell: &Cell<'_>) {
    let class = verdict_class(cell.verdict);
    let _ = write!(
        out,
        "<tr class=\"{class}\" data-verdict=\"{class}\"><td>{}</td><td class=\"v\">{}</td><td>",
        cell.check.as_str(),
        cell.verdict.label()
    );
    if let Some(why) = cell.skipped {
        let _ = write!(out, "<p class=\"note\">not tested: {}</p>", xml(why));
    }
    for f in &cell.findings {
        let _ = write!(
            out,
            "<p><b>status {}</b>: {}<br>found by: <code>{}</code>",
            f.status,
            xml(&f.message),
            xml(&f.case)
        );
        if let Some(v) = &f.violation {
            if !v.instance_path.is_empty() {
                let _ = write!(out, "<br>at <code>{}</code>", xml(&v.instance_path));
            }
            keyword(out, &v.keyword, v.location.as_deref());
        }
        out.push_str("</p>");
        exchange(
            out,
            &Shown {
                curl: f.curl.clone(),
                response: f.response.clone(),
            },
        );
    }
    out.push_str("</td></tr>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::Excerpt;
    use crate::validator::Kind;

    fn rows() -> Vec<Row> {
        let mut bad = Row::checked(
            "POST /a".into(),
            200,
            "har #1 <x>".into(),
            vec![Violation {
                kind: Kind::Schema,
                message: "\"id\" is a required property".into(),
                instance_path: "/data".into(),
                keyword: "#/components/schemas/A/required".into(),
                location: Some("spec.yaml:12:7".into()),
            }],
        );
        bad.exchange = Some(Shown {
            curl: "curl -X POST 'http://h/a' -H 'Authorization: Bearer [REDACTED]'".into(),
            response: Excerpt::of(200, Some("application/json"), b"{\"data\":{}}"),
        });
        vec![
            Row::checked("GET /a".into(), 200, "har #0".into(), vec![]),
            bad,
            Row::skipped("GET /b".into(), 0, "har #2".into(), "no id".into()),
        ]
    }

    #[test]
    fn the_page_is_self_contained_and_escapes_what_it_shows() {
        let rows = rows();
        let html = page(&Run {
            title: "contract --har x.har",
            rows: Some(&rows),
            generated: None,
        });
        assert!(html.starts_with("<!DOCTYPE html>"));
        for fetch in [
            "<link",
            "src=",
            "url(",
            "@import",
            "fetch(",
            "XMLHttpRequest",
        ] {
            assert!(!html.contains(fetch), "the page fetches: {fetch}");
        }
        assert!(html.contains("har #1 &lt;x&gt;"), "{html}");
        assert!(
            html.contains("data-total=\"exchanges.failed\">1<"),
            "{html}"
        );
        assert!(html.contains("spec.yaml:12:7"));
        // The failed line shows its reproduction; the passing one shows none.
        assert_eq!(html.matches("<p>request:</p>").count(), 1);
        assert_eq!(html.matches("data-verdict=\"fail\"").count(), 1);
        assert_eq!(html.matches("data-verdict=\"pass\"").count(), 1);
        assert_eq!(html.matches("data-verdict=\"skip\"").count(), 1);
    }
}
