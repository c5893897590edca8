//! Signing and verifying, with paraph's own verifier (the independent
//! validators run in `tests/`).

use chrono::{DateTime, TimeZone, Utc};

use super::*;
use crate::ErrorCode;
use crate::geometry::Rect;
use crate::pdf::FormFieldKind;
use crate::pdf::testing::minimal_pdf;
use crate::pdf::{
    FontSet, FormFieldFill, FormFieldSpec, FormFieldValue, Pdf, SignatureAppearance, add_fields,
};

fn fixture(path: &str) -> Vec<u8> {
    let full = format!("{}/../fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

fn certs(path: &str) -> Vec<Certificate> {
    parse_certificates(&fixture(path)).expect("certificates")
}

fn signer(alg: &str, name: &str) -> KeySigner {
    KeySigner::from_pkcs12(&fixture(&format!("certs/{alg}/{name}.p12")), "test").expect("p12")
}

fn at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap()
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap()
}

fn options() -> SignOptions {
    SignOptions::new(at())
}

fn visible(page: u32) -> SignOptions {
    let mut o = options();
    o.field = SignatureField::New {
        name: None,
        page,
        rect: Rect::new(40.0, 40.0, 200.0, 70.0),
    };
    o.appearance = Some(SignatureAppearance {
        name: "Marie Dubois".into(),
        image: None,
        date: "Signed 2026-11-23 10:00 UTC".into(),
        details: "marie@example.com".into(),
    });
    o
}

fn report(pdf: &[u8], anchor: &str) -> VerificationReport {
    verify(
        pdf,
        &VerifyOptions::new(now()).with_trust_anchors(certs(anchor)),
    )
    .expect("verifies")
}

#[test]
fn every_key_kind_signs_a_valid_trusted_signature() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let signers = [
        ("rsa", signer("rsa", "signer")),
        (
            "rsa",
            KeySigner::from_pkcs12(&fixture("certs/rsa/signer.legacy.p12"), "test")
                .expect("legacy p12"),
        ),
        ("ec", signer("ec", "signer")),
        (
            "rsa",
            KeySigner::from_pem(
                &fixture("certs/rsa/signer.key"),
                &[
                    fixture("certs/rsa/signer.pem"),
                    fixture("certs/rsa/chain.pem"),
                ]
                .concat(),
            )
            .expect("pem"),
        ),
        (
            "ec",
            KeySigner::from_pem(
                &fixture("certs/ec/signer.key"),
                &[
                    fixture("certs/ec/chain.pem"),
                    fixture("certs/ec/signer.pem"),
                ]
                .concat(),
            )
            .expect("pem, chain first"),
        ),
    ];
    for (alg, signer) in signers {
        let signed = sign(&pdf, &signer, None, &visible(1)).expect("signs");
        assert!(signed.starts_with(&pdf), "the original bytes are kept");
        let r = report(&signed, &format!("certs/{alg}/root.pem"));
        assert_eq!(r.signatures.len(), 1);
        let s = &r.signatures[0];
        assert!(s.intact(), "{alg}: {:?}", s.problems);
        assert_eq!(s.chain, ChainStatus::Trusted, "{alg}: {:?}", s.problems);
        assert_eq!(s.coverage, Coverage::WholeFile);
        assert_eq!(s.sub_filter, "/ETSI.CAdES.detached");
        assert_eq!(s.signing_time, Some(at()));
        assert!(
            s.signer
                .as_ref()
                .expect("signer")
                .subject
                .contains("Alice Signer")
        );
    }
}

#[test]
fn the_chain_is_ordered_from_the_signing_certificate() {
    let signer = signer("rsa", "signer");
    let chain = signer.certificate_chain();
    assert_eq!(chain.len(), 3);
    assert!(chain[0].subject().contains("Alice Signer"));
    assert!(chain[1].subject().contains("Intermediate"));
    assert!(chain[2].subject().contains("Root"));
}

#[test]
fn key_problems_are_typed_errors() {
    let wrong = KeySigner::from_pkcs12(&fixture("certs/rsa/signer.p12"), "nope").expect_err("bad");
    assert_eq!(wrong.code(), ErrorCode::Pkcs12BadPassword);
    let wrong =
        KeySigner::from_pkcs12(&fixture("certs/rsa/signer.legacy.p12"), "nope").expect_err("bad");
    assert_eq!(wrong.code(), ErrorCode::Pkcs12BadPassword);
    let garbage = KeySigner::from_pkcs12(b"garbage", "test").expect_err("bad");
    assert_eq!(garbage.code(), ErrorCode::Pkcs12Invalid);
    let mismatch = KeySigner::from_pem(
        &fixture("certs/rsa/signer.key"),
        &fixture("certs/rsa/signer2.pem"),
    )
    .expect_err("mismatch");
    assert_eq!(mismatch.code(), ErrorCode::KeyCertMismatch);
    let bad_key = KeySigner::from_pem(
        b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        &fixture("certs/rsa/signer.pem"),
    )
    .expect_err("bad key");
    assert_eq!(bad_key.code(), ErrorCode::KeyInvalid);
    let bad_cert = KeySigner::from_pem(&fixture("certs/rsa/signer.key"), b"not a certificate")
        .expect_err("bad cert");
    assert_eq!(bad_cert.code(), ErrorCode::CertInvalid);
    // A certificate chain given as the key says so, in words.
    let swapped = KeySigner::from_pem(
        &fixture("certs/rsa/chain.pem"),
        &fixture("certs/rsa/signer.pem"),
    )
    .expect_err("a certificate is not a key");
    assert_eq!(swapped.code(), ErrorCode::KeyInvalid);
    assert!(
        swapped
            .message()
            .contains("holds a certificate, not a private key"),
        "{}",
        swapped.message()
    );
    // A key followed by its certificate in one file is read.
    let mut combined = fixture("certs/rsa/signer.pem");
    combined.extend_from_slice(&fixture("certs/rsa/signer.key"));
    assert!(KeySigner::from_pem(&combined, &fixture("certs/rsa/signer.pem")).is_ok());
}

#[test]
fn certificates_must_be_valid_at_the_signing_time() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let expired = signer("rsa", "expired");
    assert_eq!(
        sign(&pdf, &expired, None, &options())
            .expect_err("expired")
            .code(),
        ErrorCode::CertExpired
    );
    let notyet = KeySigner::from_pem(
        &fixture("certs/ec/notyet.key"),
        &fixture("certs/ec/notyet.pem"),
    )
    .expect("pem");
    assert_eq!(
        sign(&pdf, &notyet, None, &options())
            .expect_err("not yet")
            .code(),
        ErrorCode::CertNotYetValid
    );
    let mut then = options();
    then.signing_time = Utc.with_ymd_and_hms(2020, 6, 1, 0, 0, 0).unwrap();
    sign(&pdf, &expired, None, &then).expect("valid in 2020");
}

#[test]
fn untrusted_anchors_and_rogue_signers_are_untrusted() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    let r = report(&signed, "certs/rogue/root.pem");
    assert!(r.all_intact());
    assert_eq!(r.signatures[0].chain, ChainStatus::Untrusted);
    assert!(!r.all_trusted());
    let rogue = sign(&pdf, &signer("rogue", "signer"), None, &options()).expect("signs");
    assert_eq!(
        report(&rogue, "certs/rsa/root.pem").signatures[0].chain,
        ChainStatus::Untrusted
    );
}

#[test]
fn chains_are_judged_at_the_validation_time() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let mut then = options();
    then.signing_time = Utc.with_ymd_and_hms(2020, 6, 1, 0, 0, 0).unwrap();
    let signed = sign(&pdf, &signer("rsa", "expired"), None, &then).expect("signs");
    let r = report(&signed, "certs/rsa/root.pem");
    assert!(r.all_intact());
    assert_eq!(r.signatures[0].chain, ChainStatus::Expired);
}

#[test]
fn tampering_is_detected() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    // A byte of the page content (inside the covered range).
    let mut changed = signed.clone();
    let at = memchr::memmem::find(&changed, b"/MediaBox [0 0 612").expect("media box") + 15;
    changed[at] = b'7';
    let r = report(&changed, "certs/rsa/root.pem");
    assert!(!r.signatures[0].digest_valid);
    assert!(!r.all_intact());
    // A byte of the signature value, at the end of the DER SignedData.
    let mut changed = signed.clone();
    let contents = memchr::memmem::find(&changed, b"/Contents <").expect("contents") + 11;
    let header = hex::decode(&changed[contents..contents + 8]).expect("hex");
    assert_eq!(header[..2], [0x30, 0x82], "a long-form DER sequence");
    let der_len = 4 + usize::from(u16::from_be_bytes([header[2], header[3]]));
    let target = contents + 2 * (der_len - 10);
    changed[target] = if changed[target] == b'0' { b'1' } else { b'0' };
    let r = report(&changed, "certs/rsa/root.pem");
    assert!(r.signatures[0].digest_valid);
    assert!(!r.signatures[0].signature_valid);
    assert!(!r.all_intact());
}

