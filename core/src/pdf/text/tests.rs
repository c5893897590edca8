//! Anchors on the fixtures from real producers, against the positions
//! poppler's `pdftotext -bbox` reports for the same words.

use super::*;
use crate::ErrorCode;
use crate::pdf::Limits;
use crate::pdf::testing::{assemble, flate_stream};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/../fixtures/pdf/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

fn anchor(text: &str) -> Anchor {
    Anchor {
        text: text.into(),
        occurrence: 1,
        page: None,
        position: AnchorPosition::Right,
        offset_x: 0.0,
        offset_y: 0.0,
        width: 150.0,
        height: 40.0,
    }
}

fn close(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

#[test]
fn a_phrase_split_over_runs_and_fonts_is_found_where_poppler_sees_it() {
    let pdf = fixture("reportlab-contract.pdf");
    let doc = Pdf::load(&pdf).expect("loads");
    // "Employ" Helvetica, "ee sig" Helvetica-Bold, "nature:" Times-Roman;
    // poppler: Employee 72..120.9, signature: 124.0..170.4, y 584.1..594.3.
    let m = doc
        .find_anchor(&anchor("Employee signature:"))
        .expect("found");
    assert_eq!(m.page, 1);
    assert!(close(m.text.x, 72.0, 0.5), "{:?}", m.text);
    assert!(close(m.text.x + m.text.width, 170.4, 3.0), "{:?}", m.text);
    assert!(close(m.text.y + m.text.height, 594.3, 3.0), "{:?}", m.text);
    assert!(close(m.field.x, m.text.x + m.text.width + 4.0, 0.01));
    assert!(
        close(m.field.y + 20.0, m.text.y + m.text.height / 2.0, 0.01),
        "centred"
    );
}

#[test]
fn matching_ignores_case_and_spacing_and_counts_occurrences() {
    let pdf = fixture("reportlab-contract.pdf");
    let doc = Pdf::load(&pdf).expect("loads");
    for text in [
        "EMPLOYEE SIGNATURE:",
        "employeesignature:",
        "  Employee   signature: ",
    ] {
        assert_eq!(
            doc.find_anchor(&anchor(text)).expect("found").page,
            1,
            "{text}"
        );
    }
    let second = Anchor {
        occurrence: 2,
        ..anchor("Employee signature:")
    };
    assert_eq!(doc.find_anchor(&second).expect("found").page, 2);
    let on_page_two = Anchor {
        page: Some(2),
        ..anchor("Employer signature:")
    };
    let m = doc.find_anchor(&on_page_two).expect("found");
    assert_eq!(m.page, 2);
    assert!(close(m.text.x, 330.0, 0.5), "{:?}", m.text);
    let third = Anchor {
        occurrence: 3,
        ..anchor("Employee signature:")
    };
    let err = doc.find_anchor(&third).expect_err("only two");
    assert_eq!(err.code(), ErrorCode::PdfAnchorNotFound);
    assert!(err.message().contains("2 time"), "{}", err.message());
    assert_eq!(
        doc.find_anchor(&anchor("Nowhere to be found"))
            .expect_err("missing")
            .code(),
        ErrorCode::PdfAnchorNotFound
    );
}

#[test]
fn libreoffice_accents_hangul_and_italics_are_found() {
    let pdf = fixture("libreoffice-contract.pdf");
    let doc = Pdf::load(&pdf).expect("loads");
    // poppler: "Signature" 56.8..106.9 and "salarié" 126.3..159.1 at y 276.4..290.7.
    let m = doc
        .find_anchor(&anchor("Signature du salarié :"))
        .expect("found");
    assert_eq!(m.page, 2);
    assert!(close(m.text.x, 56.8, 1.0), "{:?}", m.text);
    assert!(close(m.text.y + m.text.height, 290.65, 4.0), "{:?}", m.text);
    let m = doc.find_anchor(&anchor("근로자 서명:")).expect("hangul");
    assert_eq!(m.page, 2);
    assert!(close(m.text.x + m.text.width, 114.9, 3.0), "{:?}", m.text);
    let m = doc
        .find_anchor(&anchor("Signature de l'employeur"))
        .expect("bold");
    assert!(close(m.text.x, 56.8, 1.0), "{:?}", m.text);
    // LibreOffice's HTML import starts with a blank page (pdftotext agrees).
    assert_eq!(doc.page_text(1).expect("text"), "");
    let text = doc.page_text(2).expect("text");
    assert!(
        text.contains("Entre la société Exemple SAS, représentée par Mme Hélène Lefèvre"),
        "{text}"
    );
    assert!(text.contains("근로자는 서울 사무소에서 근무한다"), "{text}");
}

#[test]
fn ghostscript_type1_fonts_are_read() {
    let pdf = fixture("ghostscript-1.3.pdf");
    let doc = Pdf::load(&pdf).expect("loads");
    // poppler: "Hiring" starts at 72, "signature:" ends at 216.0, y 273.4..284.5.
    let m = doc
        .find_anchor(&anchor("Hiring manager signature:"))
        .expect("found");
    assert!(close(m.text.x, 72.0, 0.5), "{:?}", m.text);
    assert!(close(m.text.x + m.text.width, 216.0, 3.0), "{:?}", m.text);
    assert!(close(m.text.y + m.text.height, 284.5, 3.0), "{:?}", m.text);
}

#[test]
fn anchors_on_rotated_pages_use_displayed_coordinates() {
    let pdf = fixture("qpdf-rotated.pdf");
    let doc = Pdf::load(&pdf).expect("loads");
    // poppler (displayed coordinates): page 1 (90°) x 97.1..110.1, y 72..115.6;
    // page 2 (180°) x 496.4..540, y 97.1..110.1.
    let one = Anchor {
        page: Some(1),
        ..anchor("Initials:")
    };
    let m = doc.find_anchor(&one).expect("found");
    assert!(
        close(m.text.x, 97.1, 3.0) && close(m.text.y, 72.0, 1.0),
        "{:?}",
        m.text
    );
    let two = Anchor {
        page: Some(2),
        ..anchor("Initials:")
    };
    let m = doc.find_anchor(&two).expect("found");
    assert!(close(m.text.x + m.text.width, 540.0, 1.0), "{:?}", m.text);
    assert!(close(m.text.y + m.text.height, 110.05, 3.0), "{:?}", m.text);
}

#[test]
fn placements_surround_the_text() {
    let text = Rect::new(100.0, 200.0, 80.0, 12.0);
    let at = |position| {
        place(
            &Anchor {
                position,
                ..anchor("x")
            },
            &text,
        )
    };
    assert_eq!(
        at(AnchorPosition::Right),
        Rect::new(184.0, 186.0, 150.0, 40.0)
    );
    assert_eq!(at(AnchorPosition::Left), Rect::new(0.0, 186.0, 150.0, 40.0));
    assert_eq!(
        at(AnchorPosition::Below),
        Rect::new(100.0, 216.0, 150.0, 40.0)
    );
    assert_eq!(
        at(AnchorPosition::Above),
        Rect::new(100.0, 156.0, 150.0, 40.0)
    );
}

fn one_page_with_content(content: Vec<u8>) -> Vec<u8> {
    assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>".to_vec(),
            ),
            (4, content),
        ],
        1,
    )
}

