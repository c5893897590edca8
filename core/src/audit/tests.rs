//! Evidence records, the hash chain and its tampering, the bundle, and the
//! audit-trail PDF with paraph's own reader and verifier (the independent
//! validators and poppler run in `tests/`).

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::ErrorCode;
use crate::envelope::*;
use crate::geometry::Rect;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap() + Duration::milliseconds(125)
}

fn sha(n: u8) -> String {
    format!("{n:02x}").repeat(32)
}

/// A two-signer envelope with a CC, from draft to completed: Marie-Hélène
/// (SMS code, consent, drawn signature) then 김준호 (email link, typed).
pub(crate) fn completed_story() -> Vec<Event> {
    let mut clock = t0();
    let mut tick = |seconds: i64| {
        clock += Duration::seconds(seconds);
        clock
    };
    let sender = |at| {
        Context::new(
            at,
            Actor::ApiKey {
                id: "key_live_1".into(),
            },
        )
    };
    let person = |at, id: &str, ip: &str| {
        Context::new(at, Actor::Recipient { id: id.into() })
            .with_ip(ip)
            .with_user_agent(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36",
            )
    };
    let created = create(
        CreateEnvelope {
            id: "env_2026_0042".into(),
            subject: "Contrat de travail — Marie-Hélène Dupré / 근로계약서".into(),
            message: None,
            signature_level: SignatureLevel::Advanced,
            locale: "fr".into(),
            expires_at: None,
            settings: Default::default(),
        },
        &sender(t0()),
    )
    .expect("create");
    let mut envelope = created.envelope;
    let mut events = created.events;
    let mut run = |envelope: &mut Envelope, command: Command, ctx: Context| {
        let transition = apply(&*envelope, command, &ctx).expect("command applies");
        *envelope = transition.envelope;
        events.extend(transition.events);
    };
    run(
        &mut envelope,
        Command::AddDocument(NewDocument {
            id: "doc_1".into(),
            name: "contrat-de-travail.pdf".into(),
            page_count: 3,
            sha256: sha(0x11),
            pages: Vec::new(),
        }),
        sender(tick(5)),
    );
    for (id, name, email, phone, auth, order, role) in [
        (
            "marie",
            "Marie-Hélène Dupré",
            "marie-helene@example.fr",
            Some("+33612345678"),
            AuthenticationMethod::SmsCode,
            1,
            RecipientRole::Signer,
        ),
        (
            "junho",
            "김준호",
            "junho.kim@example.kr",
            None,
            AuthenticationMethod::AccessCode,
            2,
            RecipientRole::Signer,
        ),
        (
            "zoe",
            "Zoë Ångström",
            "zoe@example.se",
            None,
            AuthenticationMethod::EmailLink,
            2,
            RecipientRole::Cc,
        ),
    ] {
        run(
            &mut envelope,
            Command::AddRecipient(NewRecipient {
                id: id.into(),
                name: name.into(),
                email: Some(email.into()),
                phone: phone.map(Into::into),
                role,
                routing_order: order,
                authentication: auth,
            }),
            sender(tick(1)),
        );
    }
    run(
        &mut envelope,
        Command::AddField(NewField {
            id: "sig_marie".into(),
            document_id: "doc_1".into(),
            recipient_id: "marie".into(),
            kind: FieldKind::Signature,
            page: 3,
            rect: Rect::new(72.0, 640.5, 180.0, 48.0),
            required: true,
            value: None,
            multiline: false,
            anchor: None,
        }),
        sender(tick(1)),
    );
    run(
        &mut envelope,
        Command::AddField(NewField {
            id: "sig_junho".into(),
            document_id: "doc_1".into(),
            recipient_id: "junho".into(),
            kind: FieldKind::Signature,
            page: 3,
            rect: Rect::new(320.0, 640.5, 180.0, 48.0),
            required: true,
            value: None,
            multiline: false,
            anchor: None,
        }),
        sender(tick(1)),
    );
    run(&mut envelope, Command::send(), sender(tick(60)));
    run(
        &mut envelope,
        Command::View {
            recipient_id: "marie".into(),
        },
        person(tick(300), "marie", "198.51.100.23"),
    );
    run(
        &mut envelope,
        Command::RequestAuthentication {
            recipient_id: "marie".into(),
        },
        person(tick(5), "marie", "198.51.100.23"),
    );
    run(
        &mut envelope,
        Command::Authenticate {
            recipient_id: "marie".into(),
            method: AuthenticationMethod::SmsCode,
            passed: true,
        },
        person(tick(40), "marie", "198.51.100.23"),
    );
    run(
        &mut envelope,
        Command::Consent {
            recipient_id: "marie".into(),
            version: "2026-01".into(),
            text_sha256: sha(0xc0),
        },
        person(tick(20), "marie", "198.51.100.23"),
    );
    run(
        &mut envelope,
        Command::Sign {
            recipient_id: "marie".into(),
            documents: vec![DocumentDigest {
                document_id: "doc_1".into(),
                sha256: sha(0x22),
            }],
            signature: Some(SignatureMark::Drawn {
                png: fixture("images/signature.png"),
            }),
            certificate_sha256: Some(sha(0xa1)),
        },
        person(tick(45), "marie", "198.51.100.23"),
    );
    run(
        &mut envelope,
        Command::View {
            recipient_id: "junho".into(),
        },
        person(tick(3600), "junho", "2001:db8::7"),
    );
    for passed in [false, true] {
        run(
            &mut envelope,
            Command::Authenticate {
                recipient_id: "junho".into(),
                method: AuthenticationMethod::AccessCode,
                passed,
            },
            person(tick(15), "junho", "2001:db8::7"),
        );
    }
    run(
        &mut envelope,
        Command::Consent {
            recipient_id: "junho".into(),
            version: "2026-01".into(),
            text_sha256: sha(0xc0),
        },
        person(tick(10), "junho", "2001:db8::7"),
    );
    run(
        &mut envelope,
        Command::Sign {
            recipient_id: "junho".into(),
            documents: vec![DocumentDigest {
                document_id: "doc_1".into(),
                sha256: sha(0x33),
            }],
            signature: Some(SignatureMark::Typed {
                text: "김준호".into(),
            }),
            certificate_sha256: Some(sha(0xa2)),
        },
        person(tick(30), "junho", "2001:db8::7"),
    );
    run(
        &mut envelope,
        Command::Complete {
            documents: vec![DocumentDigest {
                document_id: "doc_1".into(),
                sha256: sha(0x44),
            }],
        },
        Context::new(tick(2), Actor::System),
    );
    assert_eq!(envelope.status, EnvelopeStatus::Completed);
    events
}