#[test]
fn bytes_appended_after_signing_are_reported() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    // A later update that rewrites the page content stream.
    let doc = Pdf::load(&signed).expect("loads");
    let mut update = crate::pdf::incremental::IncrementalUpdate::new(&doc).expect("update");
    let content_id = (5, 0);
    update.set(
        content_id,
        lopdf::Object::Stream(lopdf::Stream::new(
            lopdf::Dictionary::new(),
            b"BT /F1 24 Tf 72 600 Td (Changed) Tj ET".to_vec(),
        )),
    );
    let changed = update.write().expect("writes").apply_to(&signed);
    let r = report(&changed, "certs/rsa/root.pem");
    let s = &r.signatures[0];
    assert!(
        s.digest_valid && s.signature_valid,
        "the signed revision itself is intact"
    );
    assert_eq!(
        s.coverage,
        Coverage::Revision {
            bytes: signed.len()
        }
    );
    assert!(
        matches!(&s.modifications, Modifications::Disallowed { reasons } if reasons.iter().any(|r| r.contains("5 0 R"))),
        "{:?}",
        s.modifications
    );
    assert!(!r.all_intact());
}

/// Two signers' fields created first (with initials on every page), then
/// each signs in turn, filling their own fields.
fn two_signers() -> Vec<u8> {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0), (595.0, 842.0, 90)]);
    let doc = Pdf::load(&pdf).expect("loads");
    let mut fields = vec![
        FormFieldSpec {
            name: "sig_alice".into(),
            kind: FormFieldKind::Signature,
            page: 2,
            rect: Rect::new(40.0, 300.0, 200.0, 70.0),
            value: None,
            required: true,
            read_only: false,
            multiline: false,
        },
        FormFieldSpec {
            name: "sig_bob".into(),
            kind: FormFieldKind::Signature,
            page: 2,
            rect: Rect::new(300.0, 300.0, 200.0, 70.0),
            value: None,
            required: true,
            read_only: false,
            multiline: false,
        },
        FormFieldSpec {
            name: "title_alice".into(),
            kind: FormFieldKind::Text,
            page: 1,
            rect: Rect::new(72.0, 200.0, 200.0, 20.0),
            value: None,
            required: true,
            read_only: false,
            multiline: false,
        },
        FormFieldSpec {
            name: "agree_bob".into(),
            kind: FormFieldKind::Checkbox,
            page: 1,
            rect: Rect::new(72.0, 240.0, 14.0, 14.0),
            value: None,
            required: true,
            read_only: false,
            multiline: false,
        },
    ];
    fields.extend(crate::pdf::initials_on_every_page(
        doc.pages(),
        &["initials_alice".into(), "initials_bob".into()],
    ));
    let prepared = add_fields(&pdf, &fields, &FontSet::bundled()).expect("fields");

    let mut first = options();
    first.field = SignatureField::Existing {
        name: "sig_alice".into(),
    };
    first.appearance = Some(SignatureAppearance {
        name: "Alice Martin".into(),
        image: None,
        date: "Signed 2026-11-23".into(),
        details: "alice@example.com".into(),
    });
    first.field_values = vec![
        FormFieldFill {
            name: "title_alice".into(),
            value: FormFieldValue::Text {
                text: "Engineer".into(),
            },
        },
        FormFieldFill {
            name: "initials_alice_p1".into(),
            value: FormFieldValue::Initials {
                text: "AM".into(),
                image: None,
            },
        },
        FormFieldFill {
            name: "initials_alice_p2".into(),
            value: FormFieldValue::Initials {
                text: "AM".into(),
                image: None,
            },
        },
    ];
    let once = sign(&prepared, &signer("rsa", "signer"), None, &first).expect("first signs");

    let mut second = options();
    second.signing_time = at() + chrono::Duration::hours(1);
    second.field = SignatureField::Existing {
        name: "sig_bob".into(),
    };
    second.field_values = vec![
        FormFieldFill {
            name: "agree_bob".into(),
            value: FormFieldValue::Checkbox { checked: true },
        },
        FormFieldFill {
            name: "initials_bob_p1".into(),
            value: FormFieldValue::Initials {
                text: "BC".into(),
                image: None,
            },
        },
        FormFieldFill {
            name: "initials_bob_p2".into(),
            value: FormFieldValue::Initials {
                text: "BC".into(),
                image: None,
            },
        },
    ];
    sign(&once, &signer("rsa", "signer2"), None, &second).expect("second signs")
}

#[test]
fn a_second_signature_keeps_the_first_valid() {
    let twice = two_signers();
    let r = report(&twice, "certs/rsa/root.pem");
    assert_eq!(r.signatures.len(), 2, "{r:?}");
    assert!(r.all_trusted(), "{r:#?}");
    let first = r
        .signatures
        .iter()
        .find(|s| s.field_name == "sig_alice")
        .expect("alice");
    assert!(matches!(first.coverage, Coverage::Revision { .. }));
    assert!(
        matches!(&first.modifications, Modifications::Allowed { .. }),
        "{:?}",
        first.modifications
    );
    let second = r
        .signatures
        .iter()
        .find(|s| s.field_name == "sig_bob")
        .expect("bob");
    assert_eq!(second.coverage, Coverage::WholeFile);
    let fields = Pdf::load(&twice).expect("loads").fields().expect("fields");
    let value = |n: &str| {
        fields
            .iter()
            .find(|f| f.name == n)
            .and_then(|f| f.value.clone())
    };
    assert_eq!(value("title_alice").as_deref(), Some("Engineer"));
    assert_eq!(value("agree_bob").as_deref(), Some("Yes"));
    assert_eq!(value("initials_bob_p2").as_deref(), Some("BC"));
}

#[test]
fn signing_an_existing_field_twice_or_a_wrong_field_is_refused() {
    let twice = two_signers();
    let mut again = options();
    again.field = SignatureField::Existing {
        name: "sig_alice".into(),
    };
    assert_eq!(
        sign(&twice, &signer("rsa", "signer"), None, &again)
            .expect_err("signed")
            .code(),
        ErrorCode::PdfFieldAlreadySigned
    );
    again.field = SignatureField::Existing {
        name: "title_alice".into(),
    };
    assert_eq!(
        sign(&twice, &signer("rsa", "signer"), None, &again)
            .expect_err("not a sig")
            .code(),
        ErrorCode::PdfFieldTypeMismatch
    );
    again.field = SignatureField::Existing {
        name: "nope".into(),
    };
    assert_eq!(
        sign(&twice, &signer("rsa", "signer"), None, &again)
            .expect_err("missing")
            .code(),
        ErrorCode::PdfFieldNotFound
    );
    let mut new = visible(1);
    new.field = SignatureField::New {
        name: Some("sig_bob".into()),
        page: 1,
        rect: Rect::new(0.0, 0.0, 10.0, 10.0),
    };
    assert_eq!(
        sign(&twice, &signer("rsa", "signer"), None, &new)
            .expect_err("exists")
            .code(),
        ErrorCode::PdfFieldExists
    );
    new.field = SignatureField::New {
        name: None,
        page: 9,
        rect: Rect::new(0.0, 0.0, 10.0, 10.0),
    };
    assert_eq!(
        sign(&twice, &signer("rsa", "signer"), None, &new)
            .expect_err("page")
            .code(),
        ErrorCode::PdfPageNotFound
    );
}

#[test]
fn two_phase_signing_round_trips_through_json() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let key = signer("ec", "signer");
    let prepared = prepare(&pdf, key.certificate_chain(), &visible(1)).expect("prepares");
    let json = serde_json::to_string(&prepared).expect("json");
    let pending: PreparedSignature = serde_json::from_str(&json).expect("parses");
    assert_eq!(pending, prepared);
    assert_eq!(
        pending.message_digest(),
        <[u8; 32]>::from(sha2::Sha256::digest(pending.message()))
    );
    let value = key.sign(pending.message()).expect("signs");
    let signed = finish(&pdf, &pending, &value, None).expect("finishes");
    assert!(report(&signed, "certs/ec/root.pem").all_trusted());

    let other = minimal_pdf(&[(595.0, 842.0, 0)]);
    assert_eq!(
        finish(&other, &pending, &value, None)
            .expect_err("other pdf")
            .code(),
        ErrorCode::PendingSignatureInvalid
    );
    let wrong_key = signer("ec", "signer2")
        .sign(pending.message())
        .expect("signs");
    assert_eq!(
        finish(&pdf, &pending, &wrong_key, None)
            .expect_err("wrong key")
            .code(),
        ErrorCode::KeyCertMismatch
    );
    let mut broken = pending.clone();
    broken.contents_offset += 3;
    assert_eq!(
        finish(&pdf, &broken, &value, None)
            .expect_err("moved")
            .code(),
        ErrorCode::PendingSignatureInvalid
    );
}

use sha2::Digest as _;

#[test]
fn a_signer_that_understates_its_size_gets_a_typed_error() {
    struct Liar(KeySigner);
    impl Signer for Liar {
        fn certificate_chain(&self) -> &[Certificate] {
            self.0.certificate_chain()
        }
        fn algorithm(&self) -> SignatureAlgorithm {
            self.0.algorithm()
        }
        fn sign(&self, message: &[u8]) -> crate::Result<Vec<u8>> {
            self.0.sign(message)
        }
        fn max_signature_len(&self) -> usize {
            8
        }
    }
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let liar = Liar(signer("rsa", "signer"));
    assert_eq!(
        sign(&pdf, &liar, None, &options())
            .expect_err("too large")
            .code(),
        ErrorCode::SignatureTooLarge
    );
}

