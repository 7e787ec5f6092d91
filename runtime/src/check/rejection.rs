//! Why a request is refused: a status, a stable code, a message and the problems found,
//! each located. How a rejection becomes a response is the server's choice; the default is
//! RFC 9457 `application/problem+json` ([`Rejection::problem_json`]).

use std::borrow::Cow;

/// The stable codes of the rejections the runtime makes itself. A server that renders
/// rejections in its API's own error shape matches on these.
pub mod codes {
    /// 415: the `Content-Type` is not one the operation documents.
    pub const INVALID_CONTENT_TYPE: &str = "invalid_content_type";
    /// 415: a body came without a `Content-Type`, so it cannot be read.
    pub const MISSING_CONTENT_TYPE: &str = "missing_content_type";
    /// 413: the body is larger than the router accepts.
    pub const PAYLOAD_TOO_LARGE: &str = "payload_too_large";
    /// 408: the body did not arrive in time.
    pub const REQUEST_TIMEOUT: &str = "request_timeout";
    /// 400: a JSON body that does not parse.
    pub const INVALID_JSON: &str = "invalid_json";
    /// 401: no security alternative of the operation is satisfied, and nothing was presented.
    pub const MISSING_CREDENTIALS: &str = "missing_credentials";
    /// 401: an `Authorization` header with a scheme no alternative of the operation accepts.
    pub const UNSUPPORTED_CREDENTIALS: &str = "unsupported_credentials";
    /// 401 (or 403): a credential was presented in the right form but is not a valid one
    /// (authentication failed).
    pub const INVALID_CREDENTIALS: &str = "invalid_credentials";
    /// 406: none of the response's media types is acceptable to the request.
    pub const NOT_ACCEPTABLE: &str = "not_acceptable";
    /// 400: path parameters break their schemas.
    pub const INVALID_PATH_PARAMS: &str = "invalid_uri_params";
    /// 400: query parameters are missing, unknown or break their schemas.
    pub const INVALID_QUERY_PARAMS: &str = "invalid_query_params";
    /// 400: header (or cookie) parameters are missing or break their schemas.
    pub const INVALID_HEADERS: &str = "invalid_headers";
    /// 400: the body is missing or breaks its schema.
    pub const INVALID_BODY: &str = "invalid_body";
    /// 404: no route.
    pub const NOT_FOUND: &str = "not_found";
    /// 405: the path exists, the method does not.
    pub const METHOD_NOT_ALLOWED: &str = "method_not_allowed";
}

/// The part of a request a problem is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// A path parameter.
    Path,
    /// A query parameter.
    Query,
    /// A header parameter.
    Header,
    /// A cookie parameter.
    Cookie,
    /// The body.
    Body,
    /// Credentials.
    Security,
}

impl Part {
    /// Lower-case name (`query`), as problem+json's `in` member shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Part::Path => "path",
            Part::Query => "query",
            Part::Header => "header",
            Part::Cookie => "cookie",
            Part::Body => "body",
            Part::Security => "security",
        }
    }
}

/// One problem with one part of a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// What kind of problem: the JSON Schema keyword that failed (`required`, `type`,
    /// `pattern`…), `missing` for an absent required parameter or body, `unrecognized_keys` for an
    /// undeclared query parameter, `invalid_type` when typed decoding failed.
    pub code: String,
    /// Human text.
    pub message: String,
    /// The part of the request.
    pub part: Part,
    /// Where in that part: the parameter name first for parameters (`["limit"]`), the path
    /// into the body for bodies (`["end_user", "id"]`); empty for the whole part.
    pub path: Vec<String>,
    /// The failing keyword's location in the spec (`#/components/schemas/X/required`), when
    /// a schema found the problem.
    pub keyword: Option<String>,
}

impl FieldError {
    /// The instance path as a JSON pointer (`/end_user/id`); for parameters it starts with
    /// the parameter name.
    pub fn pointer(&self) -> String {
        let mut out = String::new();
        for segment in &self.path {
            out.push('/');
            out.push_str(&segment.replace('~', "~0").replace('/', "~1"));
        }
        out
    }
}

/// An answer the router gives instead of calling the operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// HTTP status.
    pub status: u16,
    /// A stable code ([`codes`] for the runtime's own; anything for `authenticate`'s).
    pub code: Cow<'static, str>,
    /// Human text.
    pub message: Option<String>,
    /// The problems found, each located.
    pub errors: Vec<FieldError>,
    /// For 405: the methods the path allows (`GET, DELETE`), sent as `Allow`.
    pub allow: Option<String>,
}

