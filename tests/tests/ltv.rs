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
    let out = Command::new(python())
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
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