#[test]
fn certification_is_reported_and_only_allowed_first() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let mut certify = options();
    certify.certify = Some(DocMdpPermission::FormFilling);
    let certified = sign(&pdf, &signer("rsa", "signer"), None, &certify).expect("certifies");
    let r = report(&certified, "certs/rsa/root.pem");
    assert_eq!(
        r.signatures[0].kind,
        SignatureKind::Certification { permission: 2 }
    );
    assert_eq!(
        sign(&certified, &signer("rsa", "signer2"), None, &certify)
            .expect_err("second")
            .code(),
        ErrorCode::PdfUnsupported
    );
    // A new visible field after certification would be a disallowed change.
    assert_eq!(
        sign(&certified, &signer("rsa", "signer2"), None, &visible(1))
            .expect_err("visible")
            .code(),
        ErrorCode::PdfUnsupported
    );
    let approved =
        sign(&certified, &signer("rsa", "signer2"), None, &options()).expect("invisible approval");
    let r = report(&approved, "certs/rsa/root.pem");
    assert!(r.all_trusted(), "{r:#?}");
}

#[test]
fn certified_documents_accept_signatures_in_fields_made_before() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let fields = [FormFieldSpec {
        name: "approval".into(),
        kind: FormFieldKind::Signature,
        page: 1,
        rect: Rect::new(300.0, 300.0, 200.0, 60.0),
        value: None,
        required: true,
        read_only: false,
        multiline: false,
    }];
    let prepared = add_fields(&pdf, &fields, &FontSet::bundled()).expect("fields");
    let mut certify = options();
    certify.certify = Some(DocMdpPermission::FormFilling);
    let certified = sign(&prepared, &signer("rsa", "signer"), None, &certify).expect("certifies");
    let mut approve = visible(1);
    approve.field = SignatureField::Existing {
        name: "approval".into(),
    };
    let approved = sign(&certified, &signer("rsa", "signer2"), None, &approve).expect("approves");
    let r = report(&approved, "certs/rsa/root.pem");
    assert!(r.all_trusted(), "{r:#?}");
}

#[test]
fn no_changes_certification_refuses_later_signatures_and_flags_changes() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let mut certify = options();
    certify.certify = Some(DocMdpPermission::NoChanges);
    let certified = sign(&pdf, &signer("rsa", "signer"), None, &certify).expect("certifies");
    assert_eq!(
        sign(&certified, &signer("rsa", "signer2"), None, &options())
            .expect_err("P=1")
            .code(),
        ErrorCode::PdfUnsupported
    );
    // Another tool's later change is reported as disallowed.
    let doc = Pdf::load(&certified).expect("loads");
    let mut update = crate::pdf::incremental::IncrementalUpdate::new(&doc).expect("update");
    let catalog = doc.catalog_id().expect("catalog");
    let mut dict = doc.catalog().expect("catalog").clone();
    dict.set("PageMode", lopdf::Object::Name(b"UseOutlines".to_vec()));
    update.set(catalog, lopdf::Object::Dictionary(dict));
    let changed = update.write().expect("writes").apply_to(&certified);
    let r = report(&changed, "certs/rsa/root.pem");
    assert!(matches!(
        r.signatures[0].modifications,
        Modifications::Disallowed { .. }
    ));
}

#[test]
fn signer_text_cannot_inject_pdf_syntax() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let mut o = visible(1);
    o.reason = Some(")>> /JS (app.alert(1)) <<".into());
    o.signer_name = Some("Mallory )>>/Type/Catalog<<".into());
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &o).expect("signs");
    assert!(report(&signed, "certs/rsa/root.pem").all_trusted());
    let doc = Pdf::load(&signed).expect("loads");
    assert_eq!(doc.fields().expect("fields").len(), 1);
    // The text stays a string value of /Reason: no key was injected.
    let sig = doc
        .doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .find(|d| d.get(b"Type").ok() == Some(&lopdf::Object::Name(b"Sig".to_vec())))
        .expect("signature dictionary");
    assert!(!sig.has(b"JS"));
    match sig.get(b"Reason").expect("reason") {
        lopdf::Object::String(bytes, _) => assert_eq!(bytes, b")>> /JS (app.alert(1)) <<"),
        other => panic!("{other:?}"),
    }
}

fn with_password(mut options: SignOptions, password: &str) -> SignOptions {
    options.pdf_password = Some(password.into());
    options
}

fn verify_with_password(pdf: &[u8], password: Option<&str>) -> crate::Result<VerificationReport> {
    let mut options = VerifyOptions::new(now()).with_trust_anchors(certs("certs/rsa/root.pem"));
    options.pdf_password = password.map(Into::into);
    verify(pdf, &options)
}

#[test]
fn an_encrypted_pdf_is_signed_twice_with_each_update_encrypted_like_the_file() {
    let pdf = fixture("pdf/encrypted-owner-password.pdf");
    let original = Pdf::load(&pdf).expect("opens with the empty user password");
    let dictionary = original.encryption().expect("encrypted").dictionary();
    let once = sign(&pdf, &signer("rsa", "signer"), None, &visible(1)).expect("signs");
    let mut second = options();
    second.reason = Some("Approved by the board".into());
    let twice = sign(&once, &signer("rsa", "signer"), None, &second).expect("signs again");

    let r = report(&twice, "certs/rsa/root.pem");
    assert_eq!(r.signatures.len(), 2);
    assert!(r.all_trusted(), "{r:#?}");
    for s in &r.signatures {
        assert!(
            !matches!(s.modifications, Modifications::Disallowed { .. }),
            "{s:#?}"
        );
        // /M was encrypted and reads back as the signing time.
        assert_eq!(s.signing_time, Some(at()));
    }
    // The updates name the same /Encrypt dictionary and keep their strings
    // out of clear text.
    let signed = Pdf::load(&twice).expect("loads");
    assert_eq!(
        signed.encryption().expect("still encrypted").dictionary(),
        dictionary
    );
    let update = &twice[pdf.len()..];
    for clear in [&b"D:20261123"[..], b"Approved by the board", b"Signature1"] {
        assert!(
            memchr::memmem::find(update, clear).is_none(),
            "{}",
            String::from_utf8_lossy(clear)
        );
    }
    // The same inputs give the same bytes: the AES IVs are synthetic.
    assert_eq!(
        sign(&pdf, &signer("rsa", "signer"), None, &visible(1)).expect("signs"),
        once
    );
}

#[test]
fn a_pdf_that_needs_a_password_is_signed_and_verified_with_it() {
    let pdf = fixture("pdf/encrypted-user-password.pdf");
    let code = |r: crate::Result<Vec<u8>>| r.expect_err("refused").code();
    let s = signer("rsa", "signer");
    assert_eq!(
        code(sign(&pdf, &s, None, &options())),
        ErrorCode::PdfEncrypted
    );
    assert_eq!(
        code(sign(&pdf, &s, None, &with_password(options(), "guess"))),
        ErrorCode::PdfWrongPassword
    );
    for password in ["user-secret", "owner-secret"] {
        let signed = sign(&pdf, &s, None, &with_password(visible(1), password)).expect("signs");
        assert_eq!(
            verify_with_password(&signed, None)
                .expect_err("needs it")
                .code(),
            ErrorCode::PdfEncrypted
        );
        let r = verify_with_password(&signed, Some(password)).expect("verifies");
        assert_eq!(r.signatures.len(), 1);
        assert!(r.all_trusted(), "{r:#?}");
    }
}

#[test]
fn permissions_that_allow_only_form_filling_allow_signing_an_existing_field_only() {
    let pdf = fixture("pdf/encrypted-fill-only.pdf");
    let s = signer("rsa", "signer");
    let refused = sign(&pdf, &s, None, &visible(1)).expect_err("a new field");
    assert_eq!(refused.code(), ErrorCode::PdfPermissionDenied);
    assert!(
        refused.message().contains("existing"),
        "{}",
        refused.message()
    );
    assert_eq!(
        sign(&pdf, &s, None, &options())
            .expect_err("an invisible new field")
            .code(),
        ErrorCode::PdfPermissionDenied
    );

    let mut existing = options();
    existing.field = SignatureField::Existing {
        name: "SignHere".into(),
    };
    let signed = sign(&pdf, &s, None, &existing).expect("fills the existing field");
    let r = report(&signed, "certs/rsa/root.pem");
    assert_eq!(r.signatures[0].field_name, "SignHere");
    assert!(r.all_trusted(), "{r:#?}");

    // The owner password lifts the permissions.
    let signed = sign(&pdf, &s, None, &with_password(visible(1), "owner-secret")).expect("owner");
    assert!(report(&signed, "certs/rsa/root.pem").all_trusted());
}

#[test]
fn a_document_signed_by_pyhanko_accepts_a_second_signature() {
    let pdf = fixture("pdf/pyhanko-signed.pdf");
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &visible(1)).expect("signs");
    let r = report(&signed, "certs/rsa/root.pem");
    assert_eq!(r.signatures.len(), 2);
    assert!(r.all_trusted(), "{r:#?}");
    assert!(
        r.signatures
            .iter()
            .any(|s| s.sub_filter == "/adbe.pkcs7.detached")
    );
}

