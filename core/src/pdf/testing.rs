//! Small, hand-assembled PDFs for tests and examples (here and in the other
//! crates of the workspace). Not part of the stable API.

use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;

/// Assembles a PDF from numbered object bodies (`(number, body)` without the
/// `N 0 obj` framing), with a classic cross-reference table and a trailer
/// whose `/Root` is `root`.
pub fn assemble(objects: &[(u32, Vec<u8>)], root: u32) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let size = objects.iter().map(|(n, _)| *n).max().unwrap_or(0) + 1;
    let mut offsets = vec![None; size as usize];
    for (number, body) in objects {
        offsets[*number as usize] = Some(out.len());
        out.extend_from_slice(format!("{number} 0 obj\n").as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for offset in &offsets {
        match offset {
            Some(o) => out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n")
            .as_bytes(),
    );
    out
}

/// A stream object body with `data` compressed by Flate.
pub fn flate_stream(dict_entries: &str, data: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(data)
        .expect("writing to a Vec cannot fail");
    let compressed = encoder.finish().expect("writing to a Vec cannot fail");
    let mut body = format!(
        "<< {dict_entries} /Filter /FlateDecode /Length {} >>\nstream\n",
        compressed.len()
    )
    .into_bytes();
    body.extend_from_slice(&compressed);
    body.extend_from_slice(b"\nendstream");
    body
}

/// A PDF with one page per `(width, height, rotate)`, each showing its page
/// number in Helvetica.
pub fn minimal_pdf(pages: &[(f64, f64, i64)]) -> Vec<u8> {
    let mut objects = vec![(1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec())];
    let first_page = 4u32;
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", first_page + 2 * i as u32))
        .collect();
    objects.push((
        2,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    ));
    objects.push((
        3,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    ));
    for (i, (width, height, rotate)) in pages.iter().enumerate() {
        let page = first_page + 2 * i as u32;
        objects.push((
            page,
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] /Rotate {rotate} \
                 /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                page + 1
            )
            .into_bytes(),
        ));
        let content = format!(
            "BT /F1 24 Tf 72 {} Td (Page {}) Tj ET",
            height - 96.0,
            i + 1
        );
        objects.push((page + 1, flate_stream("", content.as_bytes())));
    }
    assemble(&objects, 1)
}

/// `pdf` with one more incremental update that adds an annotation of
/// `subtype` (`FreeText`, `Stamp`, `Square`, `Link`…) over the whole of
/// page `page`, as an editor would after a signature: what a verifier must
/// report as a change the signer never saw.
pub fn with_annotation(pdf: &[u8], page: u32, subtype: &str) -> crate::Result<Vec<u8>> {
    use lopdf::{Dictionary, Object};
    let doc = super::Pdf::load(pdf)?;
    let page_id = doc.page(page)?.id;
    let mut update = super::incremental::IncrementalUpdate::new(&doc)?;
    let (width, height) = doc.page(page)?.geometry.displayed_size();
    let mut annot = Dictionary::new();
    annot.set("Type", Object::Name(b"Annot".to_vec()));
    annot.set("Subtype", Object::Name(subtype.as_bytes().to_vec()));
    annot.set(
        "Rect",
        Object::Array(vec![
            0.into(),
            0.into(),
            Object::Real(width as f32),
            Object::Real(height as f32),
        ]),
    );
    annot.set("Contents", Object::string_literal("Salary: 1 EUR a year"));
    annot.set("P", Object::Reference(page_id));
    let id = update.add(Object::Dictionary(annot));
    let mut page_dict = super::object::as_dict(update.current(page_id)?)
        .cloned()
        .unwrap_or_default();
    let mut annots = match page_dict.get(b"Annots") {
        Ok(Object::Array(items)) => items.clone(),
        _ => Vec::new(),
    };
    annots.push(Object::Reference(id));
    page_dict.set("Annots", Object::Array(annots));
    update.set(page_id, Object::Dictionary(page_dict));
    Ok(update.write()?.apply_to(pdf))
}

/// [`minimal_pdf`]-style `pdf` (catalog `1 0 obj`, a classic table) with
/// one more update, hybrid like qpdf's `hybrid-xref.pdf`: it rewrites the
/// catalog, adding `/PageMode /UseNone`, names a cross-reference stream
/// with `/XRefStm`, and that stream lists its own number at the offset of
/// the *old* catalog. Readers that look objects up by number never
/// follow that entry; one that reads every entry's object must not let it
/// bring the old catalog back.
pub fn with_misdirected_entry(pdf: &[u8]) -> Vec<u8> {
    let number = |at: usize| -> usize {
        let len = pdf[at..].iter().take_while(|c| c.is_ascii_digit()).count();
        String::from_utf8_lossy(&pdf[at..at + len])
            .parse()
            .expect("a number")
    };
    let old = pdf
        .windows(8)
        .position(|w| w == b"\n1 0 obj")
        .expect("a catalog 1 0 obj")
        + 1;
    let body_start = old + b"1 0 obj".len();
    let body_end = body_start
        + pdf[body_start..]
            .windows(6)
            .position(|w| w == b"endobj")
            .expect("endobj");
    let catalog = String::from_utf8_lossy(&pdf[body_start..body_end]).into_owned();
    let catalog = catalog.trim().trim_end_matches(">>").to_owned() + " /PageMode /UseNone >>";
    let size = number(pdf.windows(6).rposition(|w| w == b"/Size ").expect("/Size") + 6);
    let startxref = number(
        pdf.windows(10)
            .rposition(|w| w == b"startxref\n")
            .expect("startxref")
            + 10,
    );
    let mut out = pdf.to_vec();
    let new = out.len();
    out.extend_from_slice(format!("1 0 obj\n{catalog}\nendobj\n").as_bytes());
    // As in qpdf's file, the table is empty and the stream lists the new
    // catalog and, wrongly, itself at the old catalog's offset (rows:
    // type 1, 4-byte offset, 2-byte generation).
    let stream_at = out.len();
    let mut rows = Vec::new();
    for offset in [new, old] {
        rows.push(1u8);
        rows.extend_from_slice(&(offset as u32).to_be_bytes());
        rows.extend_from_slice(&[0, 0]);
    }
    out.extend_from_slice(
        format!(
            "{size} 0 obj\n<< /Type /XRef /Size {} /Index [1 1 {size} 1] /W [1 4 2] /Length {} >>\nstream\n",
            size + 1,
            rows.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(&rows);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 0\ntrailer\n<< /Size {} /Root 1 0 R /Prev {startxref} /XRefStm {stream_at} >>\n\
             startxref\n{xref}\n%%EOF\n",
            size + 1
        )
        .as_bytes(),
    );
    out
}
