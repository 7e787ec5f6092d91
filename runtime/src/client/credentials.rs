//! OpenAPI security on the client side: the credentials a client holds, and which of an
//! operation's security alternatives it can satisfy with them.
//!
//! Each request sends the first alternative whose every scheme has a credential: one set
//! for the scheme by name ([`Credentials::set`]), else the client-wide one of its kind
//! (bearer token for http bearer, oauth2 and openIdConnect; user and password for basic;
//! the API key for every apiKey scheme, in its header, query parameter or cookie). When no
//! alternative can be satisfied the request goes out without credentials and the server's
//! documented answer (usually 401) comes back as a response, not an error.

use super::Secret;
use crate::operation::{KeyLocation, Scheme, SchemeKind};
use std::collections::BTreeMap;

/// A credential for one scheme.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// A bearer token (`Authorization: Bearer …`).
    Bearer(Secret),
    /// User and password (`Authorization: Basic …`).
    Basic(String, Secret),
    /// An API key (where the scheme says).
    ApiKey(Secret),
    /// The credentials of another http scheme (`Authorization: <scheme> <value>`).
    Http(Secret),
}

/// The credentials a client sends; secrets are redacted from `Debug`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Credentials {
    /// For every bearer-kind scheme without its own credential.
    pub bearer: Option<Secret>,
    /// For every basic scheme without its own credential.
    pub basic: Option<(String, Secret)>,
    /// For every apiKey scheme without its own credential.
    pub api_key: Option<Secret>,
    /// By scheme name (`components/securitySchemes`), first choice.
    pub by_scheme: BTreeMap<String, Credential>,
}

/// Where one credential goes on a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Placement {
    /// `Authorization: Bearer <token>`.
    Bearer(Secret),
    /// `Authorization: Basic <user:password>`.
    Basic(String, Secret),
    /// `Authorization: <value>` (other http schemes: the scheme name and value).
    Authorization(Secret),
    /// A header.
    Header(String, Secret),
    /// A query parameter.
    Query(String, Secret),
    /// A cookie.
    Cookie(String, Secret),
}

impl Credentials {
    /// Sets the credential of one scheme by name.
    pub fn set(&mut self, scheme: impl Into<String>, credential: Credential) {
        self.by_scheme.insert(scheme.into(), credential);
    }

    /// The placement of one scheme's credential, if the client has one for it.
    fn place(&self, scheme: &Scheme) -> Option<Option<Placement>> {
        let own = self.by_scheme.get(scheme.name.as_ref());
        Some(Some(match (&scheme.kind, own) {
            (SchemeKind::Bearer, Some(Credential::Bearer(t))) => Placement::Bearer(t.clone()),
            (SchemeKind::Bearer, None) => Placement::Bearer(self.bearer.clone()?),
            (SchemeKind::Basic, Some(Credential::Basic(u, p))) => {
                Placement::Basic(u.clone(), p.clone())
            }
            (SchemeKind::Basic, None) => {
                let (u, p) = self.basic.clone()?;
                Placement::Basic(u, p)
            }
            (SchemeKind::Http(name), Some(Credential::Http(v))) => {
                Placement::Authorization(Secret::new(format!("{name} {}", v.expose())))
            }
            (SchemeKind::ApiKey { name, location }, own) => {
                let key = match own {
                    Some(Credential::ApiKey(k)) => k.clone(),
                    None => self.api_key.clone()?,
                    Some(_) => return None,
                };
                let name = name.to_string();
                match location {
                    KeyLocation::Header => Placement::Header(name, key),
                    KeyLocation::Query => Placement::Query(name, key),
                    KeyLocation::Cookie => Placement::Cookie(name, key),
                }
            }
            // Nothing HTTP can carry (mutualTLS is the TLS layer's business).
            (SchemeKind::Other, _) => return Some(None),
            _ => return None,
        }))
    }

    /// What to put on a request for the first alternative (other than `{}`) these
    /// credentials satisfy; empty when the operation needs nothing or none can be satisfied.
    pub fn placements(
        &self,
        schemes: &[Scheme],
        security: &[crate::operation::List<u16>],
    ) -> Vec<Placement> {
        // Like the server: every alternative that asks for something first, in order; an
        // empty one (`{}`) only means "nothing is needed" when none of them can be met.
        for alternative in security.iter().filter(|a| !a.is_empty()) {
            let mut out = Vec::new();
            let satisfied = alternative.iter().all(|i| {
                match schemes.get(usize::from(*i)).and_then(|s| self.place(s)) {
                    Some(p) => {
                        out.extend(p);
                        true
                    }
                    None => false,
                }
            });
            if satisfied {
                return out;
            }
        }
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    static SCHEMES: [Scheme; 3] = [
        Scheme::new("basic", SchemeKind::Basic),
        Scheme::new("oauth", SchemeKind::Bearer),
        Scheme::new(
            "key",
            SchemeKind::ApiKey {
                name: Cow::Borrowed("api_key"),
                location: KeyLocation::Query,
            },
        ),
    ];

    #[test]
    fn the_first_satisfiable_alternative_is_sent() {
        let security: Vec<crate::operation::List<u16>> =
            vec![Cow::Borrowed(&[0]), Cow::Borrowed(&[1, 2])];
        let mut c = Credentials::default();
        assert!(c.placements(&SCHEMES, &security).is_empty());
        c.bearer = Some(Secret::new("t"));
        // Bearer alone does not satisfy {oauth, key}.
        assert!(c.placements(&SCHEMES, &security).is_empty());
        c.set("key", Credential::ApiKey(Secret::new("k")));
        assert_eq!(
            c.placements(&SCHEMES, &security),
            vec![
                Placement::Bearer(Secret::new("t")),
                Placement::Query("api_key".into(), Secret::new("k"))
            ]
        );
        c.basic = Some(("u".into(), Secret::new("p")));
        assert_eq!(
            c.placements(&SCHEMES, &security),
            vec![Placement::Basic("u".into(), Secret::new("p"))]
        );
        // An empty alternative: nothing to send, unless another one can be met, wherever `{}`
        // is listed.
        let optional: Vec<crate::operation::List<u16>> = vec![Cow::Borrowed(&[])];
        assert!(c.placements(&SCHEMES, &optional).is_empty());
        let optional_first: Vec<crate::operation::List<u16>> =
            vec![Cow::Borrowed(&[]), Cow::Borrowed(&[1])];
        assert_eq!(
            c.placements(&SCHEMES, &optional_first),
            vec![Placement::Bearer(Secret::new("t"))]
        );
    }
}
