//! Long-term validation data (issue 12, PAdES B-LT): a Document Security
//! Store added by paraph, read and judged by pyHanko, qpdf and pdfsig.
#![forbid(unsafe_code)]

use std::process::Command;

use paraph::pades::{self, LtvOptions, SignOptions, ValidationData};
use paraph::pdf::testing::minimal_pdf;
use paraph_tests::*;

fn validation_data() -> ValidationData {
    ValidationData {
        certificates: paraph::pades::parse_certificates(&fixture("certs/rsa/chain.pem"))
            .expect("chain")
            .iter()
            .map(|c| c.der().to_vec())
            .collect(),
        ocsp_responses: vec![fixture("certs/rsa/revocation/signer.ocsp")],
        crls: vec![fixture("certs/rsa/revocation/intermediate.crl")],
    }
}

/// What pyHanko reads of the DSS of `pdf`: the counts of certificates,
/// OCSP responses and CRLs, and the VRI keys.
fn pyhanko_dss(pdf: &[u8], name: &str) -> String {
    let path = scratch(name);
    std::fs::write(&path, pdf).expect("write");
    let script = r#"
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore
with open(sys.argv[1], 'rb') as f:
    r = PdfFileReader(f)
    dss = DocumentSecurityStore.read_dss(r)
    certs = list(dss.load_certs())
    vc = dss.as_validation_context({})
    print(f"certs={len(certs)} ocsps={len(dss.ocsps)} crls={len(dss.crls)}")
    for key in sorted(dss.vri_entries):
        print(f"vri={key}")
"#;
    run_python(script, &[path.as_os_str()])
}

#[test]
#[ignore = "needs qpdf, poppler and pyHanko: run by scripts/test"]
fn a_dss_added_by_paraph_is_read_by_pyhanko_and_keeps_the_signature_valid() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let signed = pades::sign(
        &pdf,
        &signer("rsa", "signer"),
        None,
        &SignOptions::new(time()),
    )
    .expect("signs");
    let with_dss = pades::add_validation_data(&signed, &validation_data(), &LtvOptions::default())
        .expect("adds");
    let read = pyhanko_dss(&with_dss, "dss-paraph.pdf");
    assert!(read.contains("certs=2 ocsps=1 crls=1"), "{read}");
    assert_eq!(read.matches("vri=").count(), 1, "{read}");
    // The signature now covers its revision, followed by an allowed update.
    let (passed, failed, text) = validate_with(
        &with_dss,
        "dss-paraph-validated.pdf",
        &ca("rsa"),
        1,
        &[("ALLOW_TRAILING_UPDATES", "1")],
    );
    assert_eq!(failed, 0, "{text}");
    assert!(passed >= 10, "{text}");
    assert!(
        text.contains("no disallowed modifications after it"),
        "{text}"
    );
}