impl Rejection {
    /// A rejection with a status, code and message.
    pub fn new(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        message: impl Into<String>,
    ) -> Rejection {
        Rejection {
            status,
            code: code.into(),
            message: Some(message.into()),
            errors: Vec::new(),
            allow: None,
        }
    }

    /// A rejection listing located problems (no message).
    pub fn with_errors(
        status: u16,
        code: impl Into<Cow<'static, str>>,
        errors: Vec<FieldError>,
    ) -> Rejection {
        Rejection {
            status,
            code: code.into(),
            message: None,
            errors,
            allow: None,
        }
    }

    /// 404 for a path the API does not have.
    pub fn not_found() -> Rejection {
        Rejection::new(404, codes::NOT_FOUND, "No such route")
    }

    /// 405 for a method the path does not have; `allow` lists the ones it has.
    pub fn method_not_allowed(allow: impl Into<String>) -> Rejection {
        let allow = allow.into();
        Rejection {
            allow: Some(allow.clone()),
            ..Rejection::new(
                405,
                codes::METHOD_NOT_ALLOWED,
                format!("Allowed methods: {allow}"),
            )
        }
    }

    /// The message, or a summary of the first problem when there is none.
    pub fn detail(&self) -> String {
        match (&self.message, self.errors.first()) {
            (Some(m), _) => m.clone(),
            (None, Some(first)) if self.errors.len() == 1 => first.message.clone(),
            (None, Some(first)) => format!(
                "{} (and {} more problems)",
                first.message,
                self.errors.len() - 1
            ),
            (None, None) => reason(self.status).to_owned(),
        }
    }

    /// RFC 9457 `application/problem+json`: `type`, `title`, `status`, `detail`, the stable
    /// `code`, and `errors` with each problem's part (`in`), instance `pointer`, keyword
    /// `code`, `detail` and, when a schema found it, the keyword's location in the spec.
    pub fn problem_json(&self) -> serde_json::Value {
        let errors: Vec<serde_json::Value> = self
            .errors
            .iter()
            .map(|e| {
                let mut item = serde_json::Map::new();
                item.insert("in".into(), e.part.as_str().into());
                item.insert("pointer".into(), e.pointer().into());
                item.insert("code".into(), e.code.clone().into());
                item.insert("detail".into(), e.message.clone().into());
                if let Some(k) = &e.keyword {
                    item.insert("keyword".into(), k.clone().into());
                }
                serde_json::Value::Object(item)
            })
            .collect();
        let mut out = serde_json::Map::new();
        out.insert("type".into(), "about:blank".into());
        out.insert("title".into(), reason(self.status).into());
        out.insert("status".into(), self.status.into());
        out.insert("detail".into(), self.detail().into());
        out.insert("code".into(), self.code.as_ref().into());
        if !errors.is_empty() {
            out.insert("errors".into(), errors.into());
        }
        serde_json::Value::Object(out)
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.code, self.detail())
    }
}

impl std::error::Error for Rejection {}

/// The media type of [`Rejection::problem_json`] bodies.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The reason phrase of a status (problem+json's `title` for `about:blank`).
pub fn reason(status: u16) -> &'static str {
    crate::status::reason(status).unwrap_or(if status < 500 {
        "Client Error"
    } else {
        "Server Error"
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problem_json_names_each_problem_and_where_it_is() {
        let r = Rejection::with_errors(
            400,
            codes::INVALID_BODY,
            vec![FieldError {
                code: "required".into(),
                message: "\"id\" is a required property".into(),
                part: Part::Body,
                path: vec!["end_user".into(), "a/b".into()],
                keyword: Some("#/components/schemas/EndUser/required".into()),
            }],
        );
        let p = r.problem_json();
        assert_eq!(p["type"], "about:blank");
        assert_eq!(p["title"], "Bad Request");
        assert_eq!(p["status"], 400);
        assert_eq!(p["code"], "invalid_body");
        assert_eq!(p["detail"], "\"id\" is a required property");
        assert_eq!(p["errors"][0]["pointer"], "/end_user/a~1b");
        assert_eq!(p["errors"][0]["in"], "body");
        assert_eq!(
            p["errors"][0]["keyword"],
            "#/components/schemas/EndUser/required"
        );
        let m = Rejection::method_not_allowed("GET, DELETE");
        assert_eq!(m.allow.as_deref(), Some("GET, DELETE"));
        assert!(m.problem_json().get("errors").is_none());
        assert_eq!(
            m.to_string(),
            "405 method_not_allowed: Allowed methods: GET, DELETE"
        );
    }
}