fn generated_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()
}

pub(crate) fn bundle() -> EvidenceBundle {
    EvidenceBundle::from_events(&completed_story(), generated_at()).expect("bundle")
}

// ---- records ----

#[test]
fn records_carry_actor_context_and_digests() {
    let events = completed_story();
    let records = records_from_events(&events).expect("records");
    assert_eq!(records.len(), events.len());
    assert_eq!(records[0].prev_hash, GENESIS_HASH);
    assert_eq!(records[0].recorded_at, "2026-11-23T09:00:00.125Z");
    assert_eq!(records[0].actor.kind, "apiKey");
    assert_eq!(records[0].actor.id.as_deref(), Some("key_live_1"));
    for pair in records.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
    let added = records
        .iter()
        .find(|r| r.action == "document.added")
        .expect("upload");
    assert_eq!(added.documents[0].kind, DigestKind::Original);
    assert_eq!(added.documents[0].sha256, sha(0x11));
    assert_eq!(added.documents[0].name, "contrat-de-travail.pdf");

    let signed = records
        .iter()
        .find(|r| r.action == "recipient.signed" && r.recipient_id.as_deref() == Some("marie"))
        .expect("marie signed");
    assert_eq!(signed.actor.name.as_deref(), Some("Marie-Hélène Dupré"));
    assert_eq!(
        signed.actor.email.as_deref(),
        Some("marie-helene@example.fr")
    );
    assert_eq!(signed.actor.phone.as_deref(), Some("+33612345678"));
    assert_eq!(signed.authentication, Some(AuthenticationMethod::SmsCode));
    assert_eq!(signed.ip.as_deref(), Some("198.51.100.23"));
    assert!(
        signed
            .user_agent
            .as_deref()
            .is_some_and(|ua| ua.contains("Chrome"))
    );
    let consent = signed
        .consent
        .as_ref()
        .expect("consent given before signing");
    assert_eq!(consent.version, "2026-01");
    assert_eq!(consent.text_sha256, sha(0xc0));
    assert_eq!(signed.documents[0].kind, DigestKind::Signed);
    assert_eq!(signed.documents[0].sha256, sha(0x22));
    // The image is replaced by its digest; the bundle keeps the image.
    let png = fixture("images/signature.png");
    assert_eq!(
        signed.details["signature"]["sha256"],
        crate::digest::sha256_hex(&png)
    );
    assert!(signed.details["signature"].get("png").is_none());

    let completed = records.last().expect("last");
    assert_eq!(completed.action, "envelope.completed");
    assert_eq!(completed.documents[0].kind, DigestKind::Final);
    assert_eq!(completed.documents[0].sha256, sha(0x44));

    // Which factor passed, and when, is in the record of each action.
    let junho_signed = records
        .iter()
        .find(|r| r.action == "recipient.signed" && r.recipient_id.as_deref() == Some("junho"))
        .expect("junho signed");
    assert_eq!(
        junho_signed.authentication,
        Some(AuthenticationMethod::AccessCode)
    );
    assert!(junho_signed.authenticated_at.is_some());
    assert_eq!(junho_signed.details["certificateSha256"], sha(0xa2));
    assert!(
        records
            .iter()
            .any(|r| r.action == "recipient.authentication_failed")
    );
}

