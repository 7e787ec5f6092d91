//! A request as a curl command a person can paste into a shell, secrets redacted: how
//! every report (terminal, JSON, JUnit, HTML) shows the request behind a finding.

use crate::redact::Redact;

/// `curl -X METHOD 'URL' -H 'name: value' … --data-binary 'body'`, each header's value as
/// `redact` shows it (`Authorization: Bearer [REDACTED]`).
pub fn command(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    redact: &Redact,
) -> String {
    let mut out = format!("curl -X {method} {}", quote(url));
    for (name, value) in headers {
        out.push_str(" -H ");
        out.push_str(&quote(&format!("{name}: {}", redact.header(name, value))));
    }
    if !body.is_empty() {
        let content_type = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
            .map(|(_, v)| v.as_str());
        let shown = crate::redact::body(content_type, body);
        out.push_str(" --data-binary ");
        out.push_str(&quote(&String::from_utf8_lossy(&shown)));
    }
    out
}

/// A shell word in single quotes.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_a_shell_would_split_and_redacts_secrets() {
        let headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("Authorization".to_owned(), "Bearer s3cret".to_owned()),
            ("X-Key".to_owned(), "k".to_owned()),
            ("Cookie".to_owned(), "session=abc; theme=dark".to_owned()),
        ];
        let redact = Redact::new(
            ["authorization", "x-key", "cookie"]
                .map(str::to_owned)
                .to_vec(),
            Vec::new(),
        );
        assert_eq!(
            command("POST", "http://h/a b", &headers, br#"{"n":"O'H"}"#, &redact),
            r#"curl -X POST 'http://h/a b' -H 'content-type: application/json' -H 'Authorization: Bearer [REDACTED]' -H 'X-Key: [REDACTED]' -H 'Cookie: session=[REDACTED]; theme=[REDACTED]' --data-binary '{"n":"O'\''H"}'"#
        );
        assert_eq!(
            command("GET", "http://h/", &[], b"", &redact),
            "curl -X GET 'http://h/'"
        );
    }
}
