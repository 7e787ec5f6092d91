//! Which parts of an exchange are secrets: the `Authorization`, `Cookie` and `Set-Cookie`
//! headers, query parameters that carry credentials in many APIs (`api_key`, `token`,
//! `X-Amz-Signature`…), and every header or query parameter an `apiKey` security scheme of
//! the spec names. Recordings and reports kept as CI artifacts show them as [`REDACTED`].
//! Reports also redact, in the bodies they show (curl lines and answer excerpts), the values
//! of JSON properties and form fields named like secrets ([`body`]); recordings keep bodies
//! whole, since a replay checks them against their schemas.

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

/// Endings of JSON property and form field names whose values are secrets, compared without
/// case, `_` or `-` (`client_secret`, `newPassword`, `X-Api-Key`, `refresh_token`).
const SECRET_FIELD_ENDINGS: [&str; 7] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "clientassertion",
];

/// Whether a JSON property or form field is named like a secret.
fn is_secret_field(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    SECRET_FIELD_ENDINGS.iter().any(|e| folded.ends_with(e))
}

/// A body as a report shows it: in a JSON or form body, the values of properties and
/// fields named like secrets ([`SECRET_FIELD_ENDINGS`]) replaced by [`REDACTED`] (`null`
/// and booleans kept: they say whether, not what). Other bodies, and bodies without such a
/// name, are returned as they are.
pub fn body<'a>(content_type: Option<&str>, body: &'a [u8]) -> Cow<'a, [u8]> {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if media == "application/x-www-form-urlencoded" {
        let Ok(text) = std::str::from_utf8(body) else {
            return Cow::Borrowed(body);
        };
        let redacted = redact_pairs(text, is_secret_field);
        return if redacted == text {
            Cow::Borrowed(body)
        } else {
            Cow::Owned(redacted.into_bytes())
        };
    }
    let json = media.is_empty() || media.ends_with("json") || media.contains("+json");
    if !json {
        return Cow::Borrowed(body);
    }
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Cow::Borrowed(body);
    };
    if !redact_fields(&mut value, 0) {
        return Cow::Borrowed(body);
    }
    serde_json::to_vec(&value).map_or(Cow::Borrowed(body), Cow::Owned)
}

/// Replaces the values of secret-named properties at any depth; `true` if any was.
fn redact_fields(value: &mut serde_json::Value, depth: usize) -> bool {
    use serde_json::Value;
    if depth > 128 {
        return false;
    }
    match value {
        Value::Object(map) => {
            let mut changed = false;
            for (name, v) in map.iter_mut() {
                if is_secret_field(name) && !matches!(v, Value::Null | Value::Bool(_)) {
                    *v = Value::String(REDACTED.to_owned());
                    changed = true;
                } else {
                    changed |= redact_fields(v, depth + 1);
                }
            }
            changed
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| redact_fields(v, depth + 1) | changed),
        _ => false,
    }
}

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
        redact_pairs(query, |name| {
            self.query.iter().any(|q| q.eq_ignore_ascii_case(name))
        })
    }
}

/// `a=1&b=2` (a query or a form body) with the values of the pairs whose decoded name is
/// `secret` replaced (other bytes untouched).
fn redact_pairs(text: &str, secret: impl Fn(&str) -> bool) -> String {
    text.split('&')
        .map(|pair| {
            let key = pair.split('=').next().unwrap_or(pair);
            let decoded = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
            if secret(&decoded) {
                format!("{key}={REDACTED}")
            } else {
                pair.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
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

    #[test]
    fn bodies_shown_lose_the_values_of_fields_named_like_secrets() {
        let json = br#"{"user": "ann", "Password": "hunter2", "nested": [{"client_secret": 7,
            "refresh-token": {"v": 1}, "token_type": "Bearer", "has_token": true,
            "max_tokens": 5, "apiKey": null}]}"#;
        let shown = body(Some("application/json; charset=utf-8"), json);
        let shown: serde_json::Value = serde_json::from_slice(&shown).unwrap();
        assert_eq!(
            shown,
            serde_json::json!({"user": "ann", "Password": REDACTED, "nested": [{
                "client_secret": REDACTED, "refresh-token": REDACTED, "token_type": "Bearer",
                "has_token": true, "max_tokens": 5, "apiKey": null}]})
        );
        let form = b"grant_type=refresh_token&refresh_token=abc&client%5Fsecret=s&scope=a+b";
        assert_eq!(
            body(Some("application/x-www-form-urlencoded"), form).as_ref(),
            format!("grant_type=refresh_token&refresh_token={REDACTED}&client%5Fsecret={REDACTED}&scope=a+b").as_bytes()
        );
        // Nothing to hide, or not a body read here: the bytes as they came.
        let plain = br#"{ "name": "x" }"#;
        assert!(matches!(body(Some("application/json"), plain), Cow::Borrowed(b) if b == plain));
        let text = b"password=1";
        assert!(matches!(body(Some("text/plain"), text), Cow::Borrowed(_)));
        assert!(matches!(
            body(Some("application/json"), b"{not json"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(body(None, b"\xff\xfe"), Cow::Borrowed(_)));
    }
}
