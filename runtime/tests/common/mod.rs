//! What the runtime's loopback tests share: the state of a test router, which answers
//! refusals with problem+json and carries whatever the test's handlers need.

use openapi_runtime::server::{Core, Host, Rejection};

/// A router's state: the compiled checks and the test's own `state`.
pub struct App<S> {
    /// What the router was built with.
    pub core: Core,
    /// What the handlers read or record (router.rs's need none).
    #[allow(dead_code)]
    pub state: S,
}

impl<S: Send + Sync + 'static> Host for App<S> {
    fn core(&self) -> &Core {
        &self.core
    }
    fn reject(&self, rejection: Rejection) -> axum::response::Response {
        openapi_runtime::server::problem(rejection)
    }
}
