//! Which parts of an exchange are secrets: the `Authorization`, `Cookie` and `Set-Cookie`
//! headers, query parameters that carry credentials in many APIs (`api_key`, `token`,
//! `X-Amz-Signature`…), and every header or query parameter an `apiKey` security scheme of
//! the spec names. Recordings and reports kept as CI artifacts show them as [`REDACTED`].

use codegen::model::http::{Http, SchemeKind};
use openapi_runtime::operation::KeyLocation;
use std::borrow::Cow;

/// What replaces a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Query parameters that carry credentials in many APIs, whatever the spec declares
/// (compared without case).
const COMMON_QUERY_SECRETS: [&str; 14] = [
    "access_token",
    "api_key",
    "api-key",
    "apikey",
    "client_secret",
    "key",
    "password",
    "secret",
    "sig",
    "signature",
    "token",
    "x-amz-credential",
    "x-amz-security-token",
    "x-amz-signature",
];

/// The names whose values are secrets.
#[derive(Clone, Debug, Default)]
pub struct Redact {
    headers: Vec<String>,
    query: Vec<String>,
}

impl Redact {
    /// Exactly these header names (any case) and query parameter names.
    pub fn new(headers: Vec<String>, query: Vec<String>) -> Redact {
        Redact { headers, query }
    }

    /// Secrets of any HTTP exchange plus those the spec's `apiKey` schemes name.
    pub fn for_spec(http: &Http) -> Redact {
        let mut r = Redact {
            headers: [
                "authorization",
                "proxy-authorization",
                "cookie",
                "set-cookie",
            ]
            .map(str::to_owned)
            .to_vec(),
            query: COMMON_QUERY_SECRETS.map(str::to_owned).to_vec(),
        };
        for scheme in &http.schemes {
            if let SchemeKind::ApiKey { name, location } = &scheme.kind {
                match location {
                    KeyLocation::Header => r.headers.push(name.to_ascii_lowercase()),
                    KeyLocation::Query => r.query.push(name.clone()),
                    // Cookies travel in `Cookie`, redacted whole.
                    KeyLocation::Cookie => {}
                }
            }
        }
        r
    }

    /// Whether a header's value is a secret.
    pub fn is_secret_header(&self, name: &str) -> bool {
        self.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
    }

    /// A header's value as recorded or shown, its secret replaced by [`REDACTED`] and what is
    /// not secret kept, so the exchange still reads as the spec describes it: the scheme word
    /// of `Authorization` (`Bearer [REDACTED]`), the names of cookies (`sid=[REDACTED]`), the
    /// attributes of `Set-Cookie`.
    pub fn header<'a>(&self, name: &str, value: &'a str) -> Cow<'a, str> {
        if !self.is_secret_header(name) {
            return Cow::Borrowed(value);
        }
        let lower = name.to_ascii_lowercase();
        let cookie = |pair: &str| match pair.trim().split_once('=') {
            Some((n, _)) => format!("{}={REDACTED}", n.trim()),
            None => REDACTED.to_owned(),
        };
        Cow::Owned(match lower.as_str() {
            "authorization" | "proxy-authorization" => match value.trim().split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {REDACTED}"),
                None => REDACTED.to_owned(),
            },
            "cookie" => value.split(';').map(cookie).collect::<Vec<_>>().join("; "),
            "set-cookie" => match value.split_once(';') {
                Some((first, attributes)) => format!("{};{attributes}", cookie(first)),
                None => cookie(value),
            },
            _ => REDACTED.to_owned(),
        })
    }

    /// A URL with its user information (`user:password@`) and the values of secret query
    /// parameters replaced.
    pub fn url(&self, url: &str) -> String {
        let url = without_userinfo(url);
        match url.split_once('?') {
            Some((base, query)) => format!("{base}?{}", self.query(query)),
            None => url,
        }
    }

    /// A query string with secret parameters' values replaced (other bytes untouched).
    pub fn query(&self, query: &str) -> String {
        if self.query.is_empty() {
            return query.to_owned();
        }
        query
            .split('&')
            .map(|pair| {
                let key = pair.split('=').next().unwrap_or(pair);
                let decoded = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
                if self.query.iter().any(|q| q.eq_ignore_ascii_case(&decoded)) {
                    format!("{key}={REDACTED}")
                } else {
                    pair.to_owned()
                }
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// `https://user:pass@host/p` → `https://[REDACTED]@host/p`; other URLs unchanged.
pub fn without_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{REDACTED}{}", &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_headers_keep_what_makes_them_readable() {
        let r = Redact::new(
            ["authorization", "cookie", "set-cookie", "x-key"]
                .map(str::to_owned)
                .to_vec(),
            Vec::new(),
        );
        assert_eq!(
            r.header("Authorization", "Bearer s3cret"),
            "Bearer [REDACTED]"
        );
        assert_eq!(r.header("authorization", "s3cret"), REDACTED);
        assert_eq!(r.header("X-Key", "k3y"), REDACTED);
        assert_eq!(
            r.header("Cookie", "sid=abc; theme=dark"),
            "sid=[REDACTED]; theme=[REDACTED]"
        );
        assert_eq!(
            r.header("Set-Cookie", "sid=abc; Path=/; HttpOnly"),
            "sid=[REDACTED]; Path=/; HttpOnly"
        );
        assert_eq!(r.header("Accept", "a/b"), "a/b");
    }

    #[test]
    fn urls_lose_their_user_information_and_secret_query_values() {
        let r = Redact::new(Vec::new(), vec!["api_key".into()]);
        assert_eq!(
            r.url("https://me:pw@h.example/p?api_key=s&q=1"),
            format!("https://{REDACTED}@h.example/p?api_key={REDACTED}&q=1")
        );
        assert_eq!(r.url("http://h/p@x"), "http://h/p@x");
        assert_eq!(without_userinfo("not a url"), "not a url");
    }
}
