//! `/documents`: uploads of every accepted kind, the refusals, and that
//! nothing is stored when a document is refused.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use axum::body::Body;
use axum::http::{Method, StatusCode};
use common::{TestApp, b64, fixture, multipart, object_count, pdf};
use serde_json::json;

#[tokio::test]
async fn a_multipart_pdf_upload_answers_its_metadata_at_the_top_level() {
    let app = TestApp::new().await;
    let bytes = pdf(3);
    let r = app.upload(&app.a, &bytes, "application/pdf", None).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let doc = &r.json;
    assert!(doc["id"].as_str().unwrap().starts_with("doc_"));
    assert_eq!(doc["name"], "contrat.pdf");
    assert_eq!(doc["mimeType"], "application/pdf");
    assert_eq!(doc["size"], bytes.len());
    assert_eq!(doc["pages"], 3);
    assert_eq!(doc["status"], "READY");
    let digest = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&bytes))
    };
    assert_eq!(doc["sha256"], digest);
    assert!(doc["createdAt"].as_str().unwrap().ends_with('Z'));

    // The bytes are in the object store, exactly.
    let id = doc["id"].as_str().unwrap();
    let key = paraph_server::blobs::Blobs::document_key(&app.a.tenant.account_id, id);
    assert_eq!(app.state.blobs().get(&key).await.unwrap(), bytes);

    let got = app.get(&format!("/api/v1/documents/{id}"), &app.a).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json, r.json);
}