#[cfg(feature = "aws-lc")]
#[test]
fn the_aws_lc_backend_signs_rsa_and_ecdsa() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    for alg in ["rsa", "ec"] {
        let key = signer(alg, "signer")
            .with_backend(Backend::AwsLc)
            .expect("aws-lc");
        assert_eq!(key.backend(), Backend::AwsLc);
        let signed = sign(&pdf, &key, None, &visible(1)).expect("signs");
        assert!(report(&signed, &format!("certs/{alg}/root.pem")).all_trusted());
    }
}

#[test]
fn both_backends_give_the_same_rsa_signature_value() {
    // PKCS#1 v1.5 is deterministic: any backend must produce these bytes.
    let key = signer("rsa", "signer")
        .with_backend(Backend::RustCrypto)
        .expect("backend");
    let value = key.sign(b"message").expect("signs");
    assert_eq!(value.len(), 256);
    #[cfg(feature = "aws-lc")]
    {
        let aws = signer("rsa", "signer")
            .with_backend(Backend::AwsLc)
            .expect("aws-lc");
        assert_eq!(aws.sign(b"message").expect("signs"), value);
    }
}

fn rgba_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, 4, 2);
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        let pixels: Vec<u8> = (0..8)
            .flat_map(|i| [0, 0, 128, if i % 2 == 0 { 0 } else { 255 }])
            .collect();
        writer.write_image_data(&pixels).expect("data");
    }
    out
}

#[test]
fn a_drawn_signature_keeps_its_transparency() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let mut o = visible(1);
    if let Some(appearance) = o.appearance.as_mut() {
        appearance.image = Some(rgba_png());
    }
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &o).expect("signs");
    let doc = Pdf::load_unfiltered(&signed, &crate::pdf::Limits::default()).expect("loads");
    let image = doc
        .doc
        .objects
        .values()
        .filter_map(|o| o.as_stream().ok())
        .find(|s| {
            s.dict.get(b"Subtype").ok() == Some(&lopdf::Object::Name(b"Image".to_vec()))
                && s.dict.has(b"SMask")
        })
        .expect("an image with a soft mask");
    assert_eq!(
        image
            .dict
            .get(b"Width")
            .expect("width")
            .as_i64()
            .expect("int"),
        4
    );
    assert!(report(&signed, "certs/rsa/root.pem").all_trusted());
    // A broken image is a typed error, and nothing is signed.
    if let Some(appearance) = o.appearance.as_mut() {
        appearance.image = Some(b"\x89PNG broken".to_vec());
    }
    assert_eq!(
        sign(&pdf, &signer("rsa", "signer"), None, &o)
            .expect_err("bad png")
            .code(),
        ErrorCode::PdfImageInvalid
    );
}

#[test]
fn existing_form_fields_are_kept_and_can_be_filled() {
    let pdf = fixture("pdf/reportlab-acroform.pdf");
    let before = Pdf::load(&pdf).expect("loads").fields().expect("fields");
    let names: Vec<&str> = before.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["employee_name", "start_date", "accept_policies"]);
    assert_eq!(before[0].value.as_deref(), Some("François Müller"));
    let added = add_fields(
        &pdf,
        &[FormFieldSpec {
            name: "sig_hr".into(),
            kind: FormFieldKind::Signature,
            page: 1,
            rect: Rect::new(72.0, 300.0, 200.0, 60.0),
            value: None,
            required: true,
            read_only: false,
            multiline: false,
        }],
        &FontSet::bundled(),
    )
    .expect("adds");
    let mut o = options();
    o.field = SignatureField::Existing {
        name: "sig_hr".into(),
    };
    o.field_values = vec![FormFieldFill {
        name: "start_date".into(),
        value: FormFieldValue::Text {
            text: "2026-12-01".into(),
        },
    }];
    let signed = sign(&added, &signer("rsa", "signer"), None, &o).expect("signs");
    let after = Pdf::load(&signed).expect("loads").fields().expect("fields");
    let value = |n: &str| {
        after
            .iter()
            .find(|f| f.name == n)
            .and_then(|f| f.value.clone())
    };
    assert_eq!(after.len(), 4);
    assert_eq!(value("employee_name").as_deref(), Some("François Müller"));
    assert_eq!(value("start_date").as_deref(), Some("2026-12-01"));
    assert_eq!(value("accept_policies").as_deref(), Some("Yes"));
    assert!(report(&signed, "certs/rsa/root.pem").all_trusted());
}

#[test]
fn signing_declares_pdf_1_7_and_the_esic_extension_once() {
    // ghostscript-1.3.pdf is a PDF 1.3 file.
    let pdf = fixture("pdf/ghostscript-1.3.pdf");
    let once = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    let doc = Pdf::load(&once).expect("loads");
    assert_eq!(doc.version(), "1.7");
    let catalog = doc.catalog().expect("catalog");
    let esic = catalog
        .get(b"Extensions")
        .and_then(lopdf::Object::as_dict)
        .and_then(|e| e.get(b"ESIC"))
        .and_then(lopdf::Object::as_dict)
        .expect("ESIC extension");
    assert_eq!(
        esic.get(b"ExtensionLevel")
            .expect("level")
            .as_i64()
            .expect("int"),
        1
    );
    // A second signature leaves the catalog alone, and the first stays valid.
    let twice = sign(&once, &signer("rsa", "signer2"), None, &visible(1)).expect("signs");
    let second = Pdf::load(&twice).expect("loads");
    assert_eq!(
        second.catalog().expect("catalog"),
        doc.catalog().expect("catalog")
    );
    assert!(report(&twice, "certs/rsa/root.pem").all_trusted());
    // PDF 2.0 files need neither.
    let v2 = fixture("pdf/ghostscript-2.0.pdf");
    let signed = sign(&v2, &signer("rsa", "signer"), None, &options()).expect("signs");
    assert!(
        !Pdf::load(&signed)
            .expect("loads")
            .catalog()
            .expect("catalog")
            .has(b"Extensions")
    );
}

// ---- the two-phase path does not trust its pending state ----

fn pending_for(pdf: &[u8], key: &KeySigner) -> PreparedSignature {
    prepare(pdf, key.certificate_chain(), &visible(1)).expect("prepares")
}

#[test]
fn a_tampered_or_corrupted_pending_state_is_refused_and_yields_nothing() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let key = signer("rsa", "signer");
    let good = pending_for(&pdf, &key);
    let value = key.sign(good.message()).expect("signs");
    finish(&pdf, &good, &value, None).expect("the untouched state finishes");

    let other_key = signer("rsa", "signer2");
    type Tamper = Box<dyn Fn(&mut PreparedSignature)>;
    let cases: Vec<(&str, Tamper, ErrorCode)> = vec![
        (
            "a byte of the update changed",
            Box::new(|p| {
                let last = p.increment.len() - 20;
                p.increment[last] ^= 1;
            }),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the update truncated",
            Box::new(|p| p.increment.truncate(p.increment.len() / 2)),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the base length",
            Box::new(|p| p.base_len += 1),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the placeholder moved",
            Box::new(|p| p.contents_offset += 1),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "an offset past every bound",
            Box::new(|p| p.contents_offset = usize::MAX),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "a capacity past every bound",
            Box::new(|p| p.contents_capacity = usize::MAX - 1),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "an offset before the update",
            Box::new(|p| p.contents_offset = 3),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the byte range",
            Box::new(|p| p.byte_range[3] += 1),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the document digest",
            Box::new(|p| p.document_digest = "00".repeat(32)),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the signed attributes",
            Box::new(|p| p.signed_attributes.truncate(10)),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the certificates",
            Box::new(move |p| {
                p.certificates = vec![base64_of(other_key.certificate_chain()[0].der())];
            }),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the algorithm",
            Box::new(|p| p.algorithm = SignatureAlgorithm::EcdsaP256Sha256),
            ErrorCode::PendingSignatureInvalid,
        ),
        (
            "the schema version",
            Box::new(|p| p.schema_version = 1),
            ErrorCode::UnsupportedSchemaVersion,
        ),
    ];
    for (what, tamper, code) in cases {
        let mut pending = good.clone();
        tamper(&mut pending);
        let err = finish(&pdf, &pending, &value, None).expect_err(what);
        assert_eq!(err.code(), code, "{what}: {}", err.message());
    }
    // A tampered update whose digest and signed attributes were recomputed
    // still cannot put its /ByteRange anywhere but around its placeholder.
    let mut moved = good.clone();
    let text = String::from_utf8_lossy(&moved.increment).into_owned();
    let at = text.find("/ByteRange [0 ").expect("byte range") + "/ByteRange [0 ".len();
    moved.increment[at] = if moved.increment[at] == b'9' {
        b'8'
    } else {
        b'9'
    };
    assert_eq!(
        finish(&pdf, &moved, &value, None)
            .expect_err("moved byte range")
            .code(),
        ErrorCode::PendingSignatureInvalid
    );
    // Another document, or a value from another key.
    let other = minimal_pdf(&[(595.0, 842.0, 0)]);
    assert_eq!(
        finish(&other, &good, &value, None)
            .expect_err("other pdf")
            .code(),
        ErrorCode::PendingSignatureInvalid
    );
    let wrong = signer("rsa", "signer2")
        .sign(good.message())
        .expect("signs");
    assert_eq!(
        finish(&pdf, &good, &wrong, None)
            .expect_err("other key")
            .code(),
        ErrorCode::KeyCertMismatch
    );
}