#[test]
fn a_content_stream_bomb_is_refused() {
    let data = vec![b' '; 4 << 20];
    let pdf = one_page_with_content(flate_stream("", &data));
    let limits = Limits {
        max_decompressed_size: 1 << 20,
        ..Limits::default()
    };
    let doc = Pdf::load_with_limits(&pdf, &limits).expect("loads: content is decoded lazily");
    assert_eq!(
        doc.find_anchor(&anchor("x")).expect_err("bomb").code(),
        ErrorCode::PdfDecompressionLimit
    );
}

#[test]
fn endless_content_is_refused() {
    let data = b"q Q ".repeat(5_000);
    let pdf = one_page_with_content(flate_stream("", &data));
    let limits = Limits {
        max_content_operations: 1_000,
        ..Limits::default()
    };
    let doc = Pdf::load_with_limits(&pdf, &limits).expect("loads");
    assert_eq!(
        doc.find_anchor(&anchor("x")).expect_err("too many").code(),
        ErrorCode::PdfContentTooComplex
    );
}

#[test]
fn empty_anchors_and_sizes_are_refused() {
    let pdf = fixture("reportlab-contract.pdf");
    let doc = Pdf::load(&pdf).expect("loads");
    assert_eq!(
        doc.find_anchor(&anchor("   ")).expect_err("empty").code(),
        ErrorCode::InvalidArgument
    );
    let flat = Anchor {
        height: 0.0,
        ..anchor("Employee")
    };
    assert_eq!(
        doc.find_anchor(&flat).expect_err("flat").code(),
        ErrorCode::InvalidArgument
    );
}

