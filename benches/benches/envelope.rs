//! Envelope state machine: a whole lifecycle from draft to completed, and
//! replaying its history, for growing numbers of recipients.
#![forbid(unsafe_code)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use paraph::envelope;
use paraph_benches::lifecycle;

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("envelope_lifecycle");
    for (signers, orders) in [(2, 2), (10, 1), (10, 10), (50, 5)] {
        let (_, events) = lifecycle(signers, orders);
        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_with_input(
            BenchmarkId::from_parameter(format!("{signers}_signers_{orders}_orders")),
            &(signers, orders),
            |b, &(s, o)| b.iter(|| lifecycle(s, o)),
        );
    }
    group.finish();

    let mut group = c.benchmark_group("envelope_replay");
    for (signers, orders) in [(2, 2), (50, 5)] {
        let (env, events) = lifecycle(signers, orders);
        group.throughput(Throughput::Elements(events.len() as u64));
        group.bench_function(format!("{signers}_signers"), |b| {
            b.iter(|| {
                let replayed = envelope::replay(&events).expect("replays");
                assert_eq!(replayed.version, env.version);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
