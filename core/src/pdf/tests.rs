//! Loading: real structure, inheritance, and generated hostile files.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

use super::testing::{assemble, flate_stream, minimal_pdf};
use super::*;
use crate::ErrorCode;

fn load_code(bytes: &[u8], limits: &Limits) -> ErrorCode {
    Pdf::load_with_limits(bytes, limits)
        .expect_err("expected an error")
        .code()
}

#[test]
fn minimal_pdf_has_its_pages_sizes_and_rotations() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0), (842.0, 595.0, 90), (300.0, 300.0, -90)]);
    let doc = Pdf::load(&pdf).expect("loads");
    assert_eq!(doc.page_count(), 3);
    assert_eq!(
        doc.page(2).expect("page").geometry.rotation,
        Rotation::Quarter
    );
    assert_eq!(
        doc.page(2).expect("page").geometry.displayed_size(),
        (595.0, 842.0)
    );
    assert_eq!(
        doc.page(3).expect("page").geometry.rotation,
        Rotation::ThreeQuarters
    );
    assert_eq!(
        doc.page(4).expect_err("no page 4").code(),
        ErrorCode::PdfPageNotFound
    );
    assert_eq!(
        doc.page(0).expect_err("no page 0").code(),
        ErrorCode::PdfPageNotFound
    );
}

#[test]
fn page_attributes_are_inherited_through_the_tree() {
    let pdf = assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (
                2,
                b"<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 /MediaBox [0 0 595 842] /Rotate 180 >>"
                    .to_vec(),
            ),
            (3, b"<< /Type /Page /Parent 2 0 R >>".to_vec()),
            (
                5,
                b"<< /Type /Pages /Parent 2 0 R /Kids [6 0 R] /Count 1 /CropBox [50 60 545 782] >>"
                    .to_vec(),
            ),
            (6, b"<< /Type /Page /Parent 5 0 R /Rotate 90 >>".to_vec()),
        ],
        1,
    );
    let doc = Pdf::load(&pdf).expect("loads");
    let first = doc.page(1).expect("page").geometry;
    assert_eq!(first.media_box.urx, 595.0);
    assert_eq!(first.rotation, Rotation::Half);
    let second = doc.page(2).expect("page").geometry;
    assert_eq!(
        second.rotation,
        Rotation::Quarter,
        "a page's own /Rotate wins"
    );
    assert_eq!((second.crop_box.llx, second.crop_box.lly), (50.0, 60.0));
    assert_eq!(second.displayed_size(), (722.0, 495.0));
}

#[test]
fn a_crop_box_larger_than_the_media_box_is_clipped() {
    let pdf = assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /CropBox [-50 -50 150 300] >>"
                    .to_vec(),
            ),
        ],
        1,
    );
    let doc = Pdf::load(&pdf).expect("loads");
    let crop = doc.page(1).expect("page").geometry.crop_box;
    assert_eq!(
        (crop.llx, crop.lly, crop.urx, crop.ury),
        (0.0, 0.0, 150.0, 200.0)
    );
}

// ---- hostile input ----

#[test]
fn files_larger_than_the_limit_are_refused_before_parsing() {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    let limits = Limits {
        max_file_size: pdf.len() - 1,
        ..Limits::default()
    };
    assert_eq!(load_code(&pdf, &limits), ErrorCode::PdfTooLarge);
}

