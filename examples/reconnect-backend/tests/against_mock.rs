//! The example backend against the embedded Nango mock, over loopback: the guide's flow.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

use contract_tests::mock::{self, server::Mock, state};
use generated::client::ReqwestClient;
use reconnect_backend::{Settings, TokenResponse};

#[tokio::test]
async fn settings_report_needs_reconnect_and_session_token_reauthorizes() {
    let nango = mock::start(
        Mock::new(state::State::seeded(state::DEV_SECRET_KEY), None),
        "127.0.0.1:0",
    )
    .await
    .unwrap();
    let client = ReqwestClient::builder(&nango.base_url)
        .bearer_token(state::DEV_SECRET_KEY)
        .build()
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let backend = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        axum::serve(listener, reconnect_backend::app(client))
            .await
            .unwrap()
    });
    let http = reqwest::Client::new();
    let settings = || async {
        http.get(format!("{backend}/settings/github/conn-session-1"))
            .send()
            .await
            .unwrap()
            .json::<Settings>()
            .await
            .unwrap()
    };

    assert_eq!(
        settings().await,
        Settings {
            connection_id: "conn-session-1".into(),
            needs_reconnect: false,
            status: 200
        }
    );
    let expired = http
        .post(format!(
            "{}/_mock/connections/conn-session-1/expire?provider_config_key=github",
            nango.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 200);
    let broken = settings().await;
    assert!(broken.needs_reconnect, "{broken:?}");
    assert_eq!(broken.status, 424);

    let token: TokenResponse = http
        .post(format!("{backend}/sessionToken"))
        .json(&serde_json::json!({"connection_id": "conn-session-1", "integration_id": "github"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(token.session_token.starts_with("nango_connect_session_"));
    let done = http
        .post(format!("{}/_mock/connect/complete", nango.base_url))
        .json(&serde_json::json!({"token": token.session_token}))
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(
        settings().await,
        Settings {
            connection_id: "conn-session-1".into(),
            needs_reconnect: false,
            status: 200
        }
    );
}
