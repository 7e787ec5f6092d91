//! Response bodies → typed values: the decode errors clients and tests see.

/// Why a response could not be turned into the operation's response type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The status is not documented for this operation (the raw body is kept).
    UndocumentedStatus {
        /// HTTP status.
        status: u16,
        /// Raw body.
        body: ::std::vec::Vec<u8>,
    },
    /// The body does not match the documented type.
    Body {
        /// HTTP status.
        status: u16,
        /// Where in the body decoding failed (`data.expires_at`).
        path: ::std::string::String,
        /// What serde said.
        message: ::std::string::String,
        /// The start of the body, for the log.
        snippet: ::std::string::String,
    },
}

impl ::std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
        match self {
            DecodeError::UndocumentedStatus { status, body } => {
                write!(f, "undocumented status {status}: {}", snippet(body))
            }
            DecodeError::Body {
                status,
                path,
                message,
                snippet,
            } => {
                write!(
                    f,
                    "status {status}: body does not match the spec at `{path}`: {message} (body: {snippet})"
                )
            }
        }
    }
}

impl ::std::error::Error for DecodeError {}

/// The first 200 characters of a body, lossily decoded.
pub fn snippet(body: &[u8]) -> ::std::string::String {
    let text = ::std::string::String::from_utf8_lossy(body);
    let mut out: ::std::string::String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// Decodes a JSON body, reporting the path where it fails.
pub fn json<T: ::serde::de::DeserializeOwned>(
    status: u16,
    body: &[u8],
) -> ::std::result::Result<T, DecodeError> {
    let de = &mut ::serde_json::Deserializer::from_slice(body);
    ::serde_path_to_error::deserialize(de).map_err(|e| DecodeError::Body {
        status,
        path: e.path().to_string(),
        message: e.inner().to_string(),
        snippet: snippet(body),
    })
}

/// Decodes a text body.
pub fn text(status: u16, body: &[u8]) -> ::std::result::Result<::std::string::String, DecodeError> {
    ::std::string::String::from_utf8(body.to_vec()).map_err(|e| DecodeError::Body {
        status,
        path: ::std::string::String::new(),
        message: e.to_string(),
        snippet: snippet(body),
    })
}

/// Encodes a JSON body (serialization of generated types cannot fail; `Null` if it does).
pub fn to_json<T: ::serde::Serialize>(value: &T) -> ::std::vec::Vec<u8> {
    ::serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec())
}
