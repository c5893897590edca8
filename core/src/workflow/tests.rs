//! The workflow from draft to sealed audit trail, checked with paraph's own
//! verifiers (the independent validators run in `tests/tests/workflow.rs`).

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::*;
use crate::audit;
use crate::envelope::*;
use crate::geometry::Rect;
use crate::pades::{self, KeySigner, Signer, VerifyOptions};
use crate::pdf::PdfDocument;

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn key(alg: &str, name: &str) -> KeySigner {
    KeySigner::from_pkcs12(&fixture(&format!("certs/{alg}/{name}.p12")), "test").expect("p12")
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
}

fn anchors() -> VerifyOptions {
    let mut roots = pades::parse_certificates(&fixture("certs/rsa/root.pem")).expect("root");
    roots.extend(pades::parse_certificates(&fixture("certs/ec/root.pem")).expect("root"));
    roots.extend(pades::parse_certificates(&fixture("certs/demo/chain.pem")).expect("demo"));
    VerifyOptions::new(t0() + Duration::days(1)).with_trust_anchors(roots)
}

/// An envelope being walked, with its history, clock and documents.
pub(crate) struct Flow {
    pub envelope: Envelope,
    pub history: Vec<Event>,
    pub clock: DateTime<Utc>,
    pub documents: Vec<DocumentBytes>,
}

impl Flow {
    fn ctx(&mut self, actor: Actor) -> Context {
        self.clock += Duration::minutes(1);
        Context::new(self.clock, actor).with_ip("203.0.113.9")
    }

    fn run(&mut self, actor: Actor, command: Command) {
        let ctx = self.ctx(actor);
        let t = apply(&self.envelope, command, &ctx).expect("applies");
        self.envelope = t.envelope;
        self.history.extend(t.events);
    }

    fn take(&mut self, transition: Transition, changed: Vec<DocumentBytes>) {
        self.envelope = transition.envelope;
        self.history.extend(transition.events);
        for document in changed {
            if let Some(slot) = self
                .documents
                .iter_mut()
                .find(|d| d.document_id == document.document_id)
            {
                *slot = document;
            }
        }
    }

    fn consent(&mut self, id: &str) {
        self.run(
            Actor::Recipient { id: id.into() },
            Command::Consent {
                recipient_id: id.into(),
                version: "2026-11".into(),
                text_sha256: "cc".repeat(32),
            },
        );
    }

    fn sign(&mut self, input: RecipientInput, signer: &dyn Signer) -> SignedRecipient {
        self.consent(&input.recipient_id);
        let ctx = self.ctx(Actor::Recipient {
            id: input.recipient_id.clone(),
        });
        let signed = sign_recipient(
            &self.envelope,
            &self.documents,
            &input,
            signer,
            None,
            &SignRecipientOptions::default(),
            &ctx,
        )
        .expect("signs");
        for document in &signed.documents {
            assert_each_revision_once(&document.pdf);
        }
        self.take(signed.transition.clone(), signed.documents.clone());
        signed
    }
}

/// The last signature covers the whole file and each revision was written
/// once: a signing appends its updates, nothing twice.
pub(crate) fn assert_each_revision_once(pdf: &[u8]) {
    let report = pades::verify(
        pdf,
        &VerifyOptions::new(Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap()),
    )
    .expect("verifies");
    assert!(
        report
            .signatures
            .iter()
            .any(|s| s.coverage == pades::Coverage::WholeFile),
        "no signature covers the whole file"
    );
    let ends: Vec<usize> = pdf
        .windows(5)
        .enumerate()
        .filter(|(_, w)| *w == b"%%EOF")
        .map(|(i, _)| i)
        .collect();
    let mut revisions: Vec<&[u8]> = Vec::new();
    let mut start = 0;
    for end in ends {
        revisions.push(&pdf[start..end]);
        start = end;
    }
    for pair in revisions.windows(2) {
        assert!(pair[0] != pair[1], "a revision written twice in a row");
    }
}

fn field(
    id: &str,
    document: &str,
    recipient: &str,
    kind: FieldKind,
    page: u32,
    rect: Rect,
) -> NewField {
    NewField {
        id: id.into(),
        document_id: document.into(),
        recipient_id: recipient.into(),
        kind,
        page,
        rect,
        required: true,
        value: None,
        multiline: false,
        anchor: None,
    }
}

