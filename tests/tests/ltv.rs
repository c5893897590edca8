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