#[test]
fn deep_nesting_in_the_catalog_is_refused() {
    for open in ["[", "<< /A "] {
        let close = if open == "[" { "]" } else { ">>" };
        let nested = format!("{}{}", open.repeat(20_000), close.repeat(20_000));
        let pdf = assemble(
            &[
                (
                    1,
                    format!("<< /Type /Catalog /Pages 2 0 R /Deep {nested} >>").into_bytes(),
                ),
                (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
                (3, b"<< /Type /Page /Parent 2 0 R >>".to_vec()),
            ],
            1,
        );
        assert_eq!(
            load_code(&pdf, &Limits::default()),
            ErrorCode::PdfNestingTooDeep,
            "{open}"
        );
    }
}

#[test]
fn too_many_objects_are_refused() {
    let mut objects = vec![
        (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
        (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
        (3, b"<< /Type /Page /Parent 2 0 R >>".to_vec()),
    ];
    for n in 4..2_000 {
        objects.push((n, b"null".to_vec()));
    }
    let pdf = assemble(&objects, 1);
    let limits = Limits {
        max_objects: 1_000,
        ..Limits::default()
    };
    assert_eq!(load_code(&pdf, &limits), ErrorCode::PdfTooManyObjects);
    Pdf::load(&pdf).expect("within the default limit");
}

#[test]
fn objects_hidden_in_object_streams_count_too() {
    // 1 500 objects in one object stream: the raw scan sees one `endobj`.
    let members = 1_500u32;
    let mut header = String::new();
    let mut body = String::new();
    for i in 0..members {
        header.push_str(&format!("{} {} ", 10 + i, body.len()));
        body.push_str("null ");
    }
    let data = format!("{header}{body}");
    let objstm = flate_stream(
        &format!("/Type /ObjStm /N {members} /First {}", header.len()),
        data.as_bytes(),
    );
    let pdf = assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R >>".to_vec()),
            (4, objstm),
        ],
        1,
    );
    // A classic xref table does not list compressed objects, so build the
    // same with a cross-reference stream that does.
    let pdf = with_xref_stream(&pdf, 4, members);
    let limits = Limits {
        max_objects: 1_000,
        ..Limits::default()
    };
    assert_eq!(load_code(&pdf, &limits), ErrorCode::PdfTooManyObjects);
}

/// Rewrites a file made by [`assemble`] whose object `objstm` is an object
/// stream of `members` objects numbered from 10, with a cross-reference
/// stream listing them.
fn with_xref_stream(pdf: &[u8], objstm: u32, members: u32) -> Vec<u8> {
    let text_end = memchr::memmem::rfind(pdf, b"xref\n").expect("xref");
    let mut out = pdf[..text_end].to_vec();
    let offset_of =
        |n: u32| memchr::memmem::find(pdf, format!("\n{n} 0 obj").as_bytes()).expect("object") + 1;
    let size = 10 + members + 1;
    let xref_id = size - 1;
    let mut rows = Vec::new();
    let mut row = |kind: u8, field2: u32, field3: u16| {
        rows.push(kind);
        rows.extend_from_slice(&field2.to_be_bytes());
        rows.extend_from_slice(&field3.to_be_bytes());
    };
    row(0, 0, 65535);
    for n in 1..10 {
        if n <= objstm {
            row(1, offset_of(n) as u32, 0);
        } else {
            row(0, 0, 0);
        }
    }
    for i in 0..members {
        row(2, objstm, i as u16);
    }
    let xref_offset = out.len() as u32;
    row(1, xref_offset, 0);
    let body = flate_stream(
        &format!("/Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R"),
        &rows,
    );
    out.extend_from_slice(format!("{xref_id} 0 obj\n").as_bytes());
    out.extend_from_slice(&body);
    out.extend_from_slice(format!("\nendobj\nstartxref\n{xref_offset}\n%%EOF\n").as_bytes());
    out
}

#[test]
fn decompression_bombs_in_object_streams_are_refused() {
    // 8 MiB of spaces in an object stream, against a 1 MiB limit.
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..8 {
        encoder.write_all(&chunk).expect("compress");
    }
    let compressed = encoder.finish().expect("compress");
    let mut objstm = format!(
        "<< /Type /ObjStm /N 1 /First 5 /Filter /FlateDecode /Length {} >>\nstream\n",
        compressed.len()
    )
    .into_bytes();
    objstm.extend_from_slice(&compressed);
    objstm.extend_from_slice(b"\nendstream");
    let pdf = assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R >>".to_vec()),
            (4, objstm),
        ],
        1,
    );
    let pdf = with_xref_stream(&pdf, 4, 1);
    let limits = Limits {
        max_decompressed_size: 1 << 20,
        ..Limits::default()
    };
    assert_eq!(load_code(&pdf, &limits), ErrorCode::PdfDecompressionLimit);
}

