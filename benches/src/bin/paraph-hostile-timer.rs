//! Figures for issue 11 that are not CLI runs (`benches/hostile/run.sh`
//! has those): verification time against the number of signatures (the
//! file is hashed once, so it grows with the file, not with signatures ×
//! file), and evidence building against the length of the history (linear
//! now; each event cloned the envelope before), including how fast an
//! over-the-cap history is refused. Prints one line per measurement.
//!
//! usage: paraph-hostile-timer P12 PASSWORD
#![forbid(unsafe_code)]

use std::time::{Duration, Instant};

use paraph::audit::{EvidenceBundle, records_from_events};
use paraph::envelope::Event;
use paraph::pades::{self, KeySigner, SignOptions, VerifyOptions};
use paraph::pdf::testing::minimal_pdf;
use paraph_benches::{lifecycle, t};

/// The median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

/// One page with a 4 MB image XObject of incompressible samples.
fn large_pdf() -> Vec<u8> {
    let side = 1155; // 1155 × 1155 × 3 bytes ≈ 4 MB
    let mut state = 0x2545_f491_u32;
    let samples: Vec<u8> = (0..side * side * 3)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as u8
        })
        .collect();
    let mut image = format!(
        "<< /Type /XObject /Subtype /Image /Width {side} /Height {side} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {} >>\nstream\n",
        samples.len()
    )
    .into_bytes();
    image.extend_from_slice(&samples);
    image.extend_from_slice(b"\nendstream");
    let content = b"q 612 0 0 792 0 0 cm /Im0 Do Q";
    let mut contents = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    contents.extend_from_slice(content);
    contents.extend_from_slice(b"\nendstream");
    paraph::pdf::testing::assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (
                3,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 5 0 R >> >> /Contents 4 0 R >>".to_vec(),
            ),
            (4, contents),
            (5, image),
        ],
        1,
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [p12, password] = args.as_slice() else {
        return Err("usage: paraph-hostile-timer P12 PASSWORD".into());
    };
    let signer = KeySigner::from_pkcs12(&std::fs::read(p12)?, password)?;

    // Verification: a small file and a 4 MB one, each signed 50 times,
    // measured at 1, 10 and 50 signatures.
    let options = SignOptions::new(t(0));
    let verify = VerifyOptions::new(t(3600));
    for (label, base) in [
        ("small", minimal_pdf(&[(612.0, 792.0, 0)])),
        ("4 MB", large_pdf()),
    ] {
        let mut pdf = base;
        for count in 1..=50 {
            pdf = pades::sign(&pdf, &signer, None, &options)?;
            if [1, 10, 50].contains(&count) {
                let took = median(7, || {
                    let report = pades::verify(&pdf, &verify).expect("verifies");
                    assert_eq!(report.signatures.len(), count);
                });
                println!(
                    "verify {label:>5} file, {count:>2} signatures ({:>6} KB): {:8.2} ms, {:6.3} ms per signature",
                    pdf.len() / 1024,
                    ms(took),
                    ms(took) / count as f64
                );
            }
        }
    }

    // Evidence: complete histories up to the recipient cap.
    for signers in [10, 50, 100] {
        let (_, events) = lifecycle(signers, 5);
        let took = median(11, || {
            records_from_events(&events).expect("records");
        });
        let bundle = median(11, || {
            EvidenceBundle::from_events(&events, t(100_000)).expect("bundle");
        });
        println!(
            "evidence for {signers:>3} recipients ({:>4} events): records {:7.2} ms ({:5.1} µs per event), bundle {:7.2} ms",
            events.len(),
            ms(took),
            ms(took) * 1000.0 / events.len() as f64,
            ms(bundle),
        );
    }

    // Over the cap: the same history with many more recipients added, as
    // a hand-written events file would carry them.
    let (_, events) = lifecycle(2, 1);
    let json = serde_json::to_value(&events)?;
    let added = json
        .as_array()
        .and_then(|all| {
            all.iter().find(|e| {
                e.to_string().contains("recipient.added")
                    || e.to_string().contains("RecipientAdded")
            })
        })
        .cloned()
        .ok_or("no recipient-added event")?;
    for extra in [1_000usize, 10_000, 100_000] {
        let mut all = json.as_array().cloned().unwrap_or_default();
        let at = all.iter().position(|e| *e == added).unwrap_or(1);
        let copies = (0..extra).map(|i| {
            let text = added.to_string().replace("\"r0\"", &format!("\"x{i}\""));
            serde_json::from_str::<serde_json::Value>(&text).expect("json")
        });
        all.splice(at + 1..at + 1, copies);
        let forged: Vec<Event> = serde_json::from_value(serde_json::Value::Array(all))?;
        let start = Instant::now();
        let refused = records_from_events(&forged);
        let took = start.elapsed();
        println!(
            "evidence for a history with {extra:>6} extra recipients: {} in {:8.2} ms",
            match &refused {
                Ok(_) => "ACCEPTED (wrong)".to_string(),
                Err(e) => format!("refused {}", e.code()),
            },
            ms(took)
        );
    }
    Ok(())
}