fn base64_of(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn pending_state_json_is_versioned_and_refuses_unknown_keys() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let pending = pending_for(&pdf, &signer("ec", "signer"));
    let json = pending.to_json();
    assert_eq!(
        PreparedSignature::from_json(&json).expect("round trip"),
        pending
    );
    let mut value: serde_json::Value = serde_json::from_str(&json).expect("json");
    value["schemaVersion"] = 9.into();
    assert_eq!(
        PreparedSignature::from_json(&value.to_string())
            .expect_err("v9")
            .code(),
        ErrorCode::UnsupportedSchemaVersion
    );
    value["schemaVersion"] = PREPARED_SIGNATURE_VERSION.into();
    value["documnetDigest"] = "typo".into();
    assert_eq!(
        PreparedSignature::from_json(&value.to_string())
            .expect_err("unknown key")
            .code(),
        ErrorCode::MalformedJson
    );
}

#[test]
fn ecdsa_values_are_accepted_as_der_or_as_r_and_s() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let key = signer("ec", "signer");
    let pending = pending_for(&pdf, &key);
    let der = key.sign(pending.message()).expect("signs");
    let signature = p256::ecdsa::Signature::from_der(&der).expect("DER");
    let raw = signature.to_bytes();
    assert_eq!(raw.len(), 64);
    let from_der = finish(&pdf, &pending, &der, None).expect("DER finishes");
    let from_raw = finish(&pdf, &pending, &raw, None).expect("r||s finishes");
    assert_eq!(from_der, from_raw);
    assert!(report(&from_raw, "certs/ec/root.pem").all_trusted());
}

struct NoTsa;
impl TimestampAuthority for NoTsa {
    fn timestamp(&self, _request: &[u8]) -> crate::Result<Vec<u8>> {
        Err(crate::Error::new(
            ErrorCode::TimestampInvalid,
            "the TSA is down",
        ))
    }
}

#[test]
fn the_level_and_the_time_stamp_authority_must_agree() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let key = signer("rsa", "signer");
    let mut b_t = options();
    b_t.level = PadesLevel::BaselineT;
    assert_eq!(
        sign(&pdf, &key, None, &b_t).expect_err("no TSA").code(),
        ErrorCode::InvalidArgument
    );
    assert_eq!(
        sign(&pdf, &key, Some(&NoTsa), &options())
            .expect_err("TSA for B-B")
            .code(),
        ErrorCode::InvalidArgument
    );
    let down = sign(&pdf, &key, Some(&NoTsa), &b_t).expect_err("TSA down");
    assert_eq!(down.code(), ErrorCode::TimestampInvalid);
    assert_eq!(down.message(), "the TSA is down");
}

