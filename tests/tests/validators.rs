//! Signed PDFs checked by independent tools: qpdf, poppler (pdfsig,
//! pdftotext, pdftoppm), pyHanko and OpenSSL.
//!
//! These tests need those tools, so they are `#[ignore]`d for a bare
//! `cargo test`; `scripts/test` installs the tools and runs them with
//! `--include-ignored`. `PARAPH_PYTHON` names the interpreter that has
//! pyHanko.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::Command;

use paraph::geometry::Rect;
use paraph::pades::{self, KeySigner, SignOptions, SignatureField, Signer, VerifyOptions};
use paraph::pdf::{
    FontSet, FormFieldFill, FormFieldKind, FormFieldSpec, FormFieldValue, PdfDocument,
    SignatureAppearance,
};
use paraph_tests::*;

fn visible(page: u32, rect: Rect) -> SignOptions {
    let mut o = SignOptions::new(time());
    o.field = SignatureField::New {
        name: None,
        page,
        rect,
    };
    o.appearance = Some(SignatureAppearance {
        name: "마리 뒤부아 — Marie Dubois".into(),
        image: None,
        date: "Signed 2026-11-23 10:00 UTC".into(),
        details: "marie@example.com · sig_0123456789ab".into(),
    });
    o
}

const FIXTURES: &[&str] = &[
    "libreoffice-contract.pdf",
    "reportlab-contract.pdf",
    "reportlab-acroform.pdf",
    "reportlab-offset-boxes.pdf",
    "reportlab-mixed-sizes.pdf",
    "reportlab-three-pages.pdf",
    "ghostscript-1.3.pdf",
    "ghostscript-2.0.pdf",
    "qpdf-object-streams.pdf",
    "qpdf-linearized.pdf",
    "qpdf-rotated.pdf",
    "pyhanko-incremental.pdf",
];

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn every_fixture_signs_into_a_pdf_the_validators_accept() {
    for name in FIXTURES {
        let pdf = fixture(&format!("pdf/{name}"));
        let signed = pades::sign(
            &pdf,
            &signer("rsa", "signer"),
            None,
            &visible(1, Rect::new(40.0, 40.0, 220.0, 70.0)),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_valid(&signed, &format!("signed-{name}"), "rsa", 1);
    }
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn a_file_signed_by_pyhanko_keeps_its_signature_valid() {
    let pdf = fixture("pdf/pyhanko-signed.pdf");
    let signed = pades::sign(
        &pdf,
        &signer("rsa", "signer"),
        None,
        &visible(1, Rect::new(40.0, 40.0, 220.0, 70.0)),
    )
    .expect("signs");
    // pyHanko signed with /adbe.pkcs7.detached; ours is ETSI.CAdES.detached.
    let (_, failed, text) = validate_with(
        &signed,
        "signed-pyhanko-signed.pdf",
        &ca("rsa"),
        2,
        &[("EXPECT_SUBFILTER", "any")],
    );
    assert_eq!(failed, 0, "{text}");
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn ecdsa_and_legacy_pkcs12_signatures_are_accepted() {
    let pdf = fixture("pdf/reportlab-contract.pdf");
    let ec = pades::sign(
        &pdf,
        &signer("ec", "signer"),
        None,
        &visible(1, Rect::new(40.0, 40.0, 220.0, 70.0)),
    )
    .expect("signs");
    assert_valid(&ec, "ec.pdf", "ec", 1);
    let legacy =
        KeySigner::from_pkcs12(&fixture("certs/rsa/signer.legacy.p12"), "test").expect("legacy");
    let signed = pades::sign(&pdf, &legacy, None, &SignOptions::new(time())).expect("signs");
    assert_valid(&signed, "legacy-invisible.pdf", "rsa", 1);
}

/// Three signers in sequence on fields created before the first signature,
/// each filling their initials on every page.
fn three_signers() -> Vec<u8> {
    let pdf = fixture("pdf/libreoffice-contract.pdf");
    let doc = PdfDocument::load(&pdf).expect("loads");
    let names = ["alice", "bob", "carol"];
    let mut fields: Vec<FormFieldSpec> = names
        .iter()
        .enumerate()
        .map(|(i, n)| FormFieldSpec {
            name: format!("sig_{n}"),
            kind: FormFieldKind::Signature,
            page: 2,
            rect: Rect::new(40.0 + 180.0 * i as f64, 420.0, 170.0, 60.0),
            value: None,
            required: true,
            read_only: false,
            multiline: false,
        })
        .collect();
    fields.push(FormFieldSpec {
        name: "start_date".into(),
        kind: FormFieldKind::Text,
        page: 1,
        rect: Rect::new(300.0, 700.0, 120.0, 18.0),
        value: None,
        required: true,
        read_only: false,
        multiline: false,
    });
    fields.extend(paraph::pdf::initials_on_every_page(
        doc.pages(),
        &names
            .iter()
            .map(|n| format!("initials_{n}"))
            .collect::<Vec<_>>(),
    ));
    let mut pdf = paraph::pdf::add_fields(&pdf, &fields, &FontSet::bundled()).expect("fields");
    // Distinct certificates: poppler 22.12's pdfsig reports "Unknown issue
    // with Certificate" for a certificate's second signature in a document
    // (pyHanko-made files too), though pyHanko accepts them.
    let keys = [
        signer("rsa", "signer"),
        signer("rsa", "signer2"),
        signer("demo", "seal"),
    ];
    for (i, (name, key)) in names.iter().zip(keys.iter()).enumerate() {
        let mut o = SignOptions::new(time() + chrono::Duration::hours(i as i64));
        o.field = SignatureField::Existing {
            name: format!("sig_{name}"),
        };
        o.appearance = Some(SignatureAppearance {
            name: format!("{} Example", name.to_uppercase()),
            image: None,
            date: "Signed".into(),
            details: format!("{name}@example.com"),
        });
        o.field_values = (1..=2)
            .map(|p| FormFieldFill {
                name: format!("initials_{name}_p{p}"),
                value: FormFieldValue::Initials {
                    text: name[..1].to_uppercase(),
                    image: None,
                },
            })
            .collect();
        if i == 0 {
            o.field_values.push(FormFieldFill {
                name: "start_date".into(),
                value: FormFieldValue::Text {
                    text: "2026-12-01".into(),
                },
            });
        }
        pdf = pades::sign(&pdf, key, None, &o).expect("signs");
    }
    pdf
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn three_sequential_signatures_all_stay_valid() {
    let pdf = three_signers();
    assert_valid(&pdf, "three-signers.pdf", "rsa", 3);
    let text = pdftotext(&pdf, "three-signers.pdf");
    for needle in [
        "ALICE Example",
        "BOB Example",
        "CAROL Example",
        "2026-12-01",
    ] {
        assert!(text.contains(needle), "{needle} missing from:\n{text}");
    }
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn a_certification_then_an_approval_are_accepted() {
    let pdf = fixture("pdf/reportlab-contract.pdf");
    // Fields are created before the certification: a new visible field
    // after it is a disallowed change. The certification's field comes
    // first, as pdfsig lists signatures in field order.
    let field = |name: &str, page: u32| FormFieldSpec {
        name: name.into(),
        kind: FormFieldKind::Signature,
        page,
        rect: Rect::new(40.0, 40.0, 200.0, 60.0),
        value: None,
        required: true,
        read_only: false,
        multiline: false,
    };
    let fields = [field("certification", 1), field("approval", 2)];
    let pdf = paraph::pdf::add_fields(&pdf, &fields, &FontSet::bundled()).expect("fields");
    let mut certify = SignOptions::new(time());
    certify.field = SignatureField::Existing {
        name: "certification".into(),
    };
    certify.certify = Some(pades::DocMdpPermission::FormFilling);
    let certified = pades::sign(&pdf, &signer("rsa", "signer"), None, &certify).expect("certifies");
    assert_valid(&certified, "certified.pdf", "rsa", 1);
    let mut approve = visible(2, Rect::new(40.0, 40.0, 200.0, 60.0));
    approve.field = SignatureField::Existing {
        name: "approval".into(),
    };
    let approved =
        pades::sign(&certified, &signer("rsa", "signer2"), None, &approve).expect("approves");
    assert_valid(&approved, "certified-approved.pdf", "rsa", 2);
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn validators_reject_a_flipped_byte_and_an_untrusted_root() {
    let pdf = fixture("pdf/reportlab-contract.pdf");
    let signed = pades::sign(
        &pdf,
        &signer("rsa", "signer"),
        None,
        &SignOptions::new(time()),
    )
    .expect("signs");
    let mut flipped = signed.clone();
    let at = memchr_find(&flipped, b"Employment agreement").unwrap_or(flipped.len() / 3);
    flipped[at] ^= 0x20;
    let (_, failed, text) = validate_with(&flipped, "flipped.pdf", &ca("rsa"), 1, &[]);
    assert!(
        failed >= 2,
        "a flipped byte must fail pdfsig and pyHanko:\n{text}"
    );
    let (_, failed, text) = validate_with(&signed, "untrusted.pdf", &ca("rogue"), 1, &[]);
    assert!(
        failed >= 2,
        "an untrusted root must fail pdfsig and pyHanko:\n{text}"
    );
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[test]
#[ignore = "needs poppler: run by scripts/test"]
fn stamp_text_extracts_exactly_in_latin_and_hangul() {
    let pdf = fixture("pdf/reportlab-contract.pdf");
    let signed = pades::sign(
        &pdf,
        &signer("rsa", "signer"),
        None,
        &visible(1, Rect::new(150.0, 300.0, 260.0, 80.0)),
    )
    .expect("signs");
    let text = pdftotext(&signed, "hangul.pdf");
    assert!(
        text.lines()
            .any(|l| l.trim() == "마리 뒤부아 — Marie Dubois"),
        "the stamp name is not extracted exactly:\n{text}"
    );
    assert!(
        text.contains("marie@example.com · sig_0123456789ab"),
        "{text}"
    );
}

/// A solid red PNG.
fn red_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().expect("header");
        let data: Vec<u8> = (0..width * height).flat_map(|_| [255u8, 0, 0]).collect();
        writer.write_image_data(&data).expect("data");
    }
    out
}

fn is_red(rgb: &[u8], width: usize, x: usize, y: usize) -> bool {
    let i = 3 * (y * width + x);
    rgb[i] > 200 && rgb[i + 1] < 80 && rgb[i + 2] < 80
}

#[test]
#[ignore = "needs poppler: run by scripts/test"]
fn stamps_land_where_asked_on_rotated_and_offset_pages() {
    // qpdf-rotated: pages rotated 90, 180, 270; offset boxes: crop box from (50, 80).
    let cases = [
        ("pdf/qpdf-rotated.pdf", 1u32),
        ("pdf/qpdf-rotated.pdf", 2),
        ("pdf/qpdf-rotated.pdf", 3),
        ("pdf/reportlab-offset-boxes.pdf", 1),
        ("pdf/reportlab-mixed-sizes.pdf", 2),
    ];
    let rect = Rect::new(60.0, 100.0, 160.0, 80.0);
    for (file, page) in cases {
        let pdf = fixture(file);
        let mut o = SignOptions::new(time());
        o.field = SignatureField::New {
            name: None,
            page,
            rect,
        };
        o.appearance = Some(SignatureAppearance {
            name: String::new(),
            image: Some(red_png(160, 80)),
            date: String::new(),
            details: String::new(),
        });
        let signed = pades::sign(&pdf, &signer("rsa", "signer"), None, &o).expect("signs");
        let name = format!("pixels-{}-{page}.pdf", file.replace('/', "_"));
        let (w, h, rgb) = render(&signed, &name, page);
        let doc = PdfDocument::load(&signed).expect("loads");
        let (dw, dh) = doc.page(page).expect("page").geometry.displayed_size();
        assert!(
            (w as f64 - dw).abs() <= 1.0 && (h as f64 - dh).abs() <= 1.0,
            "{name}: rendered {w}x{h}, expected {dw}x{dh}"
        );
        // The image fills the stamp's upper part; its centre is red.
        let (cx, cy) = (140, 125);
        assert!(
            is_red(&rgb, w, cx, cy),
            "{name}: no red at the stamp ({cx},{cy})"
        );
        // Mirrored positions (where a wrong rotation or offset would put it) are not.
        for (x, y) in [
            (w - 1 - cx, cy),
            (cx, h - 1 - cy),
            (w - 1 - cx, h - 1 - cy),
            (cy, cx),
        ] {
            if x < w && y < h && (x.abs_diff(cx) > 90 || y.abs_diff(cy) > 50) {
                assert!(
                    !is_red(&rgb, w, x, y),
                    "{name}: red at a mirrored position ({x},{y})"
                );
            }
        }
        // Outside the rectangle, nothing red.
        for (x, y) in [(55, 95), (225, 185), (30, 140), (260, 140)] {
            assert!(
                !is_red(&rgb, w, x, y),
                "{name}: red outside the stamp at ({x},{y})"
            );
        }
    }
}

#[test]
#[ignore = "needs openssl, qpdf, poppler and pyHanko: run by scripts/test"]
fn two_phase_signing_with_openssl_as_the_external_signer() {
    for alg in ["rsa", "ec"] {
        let pdf = fixture("pdf/reportlab-contract.pdf");
        let chain = pades::parse_certificates(
            &[
                fixture(&format!("certs/{alg}/signer.pem")),
                fixture(&format!("certs/{alg}/chain.pem")),
            ]
            .concat(),
        )
        .expect("certs");
        let prepared = pades::prepare(
            &pdf,
            &chain,
            &visible(1, Rect::new(40.0, 40.0, 220.0, 70.0)),
        )
        .expect("prepares");
        // The pending state travels as JSON; the HSM sees only the digest.
        let pending = pades::PreparedSignature::from_json(&prepared.to_json()).expect("json");
        let digest_path = scratch(&format!("two-phase-{alg}.digest"));
        std::fs::write(&digest_path, pending.message_digest()).expect("write");
        let out = Command::new("openssl")
            .args(["pkeyutl", "-sign", "-inkey"])
            .arg(root().join(format!("fixtures/certs/{alg}/signer.key")))
            .arg("-in")
            .arg(&digest_path)
            .args(["-pkeyopt", "digest:sha256"])
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let signed = pades::finish(&pdf, &pending, &out.stdout, None).expect("finishes");
        assert_valid(&signed, &format!("two-phase-{alg}.pdf"), alg, 1);
        // The in-process signer and the external one agree on the message.
        assert!(
            !signer(alg, "signer")
                .sign(pending.message())
                .expect("signs")
                .is_empty()
        );
    }
}

fn with_tsa_root(name: &str) -> PathBuf {
    let both = scratch(name);
    let mut pem = fixture("certs/rsa/root.pem");
    pem.extend(fixture("certs/tsa/root.pem"));
    std::fs::write(&both, pem).expect("write");
    both
}

#[test]
#[ignore = "needs openssl, qpdf, poppler and pyHanko: run by scripts/test"]
fn b_t_signatures_carry_a_time_stamp_validators_accept() {
    let pdf = fixture("pdf/reportlab-contract.pdf");
    let key = signer("rsa", "signer");
    let mut options = visible(1, Rect::new(150.0, 300.0, 220.0, 70.0));
    options.level = pades::PadesLevel::BaselineT;
    let prepared = pades::prepare(&pdf, key.certificate_chain(), &options).expect("prepares");
    let value = key.sign(prepared.message()).expect("signs");
    // The TSA: `openssl ts -reply` behind a local HTTP server; the core
    // builds the request and checks the response.
    let tsa = Tsa::start();
    // A value that is not this signature's is refused before the TSA is asked.
    let other = key.sign(b"something else").expect("signs");
    assert_eq!(
        pades::finish(&pdf, &prepared, &other, Some(&tsa))
            .expect_err("mismatch")
            .code(),
        paraph::ErrorCode::KeyCertMismatch,
    );
    assert_eq!(
        pades::finish(&pdf, &prepared, &value, None)
            .expect_err("no TSA")
            .code(),
        paraph::ErrorCode::InvalidArgument,
        "B-T without a time-stamp authority is refused"
    );
    let signed = pades::finish(&pdf, &prepared, &value, Some(&tsa)).expect("finishes");

    let both = with_tsa_root("b-t-roots.pem");
    let (_, failed, text) = validate_with(&signed, "b-t.pdf", &both, 1, &[]);
    assert_eq!(failed, 0, "{text}");
    let view = pyhanko_timestamp(&scratch("b-t.pdf"), &both);
    assert!(
        view.starts_with("True True True "),
        "pyHanko's view of the time-stamp: {view}"
    );
    let report = pades::verify(
        &signed,
        &VerifyOptions::new(time()).with_trust_anchors(
            pades::parse_certificates(&fixture("certs/rsa/root.pem")).expect("root"),
        ),
    )
    .expect("verifies");
    assert!(report.signatures[0].timestamp_time.is_some());
}

#[test]
#[ignore = "needs openssl, qpdf, poppler and pyHanko: run by scripts/test"]
fn the_cli_time_stamps_with_a_tsa_url() {
    let tsa = Tsa::start();
    let out = scratch("cli-b-t.pdf");
    // scripts/test builds the CLI before the tests run.
    let paraph = paraph_bin();
    let result = Command::new(&paraph)
        .arg("sign")
        .arg(root().join("fixtures/pdf/libreoffice-contract.pdf"))
        .arg("-o")
        .arg(&out)
        .arg("--p12")
        .arg(root().join("fixtures/certs/ec/signer.p12"))
        .args([
            "--password",
            "test",
            "--anchor",
            "Signature du salarié",
            "--tsa",
            &tsa.url,
        ])
        .output()
        .expect("paraph runs");
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    let signed = std::fs::read(&out).expect("read");
    let both = scratch("cli-b-t-roots.pem");
    let mut pem = fixture("certs/ec/root.pem");
    pem.extend(fixture("certs/tsa/root.pem"));
    std::fs::write(&both, pem).expect("write");
    let (_, failed, text) = validate_with(&signed, "cli-b-t-checked.pdf", &both, 1, &[]);
    assert_eq!(failed, 0, "{text}");
    let view = pyhanko_timestamp(&out, &both);
    assert!(view.starts_with("True True True "), "{view}");
    // A TSA that cannot be reached is a typed error, and no file is written.
    let unreachable = scratch("never.pdf");
    let result = Command::new(&paraph)
        .arg("sign")
        .arg(root().join("fixtures/pdf/reportlab-contract.pdf"))
        .arg("-o")
        .arg(&unreachable)
        .arg("--p12")
        .arg(root().join("fixtures/certs/rsa/signer.p12"))
        .args(["--password", "test", "--tsa", "http://127.0.0.1:9/"])
        .output()
        .expect("paraph runs");
    assert_eq!(result.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&result.stderr).starts_with("error[TIMESTAMP_INVALID]"));
    assert!(!unreachable.exists());
}

/// The 300-page and 20 MB inputs, made by tests/tools/make_large_pdfs.py
/// (reportlab and Pillow) into target/bench-pdfs unless already there.
fn large_input(name: &str) -> Vec<u8> {
    let dir = root().join("target/bench-pdfs");
    if !dir.join(name).exists() {
        let python = python();
        let status = Command::new(python)
            .arg(root().join("tests/tools/make_large_pdfs.py"))
            .arg(&dir)
            .status()
            .expect("python runs");
        assert!(status.success(), "make_large_pdfs.py failed");
    }
    std::fs::read(dir.join(name)).expect("large input")
}

#[test]
#[ignore = "needs reportlab, qpdf, poppler and pyHanko: run by scripts/test"]
fn a_300_page_and_a_20_mb_file_sign_into_valid_pdfs() {
    let pages = large_input("three-hundred-pages.pdf");
    let doc = PdfDocument::load(&pages).expect("loads");
    assert_eq!(doc.page_count(), 300);
    let signed = pades::sign(
        &pages,
        &signer("rsa", "signer"),
        None,
        &visible(300, Rect::new(300.0, 700.0, 220.0, 70.0)),
    )
    .expect("signs page 300");
    assert_valid(&signed, "three-hundred-pages-signed.pdf", "rsa", 1);

    let big = large_input("twenty-mb.pdf");
    assert!(big.len() > 19_000_000, "{} bytes", big.len());
    let mut options = visible(1, Rect::new(0.0, 0.0, 1.0, 1.0));
    options.field = SignatureField::Existing {
        name: "Signature1".into(),
    };
    let update = pades::sign_update(&big, &signer("rsa", "signer"), None, &options).expect("signs");
    assert!(
        update.len() < 100_000,
        "the update is small: {} bytes",
        update.len()
    );
    let mut signed = big.clone();
    signed.extend_from_slice(&update);
    assert_valid(&signed, "twenty-mb-signed.pdf", "rsa", 1);
}

// ---------- per-signer certificates (pades::issue_signer) ----------

/// The test PKI's intermediate CA (`rsa`, `ec`) as the platform CA.
fn platform_ca(alg: &str) -> KeySigner {
    KeySigner::from_pem(
        &fixture(&format!("certs/{alg}/intermediate.key")),
        &fixture(&format!("certs/{alg}/chain.pem")),
    )
    .expect("platform CA")
}

/// Now, in whole seconds: pdfsig, pyHanko and OpenSSL check a chain at the
/// current time, not at the claimed signing time, so short-lived leaves are
/// issued around the real clock here.
fn now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp(now.timestamp(), 0).expect("now")
}

/// A signer issued by `ca` for `name`, valid from five minutes ago for a
/// day, with a key made from `seed`.
fn issued_signer(
    ca: &KeySigner,
    name: &str,
    email: &str,
    algorithm: pades::KeyAlgorithm,
    seed: u8,
) -> KeySigner {
    let options = pades::IssueOptions::new(
        vec![
            0x51, seed, 0x9e, 0x07, 0xc2, 0x3d, 0x4b, 0xa1, 0x6f, 0x10, 0x88, 0x2c, 0xe4, 0x35,
            0x7b, 0x90,
        ],
        now() - chrono::Duration::minutes(5),
        now() + chrono::Duration::days(1),
    );
    let identity = pades::SignerIdentity::new(name).with_email(email);
    pades::issue_signer(ca, &identity, algorithm, &[seed; 32], &options).expect("issues")
}

/// Writes a DER certificate as PEM (with openssl) and returns its path.
fn pem_file(der: &[u8], name: &str) -> PathBuf {
    let der_path = scratch(&format!("{name}.der"));
    std::fs::write(&der_path, der).expect("write");
    let pem_path = scratch(&format!("{name}.pem"));
    let status = Command::new("openssl")
        .args(["x509", "-inform", "DER", "-in"])
        .arg(&der_path)
        .arg("-out")
        .arg(&pem_path)
        .status()
        .expect("openssl runs");
    assert!(status.success());
    pem_path
}

/// pdfsig's "Signer Certificate Common Name" of each signature, in order.
fn pdfsig_common_names(pdf: &[u8], name: &str) -> Vec<String> {
    let path = scratch(name);
    std::fs::write(&path, pdf).expect("write");
    let out = Command::new("pdfsig")
        .arg(&path)
        .output()
        .expect("pdfsig runs");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- Signer Certificate Common Name: "))
        .map(str::to_owned)
        .collect()
}

#[test]
#[ignore = "needs openssl: run by scripts/test"]
fn openssl_verifies_an_issued_certificate_and_shows_its_extensions() {
    for (alg, algorithm) in [
        ("ec", pades::KeyAlgorithm::P256),
        ("rsa", pades::KeyAlgorithm::Rsa2048),
    ] {
        let signer = issued_signer(
            &platform_ca(alg),
            "마리 뒤부아 — Marie-Hélène Dubois",
            "marie@example.com",
            algorithm,
            1,
        );
        let chain = signer.certificate_chain();
        let leaf = pem_file(chain[0].der(), &format!("issued-{alg}-leaf"));
        let intermediate = pem_file(chain[1].der(), &format!("issued-{alg}-intermediate"));
        let out = Command::new("openssl")
            .args(["verify", "-x509_strict", "-CAfile"])
            .arg(ca(alg))
            .arg("-untrusted")
            .arg(&intermediate)
            .arg(&leaf)
            .output()
            .expect("openssl runs");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && said.trim_end().ends_with(": OK"),
            "{alg}: {said}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The untrusted rogue root does not verify it.
        let rogue = Command::new("openssl")
            .args(["verify", "-CAfile"])
            .arg(ca("rogue"))
            .arg("-untrusted")
            .arg(&intermediate)
            .arg(&leaf)
            .output()
            .expect("openssl runs");
        assert!(!rogue.status.success(), "{alg}: the rogue root verified it");

        let out = Command::new("openssl")
            .args([
                "x509",
                "-noout",
                "-text",
                "-nameopt",
                "RFC2253,-esc_msb",
                "-in",
            ])
            .arg(&leaf)
            .output()
            .expect("openssl runs");
        let text = String::from_utf8_lossy(&out.stdout);
        for needle in [
            "Subject: CN=마리 뒤부아 — Marie-Hélène Dubois",
            "X509v3 Key Usage: critical",
            "Digital Signature, Non Repudiation",
            "X509v3 Extended Key Usage: \n                1.3.6.1.5.5.7.3.36, E-mail Protection",
            "X509v3 Basic Constraints: critical\n                CA:FALSE",
            "X509v3 Subject Alternative Name: \n                email:marie@example.com",
            "X509v3 Subject Key Identifier",
            "X509v3 Authority Key Identifier",
            "Serial Number:\n            51:01:9e:07:c2:3d:4b:a1:6f:10:88:2c:e4:35:7b:90",
        ] {
            assert!(
                text.contains(needle),
                "{alg}: {needle:?} missing from:\n{text}"
            );
        }
        let issuer = chain[1].common_name().expect("the CA has a CN");
        assert!(
            text.lines()
                .any(|l| l.trim().starts_with("Issuer: ") && l.ends_with(&format!("CN={issuer}"))),
            "{alg}: issuer {issuer} missing from:\n{text}"
        );
    }
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn pdfs_signed_by_issued_signers_validate_and_name_the_signer() {
    let pdf = fixture("pdf/reportlab-contract.pdf");
    for (alg, algorithm) in [
        ("ec", pades::KeyAlgorithm::P256),
        ("rsa", pades::KeyAlgorithm::Rsa2048),
        ("rsa", pades::KeyAlgorithm::P256),
    ] {
        let signer = issued_signer(
            &platform_ca(alg),
            "마리 뒤부아 — Marie-Hélène Dubois",
            "marie@example.com",
            algorithm,
            2,
        );
        let mut options = visible(1, Rect::new(40.0, 40.0, 220.0, 70.0));
        options.signing_time = now();
        let signed = pades::sign(&pdf, &signer, None, &options).expect("signs");
        let name = format!("issued-{alg}-{algorithm:?}.pdf");
        assert_valid(&signed, &name, alg, 1);
        assert_eq!(
            pdfsig_common_names(&signed, &name),
            ["마리 뒤부아 — Marie-Hélène Dubois"],
            "{name}"
        );
    }
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn two_issued_signers_in_one_pdf_each_show_their_own_name() {
    let pdf = fixture("pdf/reportlab-contract.pdf");
    let fields: Vec<FormFieldSpec> = ["sig_marie", "sig_jean"]
        .iter()
        .enumerate()
        .map(|(i, name)| FormFieldSpec {
            name: (*name).into(),
            kind: FormFieldKind::Signature,
            page: 1,
            rect: Rect::new(40.0 + 230.0 * i as f64, 40.0, 220.0, 70.0),
            value: None,
            required: true,
            read_only: false,
            multiline: false,
        })
        .collect();
    let mut pdf = paraph::pdf::add_fields(&pdf, &fields, &FontSet::bundled()).expect("fields");
    let ca = platform_ca("ec");
    let signers = [
        (
            "sig_marie",
            "마리 뒤부아",
            issued_signer(
                &ca,
                "마리 뒤부아",
                "marie@example.com",
                pades::KeyAlgorithm::P256,
                3,
            ),
        ),
        (
            "sig_jean",
            "Jean-Éric Lefèvre",
            issued_signer(
                &ca,
                "Jean-Éric Lefèvre",
                "jean@example.fr",
                pades::KeyAlgorithm::P256,
                4,
            ),
        ),
    ];
    for (field, name, signer) in &signers {
        let mut options = SignOptions::new(now());
        options.field = SignatureField::Existing {
            name: (*field).into(),
        };
        options.appearance = Some(SignatureAppearance {
            name: (*name).into(),
            image: None,
            date: "Signed".into(),
            details: String::new(),
        });
        pdf = pades::sign(&pdf, signer, None, &options).expect("signs");
    }
    assert_valid(&pdf, "issued-two-signers.pdf", "ec", 2);
    assert_eq!(
        pdfsig_common_names(&pdf, "issued-two-signers.pdf"),
        ["마리 뒤부아", "Jean-Éric Lefèvre"]
    );
}