/// `pages` pages that all draw the one content stream `content`.
fn shared_content_pdf(pages: u32, content: &[u8]) -> Vec<u8> {
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 10 + i)).collect();
    let mut objects = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (
            2,
            format!(
                "<< /Type /Pages /Kids [{}] /Count {pages} >>",
                kids.join(" ")
            )
            .into_bytes(),
        ),
        (3, flate_stream("", content)),
    ];
    for i in 0..pages {
        objects.push((
            10 + i,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 3 0 R >>".to_vec(),
        ));
    }
    assemble(&objects, 1)
}

#[test]
fn a_shared_content_stream_is_interpreted_once_per_search() {
    // 1.9 million operations, under the per-page limit; 200 pages of it
    // would be 380 million, far over the search's budget of ten pages' worth.
    let content = b"q Q ".repeat(950_000);
    let pdf = shared_content_pdf(200, &content);
    let doc = Pdf::load(&pdf).expect("loads");
    let err = doc.find_anchor(&anchor("Signature")).expect_err("no text");
    assert_eq!(
        err.code(),
        ErrorCode::PdfAnchorNotFound,
        "{}",
        err.message()
    );
}

#[test]
fn operations_are_counted_while_reading_and_stop_at_the_limit() {
    let content = b"q ".repeat(5_000_000);
    let pdf = shared_content_pdf(1, &content);
    let doc = Pdf::load(&pdf).expect("loads");
    let err = doc.page_text(1).expect_err("too complex");
    assert_eq!(err.code(), ErrorCode::PdfContentTooComplex);
    assert!(err.message().contains("2000000"), "{}", err.message());
    // Distinct streams on many pages exhaust the search's budget instead.
    let limits = Limits {
        max_content_operations: 1_000,
        ..Limits::default()
    };
    let mut objects = vec![(1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec())];
    let kids: Vec<String> = (0..20).map(|i| format!("{} 0 R", 10 + 2 * i)).collect();
    objects.push((
        2,
        format!("<< /Type /Pages /Kids [{}] /Count 20 >>", kids.join(" ")).into_bytes(),
    ));
    for i in 0..20u32 {
        objects.push((
            10 + 2 * i,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {} 0 R >>",
                11 + 2 * i
            )
            .into_bytes(),
        ));
        objects.push((11 + 2 * i, flate_stream("", &b"q Q ".repeat(450))));
    }
    let many = assemble(&objects, 1);
    let doc = Pdf::load_with_limits(&many, &limits).expect("loads");
    let err = doc.find_anchor(&anchor("Signature")).expect_err("budget");
    assert_eq!(err.code(), ErrorCode::PdfContentTooComplex);
    assert!(err.message().contains("together"), "{}", err.message());
}

#[test]
fn anchor_occurrence_zero_names_nothing() {
    let pdf = shared_content_pdf(1, b"BT ET");
    let doc = Pdf::load(&pdf).expect("loads");
    let mut zero = anchor("x");
    zero.occurrence = 0;
    assert_eq!(
        doc.find_anchor(&zero).expect_err("zero").code(),
        ErrorCode::InvalidArgument
    );
}
