//! What the command-line tests share: running `xtask`, scratch folders, servers started as a
//! user starts them (killed on drop), raw HTTP on loopback, and recorded reconnect traffic.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)] // each test file uses a part

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The Nango secret key the recorded traffic and the Nango mock use.
pub const NANGO_KEY: &str = "6f1c2b0e-8a3d-4e5f-9a7b-0c1d2e3f4a5b";

/// `xtask ARGS`, run to its end.
pub fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("xtask runs")
}

/// A command's standard output as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// An empty folder of this test process for `name`.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A server started by a test, killed on drop: the process and its port.
pub struct Served(pub std::process::Child, pub u16);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Spawns `command` serving on `port`, its output dropped, and waits until it listens.
pub fn spawn_server(mut command: Command, port: u16) -> Served {
    command.stdout(Stdio::null()).stderr(Stdio::null());
    spawn_listening(command, port)
}

/// Spawns `command` (its output wherever the caller sent it) serving on `port` and waits
/// until it listens.
pub fn spawn_listening(mut command: Command, port: u16) -> Served {
    let served = Served(command.spawn().unwrap(), port);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return served;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the server did not listen on {port}");
}

/// `xtask ARGS` as a server on `port`.
pub fn spawn_xtask(args: &[&str], port: u16) -> Served {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
    command.args(args);
    spawn_server(command, port)
}

/// A raw HTTP/1.1 exchange on loopback (the tests here have no HTTP client): status and body.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    let lines: String = headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\r\n"))
        .collect();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n{lines}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.get(9..12).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = out.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    (status, body)
}

/// A recorded `POST /connect/sessions/reconnect` (HAR 1.2 entry) with the Nango key: its
/// request body, and the answer's status and JSON body.
pub fn reconnect_entry(request: &str, status: u16, body: &str) -> serde_json::Value {
    serde_json::json!({
        "request": {"method": "POST", "url": "https://api.nango.dev/connect/sessions/reconnect",
                    "headers": [{"name": "Content-Type", "value": "application/json"},
                                {"name": "Authorization", "value": format!("Bearer {NANGO_KEY}")}],
                    "postData": {"mimeType": "application/json", "text": request}},
        "response": {"status": status, "headers": [{"name": "Content-Type", "value": "application/json"}],
                     "content": {"mimeType": "application/json", "text": body}}
    })
}