fn person(id: &str, name: &str, role: RecipientRole, order: u32) -> NewRecipient {
    NewRecipient {
        id: id.into(),
        name: name.into(),
        email: Some(format!("{id}@example.com")),
        phone: None,
        role,
        routing_order: order,
        authentication: AuthenticationMethod::EmailLink,
    }
}

/// Three documents; Marie and Junho sign in parallel, Anna approves, Paul
/// signs last, Zoé gets a copy; fields of every kind, an anchored one,
/// initials on every page; the offer is certified at prepare time.
pub(crate) fn sent_flow() -> Flow {
    let ctx = Context::new(t0(), Actor::ApiKey { id: "key_1".into() });
    let created = create(
        CreateEnvelope {
            id: "env_wf".into(),
            subject: "Embauche — 채용".into(),
            message: None,
            signature_level: SignatureLevel::Simple,
            locale: "fr".into(),
            expires_at: None,
            settings: EnvelopeSettings {
                initials_on_every_page: true,
                ..EnvelopeSettings::default()
            },
        },
        &ctx,
    )
    .expect("creates");
    let mut flow = Flow {
        envelope: created.envelope,
        history: created.events,
        clock: t0(),
        documents: Vec::new(),
    };
    let sender = || Actor::ApiKey { id: "key_1".into() };
    for (id, file) in [
        ("contract", "pdf/libreoffice-contract.pdf"),
        ("offer", "pdf/reportlab-contract.pdf"),
        ("annex", "pdf/reportlab-three-pages.pdf"),
    ] {
        let pdf = fixture(file);
        let loaded = PdfDocument::load(&pdf).expect("loads");
        let pages = loaded
            .pages()
            .iter()
            .map(|p| {
                let (width, height) = p.geometry.displayed_size();
                PageSize { width, height }
            })
            .collect::<Vec<_>>();
        flow.run(
            sender(),
            Command::AddDocument(NewDocument {
                id: id.into(),
                name: format!("{id}.pdf"),
                page_count: pages.len() as u32,
                pages,
                sha256: crate::digest::sha256_hex(&pdf),
            }),
        );
        flow.documents.push(DocumentBytes {
            document_id: id.into(),
            pdf,
        });
    }
    for r in [
        person("marie", "Marie-Hélène Dupré", RecipientRole::Signer, 1),
        person("junho", "김준호", RecipientRole::Signer, 1),
        person("anna", "Anna Keller", RecipientRole::Approver, 2),
        person("paul", "Paul Martin", RecipientRole::Signer, 3),
        person("zoe", "Zoé Ångström", RecipientRole::Cc, 3),
    ] {
        flow.run(sender(), Command::AddRecipient(r));
    }
    let mut anchored = field(
        "sig_marie_contract",
        "contract",
        "marie",
        FieldKind::Signature,
        0,
        Rect::new(0.0, 0.0, 180.0, 50.0),
    );
    anchored.anchor = Some(FieldAnchor {
        text: "Signature de l'employeur :".into(),
        occurrence: 1,
        placement: AnchorPlacement::Right,
    });
    let mut notes = field(
        "notes_paul",
        "annex",
        "paul",
        FieldKind::Text,
        2,
        Rect::new(72.0, 420.0, 300.0, 80.0),
    );
    notes.multiline = true;
    let fields = [
        anchored,
        field(
            "sig_junho_contract",
            "contract",
            "junho",
            FieldKind::Signature,
            1,
            Rect::new(72.0, 680.0, 180.0, 50.0),
        ),
        field(
            "sig_marie_offer",
            "offer",
            "marie",
            FieldKind::Signature,
            1,
            Rect::new(330.0, 560.0, 200.0, 60.0),
        ),
        field(
            "date_marie_offer",
            "offer",
            "marie",
            FieldKind::DateSigned,
            1,
            Rect::new(330.0, 630.0, 120.0, 18.0),
        ),
        field(
            "name_junho_offer",
            "offer",
            "junho",
            FieldKind::Name,
            1,
            Rect::new(72.0, 630.0, 160.0, 18.0),
        ),
        field(
            "sig_junho_offer",
            "offer",
            "junho",
            FieldKind::Signature,
            2,
            Rect::new(72.0, 560.0, 200.0, 60.0),
        ),
        field(
            "title_anna",
            "annex",
            "anna",
            FieldKind::Text,
            1,
            Rect::new(72.0, 300.0, 200.0, 18.0),
        ),
        field(
            "agree_anna",
            "annex",
            "anna",
            FieldKind::Checkbox,
            1,
            Rect::new(72.0, 330.0, 14.0, 14.0),
        ),
        field(
            "sig_paul_annex",
            "annex",
            "paul",
            FieldKind::Signature,
            3,
            Rect::new(72.0, 560.0, 200.0, 60.0),
        ),
        field(
            "sig_paul_annex_2",
            "annex",
            "paul",
            FieldKind::Signature,
            1,
            Rect::new(320.0, 560.0, 200.0, 60.0),
        ),
        notes,
    ];
    for f in fields {
        flow.run(sender(), Command::AddField(f));
    }
    let platform = key("rsa", "signer2");
    let options = PrepareOptions {
        certify: vec!["offer".into()],
        certification_time: Some(flow.clock),
        ..PrepareOptions::default()
    };
    let prepared =
        prepare(&flow.envelope, &flow.documents, Some(&platform), &options).expect("prepares");
    flow.documents = prepared.documents;
    flow.run(Actor::System, prepared.command);
    flow
}

