//! Arbitrary bytes through signature verification.
#![no_main]

use chrono::DateTime;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let now = DateTime::from_timestamp(1_795_424_400, 0).expect("time");
    let _ = paraph::pades::verify(data, &paraph::pades::VerifyOptions::new(now));
});
