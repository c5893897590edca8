//! Arbitrary pending-signature JSON (and a signature value) through the
//! second half of two-phase signing: a typed error or a signed PDF, never
//! a panic. The input's first byte splits the data: JSON, then the value.
//! A valid pending state for the fixture PDF is tried with the data spliced
//! into its fields, so that the fuzzer reaches the checks behind parsing.
#![no_main]

use std::sync::OnceLock;

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use paraph::pades::{self, KeySigner, PreparedSignature, SignOptions, Signer};

const PDF: &[u8] = include_bytes!("../../fixtures/pdf/reportlab-contract.pdf");

fn prepared() -> &'static (KeySigner, serde_json::Value) {
    static PREPARED: OnceLock<(KeySigner, serde_json::Value)> = OnceLock::new();
    PREPARED.get_or_init(|| {
        let p12 = include_bytes!("../../fixtures/certs/ec/signer.p12");
        let signer = KeySigner::from_pkcs12(p12, "test").expect("fixture key");
        let now = DateTime::from_timestamp(1_795_424_400, 0).expect("time");
        let pending = pades::prepare(PDF, signer.certificate_chain(), &SignOptions::new(now))
            .expect("prepares");
        let json = serde_json::to_value(&pending).expect("json");
        (signer, json)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let (json, value) = rest.split_at(usize::from(split).min(rest.len()));
    // Arbitrary JSON as it comes.
    if let Ok(text) = std::str::from_utf8(json)
        && let Ok(pending) = PreparedSignature::from_json(text)
    {
        let _ = pades::finish(PDF, &pending, value, None);
    }
    // A sound pending state with one field replaced by fuzzed JSON.
    let (signer, base) = prepared();
    let Ok(replacement) = serde_json::from_slice::<serde_json::Value>(value) else {
        return;
    };
    let mut tampered = base.clone();
    let keys = [
        "increment",
        "baseLen",
        "contentsOffset",
        "contentsCapacity",
        "byteRange",
        "documentDigest",
        "signedAttributes",
        "certificates",
        "algorithm",
        "level",
    ];
    if let Some(object) = tampered.as_object_mut() {
        object.insert(keys[usize::from(split) % keys.len()].to_owned(), replacement);
    }
    if let Ok(pending) = serde_json::from_value::<PreparedSignature>(tampered) {
        let good = signer.sign(pending.message()).unwrap_or_default();
        let _ = pades::finish(PDF, &pending, &good, None);
    }
});
