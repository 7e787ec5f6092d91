//! Serving a router on a TCP listener with the limits a public server needs and
//! `axum::serve` does not set: how long a client may take to send a request's headers
//! (idle keep-alive included) and how many connections may be open at once; and the
//! documented error body for requests hyper refuses before the router sees them
//! ([`parse_errors`]). How long a body may take is the router's
//! ([`crate::server::RouterOptions::body_timeout`]).
//!
//! ```no_run
//! # async fn run(router: axum::Router) -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! openapi_runtime::listen::serve(listener, router, openapi_runtime::listen::Limits::default()).await
//! # }
//! ```

pub mod parse_errors;

/// The listener [`serve`] takes (re-exported so generated crates need not name tokio).
pub use tokio::net::TcpListener;

use parse_errors::{Answering, Answers, Render};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Limits of a served listener, and how it renders the requests it refuses itself.
#[derive(Clone)]
pub struct Limits {
    /// Longest wait for a request's headers once a connection is open or idle between
    /// requests; the connection is then closed (slowloris). Default 10 s.
    pub header_timeout: Duration,
    /// Most connections open at once; more are closed as they are accepted. Never more
    /// than the process may open files, less 64 for everything else. Default 10,000.
    pub max_connections: usize,
    /// How a request that is not parseable HTTP/1.1 (400), has a target too long (414) or
    /// headers too large (431) is answered: the server's own rendering of a
    /// [`crate::check::rejection::Rejection`] (a generated server's `reject`). Default
    /// problem+json ([`crate::server::problem`]).
    pub render: Render,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            max_connections: 10_000,
            render: Arc::new(crate::server::problem),
        }
    }
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("header_timeout", &self.header_timeout)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

/// The connection cap `limits` gives on this machine: its `max_connections`, lowered to the
/// process's open-file limit less 64 (read from Linux's `/proc/self/limits`; elsewhere not
/// lowered).
pub fn connection_cap(limits: &Limits) -> usize {
    match open_files() {
        Some(n) => limits.max_connections.min(n.saturating_sub(64).max(16)),
        None => limits.max_connections,
    }
}

/// The soft limit on open files, from `/proc/self/limits`.
fn open_files() -> Option<usize> {
    let text = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Serves `router` on `listener` until the task is dropped: HTTP/1.1 with keep-alive, the
/// headers of each request within `limits.header_timeout`, at most
/// [`connection_cap`] connections, requests hyper cannot parse answered with
/// `limits.render`'s body. An accept error (out of file descriptors) pauses
/// accepting briefly instead of ending the server.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: axum::Router,
    limits: Limits,
) -> std::io::Result<()> {
    let permits = Arc::new(tokio::sync::Semaphore::new(connection_cap(&limits)));
    let answers = Arc::new(Answers::new(&limits.render).await);
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            // Over the cap: closed at once, so its descriptor is free again.
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        let called = Arc::new(AtomicBool::new(false));
        let tower = hyper_util::service::TowerToHyperService::new(router.clone());
        let flag = called.clone();
        let service = hyper::service::service_fn(move |request| {
            flag.store(true, Ordering::Release);
            hyper::service::Service::call(&tower, request)
        });
        let stream = Answering::new(stream, answers.clone(), called);
        let header_timeout = limits.header_timeout;
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(header_timeout);
            let connection =
                builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let _ = connection.with_upgrades().await;
            drop(permit);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_respects_the_open_file_limit() {
        let limits = Limits {
            max_connections: usize::MAX,
            ..Limits::default()
        };
        let cap = connection_cap(&limits);
        if let Some(files) = open_files() {
            assert_eq!(cap, files.saturating_sub(64).max(16));
        }
        assert_eq!(
            connection_cap(&Limits {
                max_connections: 3,
                ..limits
            }),
            3
        );
    }

    #[tokio::test]
    async fn an_applications_own_empty_400_is_not_rewritten() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let router = axum::Router::new().route(
            "/empty",
            axum::routing::get(|| async { axum::http::StatusCode::BAD_REQUEST }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve(listener, router, Limits::default()));
        let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /empty HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.unwrap();
        let text = String::from_utf8_lossy(&out);
        assert!(text.starts_with("HTTP/1.1 400 "), "{text}");
        assert!(text.contains("content-length: 0"), "{text}");
        assert!(!text.contains("problem+json"), "{text}");
        server.abort();
    }
}
