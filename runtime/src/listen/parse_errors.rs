//! The documented error body for requests hyper refuses before the router sees them.
//!
//! When a request head cannot be parsed (a malformed method, target, version or header:
//! 400; a target over hyper's limit: 414; headers over its buffer or count: 431), hyper
//! answers by itself with an empty body and closes the connection. [`Answering`] wraps the
//! connection's stream and replaces that automatic answer with the server's own rendering
//! of a [`Rejection`] of the same status, so every answer a server gives has the body its
//! API documents.
//!
//! Telling hyper's answer from the application's: hyper writes its automatic answer only
//! for a message it could not parse, so the service was not called for it. The service
//! wrapper raises a flag on every call; the first response head written after a call
//! lowers it. A head written with the flag down, whose status is one hyper sends for parse
//! errors and whose body is empty, is hyper's.

use crate::check::rejection::Rejection;
use axum::body::Bytes;
use axum::response::Response;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Renders a rejection as the server documents it (problem+json, Nango's `StdError`, …).
pub type Render = Arc<dyn Fn(Rejection) -> Response + Send + Sync>;

/// The statuses hyper answers parse errors with, and the rejection each stands for.
fn rejections() -> [Rejection; 3] {
    [
        Rejection::new(
            400,
            "invalid_request",
            "The request is not valid HTTP/1.1: its method, target, version or a header is malformed.",
        ),
        Rejection::new(
            414,
            "uri_too_long",
            "The request target is longer than the server accepts.",
        ),
        Rejection::new(
            431,
            "header_fields_too_large",
            "The request's headers are larger, or more numerous, than the server accepts.",
        ),
    ]
}

/// The whole HTTP/1.1 answer (head and body) for each status hyper answers parse errors
/// with (400, 414, 431).
#[derive(Debug, Default)]
pub struct Answers {
    by_status: Vec<(u16, Bytes)>,
}

impl Answers {
    /// Renders each parse-error rejection with `render` and frames it for the wire, with
    /// `connection: close` (hyper closes the connection after a parse error).
    pub async fn new(render: &Render) -> Answers {
        let mut by_status = Vec::new();
        for rejection in rejections() {
            let status = rejection.status;
            let response = render(rejection);
            let (parts, body) = response.into_parts();
            let Ok(body) = axum::body::to_bytes(body, 64 * 1024).await else {
                continue;
            };
            let mut wire = format!(
                "HTTP/1.1 {} {}\r\n",
                parts.status.as_u16(),
                parts.status.canonical_reason().unwrap_or("")
            )
            .into_bytes();
            for (name, value) in &parts.headers {
                if name == axum::http::header::CONTENT_LENGTH
                    || name == axum::http::header::CONNECTION
                {
                    continue;
                }
                wire.extend_from_slice(name.as_str().as_bytes());
                wire.extend_from_slice(b": ");
                wire.extend_from_slice(value.as_bytes());
                wire.extend_from_slice(b"\r\n");
            }
            wire.extend_from_slice(
                format!(
                    "content-length: {}\r\nconnection: close\r\n\r\n",
                    body.len()
                )
                .as_bytes(),
            );
            wire.extend_from_slice(&body);
            by_status.push((status, Bytes::from(wire)));
        }
        Answers { by_status }
    }

    /// The answer replacing `head`, when `head` is hyper's automatic answer to a parse
    /// error: one of the statuses above, nothing after the head, an empty body.
    fn replacing(&self, head: &[u8]) -> Option<Bytes> {
        let status = head.strip_prefix(b"HTTP/1.1 ")?.get(..3)?;
        let status: u16 = std::str::from_utf8(status).ok()?.parse().ok()?;
        let (_, answer) = self.by_status.iter().find(|(s, _)| *s == status)?;
        let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
        let empty = head[..end]
            .split(|&b| b == b'\n')
            .any(|line| line.eq_ignore_ascii_case(b"content-length: 0\r"));
        (end + 4 == head.len() && empty).then(|| answer.clone())
    }
}

/// A connection's stream whose hyper-written parse-error answers are replaced by
/// [`Answers`]. `called` is raised by the service wrapper on every call.
pub struct Answering<S> {
    inner: S,
    answers: Arc<Answers>,
    called: Arc<AtomicBool>,
    /// A replacement not yet fully written, and how much of it is.
    pending: Option<(Bytes, usize)>,
}

impl<S> Answering<S> {
    /// Wraps `inner`; `called` is shared with the connection's service.
    pub fn new(inner: S, answers: Arc<Answers>, called: Arc<AtomicBool>) -> Answering<S> {
        Answering {
            inner,
            answers,
            called,
            pending: None,
        }
    }

    /// Whether `buf` (the start of a write) is hyper's parse-error answer; then its
    /// replacement is queued. A response head (not an interim `1xx`) lowers the flag.
    fn intercept(&mut self, buf: &[u8]) -> bool {
        if !buf.starts_with(b"HTTP/1.") || buf.get(9) == Some(&b'1') {
            return false;
        }
        if self.called.swap(false, Ordering::AcqRel) {
            return false;
        }
        match self.answers.replacing(buf) {
            Some(answer) => {
                self.pending = Some((answer, 0));
                true
            }
            None => false,
        }
    }
}

impl<S: AsyncWrite + Unpin> Answering<S> {
    /// Writes what is left of a queued replacement.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((answer, written)) = &mut self.pending {
            if *written >= answer.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &answer[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Answering<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Answering<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        if self.intercept(buf) {
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        let mut filled = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(first), None) = (filled.next(), filled.next())
            && self.intercept(first)
        {
            return Poll::Ready(Ok(first.len()));
        }
        if let Some(first) = bufs.iter().find(|b| !b.is_empty()) {
            // A head followed by its body: the application's answer.
            if first.starts_with(b"HTTP/1.") && first.get(9) != Some(&b'1') {
                self.called.store(false, Ordering::Release);
            }
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answers() -> Answers {
        let render: Render = Arc::new(crate::server::problem);
        block_on(Answers::new(&render))
    }

    /// Runs a future that never waits (rendering is synchronous in substance).
    fn block_on<F: std::future::Future>(f: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .map(|rt| rt.block_on(f))
            .unwrap_or_else(|e| panic!("no runtime: {e}"))
    }

    #[test]
    fn hypers_empty_answers_are_recognised() {
        let answers = answers();
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Thu, 26 Nov 2026 10:00:00 GMT\r\n\r\n";
        let answer = answers
            .replacing(head)
            .map(|b| b.to_vec())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&answer);
        assert!(text.starts_with("HTTP/1.1 431 "), "{text}");
        assert!(text.contains("application/problem+json"), "{text}");
        assert!(
            text.contains("\"code\":\"header_fields_too_large\""),
            "{text}"
        );
        assert!(text.contains("connection: close"), "{text}");
    }

    #[test]
    fn answers_with_a_body_or_another_status_are_left_alone() {
        let answers = answers();
        let with_body = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}";
        assert!(answers.replacing(with_body).is_none());
        let chunked = b"HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n";
        assert!(answers.replacing(chunked).is_none());
        let other = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n";
        assert!(answers.replacing(other).is_none());
    }
}