fn paul_input() -> RecipientInput {
    RecipientInput {
        values: vec![FieldInput {
            field_id: "notes_paul".into(),
            value: "Télétravail deux jours par semaine; matériel fourni par l'employeur, y compris un écran et un siège ergonomique.".into(),
        }],
        ..RecipientInput::new("paul")
    }
}

fn anna_input() -> RecipientInput {
    RecipientInput {
        values: vec![
            FieldInput {
                field_id: "title_anna".into(),
                value: "Responsable RH".into(),
            },
            FieldInput {
                field_id: "agree_anna".into(),
                value: "true".into(),
            },
        ],
        ..RecipientInput::new("anna")
    }
}

#[test]
fn prepare_places_every_field_and_records_what_is_sent() {
    let flow = sent_flow();
    let sent = flow
        .history
        .iter()
        .find_map(|e| match &e.data {
            EventData::EnvelopeSent {
                documents,
                placements,
                ..
            } => Some((documents.clone(), placements.clone())),
            _ => None,
        })
        .expect("sent");
    for document in &flow.documents {
        let digest = crate::digest::sha256_hex(&document.pdf);
        assert!(
            sent.0
                .iter()
                .any(|d| d.document_id == document.document_id && d.sha256 == digest),
            "the send records the prepared {}",
            document.document_id
        );
        let envelope_doc = flow.envelope.document(&document.document_id).expect("doc");
        assert_eq!(envelope_doc.sent_sha256.as_deref(), Some(digest.as_str()));
        assert_ne!(
            envelope_doc.sha256, digest,
            "the prepared document is not the upload"
        );
    }
    assert_eq!(sent.1.len(), 1);
    assert_eq!(sent.1[0].field_id, "sig_marie_contract");
    assert_eq!(sent.1[0].page, 2, "the phrase is on page 2");
    let field = flow.envelope.field("sig_marie_contract").expect("field");
    assert!(field.anchor.is_none());
    assert_eq!(field.page, 2);
    // Fields of every recipient, and initials on every page for the signers.
    let annex = PdfDocument::load(&flow.documents[2].pdf).expect("loads");
    let names: Vec<String> = annex
        .fields()
        .expect("fields")
        .into_iter()
        .map(|f| f.name)
        .collect();
    for name in [
        "title_anna",
        "agree_anna",
        "sig_paul_annex",
        "notes_paul",
        "initials_paul_p3",
        "initials_marie_p1",
        "initials_junho_p2",
    ] {
        assert!(names.contains(&name.to_owned()), "{name} in {names:?}");
    }
    assert!(
        !names.iter().any(|n| n.starts_with("initials_anna")),
        "approvers do not initial"
    );
    let notes = annex.field("notes_paul").expect("notes");
    assert!(notes.multiline);
    // The offer is certified, its certification the first signature.
    let report = pades::verify(&flow.documents[1].pdf, &anchors()).expect("verifies");
    assert_eq!(report.signatures.len(), 1);
    assert_eq!(
        report.signatures[0].kind,
        pades::SignatureKind::Certification { permission: 2 }
    );
}