#[test]
fn a_kids_cycle_is_refused() {
    let pdf = assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (
                2,
                b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>".to_vec(),
            ),
            (3, b"<< /Type /Page /Parent 2 0 R >>".to_vec()),
        ],
        1,
    );
    assert_eq!(
        load_code(&pdf, &Limits::default()),
        ErrorCode::PdfReferenceCycle
    );
}

#[test]
fn a_parent_cycle_is_refused() {
    let pdf = assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (
                2,
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 4 0 R >>".to_vec(),
            ),
            (3, b"<< /Type /Page /Parent 2 0 R >>".to_vec()),
            (
                4,
                b"<< /Type /Pages /Kids [] /Count 0 /Parent 2 0 R >>".to_vec(),
            ),
        ],
        1,
    );
    assert_eq!(
        load_code(&pdf, &Limits::default()),
        ErrorCode::PdfReferenceCycle
    );
}

#[test]
fn a_very_deep_page_tree_is_refused() {
    // 5 000 nested /Pages nodes, each with one kid, no /Count.
    let depth = 5_000u32;
    let mut objects = vec![(1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec())];
    for n in 2..2 + depth {
        objects.push((
            n,
            format!("<< /Type /Pages /Kids [{} 0 R] >>", n + 1).into_bytes(),
        ));
    }
    objects.push((2 + depth, b"<< /Type /Page >>".to_vec()));
    let pdf = assemble(&objects, 1);
    assert_eq!(
        load_code(&pdf, &Limits::default()),
        ErrorCode::PdfNestingTooDeep
    );
}

#[test]
fn too_many_pages_are_refused() {
    let pdf = minimal_pdf(&[(100.0, 100.0, 0); 12]);
    let limits = Limits {
        max_pages: 10,
        ..Limits::default()
    };
    assert_eq!(load_code(&pdf, &limits), ErrorCode::PdfTooManyPages);
}

#[test]
fn reference_chains_that_loop_are_refused() {
    let pdf = assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 5 0 R >>".to_vec()),
            (5, b"6 0 R".to_vec()),
            (6, b"5 0 R".to_vec()),
        ],
        1,
    );
    assert_eq!(
        load_code(&pdf, &Limits::default()),
        ErrorCode::PdfReferenceCycle
    );
}

#[test]
fn garbage_and_truncated_files_are_malformed() {
    assert_eq!(
        load_code(b"hello world", &Limits::default()),
        ErrorCode::PdfMalformed
    );
    assert_eq!(load_code(b"", &Limits::default()), ErrorCode::PdfMalformed);
    let pdf = minimal_pdf(&[(612.0, 792.0, 0)]);
    for cut in [20, pdf.len() / 3, pdf.len() / 2] {
        let result = Pdf::load(&pdf[..cut]);
        if let Err(e) = result {
            assert_eq!(e.code(), ErrorCode::PdfMalformed, "cut at {cut}: {e}");
        }
    }
}

mod fuzz {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Mutated files never panic: they load or give a typed error.
        #[test]
        fn mutated_pdfs_never_panic(
            flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..20),
            cut in any::<prop::sample::Index>(),
        ) {
            let mut pdf = minimal_pdf(&[(612.0, 792.0, 0), (595.0, 842.0, 90)]);
            for (index, byte) in flips {
                let i = index.index(pdf.len());
                pdf[i] = byte;
            }
            let end = cut.index(pdf.len()).max(pdf.len() / 2);
            let _ = Pdf::load(&pdf[..end]);
        }
    }
}

/// Two signature fields both named `sig` (two root fields with one /T).
fn two_fields_named_sig() -> Vec<u8> {
    assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [5 0 R 6 0 R] >> >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [5 0 R 6 0 R] >>"
                    .to_vec(),
            ),
            (
                5,
                b"<< /FT /Sig /T (sig) /Type /Annot /Subtype /Widget /Rect [10 10 110 60] /P 3 0 R >>"
                    .to_vec(),
            ),
            (
                6,
                b"<< /FT /Sig /T (sig) /Type /Annot /Subtype /Widget /Rect [200 10 300 60] /P 3 0 R >>"
                    .to_vec(),
            ),
        ],
        1,
    )
}

