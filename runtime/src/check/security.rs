//! OpenAPI security on the server side: which alternative of an operation a request
//! satisfies, and the credentials it presented for it.
//!
//! An operation lists alternatives (any one will do); each alternative is a set of schemes
//! (all are needed); an empty alternative makes credentials optional. A scheme is satisfied
//! when its credential is present in the right place and form: `Authorization: Bearer …`
//! for http bearer, oauth2 and openIdConnect, `Authorization: Basic …` for basic, the named
//! header, query parameter or cookie for API keys. Whether the credential is *valid* is the
//! server's `authenticate`; presence and form are checked here.

use super::Incoming;
use super::rejection::{FieldError, Part, Rejection, codes};
use crate::operation::{KeyLocation, Operation, SchemeKind};
use base64::Engine as _;

/// What a request presented for one scheme.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// The token after `Bearer ` (empty when the header is just `Bearer`).
    Bearer(String),
    /// User and password from `Authorization: Basic` (lossy when not UTF-8).
    Basic {
        /// The user.
        user: String,
        /// The password.
        password: String,
    },
    /// The value after another http scheme's name (`Digest …`).
    Http(String),
    /// An API key.
    ApiKey(String),
    /// A scheme HTTP cannot show (mutualTLS): nothing to pass on.
    Other,
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Bearer(_) => f.write_str("Bearer(***)"),
            Credential::Basic { user, .. } => write!(f, "Basic({user}:***)"),
            Credential::Http(_) => f.write_str("Http(***)"),
            Credential::ApiKey(_) => f.write_str("ApiKey(***)"),
            Credential::Other => f.write_str("Other"),
        }
    }
}

/// What a request presented for the alternative it satisfies: one credential per scheme
/// of that alternative, named as the spec names the schemes. Secrets are redacted from
/// `Debug`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// (scheme name, credential), in the alternative's order.
    pub presented: Vec<(String, Credential)>,
    /// What the request also presented for the operation's other schemes (an API key
    /// beside a satisfied bearer alternative): a server that checks values may refuse a
    /// wrong one even though another alternative is met.
    pub others: Vec<(String, Credential)>,
    /// The request also carries an `Authorization` header that none of the operation's
    /// schemes can read (a `Basic` that is not base64 of `user:password`, a scheme word the
    /// operation does not use) although one of them reads that header.
    pub unreadable: bool,
}

impl Credentials {
    /// The credential presented for the scheme called `name`.
    pub fn get(&self, name: &str) -> Option<&Credential> {
        self.presented
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c)
    }

    /// The names of the schemes presented.
    pub fn schemes(&self) -> impl Iterator<Item = &str> {
        self.presented.iter().map(|(n, _)| n.as_str())
    }

    /// The first bearer token presented (http bearer, oauth2, openIdConnect).
    pub fn bearer(&self) -> Option<&str> {
        self.presented.iter().find_map(|(_, c)| match c {
            Credential::Bearer(t) => Some(t.as_str()),
            _ => None,
        })
    }

    /// The first user and password presented with basic auth.
    pub fn basic(&self) -> Option<(&str, &str)> {
        self.presented.iter().find_map(|(_, c)| match c {
            Credential::Basic { user, password } => Some((user.as_str(), password.as_str())),
            _ => None,
        })
    }

    /// The first API key presented.
    pub fn api_key(&self) -> Option<&str> {
        self.presented.iter().find_map(|(_, c)| match c {
            Credential::ApiKey(k) => Some(k.as_str()),
            _ => None,
        })
    }

    /// Whether nothing was presented (an optional-security operation called without any).
    pub fn is_empty(&self) -> bool {
        self.presented.is_empty()
    }
}

/// The value of `Authorization` after `scheme` (case-insensitive), trimmed; `None` when the
/// header uses another scheme. HTTP stacks trim trailing whitespace, so `Bearer ` arrives
/// as `Bearer`: an empty token, still a bearer credential.
fn after_scheme<'h>(authorization: &'h str, scheme: &str) -> Option<&'h str> {
    let a = authorization.trim();
    let head = a.get(..scheme.len())?;
    if !head.eq_ignore_ascii_case(scheme) {
        return None;
    }
    let rest = &a[scheme.len()..];
    if rest.is_empty() {
        return Some("");
    }
    rest.starts_with([' ', '\t']).then(|| rest.trim())
}