#[test]
fn a_record_hash_is_sha256_of_its_canonical_json_without_hash() {
    let records = records_from_events(&completed_story()).expect("records");
    let record = &records[3];
    let mut value = serde_json::to_value(record).expect("json");
    value.as_object_mut().expect("object").remove("hash");
    let canonical = jcs::canonicalize(&value).expect("jcs");
    assert!(canonical.starts_with("{\"action\":"), "{canonical}");
    assert_eq!(record.hash, crate::digest::sha256_hex(canonical.as_bytes()));
}

#[test]
fn records_can_be_kept_incrementally() {
    let events = completed_story();
    let states = states_after(None, &events).expect("states");
    let mut records: Vec<EvidenceRecord> = Vec::new();
    for (i, (event, after)) in states.iter().enumerate() {
        let before = i.checked_sub(1).map(|p| &states[p].1);
        let record = EvidenceRecord::next(records.last(), event, before, after).expect("record");
        records.push(record);
    }
    assert_eq!(records, records_from_events(&events).expect("records"));
    let bundle =
        EvidenceBundle::from_records(&events, records.clone(), generated_at()).expect("bundle");
    assert!(bundle.verify().is_valid());

    records[2].details["note"] = "forged".into();
    let err = EvidenceBundle::from_records(&events, records, generated_at()).expect_err("refused");
    assert_eq!(err.code(), ErrorCode::AuditEvidenceInvalid);

    let err = EvidenceRecord::next(None, &events[3], Some(&states[2].1), &states[3].1)
        .expect_err("a chain starts at seq 1");
    assert_eq!(err.code(), ErrorCode::InvalidEventLog);
}

// ---- tampering ----

fn chain() -> Vec<EvidenceRecord> {
    records_from_events(&completed_story()).expect("records")
}

fn broken(records: &[EvidenceRecord], head: Option<&str>) -> ChainBreak {
    verify_chain(records, head)
        .first_break
        .expect("the chain must be reported broken")
}

#[test]
fn an_intact_chain_verifies() {
    let records = chain();
    let report = verify_chain(&records, Some(&records.last().expect("last").hash));
    assert!(report.is_valid(), "{report:?}");
    assert_eq!(report.count, records.len());
}

#[test]
fn an_edit_is_reported_at_the_edited_record() {
    let mut records = chain();
    records[5].ip = Some("192.0.2.1".into());
    let b = broken(&records, None);
    assert_eq!((b.kind, b.index, b.seq), (BreakKind::Edited, 5, 6));
}