#[tokio::test]
async fn octet_stream_is_sniffed_and_the_name_part_wins() {
    let app = TestApp::new().await;
    let r = app
        .upload(
            &app.a,
            &pdf(1),
            "application/octet-stream",
            Some("Contrat signé.pdf"),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json["name"], "Contrat signé.pdf");

    let r = app
        .upload(
            &app.a,
            b"PK\x03\x04 a zip, not a pdf",
            "application/octet-stream",
            None,
        )
        .await;
    r.assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    let r = app.upload(&app.a, &pdf(1), "image/png", None).await;
    r.assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn json_and_raw_bodies_are_accepted() {
    let app = TestApp::new().await;
    let r = app
        .post(
            "/api/v1/documents",
            &app.a,
            &json!({"name": "inline.pdf", "base64Pdf": b64(&pdf(2))}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json["pages"], 2);
    assert_eq!(r.json["name"], "inline.pdf");

    let raw = app
        .send(
            TestApp::request(Method::POST, "/api/v1/documents", Some(&app.a))
                .header("content-type", "application/pdf")
                .body(Body::from(pdf(1)))
                .unwrap(),
        )
        .await;
    assert_eq!(raw.status, StatusCode::CREATED, "{}", raw.text());
    assert_eq!(raw.json["name"], "document.pdf");

    let text = app
        .send(
            TestApp::request(Method::POST, "/api/v1/documents", Some(&app.a))
                .header("content-type", "text/plain")
                .body(Body::from("hello"))
                .unwrap(),
        )
        .await;
    text.assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
    let bad = app
        .post(
            "/api/v1/documents",
            &app.a,
            &json!({"base64Pdf": "%%% not base64"}),
        )
        .await;
    bad.assert_error(400, "INVALID_ARGUMENT");
    let malformed = app
        .send(
            TestApp::request(Method::POST, "/api/v1/documents", Some(&app.a))
                .header("content-type", "application/json")
                .body(Body::from("{\"base64Pdf\": "))
                .unwrap(),
        )
        .await;
    malformed.assert_error(400, "MALFORMED_JSON");
}

#[tokio::test]
async fn broken_encrypted_and_oversized_pdfs_are_refused_and_nothing_is_stored() {
    let app = TestApp::with(common::Options {
        max_document_bytes: 4000,
        ..Default::default()
    })
    .await;
    let before = object_count(&app).await;

    let broken = app
        .upload(
            &app.a,
            b"%PDF-1.7\nthis is not a PDF body",
            "application/pdf",
            None,
        )
        .await;
    broken.assert_error(422, "PDF_MALFORMED");
    let encrypted = app
        .upload(
            &app.a,
            &fixture("pdf/encrypted-user-password.pdf"),
            "application/pdf",
            None,
        )
        .await;
    encrypted.assert_error(422, "PDF_ENCRYPTED");
    let owner = app
        .upload(
            &app.a,
            &fixture("pdf/encrypted-owner-password.pdf"),
            "application/pdf",
            None,
        )
        .await;
    owner.assert_error(422, "PDF_ENCRYPTED");
    let mut big = pdf(1);
    big.resize(5000, b' ');
    let too_large = app.upload(&app.a, &big, "application/pdf", None).await;
    too_large.assert_error(413, "PAYLOAD_TOO_LARGE");
    let json_too_large = app
        .post(
            "/api/v1/documents",
            &app.a,
            &json!({"base64Pdf": b64(&big)}),
        )
        .await;
    json_too_large.assert_error(413, "PAYLOAD_TOO_LARGE");

    let list = app.get("/api/v1/documents", &app.a).await;
    assert_eq!(list.json["pagination"]["total"], 0);
    assert_eq!(object_count(&app).await, before, "no bytes were stored");
}

#[tokio::test]
async fn a_body_over_the_request_limit_is_413() {
    let app = TestApp::with(common::Options {
        max_document_bytes: 1000,
        ..Default::default()
    })
    .await;
    let limit = app.state.settings().max_body_bytes;
    let (content_type, body) = multipart(
        &vec![b'%'; limit + 10],
        "application/pdf",
        "x.pdf",
        None,
        "B",
    );
    let r = app
        .send(
            TestApp::request(Method::POST, "/api/v1/documents", Some(&app.a))
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    r.assert_error(413, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn a_multipart_body_without_a_file_is_400() {
    let app = TestApp::new().await;
    let body = "--B\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nx.pdf\r\n--B--\r\n";
    let r = app
        .send(
            TestApp::request(Method::POST, "/api/v1/documents", Some(&app.a))
                .header("content-type", "multipart/form-data; boundary=B")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    r.assert_error(400, "INVALID_ARGUMENT");
}

#[tokio::test]
async fn documents_list_page_and_delete() {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.upload_pdf(&app.a).await);
    }
    let page = app.get("/api/v1/documents?page=1&limit=2", &app.a).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.json["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        page.json["pagination"],
        json!({"total": 3, "page": 1, "pageSize": 2, "pages": 2})
    );
    // Newest first.
    assert_eq!(page.json["data"][0]["id"], ids[2].as_str());
    let second = app.get("/api/v1/documents?page=2&limit=2", &app.a).await;
    assert_eq!(second.json["data"][0]["id"], ids[0].as_str());
    app.get("/api/v1/documents?limit=0", &app.a)
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    app.get("/api/v1/documents?limit=101", &app.a)
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    app.get("/api/v1/documents?page=x", &app.a)
        .await
        .assert_error(400, "INVALID_ARGUMENT");

    let key = paraph_server::blobs::Blobs::document_key(&app.a.tenant.account_id, &ids[0]);
    let deleted = app
        .delete(&format!("/api/v1/documents/{}", ids[0]), &app.a)
        .await;
    assert_eq!(deleted.status, StatusCode::OK);
    assert_eq!(deleted.json, json!({"success": true}));
    app.get(&format!("/api/v1/documents/{}", ids[0]), &app.a)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.delete(&format!("/api/v1/documents/{}", ids[0]), &app.a)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    assert!(
        app.state.blobs().get(&key).await.is_err(),
        "unused bytes are removed"
    );
}

#[tokio::test]
async fn deleting_a_document_an_envelope_uses_keeps_its_bytes_for_the_envelope() {
    let app = TestApp::new().await;
    let envelope = app.draft(&app.a).await;
    let got = app
        .get(&format!("/api/v1/envelopes/{envelope}"), &app.a)
        .await;
    let doc = got.json["documents"][0]["id"].as_str().unwrap().to_owned();
    let key = paraph_server::blobs::Blobs::document_key(&app.a.tenant.account_id, &doc);
    assert_eq!(
        app.delete(&format!("/api/v1/documents/{doc}"), &app.a)
            .await
            .status,
        StatusCode::OK
    );
    assert!(
        app.state.blobs().get(&key).await.is_ok(),
        "the draft still uses the bytes"
    );
    let again = app
        .get(&format!("/api/v1/envelopes/{envelope}"), &app.a)
        .await;
    assert_eq!(again.json["documents"][0]["id"], doc.as_str());
    // Deleting the draft was the last use: the bytes go.
    assert_eq!(
        app.delete(&format!("/api/v1/envelopes/{envelope}"), &app.a)
            .await
            .status,
        StatusCode::OK
    );
    assert!(app.state.blobs().get(&key).await.is_err());
}
