//! Webhook signing and verification for typical body sizes.
#![forbid(unsafe_code)]

use chrono::DateTime;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paraph::webhook::{Verifier, WebhookHeaders, WebhookSecret, sign_hex, verify_hex};

fn bench(c: &mut Criterion) {
    let secret = WebhookSecret::from_bytes([42u8; 32]).expect("secret");
    let now = DateTime::from_timestamp(1_795_424_400, 0).expect("time");
    let mut group = c.benchmark_group("webhook");
    for size in [512usize, 4 * 1024, 20 * 1024] {
        let body = vec![b'x'; size];
        group.throughput(Throughput::Bytes(size as u64));
        group.bench_with_input(BenchmarkId::new("standard_sign", size), &body, |b, body| {
            b.iter(|| {
                WebhookHeaders::sign(
                    std::slice::from_ref(&secret),
                    "evt_env_1_1",
                    1_795_424_400,
                    body,
                )
                .expect("signs")
            })
        });
        let headers = WebhookHeaders::sign(
            std::slice::from_ref(&secret),
            "evt_env_1_1",
            1_795_424_400,
            &body,
        )
        .expect("signs");
        let verifier = Verifier::new(secret.clone());
        group.bench_with_input(
            BenchmarkId::new("standard_verify", size),
            &body,
            |b, body| {
                b.iter(|| {
                    verifier
                        .verify_parts(&headers.id, "1795424400", &headers.signature, body, now)
                        .expect("verifies")
                })
            },
        );
        let hex = sign_hex(b"secret", &body).expect("signs");
        group.bench_with_input(BenchmarkId::new("hex_verify", size), &body, |b, body| {
            b.iter(|| verify_hex(b"secret", body, &hex).expect("verifies"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
