//! Reading schemathesis' text report: the third-party judge the tests and `cargo xtask
//! bench contract` compare against.

/// One failure schemathesis printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// `METHOD /path`, as its block header names it.
    pub operation: String,
    /// The failure's code (`ST103`).
    pub code: String,
    /// The status received, when the failure names one.
    pub received: Option<u16>,
    /// The documented statuses, when the failure lists them.
    pub documented: Vec<String>,
}

/// The failures of schemathesis' text report: per operation block, each `- STnnn` line
/// with the status lines that follow it.
pub fn failures(text: &str) -> Vec<Failure> {
    let mut out: Vec<Failure> = Vec::new();
    let mut operation = String::new();
    let mut in_failures = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.contains("FAILURES") && trimmed.starts_with('=') {
            in_failures = true;
            continue;
        }
        if trimmed.contains("SUMMARY") && trimmed.starts_with('=') {
            break;
        }
        if !in_failures {
            continue;
        }
        if trimmed.starts_with('_') && trimmed.ends_with('_') {
            operation = trimmed.trim_matches('_').trim().to_owned();
        } else if let Some(rest) = trimmed.strip_prefix("- ST") {
            out.push(Failure {
                operation: operation.clone(),
                code: format!("ST{}", rest.split_whitespace().next().unwrap_or("")),
                received: None,
                documented: Vec::new(),
            });
        } else if let (Some(rest), Some(last)) = (trimmed.strip_prefix("Received:"), out.last_mut())
        {
            last.received = rest.trim().parse().ok();
        } else if let (Some(rest), Some(last)) =
            (trimmed.strip_prefix("Documented:"), out.last_mut())
        {
            last.documented = rest.split(',').map(|s| s.trim().to_owned()).collect();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_parser_reads_failures_and_their_statuses() {
        let text = "\
=================================== FAILURES ===================================
_____________________________ DELETE /me/albums ______________________________
1. Test Case ID: fcyxrK

- ST103 Undocumented status code

    Received: 400
    Documented: 200, 4XX

- ST111 Unknown discriminator value
=================================== SUMMARY ====================================
- ST999 not a failure block
";
        let found = failures(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].operation, "DELETE /me/albums");
        assert_eq!(found[0].received, Some(400));
        assert_eq!(found[0].documented, vec!["200", "4XX"]);
        assert_eq!(found[1].code, "ST111");
    }
}