/// A PDF whose page is object 3 generation 2, with its xref written by hand.
fn pdf_with_page_generation_2() -> Vec<u8> {
    let objects = [
        ("1 0 obj", "<< /Type /Catalog /Pages 2 0 R >>"),
        ("2 0 obj", "<< /Type /Pages /Kids [3 2 R] /Count 1 >>"),
        (
            "3 2 obj",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        ),
    ];
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut entries = vec!["0000000000 65535 f \n".to_owned()];
    for (header, body) in objects {
        let generation = &header[2..3];
        entries.push(format!("{:010} {:0>5} n \n", out.len(), generation));
        out.extend_from_slice(format!("{header}\n{body}\nendobj\n").as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(b"xref\n0 4\n");
    for entry in entries {
        out.extend_from_slice(entry.as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

#[test]
fn updated_objects_keep_their_generation_numbers_in_the_xref() {
    let pdf = pdf_with_page_generation_2();
    assert_eq!(Pdf::load(&pdf).expect("loads").page_count(), 1);
    // Signing visibly adds an annotation to the page, so rewrites 3 2 obj.
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &visible(1)).expect("signs");
    let update = String::from_utf8_lossy(&signed[pdf.len()..]).into_owned();
    let offset = pdf.len()
        + update
            .find("\n3 2 obj")
            .map(|at| at + 1)
            .expect("the page is rewritten as 3 2 obj");
    assert!(
        update.contains(&format!("{offset:010} 00002 n")),
        "the xref names generation 2"
    );
    assert!(report(&signed, "certs/rsa/root.pem").all_trusted());
    // And the signed file reads back with the page in place.
    assert_eq!(Pdf::load(&signed).expect("loads").page_count(), 1);
}

#[test]
fn a_trailer_size_past_the_object_number_limit_is_refused() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let mut doc = Pdf::load(&pdf).expect("loads");
    for size in [4_294_967_290_i64, 8_388_608] {
        doc.doc.trailer.set("Size", lopdf::Object::Integer(size));
        let err = crate::pdf::incremental::IncrementalUpdate::new(&doc).expect_err("refused");
        assert_eq!(
            err.code(),
            ErrorCode::PdfTooManyObjects,
            "{}",
            err.message()
        );
    }
    doc.doc
        .trailer
        .set("Size", lopdf::Object::Integer(8_388_000));
    crate::pdf::incremental::IncrementalUpdate::new(&doc).expect("room is left below the limit");
}

#[test]
fn the_aws_lc_backend_is_always_named_and_refused_without_its_feature() {
    let key = signer("rsa", "signer");
    let result = key.with_backend(Backend::AwsLc);
    if Backend::AwsLc.is_available() {
        assert_eq!(result.expect("aws-lc").backend(), Backend::AwsLc);
    } else {
        assert_eq!(
            result.expect_err("no aws-lc").code(),
            ErrorCode::UnsupportedAlgorithm
        );
    }
    let back = signer("ec", "signer")
        .with_backend(Backend::RustCrypto)
        .expect("rustcrypto");
    assert_eq!(back.backend(), Backend::RustCrypto);
}

// ---- JSON shapes of the options and reports surfaces pass ----

fn round_trip<T>(value: &T) -> T
where
    T: serde::Serialize + serde::de::DeserializeOwned,
{
    let json = serde_json::to_string(value).expect("serialises");
    serde_json::from_str(&json).unwrap_or_else(|e| panic!("{json}: {e}"))
}

#[test]
fn sign_and_verify_options_round_trip_through_camel_case_json() {
    let mut o = visible(1);
    o.field_values = vec![
        FormFieldFill {
            name: "title".into(),
            value: FormFieldValue::Text {
                text: "Engineer".into(),
            },
        },
        FormFieldFill {
            name: "agree".into(),
            value: FormFieldValue::Checkbox { checked: true },
        },
    ];
    o.level = PadesLevel::BaselineT;
    o.certify = Some(DocMdpPermission::FormFilling);
    o.reason = Some("Agreed".into());
    let back = round_trip(&o);
    assert_eq!(back.field, o.field);
    assert_eq!(back.field_values, o.field_values);
    assert_eq!(back.appearance, o.appearance);
    assert_eq!(back.level, PadesLevel::BaselineT);
    assert_eq!(back.limits, o.limits);
    let json = serde_json::to_value(&o).expect("json");
    assert_eq!(json["level"], "B-T");
    assert_eq!(json["field"]["type"], "new");
    assert_eq!(json["fieldValues"][1]["value"]["type"], "CHECKBOX");
    assert_eq!(json["certify"], "FORM_FILLING");

    for field in [
        SignatureField::Existing { name: "sig".into() },
        SignatureField::Invisible { name: None },
        SignatureField::Anchored {
            name: Some("sig_1".into()),
            anchor: crate::pdf::Anchor {
                text: "Signature:".into(),
                occurrence: 2,
                page: Some(1),
                position: crate::pdf::AnchorPosition::Below,
                offset_x: 1.0,
                offset_y: -2.0,
                width: 100.0,
                height: 30.0,
            },
        },
    ] {
        assert_eq!(round_trip(&field), field);
    }
    let minimal =
        SignOptions::from_json(r#"{"signingTime": "2026-11-23T10:00:00Z"}"#).expect("defaults");
    assert_eq!(minimal.field, SignatureField::Invisible { name: None });
    assert_eq!(minimal.level, PadesLevel::BaselineB);
    assert_eq!(
        SignOptions::from_json(r#"{"signingTime": "2026-11-23T10:00:00Z", "leve": "B-T"}"#)
            .expect_err("typo")
            .code(),
        ErrorCode::MalformedJson
    );

    let verify_options = VerifyOptions::new(now()).with_trust_anchors(certs("certs/rsa/root.pem"));
    assert_eq!(round_trip(&verify_options), verify_options);
}

#[test]
fn verification_reports_round_trip_and_give_one_verdict() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    let trusted = report(&signed, "certs/rsa/root.pem");
    assert_eq!(round_trip(&trusted), trusted);
    trusted.verdict().expect("trusted");
    let untrusted = report(&signed, "certs/rogue/root.pem");
    assert_eq!(
        untrusted.verdict().expect_err("rogue").code(),
        ErrorCode::CertUntrusted
    );
    assert!(
        untrusted.signatures[0]
            .problems
            .iter()
            .any(|p| p.code == ProblemCode::ChainUntrusted)
    );
    let integrity_only = verify(&signed, &VerifyOptions::new(now())).expect("verifies");
    assert!(!integrity_only.trust_checked);
    integrity_only.verdict().expect("intact");
    let unsigned = verify(&pdf, &VerifyOptions::new(now())).expect("verifies");
    assert_eq!(
        unsigned.verdict().expect_err("none").code(),
        ErrorCode::SignatureNotFound
    );
    let mut broken = signed.clone();
    let last = broken.len() - 30;
    broken[last] ^= 0x20;
    let broken = report(&broken, "certs/rsa/root.pem");
    assert_eq!(
        broken.verdict().expect_err("broken").code(),
        ErrorCode::SignatureInvalid
    );
}

#[test]
fn verification_honours_the_callers_limits() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    let mut tight = VerifyOptions::new(now());
    tight.limits.max_file_size = 100;
    assert_eq!(
        verify(&signed, &tight).expect_err("limit").code(),
        ErrorCode::PdfTooLarge
    );
}

#[test]
fn field_definitions_pages_and_certificates_round_trip_through_json() {
    let spec = FormFieldSpec {
        name: "start_date".into(),
        kind: FormFieldKind::Text,
        page: 2,
        rect: Rect::new(10.0, 20.0, 100.0, 18.0),
        value: Some("2027-01-04".into()),
        required: true,
        read_only: false,
        multiline: false,
    };
    assert_eq!(round_trip(&spec), spec);
    let json = serde_json::to_value(&spec).expect("json");
    assert_eq!(json["kind"], "TEXT");
    assert_eq!(json["readOnly"], false);
    let pdf = minimal_pdf(&[(612.0, 792.0, 90)]);
    let doc = Pdf::load(&pdf).expect("loads");
    let geometry = doc.page(1).expect("page").geometry;
    assert_eq!(round_trip(&geometry), geometry);
    let page = serde_json::to_value(doc.page(1).expect("page")).expect("json");
    assert_eq!(page["geometry"]["rotation"], "90");
    assert_eq!(page["geometry"]["mediaBox"]["urx"], 612.0);
    let cert = &certs("certs/rsa/root.pem")[0];
    assert_eq!(&round_trip(cert), cert);
    assert!(serde_json::from_str::<Certificate>("\"bm90IGEgY2VydA==\"").is_err());
    #[cfg(feature = "audit-pdf")]
    {
        let render = crate::audit::RenderOptions {
            locale: crate::audit::Locale::Ko,
        };
        assert_eq!(round_trip(&render), render);
    }
}

// ---- hostile edits a verifier must not call intact ----

/// The byte offset of `needle` in `hay` at or after `from`.
fn find_bytes(hay: &[u8], needle: &[u8], from: usize) -> usize {
    from + memchr::memmem::find(&hay[from..], needle).expect("found")
}

/// The last signature's `/ByteRange` values.
fn byte_range_of(signed: &[u8]) -> Vec<usize> {
    let at =
        memchr::memmem::rfind(signed, b"/ByteRange [").expect("byte range") + "/ByteRange ".len();
    let close = find_bytes(signed, b"]", at);
    std::str::from_utf8(&signed[at + 1..close])
        .expect("ascii")
        .split_whitespace()
        .map(|v| v.parse().expect("number"))
        .collect()
}

fn resign_over(signed: &[u8], signer: &KeySigner, tail_len: usize) -> Vec<u8> {
    super::testing::resign_over(signed, signer, tail_len).expect("re-signs")
}

#[test]
fn a_byte_range_short_of_its_revision_is_not_intact() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let key = signer("rsa", "signer");
    let signed = sign(&pdf, &key, None, &options()).expect("signs");
    let b = byte_range_of(&signed)[2];
    // Sound as it is: the whole file.
    let sound = resign_over(&signed, &key, signed.len() - b);
    assert_eq!(
        report(&sound, "certs/rsa/root.pem").signatures[0].coverage,
        Coverage::WholeFile
    );
    // 200 bytes short: its own xref and trailer are not signed.
    let mut short = resign_over(&signed, &key, signed.len() - b - 200);
    let in_trailer = short.len() - 30;
    short[in_trailer] = if short[in_trailer] == b' ' {
        b'\n'
    } else {
        b' '
    };
    let r = report(&short, "certs/rsa/root.pem");
    let s = &r.signatures[0];
    // The covered bytes carry a valid CMS (the signer signed them), yet
    // the signature is not called intact: its revision is not covered.
    assert_eq!(s.coverage, Coverage::Invalid);
    assert!(
        s.problems
            .iter()
            .any(|p| p.code == ProblemCode::ByteRangeInvalid
                && p.message.contains("bytes before its revision ends")),
        "{:?}",
        s.problems
    );
    assert!(!r.all_intact());
    assert_eq!(
        r.verdict().expect_err("not intact").code(),
        ErrorCode::SignatureInvalid
    );
}

#[test]
fn data_after_the_last_eof_and_in_the_contents_gap_is_reported() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let key = signer("rsa", "signer");
    let first = sign(&pdf, &key, None, &options()).expect("signs");
    for tail in [
        b"garbage\n".to_vec(),
        vec![0u8; 64],
        (0..=255u8).cycle().take(100_000).collect(),
    ] {
        let mut appended = first.clone();
        appended.extend_from_slice(&tail);
        let r = report(&appended, "certs/rsa/root.pem");
        let s = &r.signatures[0];
        match &s.modifications {
            Modifications::Disallowed { reasons } => assert!(
                reasons
                    .iter()
                    .any(|r| r.contains("follow the last revision")),
                "{reasons:?}"
            ),
            other => panic!("trailing data reported as {other:?}"),
        }
        assert!(!r.all_intact());
    }
    // Non-zero bytes after the CMS inside /Contents.
    let hidden = super::testing::with_contents_trailing_data(&first, &[0xDE, 0xAD, 0xBE, 0xEF])
        .expect("fits");
    let r = report(&hidden, "certs/rsa/root.pem");
    let s = &r.signatures[0];
    assert!(s.digest_valid && s.signature_valid);
    assert!(
        s.problems
            .iter()
            .any(|p| p.code == ProblemCode::ContentsTrailingData),
        "{:?}",
        s.problems
    );
    assert!(!s.intact());
}

#[test]
fn annotations_added_after_an_approval_signature_are_not_allowed() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0), (612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    for subtype in ["FreeText", "Stamp", "Square", "Link"] {
        let changed = crate::pdf::testing::with_annotation(&signed, 2, subtype).expect("annotates");
        let r = report(&changed, "certs/rsa/root.pem");
        match &r.signatures[0].modifications {
            Modifications::Disallowed { reasons } => assert!(
                reasons
                    .iter()
                    .any(|r| r.contains(&format!("/{subtype} annotation was added on page 2"))),
                "{reasons:?}"
            ),
            other => panic!("{subtype} reported as {other:?}"),
        }
        assert_eq!(
            r.verdict().expect_err(subtype).code(),
            ErrorCode::SignatureInvalid
        );
    }
}

#[test]
fn an_output_the_verifier_would_refuse_is_never_written() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let mut tight = options();
    tight.limits.max_file_size = pdf.len() + 1_000;
    let err = sign(&pdf, &signer("rsa", "signer"), None, &tight).expect_err("too large");
    assert_eq!(err.code(), ErrorCode::PdfTooLarge);
    assert!(
        err.message().contains("verification included"),
        "{}",
        err.message()
    );
}

#[test]
fn stamp_text_must_stay_legible_and_say_what_it_holds() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let key = signer("rsa", "signer");
    let with = |name: &str, details: &str| {
        let mut o = visible(1);
        if let Some(appearance) = o.appearance.as_mut() {
            appearance.name = name.to_owned();
            appearance.details = details.to_owned();
        }
        sign(&pdf, &key, None, &o)
    };
    let long = "A".repeat(10_000);
    assert_eq!(
        with(&long, "").expect_err("invisible name").code(),
        ErrorCode::PdfTextTooLong
    );
    assert_eq!(
        with("Marie\u{1b}[2J", "").expect_err("control").code(),
        ErrorCode::InvalidArgument
    );
    // Small print too long for the field is cut, not refused.
    let signed = with("Marie Dubois", &"field ".repeat(2_000)).expect("signs");
    assert!(report(&signed, "certs/rsa/root.pem").all_intact());
    // Bidi controls are drawn as what they are.
    assert_eq!(
        crate::pdf::appearance::show_bidi_controls("Marie\u{202E}evil"),
        "Marie[U+202E]evil"
    );
}

// ---- earlier signatures' field locks (FieldMDP, ISO 32000-2 §12.8.2.4) ----

/// One page with a signed signature field `Locker` whose signature holds
/// a FieldMDP transform with `params`, and an empty signature field
/// `Empty` (created before the lock, so `/All` covers it).
fn locked_pdf(params: &str) -> Vec<u8> {
    crate::pdf::testing::assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 7 0 R] /SigFlags 3 >> >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [5 0 R 7 0 R] >>".to_vec()),
            (
                5,
                b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Locker) /F 132 /Rect [0 0 0 0] /P 3 0 R /V 6 0 R >>".to_vec(),
            ),
            (
                6,
                format!(
                    "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange [0 0 0 0] /Contents <00> /Reference [<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /V /1.2 {params} >> >>] >>"
                )
                .into_bytes(),
            ),
            (
                7,
                b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Empty) /F 4 /Rect [10 10 110 40] /P 3 0 R >>".to_vec(),
            ),
        ],
        1,
    )
}

