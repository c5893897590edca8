//! Arbitrary bytes as a PKCS#12 file.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = paraph::pades::KeySigner::from_pkcs12(data, "test");
});
