//! A typed answer as a `Result`: every generated response enum implements [`Answer`], whose
//! `into_result` puts its 2xx variants on the `Ok` side and every other one (documented
//! 4xx/5xx, `default`) in an [`ErrorResponse`], a `std::error::Error` that keeps the typed
//! response. So `client.op(&params).await?.into_result()?` works in an `anyhow` function.

use serde::Serialize;

/// A generated response enum: one variant per documented status.
pub trait Answer: Sized {
    /// What a 2xx answer gives: the body of the one documented 2xx status, or the whole
    /// response when several (or a range, or `default`) can be 2xx.
    type Success;

    /// The HTTP status.
    fn status(&self) -> u16;

    /// A readable message from the body: its `message`, `error` (text or `{message}`),
    /// `detail`, `title`, `error_description` or `code`; a text body itself.
    fn message(&self) -> Option<String>;

    /// The 2xx answer as `Ok`, any other as an [`ErrorResponse`].
    fn into_result(self) -> Result<Self::Success, ErrorResponse<Self>>;
}

/// A response outside 2xx as an error, the typed response kept (match on
/// [`ErrorResponse::response`] for the documented error bodies). Boxed, so a `Result`
/// carrying it stays one pointer wide on the error side.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorResponse<R> {
    response: Box<R>,
}

impl<R: Answer> ErrorResponse<R> {
    /// Wraps a response.
    pub fn new(response: R) -> ErrorResponse<R> {
        ErrorResponse {
            response: Box::new(response),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.response.status()
    }

    /// The typed response.
    pub fn response(&self) -> &R {
        &self.response
    }

    /// The typed response, owned.
    pub fn into_response(self) -> R {
        *self.response
    }
}

impl<R: Answer> std::fmt::Display for ErrorResponse<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.response.status();
        let reason = crate::status::reason(status).unwrap_or("");
        write!(f, "the API answered {status} {reason}")?;
        match self.response.message() {
            Some(m) => write!(f, ": {m}"),
            None => Ok(()),
        }
    }
}

impl<R: Answer + std::fmt::Debug> std::error::Error for ErrorResponse<R> {}

/// Longest message taken from a body.
const MESSAGE: usize = 300;

/// The readable message of a JSON body (see [`Answer::message`]).
pub fn message_of<T: Serialize + ?Sized>(body: &T) -> Option<String> {
    let value = serde_json::to_value(body).ok()?;
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let found = match &value {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Object(map) => {
            let nested = |key: &str| {
                let inner = map.get(key)?.as_object()?;
                ["message", "detail", "description", "code"]
                    .iter()
                    .find_map(|k| inner.get(*k).and_then(text))
            };
            [
                "message",
                "error",
                "detail",
                "title",
                "error_description",
                "msg",
            ]
            .iter()
            .find_map(|k| map.get(*k).and_then(text))
            .or_else(|| nested("error"))
            .or_else(|| nested("errors"))
            .or_else(|| map.get("code").and_then(text))
        }
        _ => None,
    }?;
    message_of_text(&found)
}

/// A text body as a message: trimmed, cut to 300 characters, `None` when empty.
pub fn message_of_text(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.chars().count() <= MESSAGE {
        return Some(text.to_owned());
    }
    let mut out: String = text.chars().take(MESSAGE).collect();
    out.push('…');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug)]
    enum Reply {
        Ok(u8),
        Unauthorized(serde_json::Value),
    }

    impl Answer for Reply {
        type Success = u8;
        fn status(&self) -> u16 {
            match self {
                Reply::Ok(_) => 200,
                Reply::Unauthorized(_) => 401,
            }
        }
        fn message(&self) -> Option<String> {
            match self {
                Reply::Ok(_) => None,
                Reply::Unauthorized(v) => message_of(v),
            }
        }
        fn into_result(self) -> Result<u8, ErrorResponse<Self>> {
            match self {
                Reply::Ok(v) => Ok(v),
                other => Err(ErrorResponse::new(other)),
            }
        }
    }

    #[test]
    fn messages_are_found_where_apis_put_them() {
        let cases = [
            (
                json!({"error": {"code": "missing_auth", "message": "No key."}}),
                "No key.",
            ),
            (json!({"error": {"code": "missing_auth"}}), "missing_auth"),
            (json!({"message": "Not found", "code": 404}), "Not found"),
            (
                json!({"detail": "Bad id", "title": "Bad Request"}),
                "Bad id",
            ),
            (
                json!({"error": "invalid_grant", "error_description": "expired"}),
                "invalid_grant",
            ),
            (json!({"errors": {"description": "x"}}), "x"),
        ];
        for (body, expected) in cases {
            assert_eq!(message_of(&body).as_deref(), Some(expected), "{body}");
        }
        assert_eq!(message_of(&json!({"id": 1})), None);
        assert_eq!(message_of(&json!([1])), None);
        let long = message_of_text(&"x".repeat(1000)).unwrap_or_default();
        assert_eq!(long.chars().count(), MESSAGE + 1);
    }

    #[test]
    fn an_error_answer_is_an_error_with_status_and_message() {
        assert_eq!(Reply::Ok(7).into_result().ok(), Some(7));
        let err = Reply::Unauthorized(json!({"error": {"message": "bad key"}}))
            .into_result()
            .err()
            .map(|e| (e.status(), e.to_string()));
        assert_eq!(
            err,
            Some((401, "the API answered 401 Unauthorized: bad key".to_owned()))
        );
        fn boxed() -> Result<u8, Box<dyn std::error::Error>> {
            Ok(Reply::Unauthorized(json!({})).into_result()?)
        }
        assert_eq!(
            boxed().map_err(|e| e.to_string()),
            Err("the API answered 401 Unauthorized".to_owned())
        );
    }
}