#[test]
fn a_name_shared_by_two_fields_is_refused_with_the_candidates() {
    let bytes = two_fields_named_sig();
    let doc = Pdf::load(&bytes).expect("loads");
    assert_eq!(doc.fields().expect("fields").len(), 2);
    let err = doc.field("sig").expect_err("ambiguous");
    assert_eq!(err.code(), ErrorCode::PdfFieldAmbiguous);
    assert!(err.message().contains("object 5 0 R"), "{}", err.message());
    assert!(err.message().contains("object 6 0 R"), "{}", err.message());
    assert_eq!(
        doc.field("other").expect_err("none").code(),
        ErrorCode::PdfFieldNotFound
    );
}

/// `minimal_pdf` with the cross-reference entry of object `number` moved
/// 5 bytes on, where another token starts: lopdf still reads it (it falls
/// back to scanning), strict readers do not.
fn with_wrong_offset(number: u32) -> Vec<u8> {
    let pdf = minimal_pdf(&[(612.0, 792.0, 0), (612.0, 792.0, 0)]);
    let xref = memchr::memmem::rfind(&pdf, b"\nxref\n").expect("xref") + 1;
    let entries = xref + "xref\n".len();
    let entries = entries + memchr::memchr(b'\n', &pdf[entries..]).expect("subsection") + 1;
    let line = entries + 20 * number as usize;
    let mut out = pdf.clone();
    let offset: usize = std::str::from_utf8(&pdf[line..line + 10])
        .expect("ascii")
        .parse()
        .expect("offset");
    out[line..line + 10].copy_from_slice(format!("{:010}", offset + 5).as_bytes());
    out
}

#[test]
fn damaged_cross_references_are_refused_for_updates_and_repaired_on_request() {
    // The catalog's entry: lopdf rebuilds the whole table.
    let why = needs_repair(&with_wrong_offset(1), &Limits::default()).expect("loads");
    assert!(
        why.as_deref()
            .is_some_and(|w| w.contains("rebuilt by scanning")),
        "{why:?}"
    );
    // A page's content stream: the table is kept, the entry is wrong.
    let damaged = with_wrong_offset(5);
    let why = needs_repair(&damaged, &Limits::default()).expect("loads");
    assert!(
        why.as_deref().is_some_and(|w| w.contains("object 5 0 R")),
        "{why:?}"
    );
    let doc = Pdf::load(&damaged).expect("lopdf reads it");
    let mut update = incremental::IncrementalUpdate::new(&doc).expect("update");
    update.add(lopdf::Object::Null);
    let err = update.write().expect_err("damaged");
    assert_eq!(err.code(), ErrorCode::PdfDamaged);
    assert!(err.message().contains("--repair"), "{err}");

    let repaired = repair(&damaged, &Limits::default())
        .expect("repairs")
        .expect("it needed repair");
    assert_eq!(
        needs_repair(&repaired, &Limits::default()).expect("loads"),
        None
    );
    let again = PdfDocument::load(&repaired).expect("loads");
    assert_eq!(again.page_count(), 2);
    assert!(again.page_text(2).expect("text").contains("Page 2"));
    // A sound file is left alone.
    assert_eq!(repair(&repaired, &Limits::default()).expect("sound"), None);
}

#[test]
fn a_damaged_document_with_signatures_is_not_rewritten() {
    let pdf = with_wrong_offset(5);
    // Sign the sound original, then damage the first section's entry.
    let sound = minimal_pdf(&[(612.0, 792.0, 0), (612.0, 792.0, 0)]);
    let signer = crate::pades::KeySigner::from_pkcs12(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../fixtures/certs/rsa/signer.p12"
        ))
        .expect("p12"),
        "test",
    )
    .expect("signer");
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-23T10:00:00Z")
        .expect("time")
        .to_utc();
    let signed = crate::pades::sign(&sound, &signer, None, &crate::pades::SignOptions::new(at))
        .expect("signs");
    let mut damaged = pdf;
    damaged.extend_from_slice(&signed[sound.len()..]);
    let err = repair(&damaged, &Limits::default()).expect_err("signed");
    assert_eq!(err.code(), ErrorCode::PdfDamaged);
    assert!(err.message().contains("holds signatures"), "{err}");
}

