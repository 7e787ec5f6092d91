//! A downstream program against a generated crate with `multipart/form-data` bodies: the
//! generated client sends a typed form (text, a number, repeated tags, a JSON object, a
//! file and a list of files), the generated server decodes it into the same struct, and
//! the schema is enforced (a title over `maxLength` is 400). Copied into the scratch
//! crate `uploads` by `generated_compile.rs`.

use std::sync::{Arc, Mutex};
use uploads::client::{Client, ReqwestClient};
use uploads::operations::{CreateUploadResponse, PutAvatarResponse};
use uploads::runtime::FilePart;
use uploads::server::{RouterOptions, Server};
use uploads::types::{PutAvatarBody, Upload, UploadForm};

#[derive(Clone, Default)]
struct Store {
    seen: Arc<Mutex<Vec<UploadForm>>>,
}

impl Server for Store {
    async fn create_upload(&self, body: UploadForm) -> CreateUploadResponse {
        let size = body.file.bytes.len() as i64;
        let title = body.title.clone();
        if let Ok(mut seen) = self.seen.lock() {
            seen.push(body);
        }
        CreateUploadResponse::Created(Upload::new(1, title, size))
    }

    async fn put_avatar(&self, _body: Option<PutAvatarBody>) -> PutAvatarResponse {
        PutAvatarResponse::NoContent
    }
}

#[tokio::test]
async fn a_typed_form_travels_from_the_generated_client_to_the_generated_server() {
    let store = Store::default();
    let listener = uploads::runtime::listen::TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(uploads::server::serve(
        listener,
        store.clone(),
        RouterOptions::default(),
        Default::default(),
    ));
    let client = ReqwestClient::builder(&base).build().unwrap();

    let mut meta = serde_json::Map::new();
    meta.insert("album".into(), serde_json::json!({"year": 2026}));
    let form = UploadForm::new(
        "holiday",
        FilePart::new(vec![0u8, 159, 146, 150, 255])
            .with_file_name("beach.jpg")
            .with_content_type("image/jpeg"),
    )
    .with_count(3)
    .with_tags(vec!["sea".into(), "sun".into()])
    .with_meta(meta)
    .with_attachments(vec![
        FilePart::new(b"notes".to_vec()).with_file_name("notes.txt").with_content_type("text/plain"),
        FilePart::new(vec![1u8, 2, 3]).with_file_name("raw.bin"),
    ]);
    let created = client.create_upload(&form).await.unwrap().into_result().unwrap();
    assert_eq!(created.size, 5);
    let seen = store.seen.lock().unwrap().clone();
    let mut expected = form.clone();
    // A file sent without a content type arrives as application/octet-stream.
    if let Some(files) = expected.attachments.as_mut() {
        files[1].content_type = Some("application/octet-stream".into());
    }
    assert_eq!(seen, [expected]);

    // One file where a list is expected, and a file behind a `$ref`.
    let single = UploadForm::new("one", FilePart::new(b"a".to_vec()).with_file_name("a.txt"))
        .with_attachments(vec![FilePart::new(b"only".to_vec()).with_file_name("only.txt")])
        .with_cover(FilePart::new(vec![7u8; 3]).with_file_name("c.png").with_content_type("image/png"));
    client.create_upload(&single).await.unwrap().into_result().unwrap();
    let seen = store.seen.lock().unwrap().clone();
    let got = &seen[1];
    assert_eq!(got.attachments.as_ref().map(Vec::len), Some(1));
    assert_eq!(got.cover.as_ref().map(|c| c.bytes.clone()), Some(vec![7u8; 3]));
    assert_eq!(got.cover.as_ref().and_then(|c| c.file_name.clone()).as_deref(), Some("c.png"));

    // The schema holds: a title over maxLength is refused before the server runs.
    let long = UploadForm::new("x".repeat(41), FilePart::new(b"x".to_vec()).with_file_name("x"));
    let refused = client.create_upload(&long).await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(matches!(refused.into_inner(), CreateUploadResponse::BadRequest(_)));
    assert_eq!(store.seen.lock().unwrap().len(), 2);

    // An optional multipart body, with and without it.
    let avatar = PutAvatarBody::default().with_image(FilePart::new(vec![9u8; 64]).with_file_name("me.png"));
    let replaced = client.put_avatar(Some(&avatar)).await.unwrap();
    assert_eq!(replaced.status(), 204);
    server.abort();
}
