//! A request as a curl command a person can paste into a shell, secrets redacted: how
//! every report (terminal, JSON, JUnit, HTML) shows the request behind a finding.

/// `curl -X METHOD 'URL' -H 'name: value' … --data-binary 'body'`; the value of every
/// header `secret` names is shown as `[redacted]`; for `Authorization` and
/// `Proxy-Authorization` the scheme word is kept (`Bearer [redacted]`).
pub fn command(
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: &[u8],
    secret: impl Fn(&str) -> bool,
) -> String {
    let mut out = format!("curl -X {method} {}", quote(url));
    for (name, value) in headers {
        let authorization = name.eq_ignore_ascii_case("authorization")
            || name.eq_ignore_ascii_case("proxy-authorization");
        let shown = if secret(name) {
            match value.split_once(' ') {
                Some((scheme, _)) if authorization => format!("{scheme} [redacted]"),
                _ => "[redacted]".to_owned(),
            }
        } else {
            value.clone()
        };
        out.push_str(" -H ");
        out.push_str(&quote(&format!("{name}: {shown}")));
    }
    if !body.is_empty() {
        out.push_str(" --data-binary ");
        out.push_str(&quote(&String::from_utf8_lossy(body)));
    }
    out
}

/// A shell word in single quotes.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::command;

    #[test]
    fn quotes_what_a_shell_would_split_and_redacts_secrets() {
        let headers = vec![
            ("content-type".to_owned(), "application/json".to_owned()),
            ("Authorization".to_owned(), "Bearer s3cret".to_owned()),
            ("X-Key".to_owned(), "k".to_owned()),
            ("Cookie".to_owned(), "session=abc; theme=dark".to_owned()),
        ];
        let secret = |n: &str| {
            ["authorization", "x-key", "cookie"].contains(&n.to_ascii_lowercase().as_str())
        };
        assert_eq!(
            command("POST", "http://h/a b", &headers, br#"{"n":"O'H"}"#, secret),
            r#"curl -X POST 'http://h/a b' -H 'content-type: application/json' -H 'Authorization: Bearer [redacted]' -H 'X-Key: [redacted]' -H 'Cookie: [redacted]' --data-binary '{"n":"O'\''H"}'"#
        );
        assert_eq!(
            command("GET", "http://h/", &[], b"", secret),
            "curl -X GET 'http://h/'"
        );
    }
}