#[test]
fn an_edit_with_a_recomputed_hash_is_reported_at_the_edited_record() {
    let mut records = chain();
    records[5].recorded_at = "2026-11-22T09:00:00.000Z".into();
    records[5].hash = records[5].compute_hash().expect("hash");
    let b = broken(&records, None);
    assert_eq!((b.kind, b.index), (BreakKind::Edited, 5));
}

#[test]
fn a_deletion_is_reported_where_records_are_missing() {
    let mut records = chain();
    records.remove(4);
    let b = broken(&records, None);
    assert_eq!((b.kind, b.index, b.seq), (BreakKind::Deleted, 4, 6));
    assert!(b.message.contains("5"), "{}", b.message);
}

#[test]
fn a_deletion_of_the_first_records_is_reported() {
    let mut records = chain();
    records.drain(..2);
    let b = broken(&records, None);
    assert_eq!((b.kind, b.index, b.seq), (BreakKind::Deleted, 0, 3));
}

#[test]
fn a_truncation_is_reported_against_the_head() {
    let mut records = chain();
    let head = records.last().expect("last").hash.clone();
    records.pop();
    assert!(
        verify_chain(&records, None).is_valid(),
        "without a head, nothing tells"
    );
    let b = broken(&records, Some(&head));
    assert_eq!(b.kind, BreakKind::Truncated);
    assert_eq!(b.index, records.len() - 1);
}

#[test]
fn a_reordering_is_reported_at_the_moved_record() {
    let mut records = chain();
    records.swap(6, 7);
    let b = broken(&records, None);
    assert_eq!((b.kind, b.index), (BreakKind::Reordered, 6));
}

#[test]
fn an_insertion_is_reported_at_the_inserted_record() {
    // A forged record that links properly to the one before it.
    let records = chain();
    let mut forged = records[4].clone();
    forged.seq = records[4].seq + 1;
    forged.action = "recipient.viewed".into();
    forged.prev_hash = records[4].hash.clone();
    forged.hash = forged.compute_hash().expect("hash");
    let mut tampered = records.clone();
    tampered.insert(5, forged);
    let b = broken(&tampered, None);
    assert_eq!((b.kind, b.index), (BreakKind::Inserted, 5));

    // A copy of a genuine record inserted elsewhere.
    let mut tampered = records.clone();
    tampered.insert(8, records[2].clone());
    let b = broken(&tampered, None);
    assert_eq!((b.kind, b.index), (BreakKind::Inserted, 8));
}

#[test]
fn tampering_with_the_bundle_summary_is_reported() {
    let mut b = bundle();
    assert!(b.verify().is_valid(), "{:?}", b.verify());
    b.documents[0].final_sha256 = sha(0x55);
    assert!(
        b.verify()
            .problems
            .iter()
            .any(|p| p.contains("final digest"))
    );

    let mut b = bundle();
    if let Some(EvidenceMark::Drawn { png, .. }) = &mut b.recipients[0].signature {
        png[40] ^= 1;
    }
    assert!(
        b.verify()
            .problems
            .iter()
            .any(|p| p.contains("drawn signature"))
    );

    // The summary is what the records replay into: a renamed subject or
    // recipient, or a changed status, is named by its path.
    let mut b = bundle();
    b.envelope.subject = "Avenant".into();
    b.recipients[1].name = "Someone Else".into();
    b.recipients[0].status = RecipientStatus::Declined;
    let problems = b.verify().problems;
    assert!(b.verify().chain.is_valid());
    for path in [
        "envelope.subject",
        "recipients[1].name",
        "recipients[0].status",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(&format!("{path}: "))),
            "{path} in {problems:?}"
        );
    }
    assert_eq!(problems.len(), 3, "{problems:?}");

    // Records edited consistently (hashes recomputed down the chain) but
    // impossible to replay are reported as such.
    let mut b = bundle();
    b.records[0].action = "recipient.signed".into();
    b.verify()
        .problems
        .iter()
        .find(|p| p.contains("record 1"))
        .expect("named");

    let mut b = bundle();
    b.chain_head.hash = sha(0x55);
    assert_eq!(
        b.verify().chain.first_break.map(|x| x.kind),
        Some(BreakKind::Truncated)
    );
}

// ---- bundle JSON ----

