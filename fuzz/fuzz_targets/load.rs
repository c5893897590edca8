//! Arbitrary bytes through loading and everything that reads a loaded PDF:
//! no panic, no hang, no unbounded memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paraph::geometry::Rect;
use paraph::pdf::{Anchor, AnchorPosition, Limits, PdfDocument};

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_decompressed_size: 4 << 20,
        max_content_operations: 100_000,
        ..Limits::default()
    };
    let Ok(doc) = PdfDocument::load_with_limits(data, &limits) else {
        return;
    };
    let _ = doc.version();
    let _ = doc.fields();
    for page in doc.pages().iter().take(3) {
        let _ = page
            .geometry
            .to_user_rect(&Rect::new(10.0, 10.0, 50.0, 20.0));
        let _ = doc.page_text(page.number);
    }
    let _ = doc.find_anchor(&Anchor {
        text: "signature".into(),
        occurrence: 1,
        page: None,
        position: AnchorPosition::Right,
        offset_x: 0.0,
        offset_y: 0.0,
        width: 100.0,
        height: 30.0,
    });
});
