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