/// `pdf` with its final startxref moved `by` bytes (negative: earlier).
fn with_startxref_moved(pdf: &[u8], by: isize) -> Vec<u8> {
    let keyword = pdf
        .windows(10)
        .rposition(|w| w == b"startxref\n")
        .expect("startxref")
        + 10;
    let len = pdf[keyword..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    let value: isize = std::str::from_utf8(&pdf[keyword..keyword + len])
        .expect("ascii")
        .parse()
        .expect("number");
    let mut out = pdf[..keyword].to_vec();
    out.extend_from_slice((value + by).to_string().as_bytes());
    out.extend_from_slice(&pdf[keyword + len..]);
    out
}

/// The /Prev of the last trailer or cross-reference stream of `pdf`.
fn last_prev(pdf: &[u8]) -> usize {
    let at = pdf.windows(6).rposition(|w| w == b"/Prev ").expect("/Prev") + 6;
    let len = pdf[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    std::str::from_utf8(&pdf[at..at + len])
        .expect("ascii")
        .parse()
        .expect("number")
}

#[test]
fn a_startxref_that_points_at_the_white_space_before_its_section_is_kept_by_updates() {
    // node-signpdf's startxref points at the line feed before `xref`:
    // every reader skips it. The update's /Prev keeps the number as written
    // (pyHanko matches it against the startxref that ends the revision),
    // and a second update on the first sees the same pointer in a /Prev.
    let sound = minimal_pdf(&[(612.0, 792.0, 0)]);
    let padded = with_startxref_moved(&sound, -1);
    let declared = Pdf::load(&sound).expect("loads").doc.xref_start - 1;
    assert_eq!(padded[declared], b'\n');
    assert_eq!(
        needs_repair(&padded, &Limits::default()).expect("loads"),
        None
    );
    let mut bytes = padded.clone();
    let mut prevs = Vec::new();
    for _ in 0..2 {
        let doc = Pdf::load(&bytes).expect("loads");
        assert_eq!(doc.damage(), None);
        let mut update = incremental::IncrementalUpdate::new(&doc).expect("update");
        update.add(lopdf::Object::Null);
        let next = update.write().expect("written").apply_to(&bytes);
        prevs.push((last_prev(&next), doc.doc.xref_start));
        bytes = next;
    }
    // The first update points where the file says; the second at the
    // first update's section, which is exact.
    assert_eq!(prevs[0].0, declared);
    assert_eq!(prevs[1].0, prevs[1].1);
    assert_eq!(Pdf::load(&bytes).expect("loads").page_count(), 1);

    // A startxref that points into text, not white space, is damage.
    let off = with_startxref_moved(&sound, -3);
    let why = needs_repair(&off, &Limits::default()).expect("loads");
    assert!(
        why.as_deref().is_some_and(|w| w.contains("startxref")),
        "{why:?}"
    );
    // So is one past the section.
    let past = with_startxref_moved(&sound, 2);
    assert!(
        needs_repair(&past, &Limits::default())
            .expect("loads")
            .is_some()
    );
}

#[test]
fn an_entry_that_leads_to_an_older_copy_of_another_object_does_not_bring_it_back() {
    let pdf = super::testing::with_misdirected_entry(&minimal_pdf(&[(612.0, 792.0, 0)]));
    for _ in 0..3 {
        let doc = Pdf::load(&pdf).expect("loads");
        let catalog = doc.doc.catalog().expect("catalog");
        assert_eq!(
            catalog
                .get(b"PageMode")
                .and_then(lopdf::Object::as_name)
                .ok(),
            Some(&b"UseNone"[..]),
            "the current catalog, not the old one"
        );
        assert_eq!(doc.damage(), None);
        assert_eq!(doc.page_count(), 1);
    }
}