#[test]
#[ignore = "needs pyHanko: run by scripts/test"]
fn a_dss_added_to_a_document_signed_by_pyhanko_keeps_its_signature_valid() {
    let input = scratch("dss-pyhanko-input.pdf");
    let signed_path = scratch("dss-pyhanko-signed.pdf");
    std::fs::write(&input, minimal_pdf(&[(612.0, 792.0, 0)])).expect("write");
    let passfile = scratch("dss-pyhanko-pass.txt");
    std::fs::write(&passfile, "test\n").expect("write");
    let out = Command::new(python())
        .args([
            "-m",
            "pyhanko",
            "sign",
            "addsig",
            "--field",
            "1/40,40,240,110/PyHanko",
        ])
        .args(["pkcs12", "--passfile"])
        .arg(&passfile)
        .arg(&input)
        .arg(&signed_path)
        .arg(root().join("fixtures/certs/rsa/signer.p12"))
        .output()
        .expect("pyhanko runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let signed = std::fs::read(&signed_path).expect("signed");
    let with_dss = pades::add_validation_data(&signed, &validation_data(), &LtvOptions::default())
        .expect("adds");
    let read = pyhanko_dss(&with_dss, "dss-pyhanko.pdf");
    assert!(read.contains("ocsps=1 crls=1"), "{read}");
    let (_, failed, text) = validate_with(
        &with_dss,
        "dss-pyhanko-validated.pdf",
        &ca("rsa"),
        1,
        &[("ALLOW_TRAILING_UPDATES", "1"), ("EXPECT_SUBFILTER", "any")],
    );
    assert_eq!(failed, 0, "{text}");
    assert!(
        text.contains("'PyHanko' no disallowed modifications after it"),
        "{text}"
    );
}

/// pyHanko's verdict on the first signature of `pdf` with only what the
/// file embeds (no fetching, revocation checks that fail hard): "bottom
/// line, trusted, revoked, summary".
fn pyhanko_offline(pdf: &std::path::Path, root_pem: &std::path::Path) -> String {
    let script = r#"
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.keys import load_cert_from_pemder
from pyhanko_certvalidator import ValidationContext
root = load_cert_from_pemder(sys.argv[2])
with open(sys.argv[1], 'rb') as f:
    r = PdfFileReader(f)
    sig = r.embedded_signatures[0]
    settings = {'trust_roots': [root], 'allow_fetching': False, 'revocation_mode': 'hard-fail'}
    try:
        vc = DocumentSecurityStore.read_dss(r).as_validation_context(settings)
    except NoDSSFoundError:
        vc = ValidationContext(crls=[], ocsps=[], **settings)
    st = validate_pdf_signature(sig, vc)
    print(st.bottom_line, st.trusted, st.revoked, st.summary())
"#;
    run_python(script, &[pdf.as_os_str(), root_pem.as_os_str()])
}

fn cli(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(paraph_bin())
        .args(args)
        .output()
        .expect("paraph runs")
}

#[test]
#[ignore = "needs openssl, pyHanko and the CLI: run by scripts/test"]
fn revocation_data_fetched_from_live_services_lets_pyhanko_validate_offline() {
    let mut services = RevocationServices::start("ltv-services");
    let pki = services.dir.clone();
    let root_pem = pki.join("root.pem");
    let mut outputs = Vec::new();
    for who in ["signer", "revoked"] {
        let signer = paraph::pades::KeySigner::from_pkcs12(
            &std::fs::read(pki.join(format!("{who}.p12"))).expect("p12"),
            "test",
        )
        .expect("signer");
        // The PKI's certificates start an hour ago: sign now.
        let signed = pades::sign(
            &minimal_pdf(&[(612.0, 792.0, 0)]),
            &signer,
            None,
            &SignOptions::new(chrono::Utc::now()),
        )
        .expect("signs");
        let input = scratch(&format!("ltv-live-{who}.pdf"));
        std::fs::write(&input, &signed).expect("write");
        let output = scratch(&format!("ltv-live-{who}-dss.pdf"));
        let _ = std::fs::remove_file(&output);

        let needs = cli(&[
            "ltv".as_ref(),
            "needs".as_ref(),
            input.as_os_str(),
            "--json".as_ref(),
        ]);
        assert!(needs.status.success(), "{needs:?}");
        let needs: serde_json::Value = serde_json::from_slice(&needs.stdout).expect("json");
        let needs = needs.as_array().expect("array");
        assert_eq!(needs.len(), 2, "{needs:?}");
        assert!(needs.iter().all(|n| n["covered"] == false));
        assert!(
            needs.iter().any(|n| n["ocspUrls"][0]
                .as_str()
                .is_some_and(|u| u.starts_with(&services.url))),
            "{needs:?}"
        );

        let add = cli(&[
            "ltv".as_ref(),
            "add".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
            "--fetch".as_ref(),
        ]);
        assert!(add.status.success(), "{add:?}");
        let after = cli(&[
            "ltv".as_ref(),
            "needs".as_ref(),
            output.as_os_str(),
            "--json".as_ref(),
        ]);
        let after: serde_json::Value = serde_json::from_slice(&after.stdout).expect("json");
        let after = after.as_array().expect("array");
        // The leaf by OCSP, the intermediate by the root's CRL.
        assert!(after.iter().all(|n| n["covered"] == true), "{after:?}");
        assert!(after.iter().any(|n| n["hasOcsp"] == true));
        assert!(after.iter().any(|n| n["hasCrl"] == true));
        outputs.push((who, input, output));
    }

    // qpdf, pdfsig and pyHanko's difference analysis on the good one, while
    // the services run (pdfsig's NSS asks the OCSP responder itself).
    let signed = std::fs::read(&outputs[0].2).expect("read");
    let (_, failed, text) = validate_with(
        &signed,
        "ltv-live-validated.pdf",
        &root_pem,
        1,
        &[("ALLOW_TRAILING_UPDATES", "1")],
    );
    assert_eq!(failed, 0, "{text}");

    // The services are gone: only what the files embed counts.
    services.stop();
    let anchors =
        paraph::pades::parse_certificates(&std::fs::read(&root_pem).expect("root")).expect("root");
    let ours = |path: &std::path::Path| {
        let options = paraph::pades::VerifyOptions::new(chrono::Utc::now())
            .with_trust_anchors(anchors.clone());
        let report =
            pades::verify(&std::fs::read(path).expect("read"), &options).expect("verifies");
        report.signatures[0].clone()
    };
    for (who, input, output) in &outputs {
        // paraph's own verifier: without the DSS revocation is unknown;
        // with it the signer is trusted and the revoked one revoked.
        let before = ours(input);
        assert_eq!(
            before.chain,
            paraph::pades::ChainStatus::RevokedUnknown,
            "{before:?}"
        );
        let after = ours(output);
        match *who {
            "signer" => {
                assert_eq!(
                    after.chain,
                    paraph::pades::ChainStatus::Trusted,
                    "{after:?}"
                );
                assert!(after.problems.is_empty(), "{after:?}");
            }
            _ => {
                assert_eq!(
                    after.chain,
                    paraph::pades::ChainStatus::Untrusted,
                    "{after:?}"
                );
                assert!(
                    after
                        .problems
                        .iter()
                        .any(|p| p.code == paraph::pades::ProblemCode::CertificateRevoked),
                    "{after:?}"
                );
            }
        }

        let before = pyhanko_offline(input, &root_pem);
        assert!(
            before.starts_with("False False"),
            "{who} without a DSS: {before}"
        );
        let verdict = pyhanko_offline(output, &root_pem);
        match *who {
            "signer" => assert!(
                verdict.starts_with("True True False") && verdict.contains("INTACT:TRUSTED"),
                "{verdict}"
            ),
            _ => assert!(verdict.contains("REVOKED"), "{verdict}"),
        }
    }
}

/// pyHanko on `pdf` with only what its DSS holds (no fetching, revocation
/// failing hard): each document time-stamp, latest first, judged at the
/// time the one after it proves, then every signature at the time the
/// earliest proves. One line per time-stamp ("timestamp FIELD valid
/// intact trusted TIME") and per signature ("signature FIELD bottom-line
/// trusted revoked SUMMARY").
fn pyhanko_archive(pdf: &std::path::Path, root_pem: &std::path::Path) -> String {
    let script = r#"
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.keys import load_cert_from_pemder
root = load_cert_from_pemder(sys.argv[2])
with open(sys.argv[1], 'rb') as f:
    r = PdfFileReader(f)
    dss = DocumentSecurityStore.read_dss(r)
    base = {'trust_roots': [root], 'allow_fetching': False, 'revocation_mode': 'hard-fail',
            'retroactive_revinfo': True}
    proven = None
    for ts in reversed(r.embedded_timestamp_signatures):
        settings = dict(base) if proven is None else dict(base, moment=proven)
        st = validate_pdf_timestamp(ts, validation_context=dss.as_validation_context(settings))
        print("timestamp", ts.field_name, st.valid, st.intact, st.trusted, st.timestamp.isoformat())
        proven = st.timestamp
    for sig in r.embedded_regular_signatures:
        vc = dss.as_validation_context(dict(base, moment=proven))
        st = validate_pdf_signature(sig, vc, ts_validation_context=vc)
        print("signature", sig.field_name, st.bottom_line, st.trusted, st.revoked, st.summary())
"#;
    run_python(script, &[pdf.as_os_str(), root_pem.as_os_str()])
}

/// pyHanko's AdES validation (ETSI TS 119 102-1, as EU DSS does it), which
/// fetches what it needs for the last time-stamp: one summary line.
fn pyhanko_ades(pdf: &std::path::Path, root_pem: &std::path::Path) -> String {
    let out = Command::new(python())
        .args(["-m", "pyhanko", "sign", "adesverify", "--trust"])
        .arg(root_pem)
        .arg("--trust-replace")
        .arg(pdf)
        .output()
        .expect("pyhanko runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
#[ignore = "needs openssl, pyHanko and the CLI: run by scripts/test"]
fn a_b_lta_archive_verifies_offline_after_the_signer_expires_and_renews() {
    let mut services = RevocationServices::start("lta-services");
    let pki = services.dir.clone();
    let root_pem = pki.join("root.pem");
    let tsa = format!("{}/tsa", services.url);
    let input = scratch("lta-input.pdf");
    std::fs::write(&input, minimal_pdf(&[(612.0, 792.0, 0)])).expect("write");
    let sign = |who: &str, level: &str| {
        let output = scratch(&format!("lta-{who}-{level}.pdf"));
        let _ = std::fs::remove_file(&output);
        let p12 = pki.join(format!("{who}.p12"));
        let run = cli(&[
            "sign".as_ref(),
            input.as_os_str(),
            "-o".as_ref(),
            output.as_os_str(),
            "--p12".as_ref(),
            p12.as_os_str(),
            "--password".as_ref(),
            "test".as_ref(),
            "--tsa".as_ref(),
            tsa.as_ref(),
            "--level".as_ref(),
            level.as_ref(),
        ]);
        assert!(run.status.success(), "{run:?}");
        output
    };
    let lta = sign("signer", "B-LTA");
    let lt = sign("signer", "B-LT");
    let bt = sign("signer", "B-T");
    let revoked = sign("revoked", "B-LTA");

    // Renewal: fresh validation data for the time-stamp, then a new one.
    // A second later, so that the responder's answers (producedAt, to the
    // second) differ from the first ones and the renewal's are new items.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let renewed = scratch("lta-renewed.pdf");
    let _ = std::fs::remove_file(&renewed);
    let run = cli(&[
        "ltv".as_ref(),
        "extend".as_ref(),
        lta.as_os_str(),
        "-o".as_ref(),
        renewed.as_os_str(),
        "--tsa".as_ref(),
        tsa.as_ref(),
    ]);
    assert!(run.status.success(), "{run:?}");
    let held = |path: &std::path::Path| {
        pades::embedded_validation_data(&std::fs::read(path).expect("read"), &LtvOptions::default())
            .expect("reads")
    };
    // Fresh OCSP responses for the chains the store already covered (the
    // old ones would not cover a renewal years later).
    assert!(
        held(&renewed).ocsp_responses.len() > held(&lta).ocsp_responses.len(),
        "the renewal fetched no fresh OCSP response"
    );

    // pyHanko's AdES validation, online, while the services run.
    for path in [&lta, &renewed] {
        let verdict = pyhanko_ades(path, &root_pem);
        assert!(
            verdict.contains(
                ":INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,EXTENDED_WITH_LTA_UPDATES,ACCEPTABLE_MODIFICATIONS"
            ),
            "{}: {verdict}",
            path.display()
        );
    }
    // qpdf, pdfsig and pyHanko's difference analysis on the archive.
    // pdfsig (poppler 22.12) does not check document time-stamps at all
    // ("Signature has not yet been verified", on pyHanko's own B-LTA files
    // too): those two lines are the only failures allowed.
    let (passed, _, text) = validate_with(
        &std::fs::read(&lta).expect("read"),
        "lta-validated.pdf",
        &root_pem,
        2,
        &[("ALLOW_TRAILING_UPDATES", "1"), ("EXPECT_SUBFILTER", "any")],
    );
    let failures: Vec<&str> = text.lines().filter(|l| l.starts_with("FAIL")).collect();
    assert!(
        failures
            .iter()
            .all(|l| l.starts_with("FAIL pdfsig: sig #2 'DocTimeStamp1'")),
        "{text}"
    );
    assert!(failures.len() <= 2 && passed >= 17, "{text}");
    for check in [
        "PASS pyhanko: sig #1 'Signature1' no disallowed modifications after it",
        "PASS pyhanko: sig #2 'DocTimeStamp1' signer chain trusted to CA",
        "PASS pdfsig: sig #1 'Signature1' signature valid",
    ] {
        assert!(text.contains(check), "missing {check}:\n{text}");
    }

    // The services are gone, and the clock moved past the signer's expiry.
    services.stop();
    let anchors =
        paraph::pades::parse_certificates(&std::fs::read(&root_pem).expect("root")).expect("root");
    let signer_cert =
        paraph::pades::parse_certificates(&std::fs::read(pki.join("signer.pem")).expect("signer"))
            .expect("signer")
            .remove(0);
    let later = signer_cert.validity().1 + chrono::Duration::days(30);
    let ours = |path: &std::path::Path| {
        let options = paraph::pades::VerifyOptions::new(later).with_trust_anchors(anchors.clone());
        pades::verify(&std::fs::read(path).expect("read"), &options).expect("verifies")
    };
    use paraph::pades::{BaselineLevel, ChainStatus, RevocationStatus, TimeProof};
    for path in [&lta, &renewed] {
        let report = ours(path);
        assert!(report.verdict().is_ok(), "{report:#?}");
        let signature = &report.signatures[0];
        assert_eq!(signature.level, Some(BaselineLevel::Lta), "{signature:#?}");
        assert_eq!(signature.chain, ChainStatus::Trusted);
        assert_eq!(signature.time_proof, TimeProof::SignatureTimestamp);
        assert!(signature.validation_time < signer_cert.validity().1);
        assert_eq!(signature.revocation.len(), 2, "{signature:#?}");
        assert!(
            signature
                .revocation
                .iter()
                .all(|r| r.status == RevocationStatus::Good),
            "{signature:#?}"
        );
        let stamps: Vec<_> = report
            .signatures
            .iter()
            .filter(|s| s.kind == paraph::pades::SignatureKind::DocumentTimestamp)
            .collect();
        assert_eq!(stamps.len(), if path == &lta { 1 } else { 2 });
        assert!(stamps.iter().all(|s| s.chain == ChainStatus::Trusted));
        if path == &renewed {
            // The first time-stamp is judged at the time the second proves.
            assert_eq!(
                stamps[0].time_proof,
                TimeProof::DocumentTimestamp {
                    field_name: stamps[1].field_name.clone()
                }
            );
        }
    }
    // B-LT: the data is there, but nothing proves it existed before the
    // signer's certificate expired; B-T: no data at all.
    let report = ours(&lt);
    assert_eq!(report.signatures[0].level, Some(BaselineLevel::Lt));
    assert_eq!(report.signatures[0].chain, ChainStatus::Trusted);
    let report = ours(&bt);
    assert_eq!(report.signatures[0].level, Some(BaselineLevel::T));
    assert_eq!(report.signatures[0].chain, ChainStatus::RevokedUnknown);
    assert!(report.verdict().is_err());
    // Revoked before signing: reported revoked, archive or not.
    let report = ours(&revoked);
    let signature = &report.signatures[0];
    assert_eq!(signature.chain, ChainStatus::Untrusted, "{signature:#?}");
    assert!(
        signature
            .revocation
            .iter()
            .any(|r| r.status == RevocationStatus::Revoked && r.revoked_at.is_some()),
        "{signature:#?}"
    );
    assert!(report.verdict().is_err());

    // The CLI says the same at that time.
    let later_text = later.to_rfc3339();
    let run = cli(&[
        "verify".as_ref(),
        renewed.as_os_str(),
        "--trust".as_ref(),
        root_pem.as_os_str(),
        "--at".as_ref(),
        later_text.as_ref(),
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{run:?}");
    assert!(stdout.contains("level:     PAdES B-LTA"), "{stdout}");
    assert!(stdout.contains("proven by its time-stamp"), "{stdout}");

    // pyHanko, offline, from the DSS alone at the proven times.
    for path in [&lta, &renewed] {
        let verdict = pyhanko_archive(path, &root_pem);
        let lines: Vec<&str> = verdict.lines().collect();
        assert_eq!(lines.len(), if path == &lta { 2 } else { 3 }, "{verdict}");
        for line in &lines[..lines.len() - 1] {
            assert!(line.contains(" True True True "), "{verdict}");
        }
        assert!(
            lines[lines.len() - 1].contains("True True False INTACT:TRUSTED"),
            "{verdict}"
        );
    }
    let verdict = pyhanko_archive(&revoked, &root_pem);
    assert!(verdict.contains("REVOKED"), "{verdict}");
}

#[test]
#[ignore = "needs openssl and pyHanko: run by scripts/test"]
fn a_document_time_stamp_is_allowed_after_a_certification_that_allows_no_change() {
    let tsa = Tsa::start();
    let mut certify = SignOptions::new(time());
    certify.certify = Some(pades::DocMdpPermission::NoChanges);
    let certified = pades::sign(
        &minimal_pdf(&[(612.0, 792.0, 0)]),
        &signer("rsa", "signer"),
        None,
        &certify,
    )
    .expect("certifies");
    let stamped = pades::add_document_timestamp(&certified, &tsa, &LtvOptions::default())
        .expect("time-stamps");
    assert!(stamped.starts_with(&certified), "an incremental update");
    let options = paraph::pades::VerifyOptions::new(chrono::Utc::now());
    let report = pades::verify(&stamped, &options).expect("verifies");
    assert!(report.all_intact(), "{report:#?}");
    assert_eq!(report.signatures.len(), 2);
    assert_eq!(
        report.signatures[1].kind,
        paraph::pades::SignatureKind::DocumentTimestamp
    );
    match &report.signatures[0].modifications {
        paraph::pades::Modifications::Allowed { changes } => {
            assert_eq!(changes, &["a document time-stamp"], "{changes:?}")
        }
        other => panic!("{other:?}"),
    }
    // A signature is not allowed there; pyHanko agrees on both.
    let err = pades::sign(
        &stamped,
        &signer("rsa", "signer2"),
        None,
        &SignOptions::new(time()),
    )
    .expect_err("P=1");
    assert_eq!(err.code(), paraph::ErrorCode::PdfUnsupported);
    let path = scratch("docmdp1-timestamped.pdf");
    std::fs::write(&path, &stamped).expect("write");
    let script = r#"
import sys
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
r = PdfFileReader(open(sys.argv[1], 'rb'))
st = validate_pdf_signature(r.embedded_regular_signatures[0], ValidationContext(allow_fetching=False))
print(st.intact, st.docmdp_ok, st.modification_level.name, len(r.embedded_timestamp_signatures))
"#;
    let verdict = run_python(script, &[path.as_os_str()]);
    assert_eq!(verdict, "True True LTA_UPDATES 1");
}
