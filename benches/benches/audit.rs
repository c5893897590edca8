//! Audit trail: evidence records and bundle from an envelope's history,
//! the chain check, rendering the PDF/A-3 audit trail and sealing it, for
//! envelopes of 2, 10 and 50 signers.
#![forbid(unsafe_code)]

use std::path::Path;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paraph::audit::{
    EvidenceBundle, RenderOptions, records_from_events, render_audit_trail, seal_audit_trail,
    verify_chain,
};
use paraph::pades::KeySigner;
use paraph_benches::{lifecycle, t};

fn bench(c: &mut Criterion) {
    let stories: Vec<_> = [(2, 2), (10, 10), (50, 5)]
        .into_iter()
        .map(|(signers, orders)| (signers, lifecycle(signers, orders).1))
        .collect();

    let mut group = c.benchmark_group("audit_evidence");
    for (signers, events) in &stories {
        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_with_input(BenchmarkId::new("records", signers), events, |b, events| {
            b.iter(|| records_from_events(events).expect("records"))
        });
        let records = records_from_events(events).expect("records");
        let head = records.last().map(|r| r.hash.clone());
        group.bench_with_input(
            BenchmarkId::new("verify_chain", signers),
            &records,
            |b, r| b.iter(|| assert!(verify_chain(r, head.as_deref()).is_valid())),
        );
        let bundle = EvidenceBundle::from_events(events, t(100_000)).expect("bundle");
        group.bench_with_input(
            BenchmarkId::new("bundle_verify", signers),
            &bundle,
            |b, x| b.iter(|| assert!(x.verify().is_valid())),
        );
    }
    group.finish();

    let p12 = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/certs/rsa/signer.p12"),
    )
    .expect("p12");
    let signer = KeySigner::from_pkcs12(&p12, "test").expect("p12");
    let mut group = c.benchmark_group("audit_trail_render");
    group.sample_size(20);
    let mut pdfs = Vec::new();
    for (signers, events) in &stories {
        let bundle = EvidenceBundle::from_events(events, t(100_000)).expect("bundle");
        group.throughput(Throughput::Elements(bundle.records.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(signers), &bundle, |b, x| {
            b.iter(|| render_audit_trail(x, &RenderOptions::default()).expect("renders"))
        });
        let pdf = render_audit_trail(&bundle, &RenderOptions::default()).expect("renders");
        pdfs.push((signers, pdf));
    }
    group.finish();

    let mut group = c.benchmark_group("audit_trail_seal");
    for (signers, pdf) in &pdfs {
        group.throughput(Throughput::Bytes(pdf.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(signers), pdf, |b, x| {
            b.iter(|| seal_audit_trail(x, &signer, None, t(100_001)).expect("seals"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
