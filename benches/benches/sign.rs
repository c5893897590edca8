//! PAdES signing of a 1-page, a 50-page and a 20 MB file, into an existing
//! visible field with a stamp. Uses the inputs of `benches/peers/run.sh`
//! (target/bench-pdfs, made by tests/tools/make_large_pdfs.py) when they
//! exist, else comparable ones generated here.
#![forbid(unsafe_code)]

use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paraph::geometry::Rect;
use paraph::pades::{self, Backend, KeySigner};
use paraph::pdf::FormFieldKind;
use paraph::pdf::testing::{assemble, flate_stream, minimal_pdf};
use paraph::pdf::{FontSet, FormFieldSpec, add_fields};

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// `pages` pages of text, or 10 pages with 2 MB of incompressible image
/// data each, with an empty field `Signature1` on page 1.
fn generated(name: &str) -> Vec<u8> {
    let pdf = match name {
        "twenty-mb.pdf" => {
            let mut objects = vec![
                (1, b"<< /Type /Catalog /Pages 2 0 R >>".to_vec()),
                (
                    2,
                    format!(
                        "<< /Type /Pages /Kids [{}] /Count 10 >>",
                        (0..10)
                            .map(|i| format!("{} 0 R", 10 + 3 * i))
                            .collect::<Vec<_>>()
                            .join(" ")
                    )
                    .into_bytes(),
                ),
            ];
            let mut state = 0x2545_F491_4F6C_DD1Du64;
            for i in 0..10u32 {
                let page = 10 + 3 * i;
                let pixels: Vec<u8> = (0..880 * 620 * 3)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        state as u8
                    })
                    .collect();
                objects.push((page, format!("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 {} 0 R >> >> /Contents {} 0 R >>", page + 1, page + 2).into_bytes()));
                objects.push((page + 1, flate_stream("/Type /XObject /Subtype /Image /Width 880 /Height 620 /ColorSpace /DeviceRGB /BitsPerComponent 8", &pixels)));
                objects.push((
                    page + 2,
                    flate_stream("", b"q 523 0 0 373 36 200 cm /Im0 Do Q"),
                ));
            }
            assemble(&objects, 1)
        }
        "fifty-pages.pdf" => minimal_pdf(&[(595.0, 842.0, 0); 50]),
        _ => minimal_pdf(&[(595.0, 842.0, 0)]),
    };
    let field = FormFieldSpec {
        name: "Signature1".into(),
        kind: FormFieldKind::Signature,
        page: 1,
        rect: Rect::new(300.0, 712.0, 240.0, 70.0),
        value: None,
        required: true,
        read_only: false,
        multiline: false,
    };
    add_fields(&pdf, &[field], &FontSet::bundled()).expect("field")
}

fn input(name: &str) -> Vec<u8> {
    std::fs::read(root().join("target/bench-pdfs").join(name)).unwrap_or_else(|_| generated(name))
}

fn bench(c: &mut Criterion) {
    let p12 = std::fs::read(root().join("fixtures/certs/rsa/signer.p12")).expect("p12");
    let backends = [
        ("rustcrypto", Backend::RustCrypto),
        #[cfg(feature = "aws-lc")]
        ("aws-lc", Backend::AwsLc),
    ];
    let signers: Vec<_> = backends
        .into_iter()
        .map(|(name, backend)| {
            let signer = KeySigner::from_pkcs12(&p12, "test")
                .expect("p12")
                .with_backend(backend)
                .expect("backend");
            (name, signer)
        })
        .collect();
    let options = paraph_benches::sign_options();
    let mut group = c.benchmark_group("pades_sign");
    group.sample_size(20);
    for name in ["one-page.pdf", "fifty-pages.pdf", "twenty-mb.pdf"] {
        let pdf = input(name);
        group.throughput(Throughput::Bytes(pdf.len() as u64));
        for (backend, signer) in &signers {
            group.bench_with_input(BenchmarkId::new(*backend, name), &pdf, |b, pdf| {
                b.iter(|| pades::sign(pdf, signer, None, &options).expect("signs"))
            });
        }
    }
    group.finish();
}

/// Issuing a per-signer certificate with a new key (`pades::issue_signer`),
/// from the RSA test intermediate as the platform CA. Each iteration uses
/// new entropy: RSA key generation searches for primes, and its time
/// depends on where the primes fall, so one fixed entropy would time one
/// key.
fn issue(c: &mut Criterion) {
    let ca = KeySigner::from_pem(
        &std::fs::read(root().join("fixtures/certs/rsa/intermediate.key")).expect("key"),
        &std::fs::read(root().join("fixtures/certs/rsa/chain.pem")).expect("chain"),
    )
    .expect("CA");
    let at = paraph_benches::sign_options().signing_time;
    let options = pades::IssueOptions::new(
        vec![0x2c, 0x71, 0x05, 0xe9],
        at,
        at + chrono::Duration::days(1),
    );
    let identity = pades::SignerIdentity::new("마리 뒤부아").with_email("marie@example.com");
    let mut group = c.benchmark_group("pades_issue_signer");
    group.sample_size(10);
    for (name, algorithm) in [
        ("P-256", pades::KeyAlgorithm::P256),
        ("RSA-2048", pades::KeyAlgorithm::Rsa2048),
    ] {
        let mut counter = 0u64;
        group.bench_function(name, |b| {
            b.iter(|| {
                counter += 1;
                let mut entropy = [0x5a; 32];
                entropy[..8].copy_from_slice(&counter.to_le_bytes());
                pades::issue_signer(&ca, &identity, algorithm, &entropy, &options).expect("issues")
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench, issue);
criterion_main!(benches);