#[test]
fn the_bundle_round_trips_through_json() {
    let b = bundle();
    let json = b.to_json();
    let back = EvidenceBundle::from_json(&json).expect("reads");
    assert_eq!(back, b);
    assert!(back.verify().is_valid());
    let value: serde_json::Value = serde_json::from_slice(&json).expect("json");
    assert_eq!(value["schemaVersion"], 2);
    assert_eq!(value["envelope"]["status"], "COMPLETED");
    assert_eq!(value["documents"][0]["originalSha256"], sha(0x11));
    assert_eq!(value["documents"][0]["finalSha256"], sha(0x44));
    assert_eq!(value["recipients"][0]["signature"]["type"], "DRAWN");
    assert_eq!(value["recipients"][1]["signature"]["text"], "김준호");
    assert_eq!(value["recipients"][0]["ip"], "198.51.100.23");
    assert_eq!(
        value["chainHead"]["hash"],
        value["records"][b.records.len() - 1]["hash"]
    );
}

#[test]
fn bad_bundle_json_gets_typed_errors() {
    let cases: [(&[u8], ErrorCode); 4] = [
        (b"{not json", ErrorCode::AuditEvidenceInvalid),
        (
            b"{\"schemaVersion\": 99}",
            ErrorCode::UnsupportedSchemaVersion,
        ),
        (b"{\"records\": []}", ErrorCode::AuditEvidenceInvalid),
        (
            b"{\"schemaVersion\": 2, \"records\": 3}",
            ErrorCode::AuditEvidenceInvalid,
        ),
    ];
    for (json, code) in cases {
        assert_eq!(
            EvidenceBundle::from_json(json).expect_err("refused").code(),
            code
        );
    }
    let mut value: serde_json::Value = serde_json::from_slice(&bundle().to_json()).expect("json");
    value["records"][0]["smuggled"] = true.into();
    let json = serde_json::to_vec(&value).expect("json");
    assert_eq!(
        EvidenceBundle::from_json(&json)
            .expect_err("unknown fields refused")
            .code(),
        ErrorCode::AuditEvidenceInvalid
    );
}

// ---- the PDF ----

#[cfg(feature = "audit-pdf")]
mod pdf {
    use super::*;
    use crate::pades::{Certificate, KeySigner, VerifyOptions, parse_certificates};
    use crate::pdf::Pdf;

    fn seal_signer() -> KeySigner {
        KeySigner::from_pkcs12(&fixture("certs/rsa/signer.p12"), "test").expect("p12")
    }

    fn anchors() -> Vec<Certificate> {
        parse_certificates(&fixture("certs/rsa/root.pem")).expect("root")
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
    }

    fn render(locale: Locale) -> Vec<u8> {
        render_audit_trail(&bundle(), &RenderOptions { locale }).expect("renders")
    }