#[test]
fn a_refused_signing_does_no_pdf_work_and_changes_nothing() {
    let mut flow = sent_flow();
    let ctx = flow.ctx(Actor::Recipient { id: "paul".into() });
    let err = sign_recipient(
        &flow.envelope,
        &flow.documents,
        &paul_input(),
        &key("rsa", "signer"),
        None,
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect_err("paul's turn has not come");
    assert_eq!(err.code(), ErrorCode::RecipientNotActive);
    // Without consent, the envelope refuses too.
    let ctx = flow.ctx(Actor::Recipient { id: "marie".into() });
    let err = sign_recipient(
        &flow.envelope,
        &flow.documents,
        &RecipientInput::new("marie"),
        &key("rsa", "signer"),
        None,
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect_err("no consent");
    assert_eq!(err.code(), ErrorCode::ConsentRequired);
    // Bytes that are not the envelope's current ones are refused.
    flow.consent("marie");
    let mut stale = flow.documents.clone();
    stale[0].pdf.push(b'\n');
    let ctx = flow.ctx(Actor::Recipient { id: "marie".into() });
    let err = sign_recipient(
        &flow.envelope,
        &stale,
        &RecipientInput::new("marie"),
        &key("rsa", "signer"),
        None,
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect_err("stale bytes");
    assert_eq!(err.code(), ErrorCode::DocumentMismatch);
}

/// Signs everyone, in order, with the given signers; returns the flow
/// awaiting completion.
pub(crate) fn signed_flow(signers: &[(&str, KeySigner)]) -> Flow {
    let mut flow = sent_flow();
    let signer = |id: &str| {
        &signers
            .iter()
            .find(|(who, _)| *who == id)
            .expect("signer")
            .1
    };
    flow.sign(
        RecipientInput {
            signature: Some(SignatureMark::Drawn {
                png: fixture("images/signature.png"),
            }),
            ..RecipientInput::new("marie")
        },
        signer("marie"),
    );
    flow.sign(
        RecipientInput {
            signature: Some(SignatureMark::Typed {
                text: "김준호".into(),
            }),
            ..RecipientInput::new("junho")
        },
        signer("junho"),
    );
    let ctx = flow.ctx(Actor::Recipient { id: "anna".into() });
    let approved = approve_recipient(
        &flow.envelope,
        &flow.documents,
        &anna_input(),
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect("approves");
    flow.take(approved.transition, approved.documents);
    flow.sign(paul_input(), signer("paul"));
    flow
}

/// The names of a document's signatures, sorted.
fn signature_names(report: &pades::VerificationReport) -> Vec<&str> {
    let mut names: Vec<&str> = report
        .signatures
        .iter()
        .map(|s| s.field_name.as_str())
        .collect();
    names.sort_unstable();
    names
}

fn three_signers() -> Vec<(&'static str, KeySigner)> {
    vec![
        ("marie", key("rsa", "signer")),
        ("junho", key("ec", "signer")),
        ("paul", key("ec", "signer2")),
    ]
}

#[test]
fn every_signer_signs_their_fields_and_the_envelope_records_it() {
    let flow = signed_flow(&three_signers());
    assert!(flow.envelope.awaiting_completion());
    // One revision per signature field; a signer's initials on a document
    // without a field of theirs come under an invisible signature.
    let contract = pades::verify(&flow.documents[0].pdf, &anchors()).expect("verifies");
    assert_eq!(
        signature_names(&contract),
        ["paul_contract", "sig_junho_contract", "sig_marie_contract"]
    );
    contract.verdict().expect("contract intact and trusted");
    let offer = pades::verify(&flow.documents[1].pdf, &anchors()).expect("verifies");
    assert_eq!(
        signature_names(&offer),
        [
            "PlatformCertification",
            "paul_offer",
            "sig_junho_offer",
            "sig_marie_offer"
        ]
    );
    offer.verdict().expect("offer intact and trusted");
    let annex = pades::verify(&flow.documents[2].pdf, &anchors()).expect("verifies");
    assert_eq!(
        signature_names(&annex),
        [
            "junho_annex",
            "marie_annex",
            "sig_paul_annex",
            "sig_paul_annex_2"
        ]
    );
    annex.verdict().expect("annex intact and trusted");
    // Values, dates, names and initials are in the documents.
    let offer_doc = PdfDocument::load(&flow.documents[1].pdf).expect("loads");
    let value = |doc: &PdfDocument, name: &str| doc.field(name).expect(name).value;
    assert_eq!(
        value(&offer_doc, "date_marie_offer").as_deref(),
        Some("23/11/2026")
    );
    assert_eq!(
        value(&offer_doc, "name_junho_offer").as_deref(),
        Some("김준호")
    );
    assert_eq!(
        value(&offer_doc, "initials_marie_p1").as_deref(),
        Some("MHD")
    );
    assert_eq!(
        value(&offer_doc, "initials_junho_p2").as_deref(),
        Some("김준호")
    );
    let annex_doc = PdfDocument::load(&flow.documents[2].pdf).expect("loads");
    assert_eq!(
        value(&annex_doc, "title_anna").as_deref(),
        Some("Responsable RH")
    );
    assert_eq!(value(&annex_doc, "agree_anna").as_deref(), Some("Yes"));
    assert!(
        value(&annex_doc, "notes_paul")
            .expect("notes")
            .starts_with("Télétravail")
    );
    // Each signer's certificate is recorded.
    let signers = three_signers();
    for (id, signer) in &signers {
        assert_eq!(
            flow.envelope
                .recipient(id)
                .expect("recipient")
                .certificate_sha256,
            Some(signer.certificate_chain()[0].fingerprint_sha256())
        );
    }
    assert_eq!(replay(&flow.history).expect("replays"), flow.envelope);
}

#[test]
fn two_phase_signing_with_the_hsm_in_another_thread_gives_the_same_bytes() {
    // RSA PKCS#1 v1.5 is deterministic, so both paths must agree byte for byte.
    let mut direct = sent_flow();
    let in_process = direct.sign(RecipientInput::new("marie"), &key("rsa", "signer"));

    let mut flow = sent_flow();
    flow.consent("marie");
    let ctx = flow.ctx(Actor::Recipient { id: "marie".into() });
    let hsm_key = key("rsa", "signer");
    let chain = hsm_key.certificate_chain().to_vec();
    let (to_hsm, hsm_in) = std::sync::mpsc::channel::<Vec<ToSign>>();
    let (hsm_out, from_hsm) = std::sync::mpsc::channel::<Vec<SignatureValue>>();
    let hsm = std::thread::spawn(move || {
        for batch in hsm_in {
            let values = batch
                .into_iter()
                .map(|item| SignatureValue {
                    document_id: item.document_id,
                    value: hsm_key.sign(&item.message).expect("signs"),
                })
                .collect();
            if hsm_out.send(values).is_err() {
                break;
            }
        }
    });
    let mut signing = RecipientSigning::begin(
        &flow.envelope,
        &flow.documents,
        &RecipientInput::new("marie"),
        &chain,
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect("begins");
    let mut rounds = 0;
    let done = loop {
        rounds += 1;
        // The pending state travels as JSON between round trips.
        let json = signing.to_json();
        signing = RecipientSigning::from_json(&json).expect("reads back");
        to_hsm.send(signing.to_sign()).expect("hsm");
        let values = from_hsm.recv().expect("values");
        match signing
            .provide(&flow.envelope, &flow.documents, &values, None, &ctx)
            .expect("provides")
        {
            SigningProgress::Pending(next) => signing = next,
            SigningProgress::Signed(done) => break done,
        }
    };
    drop(to_hsm);
    hsm.join().expect("hsm thread");
    assert_eq!(rounds, 1, "Marie has one signature field per document");
    assert_eq!(done.documents, in_process.documents);
    assert_eq!(done.commands, in_process.commands);
    // A value from another key is refused, and nothing is produced.
    let signing = RecipientSigning::begin(
        &flow.envelope,
        &flow.documents,
        &RecipientInput::new("marie"),
        &chain,
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect("begins");
    let wrong: Vec<SignatureValue> = signing
        .to_sign()
        .into_iter()
        .map(|item| SignatureValue {
            document_id: item.document_id,
            value: key("rsa", "signer2").sign(&item.message).expect("signs"),
        })
        .collect();
    let err = signing
        .provide(&flow.envelope, &flow.documents, &wrong, None, &ctx)
        .expect_err("wrong key");
    assert_eq!(err.code(), ErrorCode::KeyCertMismatch);
}

#[test]
fn a_second_signature_field_in_one_document_takes_a_second_round_trip() {
    let mut flow = sent_flow();
    let signers = three_signers();
    let signer = |id: &str| {
        &signers
            .iter()
            .find(|(who, _)| *who == id)
            .expect("signer")
            .1
    };
    flow.sign(RecipientInput::new("marie"), signer("marie"));
    flow.sign(RecipientInput::new("junho"), signer("junho"));
    let ctx = flow.ctx(Actor::Recipient { id: "anna".into() });
    let approved = approve_recipient(
        &flow.envelope,
        &flow.documents,
        &anna_input(),
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect("approves");
    flow.take(approved.transition, approved.documents);
    flow.consent("paul");
    let ctx = flow.ctx(Actor::Recipient { id: "paul".into() });
    let paul = key("ec", "signer2");
    let mut signing = RecipientSigning::begin(
        &flow.envelope,
        &flow.documents,
        &paul_input(),
        paul.certificate_chain(),
        &SignRecipientOptions::default(),
        &ctx,
    )
    .expect("begins");
    let mut rounds = 0;
    let done = loop {
        rounds += 1;
        let values: Vec<SignatureValue> = signing
            .to_sign()
            .into_iter()
            .map(|item| SignatureValue {
                document_id: item.document_id,
                value: paul.sign(&item.message).expect("signs"),
            })
            .collect();
        match signing
            .provide(&flow.envelope, &flow.documents, &values, None, &ctx)
            .expect("provides")
        {
            SigningProgress::Pending(next) => signing = next,
            SigningProgress::Signed(done) => break done,
        }
    };
    assert_eq!(rounds, 2);
    let annex = done
        .documents
        .iter()
        .find(|d| d.document_id == "annex")
        .expect("annex");
    let report = pades::verify(&annex.pdf, &anchors()).expect("verifies");
    assert_eq!(
        signature_names(&report),
        [
            "junho_annex",
            "marie_annex",
            "sig_paul_annex",
            "sig_paul_annex_2"
        ]
    );
    report.verdict().expect("intact");
}

#[cfg(feature = "audit-pdf")]
#[test]
fn finalize_seals_records_the_final_digests_and_the_audit_trail_holds_for_every_document() {
    let mut flow = signed_flow(&three_signers());
    let platform = KeySigner::from_pkcs12(&fixture("certs/demo/seal.p12"), "test").expect("seal");
    let ctx = flow.ctx(Actor::System);
    let options = FinalizeOptions {
        seal: vec!["annex".into()],
        ..FinalizeOptions::default()
    };
    let done = finalize(
        &flow.envelope,
        &flow.history,
        &flow.documents,
        &platform,
        None,
        &options,
        &ctx,
    )
    .expect("finalizes");
    assert_eq!(done.transition.envelope.status, EnvelopeStatus::Completed);
    let annex = pades::verify(&done.documents[2].pdf, &anchors()).expect("verifies");
    assert_eq!(
        signature_names(&annex),
        [
            "PlatformSeal",
            "junho_annex",
            "marie_annex",
            "sig_paul_annex",
            "sig_paul_annex_2"
        ],
        "the signers, then the platform's seal"
    );
    annex.verdict().expect("sealed annex intact");
    for document in &done.documents {
        let report = audit::verify_audit_trail(&done.audit_trail, Some(&document.pdf), &anchors())
            .expect("verifies");
        report
            .verdict()
            .unwrap_or_else(|e| panic!("{}: {e}", document.document_id));
        assert_eq!(
            report
                .document
                .as_ref()
                .and_then(|d| d.matches_document.as_deref()),
            Some(document.document_id.as_str())
        );
    }
    // The completion fires once, with the digests of the files as downloaded.
    let completed: Vec<&Event> = done
        .transition
        .events
        .iter()
        .filter(|e| e.event_type() == "envelope.completed")
        .collect();
    assert_eq!(completed.len(), 1);
    // Finalizing twice, or before everyone acted, is refused.
    flow.take(done.transition.clone(), done.documents.clone());
    let ctx = flow.ctx(Actor::System);
    let err = finalize(
        &flow.envelope,
        &flow.history,
        &flow.documents,
        &platform,
        None,
        &FinalizeOptions::default(),
        &ctx,
    )
    .expect_err("done already");
    assert_eq!(err.code(), ErrorCode::EnvelopeNotReady);
}

#[test]
fn workflow_inputs_and_results_round_trip_through_json() {
    fn round_trip<T: serde::Serialize + serde::de::DeserializeOwned>(value: &T) -> T {
        serde_json::from_str(&serde_json::to_string(value).expect("json")).expect("parses")
    }
    let input = RecipientInput {
        initials: Some("MD".into()),
        initials_image: Some(vec![1, 2, 3]),
        ..paul_input()
    };
    assert_eq!(round_trip(&input), input);
    let json = serde_json::to_value(&input).expect("json");
    assert_eq!(json["values"][0]["fieldId"], "notes_paul");
    assert_eq!(json["initialsImage"], "AQID");
    assert!(
        serde_json::from_str::<RecipientInput>(r#"{"recipientId": "a", "valeus": []}"#).is_err()
    );
    let documents = DocumentBytes {
        document_id: "doc".into(),
        pdf: b"%PDF".to_vec(),
    };
    assert_eq!(round_trip(&documents), documents);
    let options: PrepareOptions = serde_json::from_str(
        r#"{"certify": ["offer"], "certificationTime": "2026-11-23T09:00:00Z"}"#,
    )
    .expect("options");
    assert_eq!(options.certify, ["offer"]);
    let options: SignRecipientOptions =
        serde_json::from_str(r#"{"level": "B-T", "reason": "J'accepte"}"#).expect("options");
    assert_eq!(options.level, pades::PadesLevel::BaselineT);
    let flow = sent_flow();
    let prepared = Prepared {
        documents: flow.documents.clone(),
        command: Command::send(),
    };
    assert_eq!(round_trip(&prepared), prepared);
}

fn platform_ca() -> KeySigner {
    KeySigner::from_pem(
        &fixture("certs/rsa/intermediate.key"),
        &fixture("certs/rsa/chain.pem"),
    )
    .expect("CA")
}

#[test]
fn each_signer_signs_with_a_certificate_of_their_own() {
    let ca = platform_ca();
    let draft = sent_flow();
    let issue = |id: &str, byte: u8| {
        issue_recipient_signer(
            &draft.envelope,
            id,
            &ca,
            &[byte; 32],
            &RecipientCertificateOptions::default(),
            t0(),
        )
        .unwrap_or_else(|e| panic!("{id}: {e}"))
    };
    let signers = vec![
        ("marie", issue("marie", 1)),
        ("junho", issue("junho", 2)),
        ("paul", issue("paul", 3)),
    ];
    let flow = signed_flow(&signers);
    let names = [
        ("marie", "Marie-Hélène Dupré"),
        ("junho", "김준호"),
        ("paul", "Paul Martin"),
    ];
    for document in &flow.documents {
        let report = pades::verify(&document.pdf, &anchors()).expect("verifies");
        report.verdict().expect("intact and trusted");
        for signature in &report.signatures {
            let Some((_, name)) = names.iter().find(|(id, _)| {
                signature.field_name.contains(&format!("_{id}"))
                    || signature.field_name.starts_with(id)
            }) else {
                assert_eq!(signature.field_name, CERTIFICATION_FIELD);
                continue;
            };
            let signer = signature.signer.as_ref().expect("signer");
            assert_eq!(
                signer.common_name.as_deref(),
                Some(*name),
                "{} in {}",
                signature.field_name,
                document.document_id
            );
        }
    }
    // The envelope, and so the evidence, records each signer's certificate.
    for (id, signer) in &signers {
        let leaf = &signer.certificate_chain()[0];
        assert_eq!(
            flow.envelope
                .recipient(id)
                .expect(id)
                .certificate_sha256
                .as_deref(),
            Some(leaf.fingerprint_sha256().as_str())
        );
        let (not_before, not_after) = leaf.validity();
        assert_eq!(not_before, t0());
        assert_eq!(not_after, t0() + Duration::days(365));
    }
    let serials: std::collections::BTreeSet<String> = signers
        .iter()
        .map(|(_, s)| s.certificate_chain()[0].serial_hex())
        .collect();
    assert_eq!(serials.len(), 3, "one serial per signer");
}

#[test]
fn a_signer_certificate_is_a_function_of_its_entropy_and_refuses_what_cannot_sign() {
    let ca = platform_ca();
    let flow = sent_flow();
    let issue = |id: &str, entropy: &[u8], options: &RecipientCertificateOptions| {
        issue_recipient_signer(&flow.envelope, id, &ca, entropy, options, t0())
    };
    let defaults = RecipientCertificateOptions::default();
    let a = issue("marie", &[7; 32], &defaults).expect("issues");
    let b = issue("marie", &[7; 32], &defaults).expect("issues");
    let c = issue("marie", &[8; 32], &defaults).expect("issues");
    assert_eq!(a.certificate_chain()[0], b.certificate_chain()[0]);
    assert_ne!(a.certificate_chain()[0], c.certificate_chain()[0]);
    assert_ne!(
        a.certificate_chain()[0].serial_hex(),
        c.certificate_chain()[0].serial_hex()
    );
    // Cut to the CA's own validity (2099-12-31 for the test intermediate).
    let long = issue(
        "marie",
        &[7; 32],
        &RecipientCertificateOptions {
            validity_days: 365 * 200,
            ..defaults.clone()
        },
    )
    .expect("issues");
    assert_eq!(
        long.certificate_chain()[0].validity().1,
        ca.certificate_chain()[0].validity().1
    );
    for (id, entropy, options, expected) in [
        (
            "anna",
            &[1u8; 32][..],
            defaults.clone(),
            ErrorCode::RecipientRoleMismatch,
        ),
        (
            "nobody",
            &[1u8; 32][..],
            defaults.clone(),
            ErrorCode::RecipientNotFound,
        ),
        (
            "marie",
            &[1u8; 16][..],
            defaults.clone(),
            ErrorCode::InvalidArgument,
        ),
        (
            "marie",
            &[1u8; 32][..],
            RecipientCertificateOptions {
                validity_days: 0,
                ..defaults.clone()
            },
            ErrorCode::InvalidArgument,
        ),
    ] {
        let err = issue(id, entropy, &options).expect_err(id);
        assert_eq!(err.code(), expected, "{id}: {err}");
    }
    // A leaf cannot act as the platform CA.
    let leaf = key("rsa", "signer");
    let err = issue_recipient_signer(&flow.envelope, "marie", &leaf, &[1; 32], &defaults, t0())
        .expect_err("not a CA");
    assert_eq!(err.code(), ErrorCode::CertNotCa);
    // JSON: every key may be left out.
    let parsed: RecipientCertificateOptions = serde_json::from_str("{}").expect("json");
    assert_eq!(parsed, defaults);
    let parsed: RecipientCertificateOptions =
        serde_json::from_str(r#"{"algorithm": "RSA-2048", "validityDays": 30}"#).expect("json");
    assert_eq!(parsed.algorithm, pades::KeyAlgorithm::Rsa2048);
    assert!(serde_json::from_str::<RecipientCertificateOptions>(r#"{"validity": 30}"#).is_err());
}

#[test]
fn upload_reads_the_page_sizes_and_refuses_what_cannot_be_signed() {
    let (document, bytes) = upload(
        "offer",
        "offer.pdf",
        fixture("pdf/reportlab-mixed-sizes.pdf"),
        &Default::default(),
    )
    .expect("uploads");
    assert_eq!(document.page_count as usize, document.pages.len());
    let sizes: std::collections::BTreeSet<(i64, i64)> = document
        .pages
        .iter()
        .map(|p| (p.width.round() as i64, p.height.round() as i64))
        .collect();
    assert!(
        sizes.len() > 1,
        "mixed sizes are kept page by page: {sizes:?}"
    );
    assert_eq!(document.sha256, crate::digest::sha256_hex(&bytes.pdf));
    assert_eq!(bytes.document_id, "offer");
    for (file, code) in [
        ("pdf/encrypted-user-password.pdf", ErrorCode::PdfEncrypted),
        ("pdf/encrypted-owner-password.pdf", ErrorCode::PdfEncrypted),
    ] {
        let err = upload("d", "d.pdf", fixture(file), &Default::default()).expect_err(file);
        assert_eq!(err.code(), code, "{file}");
    }
    let err = upload(
        "d",
        "d.pdf",
        b"%PDF-1.7\nnot a pdf".to_vec(),
        &Default::default(),
    )
    .expect_err("broken");
    assert_eq!(err.code().family(), crate::ErrorFamily::Pdf, "{err}");
}