fn sign_locked(pdf: &[u8], field: SignatureField) -> crate::Result<Vec<u8>> {
    let mut opts = options();
    opts.field = field;
    sign(pdf, &signer("rsa", "signer"), None, &opts)
}

#[test]
fn a_lock_with_p1_refuses_any_further_signature() {
    let pdf = locked_pdf("/Action /All /P 1");
    let err = sign_locked(&pdf, SignatureField::Invisible { name: None }).expect_err("locked");
    assert_eq!(err.code(), ErrorCode::PdfFieldLocked);
    assert!(
        err.message().contains("\"Locker\"") && err.message().contains("/P 1"),
        "{err}"
    );
}

#[test]
fn locked_fields_cannot_be_signed_but_new_fields_can() {
    let pdf = locked_pdf("/Action /All");
    let err = sign_locked(
        &pdf,
        SignatureField::Existing {
            name: "Empty".into(),
        },
    )
    .expect_err("locked");
    assert_eq!(err.code(), ErrorCode::PdfFieldLocked);
    // Not listed by an Exclude lock: locked too; listed: free.
    let pdf = locked_pdf("/Action /Exclude /Fields [(Empty)]");
    sign_locked(
        &pdf,
        SignatureField::Existing {
            name: "Empty".into(),
        },
    )
    .expect("excluded");
    let pdf = locked_pdf("/Action /Include /Fields [(Other)]");
    sign_locked(
        &pdf,
        SignatureField::Existing {
            name: "Empty".into(),
        },
    )
    .expect("not included");
    // A new field is not one a lock saw when it was signed.
    for params in [
        "/Action /All",
        "/Action /Exclude /Fields [(Empty)]",
        "/Action /Include /Fields [(Empty)]",
    ] {
        sign_locked(
            &locked_pdf(params),
            SignatureField::Invisible { name: None },
        )
        .expect("a new field");
    }
}

#[test]
fn a_new_field_never_takes_a_name_a_lock_lists() {
    let pdf = locked_pdf("/Action /Include /Fields [(Signature1) (Signature2)]");
    let signed = sign_locked(&pdf, SignatureField::Invisible { name: None }).expect("signs");
    let names: Vec<String> = crate::pdf::PdfDocument::load(&signed)
        .expect("loads")
        .fields()
        .expect("fields")
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert!(names.contains(&"Signature3".to_owned()), "{names:?}");
    let err = sign_locked(
        &pdf,
        SignatureField::Invisible {
            name: Some("Signature2".into()),
        },
    )
    .expect_err("a locked name");
    assert_eq!(err.code(), ErrorCode::PdfFieldLocked);
}

#[test]
fn a_lock_with_p2_allows_signing_invisibly_but_not_a_new_visible_field() {
    let pdf = locked_pdf("/Action /Include /Fields [(Locker)] /P 2");
    sign_locked(&pdf, SignatureField::Invisible { name: None }).expect("invisible");
    let err = sign_locked(
        &pdf,
        SignatureField::New {
            name: None,
            page: 1,
            rect: Rect::new(10.0, 10.0, 100.0, 30.0),
        },
    )
    .expect_err("visible");
    assert_eq!(err.code(), ErrorCode::PdfFieldLocked);
}

#[test]
fn rewritten_objects_keep_their_numbers_exactly() {
    let pdf = crate::pdf::testing::assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595.303937007874 841.889763779528] /CropBox [0 0 595.32001 841.92] /UserUnit 1.000000001 >>".to_vec(),
            ),
        ],
        1,
    );
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &visible(1)).expect("signs");
    let update = &signed[pdf.len()..];
    let page = memchr::memmem::find(update, b"\n3 0 obj").expect("the page is rewritten");
    let text = String::from_utf8_lossy(&update[page..page + 400]);
    assert!(
        text.contains("[0 0 595.303937007874 841.889763779528]")
            && text.contains("[0 0 595.32001 841.92]")
            && text.contains("/UserUnit 1.000000001"),
        "{text}"
    );
}

#[test]
fn direct_annotations_are_made_indirect_when_a_page_gets_a_widget() {
    let pdf = crate::pdf::testing::assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [<< /Type /Annot /Subtype /Link /Rect [44.0069732666 683.189697265625 250.35286 695.19525] /Border [0 0 0] >>] >>".to_vec(),
            ),
        ],
        1,
    );
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &visible(1)).expect("signs");
    use crate::pdf::object;
    let doc = crate::pdf::Pdf::load(&signed).expect("loads");
    let page = object::get_dict(&doc.doc, (3, 0)).expect("page");
    let annots = page
        .get(b"Annots")
        .expect("annots")
        .as_array()
        .expect("array");
    assert_eq!(annots.len(), 2);
    assert!(
        annots
            .iter()
            .all(|a| matches!(a, lopdf::Object::Reference(_))),
        "{annots:?}"
    );
    let link = object::get_dict(&doc.doc, annots[0].as_reference().expect("ref")).expect("link");
    assert_eq!(
        link.get(b"Subtype")
            .and_then(lopdf::Object::as_name)
            .expect("subtype"),
        b"Link"
    );
    // Moved, not rewritten: the rectangle keeps its digits.
    assert!(
        memchr::memmem::find(
            &signed[pdf.len()..],
            b"[44.0069732666 683.189697265625 250.35286 695.19525]"
        )
        .is_some()
    );
}

#[test]
fn a_file_whose_table_leads_an_unused_number_to_an_old_catalog_keeps_both_signatures() {
    // qpdf's hybrid-xref.pdf: the second signature used to lose the first,
    // because the old catalog came back over the one the first update wrote.
    let pdf = crate::pdf::testing::with_misdirected_entry(&crate::pdf::testing::minimal_pdf(&[(
        612.0, 792.0, 0,
    )]));
    let once = sign(&pdf, &signer("rsa", "signer"), None, &visible(1)).expect("first");
    let mut second = visible(1);
    second.field = SignatureField::New {
        name: None,
        page: 1,
        rect: Rect::new(40.0, 140.0, 200.0, 70.0),
    };
    let twice = sign(&once, &signer("rsa", "signer2"), None, &second).expect("second");
    let r = report(&twice, "certs/rsa/root.pem");
    let names: Vec<&str> = r.signatures.iter().map(|s| s.field_name.as_str()).collect();
    assert_eq!(names, ["Signature1", "Signature2"], "{r:#?}");
    assert!(r.all_trusted(), "{r:#?}");
}

/// The RSA intermediate and root, the intermediate's CRL and the OCSP
/// response for "Alice Signer" (fixtures/certs/make_revocation.sh).
fn rsa_validation_data() -> ValidationData {
    ValidationData {
        certificates: certs("certs/rsa/chain.pem")
            .iter()
            .map(|c| c.der().to_vec())
            .collect(),
        ocsp_responses: vec![fixture("certs/rsa/revocation/signer.ocsp")],
        crls: vec![fixture("certs/rsa/revocation/intermediate.crl")],
    }
}

