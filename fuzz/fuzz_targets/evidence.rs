//! Arbitrary bytes as an evidence bundle: parsing, the chain check, the
//! replay of the records into the summary, and rendering what verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use paraph::audit::{EvidenceBundle, RenderOptions, render_audit_trail, verify_evidence};

fuzz_target!(|data: &[u8]| {
    let _ = verify_evidence(data, Some(data));
    if let Ok(bundle) = EvidenceBundle::from_json(data) {
        if bundle.verify().is_valid() {
            let _ = render_audit_trail(&bundle, &RenderOptions::default());
        }
    }
});
