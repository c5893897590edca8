//! Times in-process PAdES signing, for the side-by-side comparison in
//! `benches/peers/run.sh`: each input is signed `--runs` times into its
//! existing field `Signature1` with a visible stamp; prints one JSON line
//! per input with the median and the minimum in milliseconds.
//!
//! usage: paraph-sign-timer P12 PASSWORD RUNS [rustcrypto|aws-lc] FILE...
#![forbid(unsafe_code)]

use std::time::Instant;

use paraph::pades::{self, Backend, KeySigner};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [p12, password, runs, backend, files @ ..] = args.as_slice() else {
        return Err(
            "usage: paraph-sign-timer P12 PASSWORD RUNS [rustcrypto|aws-lc] FILE...".into(),
        );
    };
    let runs: usize = runs.parse()?;
    let mut signer = KeySigner::from_pkcs12(&std::fs::read(p12)?, password)?;
    signer = match backend.as_str() {
        "rustcrypto" => signer.with_backend(Backend::RustCrypto)?,
        #[cfg(feature = "aws-lc")]
        "aws-lc" => signer.with_backend(Backend::AwsLc)?,
        other => return Err(format!("unknown or unavailable backend {other}").into()),
    };
    let options = paraph_benches::sign_options();
    for file in files {
        let pdf = std::fs::read(file)?;
        let mut times = Vec::with_capacity(runs);
        let mut size = 0;
        for _ in 0..runs {
            let start = Instant::now();
            let signed = pades::sign(&pdf, &signer, None, &options)?;
            times.push(start.elapsed().as_secs_f64() * 1000.0);
            size = signed.len();
            std::hint::black_box(signed);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{{\"signer\": \"paraph ({backend})\", \"file\": {file:?}, \"bytes\": {}, \"signed_bytes\": {size}, \"median_ms\": {:.3}, \"min_ms\": {:.3}}}",
            pdf.len(),
            times[times.len() / 2],
            times[0]
        );
    }
    Ok(())
}
