//! `/envelopes`: drafts in every request shape existing clients send,
//! lists, changes, deletion and voiding, and what is persisted.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use axum::http::StatusCode;
use common::{TestApp, b64, pdf};
use paraph::envelope::replay;
use serde_json::json;

#[tokio::test]
async fn variant_a_upload_then_draft_with_document_ids() {
    let app = TestApp::new().await;
    let doc = app.upload_pdf(&app.a).await;
    let r = app
        .post(
            "/api/v1/envelopes",
            &app.a,
            &json!({
                "subject": "Contrat de prestation",
                "documentIds": [doc],
                "recipients": [{"email": "client@example.com", "name": "Marie Dubois", "role": "SIGNER"}]
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let e = &r.json;
    assert!(e["id"].as_str().unwrap().starts_with("env_"));
    assert_eq!(e["status"], "DRAFT");
    assert_eq!(e["subject"], "Contrat de prestation");
    assert_eq!(e["title"], "Contrat de prestation");
    assert_eq!(e["signatureLevel"], "SIMPLE");
    assert_eq!(e["locale"], "en");
    assert_eq!(e["livemode"], true);
    assert!(e["expiresAt"].is_null() && e["completedAt"].is_null());
    let recipient = &e["recipients"][0];
    assert!(recipient["id"].as_str().unwrap().starts_with("rcp_"));
    assert_eq!(recipient["email"], "client@example.com");
    assert_eq!(recipient["name"], "Marie Dubois");
    assert_eq!(recipient["role"], "SIGNER");
    assert_eq!(recipient["routingOrder"], 1);
    assert_eq!(recipient["status"], "PENDING");
    assert!(recipient["signedAt"].is_null());
    assert!(
        recipient.get("accessToken").is_none(),
        "no access token before send"
    );
    assert_eq!(e["signers"], e["recipients"]);
    assert_eq!(e["documents"][0]["id"], doc.as_str());
    assert_eq!(e["documents"][0]["pages"], 2);

    let got = app
        .get(
            &format!("/api/v1/envelopes/{}", e["id"].as_str().unwrap()),
            &app.a,
        )
        .await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.json, r.json);
}

#[tokio::test]
async fn variant_b_signers_with_inline_base64_documents() {
    let app = TestApp::new().await;
    let bytes = pdf(1);
    let r = app
        .post(
            "/api/v1/envelopes",
            &app.a,
            &json!({
                "subject": "Contrat de prestation",
                "signers": [{"email": "client@example.com", "name": "Marie Dubois"}],
                "documents": [{"name": "contrat.pdf", "base64Pdf": b64(&bytes)}]
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json["signers"][0]["email"], "client@example.com");
    assert_eq!(r.json["signers"][0]["role"], "SIGNER");
    let doc = r.json["documents"][0]["id"].as_str().unwrap();
    assert_eq!(r.json["documents"][0]["name"], "contrat.pdf");
    // The inline document is a document of the account, with its bytes stored.
    let listed = app.get(&format!("/api/v1/documents/{doc}"), &app.a).await;
    assert_eq!(listed.status, StatusCode::OK);
    let key = paraph_server::blobs::Blobs::document_key(&app.a.tenant.account_id, doc);
    assert_eq!(app.state.blobs().get(&key).await.unwrap(), bytes);
}

#[tokio::test]
async fn variant_c_title_recipients_and_webhook_url() {
    let app = TestApp::new().await;
    let r = app
        .post(
            "/v1/envelopes",
            &app.a,
            &json!({
                "title": "Contrat de prestation",
                "recipients": [{"email": "client@example.com", "name": "Jane Doe"}],
                "webhook_url": "http://127.0.0.1:9/webhooks/sign"
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    assert_eq!(r.json["subject"], "Contrat de prestation");
    assert_eq!(r.json["webhook_url"], "http://127.0.0.1:9/webhooks/sign");
    assert_eq!(r.json["webhookUrl"], "http://127.0.0.1:9/webhooks/sign");
    assert!(
        r.json["webhookSecret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    let id = r.json["id"].as_str().unwrap();
    let got = app.get(&format!("/api/v1/envelopes/{id}"), &app.a).await;
    assert!(
        got.json.get("webhookSecret").is_none(),
        "the secret is shown once"
    );
    let webhooks = app.get("/api/v1/webhooks", &app.a).await;
    assert_eq!(webhooks.json["data"][0]["envelopeId"], id);

    // Fetching a document from a URL is refused with a clear message.
    let remote = app
        .post(
            "/v1/envelopes",
            &app.a,
            &json!({"title": "T", "documents": [{"file_url": "https://your.app/contract.pdf"}]}),
        )
        .await;
    remote.assert_error(400, "INVALID_ARGUMENT");
    assert!(remote.json["error"].as_str().unwrap().contains("file_url"));
}

#[tokio::test]
async fn every_documented_option_is_accepted_and_unknown_keys_are_ignored() {
    let app = TestApp::new().await;
    let doc = app.upload_pdf(&app.a).await;
    let r = app
        .post(
            "/api/v1/envelopes",
            &app.a,
            &json!({
                "subject": "NDA",
                "message": "Please sign",
                "documentIds": [doc],
                "documents": [{"name": "annex.pdf", "base64Pdf": b64(&pdf(3))}],
                "recipients": [
                    {"email": "a@example.com", "name": "A", "phone": "+33612345678", "routingOrder": 1},
                    {"email": "b@example.com", "name": "B", "role": "APPROVER", "routingOrder": 2, "phone": "+33612345679"},
                    {"email": "c@example.com", "name": "C", "role": "CARBON_COPY", "routingOrder": 3},
                    {"email": "d@example.com", "role": "VIEWER"}
                ],
                "fields": [
                    {"recipientEmail": "a@example.com", "fieldType": "SIGNATURE", "pageNumber": 2, "x": 100, "y": 650, "width": 160, "height": 45},
                    {"recipientEmail": "A@EXAMPLE.COM", "fieldType": "DATE_SIGNED", "documentIndex": 1, "pageNumber": 3},
                    {"recipientIndex": 1, "fieldType": "CHECKBOX", "required": false},
                    {"recipientIndex": 0, "fieldType": "INITIALS", "anchorText": "Initials:", "anchorPlacement": "below", "anchorIndex": 1}
                ],
                "signatureLevel": "ADVANCED",
                "requireSmsOtp": true,
                "expiresAt": "2099-01-01T00:00:00Z",
                "locale": "fr",
                "redirectUrl": "https://app.example/done",
                "initialsOnEveryPage": true,
                "category": "NDA",
                "tags": ["Legal", "legal", "Q4"],
                "workspaceId": "ws_1",
                "someFutureOption": {"nested": true}
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    let e = &r.json;
    assert_eq!(e["message"], "Please sign");
    assert_eq!(e["signatureLevel"], "ADVANCED");
    assert_eq!(e["locale"], "fr");
    assert_eq!(e["expiresAt"], "2099-01-01T00:00:00Z");
    assert_eq!(e["redirectUrl"], "https://app.example/done");
    assert_eq!(e["requireSmsOtp"], true);
    assert_eq!(e["initialsOnEveryPage"], true);
    assert_eq!(e["tags"], json!(["legal", "q4"]));
    assert_eq!(e["category"], "NDA");
    assert_eq!(e["documents"].as_array().unwrap().len(), 2);
    let roles: Vec<&str> = e["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["SIGNER", "APPROVER", "CARBON_COPY", "VIEWER"]);
    assert_eq!(
        e["recipients"][3]["name"], "d@example.com",
        "a missing name defaults to the email"
    );
    assert_eq!(e["signers"].as_array().unwrap().len(), 1);
    let fields = e["fields"].as_array().unwrap();
    assert_eq!(fields.len(), 4);
    assert_eq!(fields[0]["fieldType"], "SIGNATURE");
    assert_eq!(fields[0]["pageNumber"], 2);
    assert_eq!(fields[0]["x"], 100.0);
    assert_eq!(fields[0]["y"], 650.0);
    assert_eq!(fields[1]["fieldType"], "DATE_SIGNED");
    assert_eq!(fields[1]["documentId"], e["documents"][1]["id"]);
    assert_eq!(fields[1]["x"], 72.0, "documented default x");
    assert_eq!(fields[1]["y"], 700.0, "documented default y");
    assert_eq!(fields[1]["width"], 150.0);
    assert_eq!(fields[2]["required"], false);
    assert_eq!(fields[2]["recipientEmail"], "b@example.com");
    // The anchored field is kept for the send step.
    assert_eq!(fields[3]["anchorText"], "Initials:");
    assert_eq!(fields[3]["anchorPlacement"], "below");
    assert_eq!(fields[3]["anchorIndex"], 1);
    assert_eq!(fields[3]["fieldType"], "INITIALS");
    assert!(fields[3]["x"].is_null());
}

#[tokio::test]
async fn invalid_drafts_get_typed_errors() {
    let app = TestApp::new().await;
    let doc = app.upload_pdf(&app.a).await;
    let post = |body: serde_json::Value| {
        let app = &app;
        async move { app.post("/api/v1/envelopes", &app.a, &body).await }
    };
    post(json!({"recipients": []}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(json!({"subject": "A", "title": "B"}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(json!({"subject": "  "}))
        .await
        .assert_error(422, "INVALID_ENVELOPE");
    post(json!({"subject": "S", "templateId": "tpl_1"}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(json!({"subject": "S", "redirectUrl": "http://app.example/done"}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    // Seed §1.4: an unsupported locale is 400, like a malformed one.
    post(json!({"subject": "S", "locale": "French"}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(json!({"subject": "S", "locale": "nl-BE"}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(json!({"subject": "S", "signatureLevel": "SUPREME"}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(json!({"subject": "S", "expiresAt": "2001-01-01T00:00:00Z"}))
        .await
        .assert_error(422, "INVALID_ENVELOPE");
    post(json!({"subject": "S", "recipients": [{"email": "not-an-email"}]}))
        .await
        .assert_error(422, "INVALID_RECIPIENT");
    post(json!({"subject": "S", "recipients": [{"email": "a@example.com", "role": "OWNER"}]}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(
        json!({"subject": "S", "requireSmsOtp": true, "recipients": [{"email": "a@example.com"}]}),
    )
    .await
    .assert_error(422, "INVALID_RECIPIENT");
    post(json!({"subject": "S", "documentIds": ["doc_missing"]}))
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    post(json!({"subject": "S", "documentIds": [doc, doc]}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(json!({"subject": "S", "documents": [{"base64Pdf": b64(b"%PDF-1.4 junk")}]}))
        .await
        .assert_error(422, "PDF_MALFORMED");
    let with_fields = |fields: serde_json::Value| json!({"subject": "S", "documentIds": [doc], "recipients": [{"email": "a@example.com"}, {"email": "cc@example.com", "role": "CC"}], "fields": fields});
    post(with_fields(json!([{"recipientEmail": "z@example.com"}])))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(with_fields(json!([{"recipientIndex": 5}])))
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    post(with_fields(
        json!([{"recipientIndex": 0, "documentIndex": 3}]),
    ))
    .await
    .assert_error(400, "INVALID_ARGUMENT");
    post(with_fields(json!([{"recipientIndex": 0, "pageNumber": 9}])))
        .await
        .assert_error(422, "FIELD_OUT_OF_BOUNDS");
    post(with_fields(json!([{"recipientIndex": 0, "width": -1}])))
        .await
        .assert_error(422, "FIELD_OUT_OF_BOUNDS");
    post(with_fields(json!([{"recipientIndex": 1}])))
        .await
        .assert_error(422, "FIELD_RECIPIENT_NOT_ALLOWED");
    post(with_fields(
        json!([{"recipientIndex": 1, "anchorText": "Sign here"}]),
    ))
    .await
    .assert_error(422, "FIELD_RECIPIENT_NOT_ALLOWED");
    post(with_fields(
        json!([{"recipientIndex": 0, "fieldType": "RADIO_GROUP"}]),
    ))
    .await
    .assert_error(400, "INVALID_ARGUMENT");
    post(with_fields(
        json!([{"recipientIndex": 0, "anchorText": "x", "anchorPlacement": "diagonal"}]),
    ))
    .await
    .assert_error(400, "INVALID_ARGUMENT");
    post(json!({"subject": "S", "webhook_url": "https://10.0.0.1/hook"}))
        .await
        .assert_error(400, "WEBHOOK_URL_FORBIDDEN");
    post(json!({"subject": 5}))
        .await
        .assert_error(400, "MALFORMED_JSON");
    // Nothing above created an envelope.
    let list = app.get("/api/v1/envelopes", &app.a).await;
    assert_eq!(list.json["pagination"]["total"], 0);
    // A supported language with a region is kept, in BCP 47 spelling.
    let regional = post(json!({"subject": "S", "locale": "fr_CA"})).await;
    assert_eq!(regional.status, StatusCode::CREATED, "{}", regional.text());
    assert_eq!(regional.json["locale"], "fr-CA");
}

#[tokio::test]
async fn a_json_body_needs_its_content_type() {
    let app = TestApp::new().await;
    let r = app
        .send(
            TestApp::request(axum::http::Method::POST, "/api/v1/envelopes", Some(&app.a))
                .body(axum::body::Body::from("{\"subject\":\"S\"}"))
                .unwrap(),
        )
        .await;
    r.assert_error(415, "UNSUPPORTED_MEDIA_TYPE");
}

#[tokio::test]
async fn the_list_pages_and_filters_by_status() {
    let app = TestApp::new().await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let r = app
            .post(
                "/api/v1/envelopes",
                &app.a,
                &json!({"subject": format!("E{i}")}),
            )
            .await;
        ids.push(r.json["id"].as_str().unwrap().to_owned());
    }
    let sent = app.draft(&app.a).await;
    app.force_send(&app.a, &sent).await;

    let all = app.get("/api/v1/envelopes?limit=2", &app.a).await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(
        all.json["pagination"],
        json!({"total": 4, "page": 1, "pageSize": 2, "pages": 2})
    );
    assert_eq!(all.json["data"][0]["id"], sent.as_str());
    let drafts = app.get("/api/v1/envelopes?status=DRAFT", &app.a).await;
    assert_eq!(drafts.json["pagination"]["total"], 3);
    assert!(
        drafts.json["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["status"] == "DRAFT")
    );
    let sent_list = app.get("/api/v1/envelopes?status=sent", &app.a).await;
    assert_eq!(sent_list.json["pagination"]["total"], 1);
    assert_eq!(sent_list.json["data"][0]["status"], "SENT");
    let both = app.get("/api/v1/envelopes?status=SENT,DRAFT", &app.a).await;
    assert_eq!(both.json["pagination"]["total"], 4);
    let never = app
        .get("/api/v1/envelopes?status=PARTIALLY_SIGNED", &app.a)
        .await;
    assert_eq!(never.json["pagination"]["total"], 0);
    app.get("/api/v1/envelopes?status=BOGUS", &app.a)
        .await
        .assert_error(400, "INVALID_ARGUMENT");
    // Another account and the test mode see none of them.
    assert_eq!(
        app.get("/api/v1/envelopes", &app.b).await.json["pagination"]["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/envelopes", &app.a_test).await.json["pagination"]["total"],
        0
    );
}

#[tokio::test]
async fn patch_changes_a_draft_and_ignores_what_it_may_not_set() {
    let app = TestApp::new().await;
    let id = app.draft(&app.a).await;
    let path = format!("/api/v1/envelopes/{id}");
    let r = app
        .patch(
            &path,
            &app.a,
            &json!({
                "title": "Renamed",
                "message": "New message",
                "status": "COMPLETED",
                "id": "env_other",
                "completedAt": "2026-01-01T00:00:00Z",
                "livemode": false,
                "tags": ["x"]
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json["subject"], "Renamed");
    assert_eq!(r.json["message"], "New message");
    assert_eq!(r.json["status"], "DRAFT");
    assert_eq!(r.json["id"], id.as_str());
    assert!(r.json["completedAt"].is_null());
    assert_eq!(r.json["livemode"], true);
    assert_eq!(r.json["tags"], json!(["x"]));
    // The field and recipient survive a change that does not list them.
    assert_eq!(r.json["fields"].as_array().unwrap().len(), 1);
    assert_eq!(r.json["recipients"].as_array().unwrap().len(), 1);

    // Replacing the recipients drops the fields of those removed.
    let r = app
        .patch(&path, &app.a, &json!({"recipients": [{"email": "x@example.com"}, {"email": "y@example.com"}], "message": null}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(r.json["message"].is_null());
    let emails: Vec<&str> = r.json["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["x@example.com", "y@example.com"]);
    assert_eq!(r.json["fields"].as_array().unwrap().len(), 0);
    // Replacing the fields places new ones against the current recipients.
    let r = app
        .patch(&path, &app.a, &json!({"fields": [{"recipientEmail": "y@example.com", "anchorText": "Signature"}, {"recipientIndex": 0}]}))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json["fields"].as_array().unwrap().len(), 2);
    // Replacing the documents drops the fields on the old ones, anchored ones too.
    let r = app
        .patch(
            &path,
            &app.a,
            &json!({"documents": [{"name": "v2.pdf", "base64Pdf": b64(&pdf(1))}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json["documents"][0]["name"], "v2.pdf");
    assert_eq!(r.json["fields"].as_array().unwrap().len(), 0);
    // requireSmsOtp changes only with the recipients.
    app.patch(&path, &app.a, &json!({"requireSmsOtp": true}))
        .await
        .assert_error(400, "INVALID_ARGUMENT");

    // Every change went through the core: the events replay into the snapshot.
    let record = app
        .store
        .envelope(&app.a.tenant, &id)
        .await
        .unwrap()
        .unwrap();
    let events = app.store.envelope_events(&id).await.unwrap();
    assert_eq!(events.len() as u64, record.envelope.version);
    assert_eq!(replay(&events).unwrap(), record.envelope);
    assert_eq!(r.json["version"], record.envelope.version);

    app.patch(
        "/api/v1/envelopes/env_missing",
        &app.a,
        &json!({"title": "x"}),
    )
    .await
    .assert_error(404, "RESOURCE_NOT_FOUND");
}

#[tokio::test]
async fn a_sent_envelope_cannot_be_patched_and_deleting_it_voids_it() {
    let app = TestApp::new().await;
    let id = app.draft(&app.a).await;
    app.force_send(&app.a, &id).await;
    let path = format!("/api/v1/envelopes/{id}");
    app.patch(&path, &app.a, &json!({"subject": "too late"}))
        .await
        .assert_error(409, "ENVELOPE_NOT_DRAFT");
    app.patch(&path, &app.a, &json!({"tags": ["too late"]}))
        .await
        .assert_error(409, "ENVELOPE_NOT_DRAFT");

    let voided = app
        .json(
            axum::http::Method::DELETE,
            &path,
            &app.a,
            &json!({"reason": "Wrong amount"}),
        )
        .await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.text());
    assert_eq!(voided.json, json!({"success": true}));
    let got = app.get(&path, &app.a).await;
    assert_eq!(got.json["status"], "VOIDED");
    assert_eq!(got.json["voidReason"], "Wrong amount");
    assert!(got.json["voidedAt"].is_string());
    // A terminal envelope accepts nothing more.
    app.delete(&path, &app.a)
        .await
        .assert_error(409, "ENVELOPE_TERMINAL");
    let events = app.store.envelope_events(&id).await.unwrap();
    assert_eq!(events.last().unwrap().event_type(), "envelope.voided");

    // The reason may also come in the query, or not at all.
    let other = app.draft(&app.a).await;
    app.force_send(&app.a, &other).await;
    let r = app
        .delete(
            &format!("/api/v1/envelopes/{other}?reason=Duplicate"),
            &app.a,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        app.get(&format!("/api/v1/envelopes/{other}"), &app.a)
            .await
            .json["voidReason"],
        "Duplicate"
    );
    let third = app.draft(&app.a).await;
    app.force_send(&app.a, &third).await;
    assert_eq!(
        app.delete(&format!("/api/v1/envelopes/{third}"), &app.a)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        app.get(&format!("/api/v1/envelopes/{third}"), &app.a)
            .await
            .json["voidReason"],
        paraph_server::envelopes::DEFAULT_VOID_REASON
    );
}

#[tokio::test]
async fn deleting_a_draft_removes_it_and_keeps_its_history() {
    let app = TestApp::new().await;
    let id = app.draft(&app.a).await;
    let path = format!("/api/v1/envelopes/{id}");
    let r = app.delete(&path, &app.a).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json, json!({"success": true}));
    app.get(&path, &app.a)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    app.delete(&path, &app.a)
        .await
        .assert_error(404, "RESOURCE_NOT_FOUND");
    let events = app.store.envelope_events(&id).await.unwrap();
    assert_eq!(events.last().unwrap().event_type(), "envelope.deleted");
    let listed = app.get("/api/v1/envelopes", &app.a).await;
    assert_eq!(listed.json["pagination"]["total"], 0);
}

#[tokio::test]
async fn creating_stores_the_snapshot_the_events_and_the_outbox_together() {
    let app = TestApp::new().await;
    let hook = app
        .post(
            "/api/v1/webhooks",
            &app.a,
            &json!({"url": "http://127.0.0.1:9/hook"}),
        )
        .await;
    assert_eq!(hook.status, StatusCode::CREATED, "{}", hook.text());
    let id = app.draft(&app.a).await;
    let record = app
        .store
        .envelope(&app.a.tenant, &id)
        .await
        .unwrap()
        .unwrap();
    let events = app.store.envelope_events(&id).await.unwrap();
    assert_eq!(events.len() as u64, record.envelope.version);
    assert_eq!(events[0].event_type(), "envelope.created");
    assert_eq!(replay(&events).unwrap(), record.envelope);
    let deliveries = app
        .get(
            &format!(
                "/api/v1/webhooks/{}/deliveries",
                hook.json["id"].as_str().unwrap()
            ),
            &app.a,
        )
        .await;
    let list = deliveries.json["data"].as_array().unwrap();
    assert_eq!(
        list.len(),
        1,
        "only envelope.created is published for a draft"
    );
    assert_eq!(list[0]["event"], "envelope.created");
    assert_eq!(list[0]["status"], "PENDING");
    assert_eq!(list[0]["messageId"], format!("evt_{id}_1"));
}

#[tokio::test]
async fn a_stale_write_is_refused_by_the_store() {
    let app = TestApp::new().await;
    let id = app.draft(&app.a).await;
    let record = app
        .store
        .envelope(&app.a.tenant, &id)
        .await
        .unwrap()
        .unwrap();
    // Another writer moves the envelope on.
    assert_eq!(
        app.patch(
            &format!("/api/v1/envelopes/{id}"),
            &app.a,
            &json!({"subject": "first"})
        )
        .await
        .status,
        StatusCode::OK
    );
    let write = paraph_server::store::EnvelopeWrite {
        tenant: app.a.tenant.clone(),
        envelope: record.envelope.clone(),
        extra: record.extra.clone(),
        events: vec![],
        outbox: vec![],
        messages: vec![],
        new_documents: vec![],
        document_ids: vec![],
        envelope_webhook: None,
        deleted_at: None,
    };
    let result = app
        .store
        .update_envelope(&write, record.envelope.version)
        .await;
    assert!(
        matches!(result, Err(paraph_server::store::WriteError::Conflict)),
        "{result:?}"
    );
    let after = app
        .store
        .envelope(&app.a.tenant, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.envelope.subject, "first", "nothing was overwritten");
}

#[tokio::test]
async fn concurrent_changes_to_one_envelope_never_corrupt_it() {
    let app = TestApp::new().await;
    let id = app.draft(&app.a).await;
    let path = format!("/api/v1/envelopes/{id}");
    let results = futures::future::join_all((0..8).map(|i| {
        let path = path.clone();
        let app = &app;
        async move {
            app.patch(&path, &app.a, &json!({"subject": format!("writer {i}")}))
                .await
        }
    }))
    .await;
    let ok = results
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    for r in &results {
        assert!(
            r.status == StatusCode::OK || r.json["code"] == "CONCURRENT_MODIFICATION",
            "{}",
            r.text()
        );
    }
    assert!(ok >= 1);
    let record = app
        .store
        .envelope(&app.a.tenant, &id)
        .await
        .unwrap()
        .unwrap();
    let events = app.store.envelope_events(&id).await.unwrap();
    assert_eq!(events.len() as u64, record.envelope.version);
    assert_eq!(
        record.envelope.version,
        1 + 1 + 1 + 1 + ok as u64,
        "create, document, recipient, field, then one update per success"
    );
    assert_eq!(replay(&events).unwrap(), record.envelope);
}

#[tokio::test]
async fn two_server_instances_on_one_database_race_on_one_envelope() {
    let first = TestApp::new().await;
    let id = first.draft(&first.a).await;
    let second_storage = common::Storage {
        database_url: first.storage.database_url.clone(),
        storage_url: first.storage.storage_url.clone(),
        dir: tempfile::tempdir().unwrap(),
    };
    let second = TestApp::on(second_storage, common::Options::default()).await;
    let path = format!("/api/v1/envelopes/{id}");
    let (a, b) = tokio::join!(
        futures::future::join_all((0..4).map(|i| {
            let (app, path) = (&first, &path);
            async move {
                app.patch(path, &app.a, &json!({"subject": format!("one {i}")}))
                    .await
            }
        })),
        futures::future::join_all((0..4).map(|i| {
            let (app, path, key) = (&second, &path, &first.a);
            async move {
                app.patch(path, key, &json!({"subject": format!("two {i}")}))
                    .await
            }
        })),
    );
    let ok = a
        .iter()
        .chain(&b)
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert!(
        a.iter()
            .chain(&b)
            .all(|r| r.status == StatusCode::OK || r.json["code"] == "CONCURRENT_MODIFICATION")
    );
    let record = first
        .store
        .envelope(&first.a.tenant, &id)
        .await
        .unwrap()
        .unwrap();
    let events = second.store.envelope_events(&id).await.unwrap();
    assert_eq!(record.envelope.version, 4 + ok as u64);
    assert_eq!(replay(&events).unwrap(), record.envelope);
}
