//! Arbitrary bytes signed with a fixed key: a typed error or a PDF, never a
//! panic.
#![no_main]

use std::sync::OnceLock;

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;
use paraph::pades::{self, KeySigner, SignOptions};

fn signer() -> &'static KeySigner {
    static SIGNER: OnceLock<KeySigner> = OnceLock::new();
    SIGNER.get_or_init(|| {
        let p12 = include_bytes!("../../fixtures/certs/ec/signer.p12");
        KeySigner::from_pkcs12(p12, "test").expect("fixture key")
    })
}

fuzz_target!(|data: &[u8]| {
    let now = DateTime::from_timestamp(1_795_424_400, 0).expect("time");
    let mut options = SignOptions::new(now);
    options.limits.max_decompressed_size = 4 << 20;
    let _ = pades::sign(data, signer(), None, &options);
});