fn basic(value: &str) -> Option<Credential> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()?;
    let text = String::from_utf8_lossy(&bytes);
    let (user, password) = text.split_once(':')?;
    Some(Credential::Basic {
        user: user.to_owned(),
        password: password.to_owned(),
    })
}

/// The credential a request presents for one scheme, if it presents one in the right form.
fn presented(kind: &SchemeKind, incoming: &Incoming<'_>) -> Option<Credential> {
    let authorization = incoming.header("authorization");
    match kind {
        SchemeKind::Bearer => {
            after_scheme(authorization?, "bearer").map(|t| Credential::Bearer(t.to_owned()))
        }
        SchemeKind::Basic => basic(after_scheme(authorization?, "basic")?),
        SchemeKind::Http(scheme) => {
            after_scheme(authorization?, scheme).map(|v| Credential::Http(v.to_owned()))
        }
        SchemeKind::ApiKey { name, location } => {
            let value = match location {
                KeyLocation::Header => incoming.header(name).map(str::to_owned),
                KeyLocation::Query => incoming
                    .query
                    .iter()
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.clone()),
                KeyLocation::Cookie => incoming.cookie(name).map(|v| {
                    percent_encoding::percent_decode_str(v)
                        .decode_utf8_lossy()
                        .into_owned()
                }),
            };
            value.map(Credential::ApiKey)
        }
        SchemeKind::Other => Some(Credential::Other),
    }
}

/// The credentials of the first alternative the request satisfies; `Ok(None)` when the
/// operation has no security. An empty alternative (`{}`) lets a request without any
/// credential through, with nothing presented; it is tried last, and a request that does
/// present something (an `Authorization` header, one of the operation's API keys) but
/// satisfies no alternative is refused, not let through anonymously. No alternative
/// satisfied: 401.
pub fn credentials(
    op: &Operation,
    incoming: &Incoming<'_>,
) -> Result<Option<Credentials>, Rejection> {
    if op.security.is_empty() {
        return Ok(None);
    }
    let mut optional = false;
    for alternative in op.security.iter() {
        if alternative.is_empty() {
            optional = true;
            continue;
        }
        let mut found = Vec::with_capacity(alternative.len());
        for &index in alternative.iter() {
            let Some(scheme) = op.schemes.get(usize::from(index)) else {
                found.clear();
                break;
            };
            match presented(&scheme.kind, incoming) {
                Some(c) => found.push((scheme.name.to_string(), c)),
                None => {
                    found.clear();
                    break;
                }
            }
        }
        if !found.is_empty() {
            let others = op
                .schemes
                .iter()
                .filter(|s| !found.iter().any(|(n, _)| n == s.name.as_ref()))
                .filter_map(|s| Some((s.name.to_string(), presented(&s.kind, incoming)?)))
                // The same header read by two schemes (bearer and oauth2) is one credential.
                .filter(|(_, c)| !found.iter().any(|(_, f)| f == c))
                .collect();
            let uses_authorization = op.security.iter().flat_map(|a| a.iter()).any(|i| {
                op.schemes.get(usize::from(*i)).is_some_and(|s| {
                    !matches!(s.kind, SchemeKind::ApiKey { .. } | SchemeKind::Other)
                })
            });
            // An API key named `Authorization` reads any value of that header.
            let key_in_authorization = op.schemes.iter().any(|s| {
                matches!(&s.kind, SchemeKind::ApiKey { name, location: crate::operation::KeyLocation::Header } if name.eq_ignore_ascii_case("authorization"))
            });
            let unreadable = uses_authorization
                && !key_in_authorization
                && incoming
                    .header("authorization")
                    .is_some_and(|a| !authorization_accepted(op, a));
            return Ok(Some(Credentials {
                presented: found,
                others,
                unreadable,
            }));
        }
    }
    if optional && !presents_any(op, incoming) {
        return Ok(Some(Credentials::default()));
    }
    Err(unsatisfied(op, incoming))
}

