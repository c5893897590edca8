//! Hostile edits of signed PDFs (issue 11), judged by paraph and by
//! pyHanko's difference analysis: paraph must not call intact what pyHanko
//! fails, and the reasons must name what changed.
#![forbid(unsafe_code)]

use paraph::pades::{self, Modifications, SignOptions, VerifyOptions};
use paraph::pdf::testing::{minimal_pdf, with_annotation};
use paraph_tests::*;
use serde_json::Value;

fn signed() -> Vec<u8> {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0), (612.0, 792.0, 0)]);
    pades::sign(
        &pdf,
        &signer("rsa", "signer"),
        None,
        &SignOptions::new(time()),
    )
    .expect("signs")
}

fn ours(pdf: &[u8]) -> pades::VerificationReport {
    let anchors = pades::parse_certificates(&fixture("certs/rsa/root.pem")).expect("root");
    pades::verify(pdf, &VerifyOptions::new(time()).with_trust_anchors(anchors)).expect("verifies")
}

fn pyhanko(pdf: &[u8], name: &str) -> Vec<Value> {
    let path = scratch(name);
    std::fs::write(&path, pdf).expect("write");
    let script = root().join("tests/tools/pyhanko_verdict.py");
    let out = std::process::Command::new(python())
        .arg(&script)
        .arg(&path)
        .arg(ca("rsa"))
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
#[ignore = "needs pyHanko: run by scripts/test"]
fn the_untouched_file_is_intact_for_both() {
    let pdf = signed();
    assert!(ours(&pdf).all_trusted());
    let theirs = pyhanko(&pdf, "hostile-untouched.pdf");
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0]["bottom_line"], true, "{theirs:?}");
}

#[test]
#[ignore = "needs pyHanko: run by scripts/test"]
fn annotations_after_an_approval_signature_fail_for_both() {
    for subtype in ["FreeText", "Stamp", "Square", "Link"] {
        let pdf = with_annotation(&signed(), 2, subtype).expect("annotates");
        let report = ours(&pdf);
        let signature = &report.signatures[0];
        match &signature.modifications {
            Modifications::Disallowed { reasons } => assert!(
                reasons
                    .iter()
                    .any(|r| r.contains(&format!("/{subtype} annotation was added on page 2"))),
                "{reasons:?}"
            ),
            other => panic!("{subtype}: paraph reports {other:?}"),
        }
        assert!(report.verdict().is_err());
        let theirs = pyhanko(&pdf, &format!("hostile-{subtype}.pdf"));
        assert_eq!(theirs[0]["bottom_line"], false, "{subtype}: {theirs:?}");
        assert_eq!(
            theirs[0]["modification_level"], "OTHER",
            "{subtype}: {theirs:?}"
        );
    }
}

#[test]
#[ignore = "needs pyHanko: run by scripts/test"]
fn data_after_the_last_revision_fails_for_paraph_and_is_not_covered_for_pyhanko() {
    let mut pdf = signed();
    pdf.extend_from_slice(b"garbage after the end of the file\n");
    let report = ours(&pdf);
    assert!(
        matches!(&report.signatures[0].modifications,
            Modifications::Disallowed { reasons } if reasons.iter().any(|r| r.contains("follow the last revision"))),
        "{:?}",
        report.signatures[0].modifications
    );
    let theirs = pyhanko(&pdf, "hostile-trailing.pdf");
    // pyHanko does not call this signature one over the entire file.
    assert_ne!(theirs[0]["coverage"], "ENTIRE_FILE", "{theirs:?}");
}

/// The last signature's second `/ByteRange` offset.
fn second_range_start(pdf: &[u8]) -> usize {
    let needle = b"/ByteRange [";
    let at = pdf
        .windows(needle.len())
        .rposition(|w| w == needle)
        .expect("byte range");
    let text = &pdf[at + needle.len()..];
    let close = text.iter().position(|&c| c == b']').expect("closed");
    std::str::from_utf8(&text[..close])
        .expect("ascii")
        .split_whitespace()
        .nth(2)
        .expect("third value")
        .parse()
        .expect("number")
}

#[test]
#[ignore = "needs pyHanko: run by scripts/test"]
fn a_byte_range_short_of_its_revision_fails_for_both() {
    let first = signed();
    let b = second_range_start(&first);
    let key = signer("rsa", "signer");
    // The CMS is valid over its ranges, which stop 200 bytes before the
    // revision's own %%EOF; one uncovered byte in the trailer is changed.
    let mut short =
        pades::testing::resign_over(&first, &key, first.len() - b - 200).expect("re-signs");
    // Tamper with the last trailer's /ID, which the short range leaves out.
    let id = short
        .windows(5)
        .rposition(|w| w == b"/ID[<")
        .expect("trailer /ID")
        + 5;
    short[id] = if short[id] == b'A' { b'B' } else { b'A' };
    let report = ours(&short);
    let signature = &report.signatures[0];
    assert!(
        signature
            .problems
            .iter()
            .any(|p| p.code == pades::ProblemCode::ByteRangeInvalid
                && p.message.contains("before its revision ends")),
        "{:?}",
        signature.problems
    );
    assert_eq!(signature.coverage, pades::Coverage::Invalid);
    assert!(!report.all_intact());
    assert!(report.verdict().is_err());
    let theirs = pyhanko(&short, "hostile-short-byte-range.pdf");
    assert_eq!(theirs[0]["bottom_line"], false, "{theirs:?}");
    assert_ne!(theirs[0]["coverage"], "ENTIRE_FILE", "{theirs:?}");
    assert_ne!(theirs[0]["coverage"], "ENTIRE_REVISION", "{theirs:?}");
}

#[test]
#[ignore = "needs pyHanko: run by scripts/test"]
fn bytes_hidden_after_the_cms_in_contents_are_reported() {
    let first = signed();
    let hidden = pades::testing::with_contents_trailing_data(&first, b"\xDE\xAD\xBE\xEF hidden")
        .expect("fits");
    let report = ours(&hidden);
    let signature = &report.signatures[0];
    assert!(signature.digest_valid && signature.signature_valid);
    assert!(
        signature
            .problems
            .iter()
            .any(|p| p.code == pades::ProblemCode::ContentsTrailingData),
        "{:?}",
        signature.problems
    );
    assert!(report.verdict().is_err());
    // pyHanko reads the CMS by its DER length and does not look at the
    // rest of the gap: it calls this signature intact over the entire
    // file. paraph is the stricter of the two here, on purpose (bytes a
    // signer never meant are carried under the signature).
    let theirs = pyhanko(&hidden, "hostile-contents-padding.pdf");
    assert_eq!(theirs[0]["coverage"], "ENTIRE_FILE", "{theirs:?}");
    assert_eq!(theirs[0]["intact"], true, "{theirs:?}");
}
