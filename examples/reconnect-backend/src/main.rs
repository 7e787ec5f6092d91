//! Runs the example backend: `NANGO_SECRET_KEY=… NANGO_HOST=http://127.0.0.1:3003 cargo run -p reconnect-backend`.

use generated::client::{DEFAULT_SERVER, ReqwestClient};

#[tokio::main]
async fn main() -> Result<(), String> {
    let key = std::env::var("NANGO_SECRET_KEY").map_err(|_| "set NANGO_SECRET_KEY")?;
    let host = std::env::var("NANGO_HOST").unwrap_or_else(|_| DEFAULT_SERVER.to_owned());
    let nango = ReqwestClient::builder(host)
        .bearer_token(key)
        .build()
        .map_err(|e| e.to_string())?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080")
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "backend on http://127.0.0.1:8080 (GET /settings/{{integration}}/{{connection}}, POST /sessionToken)"
    );
    axum::serve(listener, reconnect_backend::app(nango))
        .await
        .map_err(|e| e.to_string())
}