    #[test]
    fn the_pdf_is_a4_pdfa3_with_the_evidence_attached() {
        let pdf = render(Locale::En);
        if let Ok(dir) = std::env::var("PARAPH_AUDIT_OUT") {
            for locale in Locale::ALL {
                std::fs::write(format!("{dir}/audit-{}.pdf", locale.tag()), render(locale))
                    .expect("write");
            }
        }
        let doc = Pdf::load(&pdf).expect("loads");
        assert!(doc.page_count() >= 2, "{} pages", doc.page_count());
        let (w, h) = doc.page(1).expect("page").geometry.displayed_size();
        assert!(
            (w - 595.276).abs() < 0.01 && (h - 841.89).abs() < 0.01,
            "{w} x {h}"
        );
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("pdfaid:part"), "PDF/A identification in XMP");
        assert!(text.contains("/AFRelationship /Data") || text.contains("/AFRelationship/Data"));
        let evidence = extract_evidence(&pdf).expect("attached");
        assert_eq!(evidence, bundle().to_json());
    }

    #[test]
    fn rendering_is_deterministic_and_differs_by_locale() {
        let en = render(Locale::En);
        assert_eq!(en, render(Locale::En), "same input, same bytes");
        let fr = render(Locale::Fr);
        let ko = render(Locale::Ko);
        assert_ne!(en, fr);
        assert_ne!(fr, ko);
    }

    #[test]
    fn a_broken_chain_is_not_rendered() {
        let mut b = bundle();
        b.records[3].ip = Some("192.0.2.1".into());
        let err = render_audit_trail(&b, &RenderOptions::default()).expect_err("refused");
        assert_eq!(err.code(), ErrorCode::AuditChainBroken);
        let mut b = bundle();
        b.documents[0].final_sha256 = sha(0x55);
        let err = render_audit_trail(&b, &RenderOptions::default()).expect_err("refused");
        assert_eq!(err.code(), ErrorCode::AuditEvidenceInvalid);
    }

    #[test]
    fn unknown_locales_are_refused_and_tags_are_read_by_language() {
        assert_eq!(Locale::parse("fr-CA").expect("fr"), Locale::Fr);
        assert_eq!(Locale::parse("ko_KR").expect("ko"), Locale::Ko);
        assert_eq!(Locale::parse("EN").expect("en"), Locale::En);
        assert_eq!(
            Locale::parse("de").expect_err("no").code(),
            ErrorCode::InvalidArgument
        );
    }

    #[test]
    fn a_sealed_trail_verifies_with_its_document() {
        let sealed = seal_audit_trail(&render(Locale::En), &seal_signer(), None, generated_at())
            .expect("seals");
        let document = b"the final signed PDF";
        let mut b = bundle();
        // The story's digests are made up; point the final digest at a real file.
        let _ = &mut b;
        let report = verify_audit_trail(
            &sealed,
            None,
            &VerifyOptions::new(now()).with_trust_anchors(anchors()),
        )
        .expect("verifies");
        assert!(report.is_valid(), "{report:#?}");
        assert!(report.seal_intact);
        assert_eq!(report.seal_trust, Some(crate::pades::ChainStatus::Trusted));
        assert_eq!(report.envelope_id, "env_2026_0042");

        let with_other = verify_audit_trail(
            &sealed,
            Some(document),
            &VerifyOptions::new(now()).with_trust_anchors(anchors()),
        )
        .expect("verifies");
        assert!(
            !with_other.is_valid(),
            "a document that is not the final one fails"
        );
        assert_eq!(with_other.document.expect("checked").matches_document, None);

        let untrusted = verify_audit_trail(
            &sealed,
            None,
            &VerifyOptions::new(now()).with_trust_anchors(
                parse_certificates(&fixture("certs/ec/root.pem")).expect("ec root"),
            ),
        )
        .expect("verifies");
        assert!(!untrusted.is_valid(), "a seal from an untrusted CA fails");
    }

    #[test]
    fn the_final_document_is_matched_by_its_digest() {
        let document = b"%PDF-1.7 the final signed contract".to_vec();
        let mut events = completed_story();
        let digest = crate::digest::sha256_hex(&document);
        for event in &mut events {
            match &mut event.data {
                EventData::RecipientSigned {
                    recipient_id,
                    documents,
                    ..
                } if recipient_id == "junho" => {
                    documents[0].sha256 = digest.clone();
                }
                EventData::EnvelopeCompleted { documents } => documents[0].sha256 = digest.clone(),
                _ => {}
            }
        }
        let b = EvidenceBundle::from_events(&events, generated_at()).expect("bundle");
        let pdf = render_audit_trail(&b, &RenderOptions::default()).expect("renders");
        let sealed = seal_audit_trail(&pdf, &seal_signer(), None, generated_at()).expect("seals");
        let report = verify_audit_trail(
            &sealed,
            Some(&document),
            &VerifyOptions::new(now()).with_trust_anchors(anchors()),
        )
        .expect("verifies");
        assert!(report.is_valid(), "{report:#?}");
        assert_eq!(
            report
                .document
                .expect("checked")
                .matches_document
                .as_deref(),
            Some("doc_1")
        );

        let json_report = verify_evidence(&b.to_json(), Some(&document)).expect("verifies");
        assert!(json_report.is_valid());
        assert!(json_report.seal.is_none());
    }

    #[test]
    fn a_changed_byte_in_a_sealed_trail_breaks_the_seal() {
        let sealed = seal_audit_trail(&render(Locale::En), &seal_signer(), None, generated_at())
            .expect("seals");
        // Change a byte inside the first page's content, well before the seal.
        let mut tampered = sealed.clone();
        let at = tampered.len() / 3;
        tampered[at] ^= 0x01;
        match verify_audit_trail(
            &tampered,
            None,
            &VerifyOptions::new(now()).with_trust_anchors(anchors()),
        ) {
            Ok(report) => assert!(!report.is_valid(), "{report:#?}"),
            Err(e) => assert!(
                matches!(
                    e.code().family(),
                    crate::ErrorFamily::Pdf | crate::ErrorFamily::Audit
                ),
                "{e}"
            ),
        }
        // An update appended after the seal is a change the seal forbids.
        let mut appended = sealed.clone();
        appended.extend_from_slice(b"\n% appended\n");
        let report = verify_audit_trail(
            &appended,
            None,
            &VerifyOptions::new(now()).with_trust_anchors(anchors()),
        )
        .expect("reads");
        assert!(!report.seal_intact);
        assert!(!report.is_valid());
    }

    /// Same evidence, time and key: the same bytes, down to the seal (RSA
    /// PKCS#1 v1.5 signatures are deterministic). The digests are kept in
    /// `fixtures/vectors/audit_trail.json`; after an intended change to the
    /// layout, run `PARAPH_BLESS=1 cargo test -p paraph golden` and review
    /// the rendered pages before committing the new digests.
    #[test]
    fn golden_audit_trail_bytes() {
        let path = format!(
            "{}/../fixtures/vectors/audit_trail.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let mut current = serde_json::Map::new();
        current.insert(
            "evidenceSha256".into(),
            crate::digest::sha256_hex(&bundle().to_json()).into(),
        );
        for locale in Locale::ALL {
            let pdf = render(locale);
            let sealed =
                seal_audit_trail(&pdf, &seal_signer(), None, generated_at()).expect("seals");
            assert_eq!(
                sealed,
                seal_audit_trail(&render(locale), &seal_signer(), None, generated_at())
                    .expect("seals"),
                "sealing twice gives the same bytes"
            );
            current.insert(
                format!("{}Sha256", locale.tag()),
                crate::digest::sha256_hex(&pdf).into(),
            );
            current.insert(
                format!("{}SealedSha256", locale.tag()),
                crate::digest::sha256_hex(&sealed).into(),
            );
        }
        let rendered = serde_json::to_string_pretty(&current).expect("json") + "\n";
        if std::env::var_os("PARAPH_BLESS").is_some() {
            std::fs::write(&path, &rendered).expect("write golden digests");
        }
        let committed = std::fs::read_to_string(&path)
            .expect("fixtures/vectors/audit_trail.json is missing: run with PARAPH_BLESS=1");
        assert_eq!(
            committed, rendered,
            "the audit trail's bytes changed: if intended, run `PARAPH_BLESS=1 cargo test -p paraph golden`, look at the pages, and commit"
        );
    }

    /// A declined, a voided and a draft envelope: every ending renders,
    /// with its reason in the records.
    #[test]
    fn declined_voided_and_draft_envelopes_render() {
        let sender = |minute: i64| {
            Context::new(
                t0() + Duration::minutes(minute),
                Actor::User {
                    id: "admin_1".into(),
                },
            )
        };
        let base = || {
            let created = create(
                CreateEnvelope {
                    id: "env_end".into(),
                    subject: "Avenant n° 2".into(),
                    message: None,
                    signature_level: SignatureLevel::Simple,
                    locale: "fr".into(),
                    expires_at: None,
                    settings: Default::default(),
                },
                &sender(0),
            )
            .expect("create");
            let mut envelope = created.envelope;
            let mut events = created.events;
            for command in [
                Command::AddDocument(NewDocument {
                    id: "doc_1".into(),
                    name: "avenant.pdf".into(),
                    page_count: 1,
                    sha256: sha(0x11),
                    pages: Vec::new(),
                }),
                Command::AddRecipient(NewRecipient {
                    id: "ana".into(),
                    name: "Ana Lúcia Gonçalves".into(),
                    email: Some("ana@example.pt".into()),
                    phone: None,
                    role: RecipientRole::Signer,
                    routing_order: 1,
                    authentication: AuthenticationMethod::AccessCode,
                }),
                Command::AddField(NewField {
                    id: "sig_ana".into(),
                    document_id: "doc_1".into(),
                    recipient_id: "ana".into(),
                    kind: FieldKind::Signature,
                    page: 1,
                    rect: Rect::new(72.0, 600.0, 180.0, 48.0),
                    required: true,
                    value: None,
                    multiline: false,
                    anchor: None,
                }),
            ] {
                let t = apply(&envelope, command, &sender(1)).expect("applies");
                envelope = t.envelope;
                events.extend(t.events);
            }
            (envelope, events)
        };
        let (draft, draft_events) = base();
        let (sent, mut sent_events) = base();
        // Sent as workflow::prepare sends: the prepared bytes' digest is
        // what the document last was, for a trail that ends without a
        // signature.
        let t = apply(
            &sent,
            Command::Send {
                documents: vec![crate::envelope::DocumentDigest {
                    document_id: "doc_1".into(),
                    sha256: sha(0x22),
                }],
                placements: Vec::new(),
            },
            &sender(2),
        )
        .expect("sends");
        sent_events.extend(t.events);
        let sent = t.envelope;

        let mut declined_events = sent_events.clone();
        let ana = |minutes| {
            Context::new(
                t0() + Duration::minutes(minutes),
                Actor::Recipient { id: "ana".into() },
            )
        };
        let t = apply(
            &sent,
            Command::Authenticate {
                recipient_id: "ana".into(),
                method: AuthenticationMethod::AccessCode,
                passed: true,
            },
            &ana(8),
        )
        .expect("authenticates");
        declined_events.extend(t.events);
        let t = apply(
            &t.envelope,
            Command::Decline {
                recipient_id: "ana".into(),
                reason: "Le salaire ne correspond pas à l'offre.".into(),
            },
            &Context::new(
                t0() + Duration::minutes(9),
                Actor::Recipient { id: "ana".into() },
            ),
        )
        .expect("declines");
        declined_events.extend(t.events);

        let mut voided_events = sent_events.clone();
        let t = apply(
            &sent,
            Command::Void {
                reason: "Poste supprimé".into(),
            },
            &sender(9),
        )
        .expect("voids");
        voided_events.extend(t.events);
        assert_eq!(draft.status, EnvelopeStatus::Draft);

        for (events, reason) in [
            (
                declined_events,
                Some("Le salaire ne correspond pas à l'offre."),
            ),
            (voided_events, Some("Poste supprimé")),
            (draft_events, None),
        ] {
            let b = EvidenceBundle::from_events(&events, generated_at()).expect("bundle");
            assert!(b.verify().is_valid());
            if let Some(reason) = reason {
                assert!(
                    b.records
                        .iter()
                        .any(|r| r.reason.as_deref() == Some(reason))
                );
            }
            for locale in Locale::ALL {
                let pdf = render_audit_trail(&b, &RenderOptions { locale }).expect("renders");
                assert_eq!(extract_evidence(&pdf).expect("attached"), b.to_json());
            }
        }
    }

    /// Text no bundled font can draw (emoji, scripts beyond Latin, Greek,
    /// Cyrillic and Hangul) is replaced in the PDF, never a `.notdef`
    /// glyph (PDF/A forbids them); the evidence keeps the original.
    #[test]
    fn text_without_a_font_is_replaced_in_the_pdf_only() {
        let mut events = completed_story();
        if let EventData::EnvelopeCreated { subject, .. } = &mut events[0].data {
            *subject = "Contrat ✍🏽 تعاقد 契約".into();
        }
        let b = EvidenceBundle::from_events(&events, generated_at()).expect("bundle");
        let pdf = render_audit_trail(&b, &RenderOptions::default()).expect("renders");
        let back = EvidenceBundle::from_json(&extract_evidence(&pdf).expect("attached"))
            .expect("evidence");
        assert_eq!(back.envelope.subject, "Contrat ✍🏽 تعاقد 契約");
    }

    #[test]
    fn a_pdf_without_evidence_is_refused() {
        let pdf = crate::pdf::testing::minimal_pdf(&[(595.0, 842.0, 0)]);
        let err = verify_audit_trail(
            &pdf,
            None,
            &VerifyOptions::new(now()).with_trust_anchors(Vec::new()),
        )
        .expect_err("refused");
        assert_eq!(err.code(), ErrorCode::AuditEvidenceNotFound);
    }
}