/// Whether the request carries anything meant as a credential for this operation: an
/// `Authorization` header, or one of its API keys.
fn presents_any(op: &Operation, incoming: &Incoming<'_>) -> bool {
    incoming.header("authorization").is_some()
        || op.schemes.iter().any(|s| {
            matches!(&s.kind, SchemeKind::ApiKey { .. }) && presented(&s.kind, incoming).is_some()
        })
}

/// Whether the `Authorization` header's scheme is one the operation's alternatives use, in
/// a form that parses (`Basic` needs base64 of `user:password`).
fn authorization_accepted(op: &Operation, authorization: &str) -> bool {
    op.security
        .iter()
        .flat_map(|a| a.iter())
        .filter_map(|i| op.schemes.get(usize::from(*i)))
        .any(|s| match &s.kind {
            SchemeKind::Bearer => after_scheme(authorization, "bearer").is_some(),
            SchemeKind::Basic => after_scheme(authorization, "basic")
                .and_then(basic)
                .is_some(),
            SchemeKind::Http(scheme) => after_scheme(authorization, scheme).is_some(),
            _ => false,
        })
}

/// The 401 for a request that satisfies no alternative, naming what the operation accepts.
fn unsatisfied(op: &Operation, incoming: &Incoming<'_>) -> Rejection {
    let accepted: Vec<String> = op
        .security
        .iter()
        .map(|alternative| {
            alternative
                .iter()
                .filter_map(|i| op.schemes.get(usize::from(*i)))
                .map(|s| format!("`{}` ({})", s.name, describe(&s.kind)))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    let (code, message) = match incoming.header("authorization") {
        Some(a) if !authorization_accepted(op, a) => (
            codes::UNSUPPORTED_CREDENTIALS,
            format!(
                "The Authorization header uses a scheme this operation does not accept, or is malformed; it accepts {}.",
                accepted.join(", or ")
            ),
        ),
        _ => (
            codes::MISSING_CREDENTIALS,
            format!(
                "This operation requires credentials: {}.",
                accepted.join(", or ")
            ),
        ),
    };
    Rejection {
        errors: vec![FieldError {
            code: "security".into(),
            message: message.clone(),
            part: Part::Security,
            path: Vec::new(),
            keyword: None,
        }],
        ..Rejection::new(401, code, message)
    }
}

/// How a scheme's credential travels, for messages.
pub fn describe(kind: &SchemeKind) -> String {
    match kind {
        SchemeKind::Bearer => "Authorization: Bearer <token>".into(),
        SchemeKind::Basic => "Authorization: Basic <user:password>".into(),
        SchemeKind::Http(s) => format!("Authorization: {s} <credentials>"),
        SchemeKind::ApiKey { name, location } => match location {
            KeyLocation::Header => format!("header {name}"),
            KeyLocation::Query => format!("query parameter {name}"),
            KeyLocation::Cookie => format!("cookie {name}"),
        },
        SchemeKind::Other => "outside HTTP".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::operation::{List, Scheme};
    use std::borrow::Cow;

    fn op(security: Vec<List<u16>>) -> Operation {
        static SCHEMES: [Scheme; 4] = [
            Scheme::new("bearer", SchemeKind::Bearer),
            Scheme::new("basic", SchemeKind::Basic),
            Scheme::new(
                "key",
                SchemeKind::ApiKey {
                    name: Cow::Borrowed("X-Key"),
                    location: KeyLocation::Header,
                },
            ),
            Scheme::new(
                "session",
                SchemeKind::ApiKey {
                    name: Cow::Borrowed("sid"),
                    location: KeyLocation::Cookie,
                },
            ),
        ];
        Operation {
            method: "GET".into(),
            path: "/".into(),
            params: Cow::Borrowed(&[]),
            body: None,
            schemes: Cow::Borrowed(&SCHEMES),
            security: security.into(),
        }
    }

    fn incoming<'a>(headers: &'a [(&'a str, &'a str)]) -> Incoming<'a> {
        Incoming {
            headers: headers.to_vec(),
            ..Incoming::default()
        }
    }

    #[test]
    fn alternatives_are_tried_in_order_and_sets_need_every_scheme() {
        let both = op(vec![Cow::Borrowed(&[2, 3]), Cow::Borrowed(&[1])]);
        // Key without the cookie: the first set fails; no basic either → 401.
        let r = credentials(&both, &incoming(&[("x-key", "k")])).unwrap_err();
        assert_eq!(
            (r.status, r.code.as_ref()),
            (401, codes::MISSING_CREDENTIALS)
        );
        assert!(
            r.detail()
                .contains("`key` (header X-Key) and `session` (cookie sid)"),
            "{}",
            r.detail()
        );
        let c = credentials(
            &both,
            &incoming(&[("X-Key", "k"), ("cookie", "a=1; sid=s%2B2")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.schemes().collect::<Vec<_>>(), ["key", "session"]);
        // Cookie values are percent-decoded, as the client encodes them.
        assert_eq!(c.get("session"), Some(&Credential::ApiKey("s+2".into())));
        // dXNlcjpwYXNz = user:pass
        let c = credentials(&both, &incoming(&[("Authorization", "Basic dXNlcjpwYXNz")]))
            .unwrap()
            .unwrap();
        assert_eq!(c.basic(), Some(("user", "pass")));
        assert!(!format!("{c:?}").contains("pass"));
    }

    #[test]
    fn bearer_forms_and_optional_security() {
        let bearer = op(vec![Cow::Borrowed(&[0])]);
        let c = credentials(&bearer, &incoming(&[("authorization", "bearer abc ")])).unwrap();
        assert_eq!(c.unwrap().bearer(), Some("abc"));
        let c = credentials(&bearer, &incoming(&[("authorization", "Bearer")])).unwrap();
        assert_eq!(c.unwrap().bearer(), Some(""));
        let r = credentials(&bearer, &incoming(&[("authorization", "Basic eHl6")])).unwrap_err();
        assert_eq!(r.code, codes::UNSUPPORTED_CREDENTIALS);
        assert!(credentials(&bearer, &incoming(&[("authorization", "Bearerx")])).is_err());
        let optional = op(vec![Cow::Borrowed(&[0]), Cow::Borrowed(&[])]);
        assert!(
            credentials(&optional, &incoming(&[]))
                .unwrap()
                .unwrap()
                .is_empty()
        );
        let c = credentials(&optional, &incoming(&[("authorization", "Bearer t")])).unwrap();
        assert_eq!(c.unwrap().bearer(), Some("t"));
        assert_eq!(credentials(&op(vec![]), &incoming(&[])).unwrap(), None);
    }

    #[test]
    fn credentials_beside_the_satisfied_alternative_are_reported() {
        // Key or basic; a request with the key and a basic header presents both.
        let either = op(vec![Cow::Borrowed(&[2]), Cow::Borrowed(&[1])]);
        let c = credentials(
            &either,
            &incoming(&[("X-Key", "k"), ("authorization", "Basic dXNlcjpwYXNz")]),
        )
        .unwrap()
        .unwrap();
        assert_eq!(c.schemes().collect::<Vec<_>>(), ["key"]);
        assert_eq!(c.others.len(), 1);
        assert_eq!(c.others[0].0, "basic");
        assert!(!c.unreadable);
        // A basic header that is not base64 of user:password cannot be read by any scheme.
        let c = credentials(
            &either,
            &incoming(&[("X-Key", "k"), ("authorization", "Basic %%")]),
        )
        .unwrap()
        .unwrap();
        assert!(c.unreadable && c.others.is_empty());
        // An Authorization header is nobody's credential when no alternative reads it.
        let key_only = op(vec![Cow::Borrowed(&[2])]);
        let c = credentials(
            &key_only,
            &incoming(&[("X-Key", "k"), ("authorization", "x")]),
        )
        .unwrap()
        .unwrap();
        assert!(!c.unreadable);
    }
}