#[test]
fn validation_data_goes_into_a_dss_that_keeps_the_signature_valid() {
    let pdf = crate::pdf::testing::minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &visible(1)).expect("signs");
    let options = LtvOptions::default();

    // Before: the signer and the intermediate need revocation data, with no
    // URL to fetch it from (the fixtures predate them); the root is not listed.
    let needs = validation_needs(&signed, &options).expect("needs");
    let names: Vec<String> = needs
        .iter()
        .map(|n| n.certificate.common_name().unwrap_or_default())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("Alice Signer")),
        "{names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("Intermediate")),
        "{names:?}"
    );
    assert!(
        needs
            .iter()
            .all(|n| !n.covered() && n.fields == ["Signature1"])
    );
    // The CMS carries the signer and the intermediate, not the root.
    for need in &needs {
        let is_signer = need
            .certificate
            .common_name()
            .is_some_and(|c| c.starts_with("Alice"));
        assert_eq!(need.issuer.is_some(), is_signer, "{need:?}");
    }

    let data = rsa_validation_data();
    let with_dss = add_validation_data(&signed, &data, &options).expect("adds");
    assert!(with_dss.starts_with(&signed), "an incremental update");
    let embedded = embedded_validation_data(&with_dss, &options).expect("reads");
    assert_eq!(embedded, data);

    // The signer is covered (its OCSP response, its issuer's CRL); the
    // intermediate is not (no CRL from the root).
    let needs = validation_needs(&with_dss, &options).expect("needs");
    let signer_need = needs
        .iter()
        .find(|n| {
            n.certificate
                .common_name()
                .is_some_and(|c| c.starts_with("Alice"))
        })
        .expect("signer");
    assert!(signer_need.has_ocsp && signer_need.has_crl);
    let intermediate = needs
        .iter()
        .find(|n| {
            n.certificate
                .common_name()
                .is_some_and(|c| c.contains("Intermediate"))
        })
        .expect("intermediate");
    assert!(!intermediate.covered());
    assert!(
        intermediate.issuer.is_some(),
        "the root now comes from the DSS"
    );

    // The VRI entry is keyed by the SHA-1 of the signature's /Contents.
    let doc = Pdf::load(&with_dss).expect("loads");
    let catalog = doc.doc.catalog().expect("catalog");
    let dss = doc
        .doc
        .get_dictionary(
            catalog
                .get(b"DSS")
                .and_then(lopdf::Object::as_reference)
                .expect("ref"),
        )
        .expect("dss");
    let vri = dss
        .get(b"VRI")
        .and_then(lopdf::Object::as_dict)
        .expect("vri");
    let field = doc.fields().expect("fields").remove(0);
    let sig_ref = doc
        .doc
        .get_dictionary(field.id)
        .and_then(|f| f.get(b"V"))
        .and_then(lopdf::Object::as_reference)
        .expect("/V");
    let contents = doc
        .doc
        .get_dictionary(sig_ref)
        .and_then(|d| d.get(b"Contents"))
        .and_then(lopdf::Object::as_str)
        .expect("contents");
    use sha1::Digest as _;
    let key: String = sha1::Sha1::digest(contents)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect();
    let entry = vri
        .get(key.as_bytes())
        .expect("a VRI entry for the signature");
    let entry = doc
        .doc
        .get_dictionary(entry.as_reference().expect("ref"))
        .expect("entry");
    for key in [&b"Cert"[..], b"CRL", b"OCSP"] {
        assert!(
            entry
                .get(key)
                .and_then(lopdf::Object::as_array)
                .is_ok_and(|a| !a.is_empty()),
            "{}",
            String::from_utf8_lossy(key)
        );
    }

    // The signature stays intact, with the DSS an allowed change.
    let r = report(&with_dss, "certs/rsa/root.pem");
    assert!(r.all_intact(), "{r:#?}");
    match &r.signatures[0].modifications {
        Modifications::Allowed { changes } => {
            assert!(
                changes.iter().any(|c| c.contains("validation data")),
                "{changes:?}"
            )
        }
        other => panic!("{other:?}"),
    }

    // The same data again adds nothing to the store; a countersignature
    // after it keeps both valid.
    let again = add_validation_data(&with_dss, &data, &options).expect("adds");
    assert_eq!(
        embedded_validation_data(&again, &options).expect("reads"),
        data
    );
    let mut second = visible(1);
    second.field = SignatureField::New {
        name: None,
        page: 1,
        rect: Rect::new(40.0, 140.0, 200.0, 70.0),
    };
    let twice = sign(&again, &signer("rsa", "signer2"), None, &second).expect("second");
    let r = report(&twice, "certs/rsa/root.pem");
    assert_eq!(r.signatures.len(), 2);
    assert!(r.all_intact(), "{r:#?}");
}

#[test]
fn validation_data_that_is_not_what_it_claims_is_refused_and_unsigned_files_too() {
    let pdf = crate::pdf::testing::minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    let options = LtvOptions::default();
    let crl_as_ocsp = ValidationData {
        ocsp_responses: vec![fixture("certs/rsa/revocation/intermediate.crl")],
        ..Default::default()
    };
    let err = add_validation_data(&signed, &crl_as_ocsp, &options).expect_err("not OCSP");
    assert_eq!(err.code(), ErrorCode::RevocationDataInvalid);
    let garbage_crl = ValidationData {
        crls: vec![b"not a CRL".to_vec()],
        ..Default::default()
    };
    let err = add_validation_data(&signed, &garbage_crl, &options).expect_err("not a CRL");
    assert_eq!(err.code(), ErrorCode::RevocationDataInvalid);
    let bad_cert = ValidationData {
        certificates: vec![vec![0x30, 0x03, 0x02, 0x01, 0x01]],
        ..Default::default()
    };
    let err = add_validation_data(&signed, &bad_cert, &options).expect_err("not a cert");
    assert_eq!(err.code(), ErrorCode::CertInvalid);
    let err = add_validation_data(&pdf, &rsa_validation_data(), &options).expect_err("unsigned");
    assert_eq!(err.code(), ErrorCode::SignatureNotFound);
    let err = validation_needs(&pdf, &options).expect_err("unsigned");
    assert_eq!(err.code(), ErrorCode::SignatureNotFound);
}

#[test]
fn an_ocsp_request_names_the_certificate_as_openssl_does() {
    let pdf = crate::pdf::testing::minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = sign(&pdf, &signer("rsa", "signer"), None, &options()).expect("signs");
    let needs = validation_needs(&signed, &LtvOptions::default()).expect("needs");
    let alice = needs
        .iter()
        .find(|n| {
            n.certificate
                .common_name()
                .is_some_and(|c| c.starts_with("Alice"))
        })
        .expect("signer");
    let request = alice.ocsp_request().expect("its issuer is known");
    // openssl's response to its own request for Alice carries the same
    // CertID (SHA-1 of the issuer's name and key, the serial).
    let response = fixture("certs/rsa/revocation/signer.ocsp");
    let openssl_id = {
        let basic = super::ocsp::parse_response(&response).expect("reads");
        der::Encode::to_der(&basic.tbs_response_data.responses[0].cert_id).expect("der")
    };
    assert!(
        request.windows(openssl_id.len()).any(|w| w == openssl_id),
        "the request's CertID differs from openssl's"
    );
    assert!(alice.is_answered_by(&response));
    assert!(!alice.is_answered_by(&fixture("certs/rsa/revocation/expired.ocsp")));
    assert!(alice.is_covered_by_crl(&fixture("certs/rsa/revocation/intermediate.crl")));
    let intermediate = needs
        .iter()
        .find(|n| n.issuer.is_none())
        .expect("intermediate");
    assert_eq!(
        intermediate.ocsp_request(),
        None,
        "its issuer (the root) is not known"
    );
    assert!(!intermediate.is_covered_by_crl(&fixture("certs/rsa/revocation/intermediate.crl")));
}

#[test]
fn revocation_data_is_judged_good_stale_revoked_or_from_an_untrusted_signer() {
    use super::ltv::RevocationSources;
    use super::verify::RevocationStatus::{Good, Revoked, Stale, UntrustedResponder};
    let alice = certs("certs/rsa/signer.pem").remove(0);
    let eve = certs("certs/rsa/expired.pem").remove(0);
    let intermediate = certs("certs/rsa/intermediate.pem").remove(0);
    let ocsp =
        super::ocsp::parse_response(&fixture("certs/rsa/revocation/signer.ocsp")).expect("reads");
    let crl =
        der::Decode::from_der(&fixture("certs/rsa/revocation/intermediate.crl")).expect("reads");
    let time = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
    let status = |sources: &RevocationSources, cert: &Certificate, at| {
        sources
            .status(cert.x509(), intermediate.x509(), at)
            .map(|f| (f.status, f.source))
    };
    let by_ocsp = RevocationSources {
        ocsps: vec![ocsp.clone()],
        ..Default::default()
    };
    // The fixtures were made on 2026-12-03, valid ten years: data issued
    // after the time judged tells of it, data still valid then too, data
    // that had expired by then does not.
    assert_eq!(
        status(&by_ocsp, &alice, time(2026, 1, 1)),
        Some((Good, RevocationSource::Ocsp))
    );
    assert_eq!(
        status(&by_ocsp, &alice, time(2030, 1, 1)),
        Some((Good, RevocationSource::Ocsp))
    );
    assert_eq!(
        status(&by_ocsp, &alice, time(2040, 1, 1)),
        Some((Stale, RevocationSource::Ocsp))
    );
    assert_eq!(
        status(&by_ocsp, &eve, time(2030, 1, 1)),
        None,
        "not about Eve"
    );

    // One flipped bit in the responder's signature: signed by no one the
    // issuer trusts.
    let mut forged = ocsp.clone();
    let mut bits = forged.signature.raw_bytes().to_vec();
    bits[10] ^= 1;
    forged.signature = der::asn1::BitString::from_bytes(&bits).expect("bits");
    let forged = RevocationSources {
        ocsps: vec![forged],
        ..Default::default()
    };
    assert_eq!(
        status(&forged, &alice, time(2030, 1, 1)),
        Some((UntrustedResponder, RevocationSource::Ocsp))
    );
    // With a good answer beside it, the good one counts.
    let both = RevocationSources {
        ocsps: [forged.ocsps.clone(), by_ocsp.ocsps.clone()].concat(),
        ..Default::default()
    };
    assert_eq!(
        status(&both, &alice, time(2030, 1, 1)),
        Some((Good, RevocationSource::Ocsp))
    );

    // The CRL revokes Eve (from the time it was made) and not Alice.
    let by_crl = RevocationSources {
        crls: vec![crl],
        ..Default::default()
    };
    assert_eq!(
        status(&by_crl, &alice, time(2030, 1, 1)),
        Some((Good, RevocationSource::Crl))
    );
    let revoked = by_crl
        .status(eve.x509(), intermediate.x509(), time(2030, 1, 1))
        .expect("found");
    assert_eq!(revoked.status, Revoked);
    assert!(revoked.revoked_at.is_some_and(|t| t < time(2030, 1, 1)));
    // Before the revocation a later one does not count; but Eve's
    // certificate expired in 2021 and the CRL was issued in 2026: it says
    // nothing of her then.
    assert_eq!(
        status(&by_crl, &eve, time(2020, 6, 1)),
        Some((Stale, RevocationSource::Crl))
    );
}
