//! What crossing the C ABI costs: the same work through the core and
//! through the exported functions (argument checks, the handle table, the
//! panic boundary, JSON in and out, a paraph_bytes out).
//!
//! `cargo bench -p paraph-ffi --bench abi`

use std::hint::black_box;
use std::thread;

use chrono::DateTime;
use criterion::{Criterion, criterion_group, criterion_main};
use paraph_core::envelope::{self, Command, Context, Envelope};
use paraph_core::webhook::{Verifier, WebhookSecret};
use paraph_ffi::{
    paraph_bytes, paraph_bytes_free, paraph_bytes_len, paraph_envelope_apply, paraph_result,
    paraph_webhook_secret, paraph_webhook_secret_free, paraph_webhook_secret_parse,
    paraph_webhook_verify,
};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const TIMESTAMP: &str = "1614265330";
const SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
const PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
const NOW: i64 = 1_614_265_330;

fn secret_handle() -> *mut paraph_webhook_secret {
    let mut secret = std::ptr::null_mut();
    // SAFETY: the text and the out-pointer are live for the call.
    let result =
        unsafe { paraph_webhook_secret_parse(SECRET.as_ptr().cast(), SECRET.len(), &mut secret) };
    assert_eq!(result, paraph_result::PARAPH_OK);
    secret
}

fn verify_through_the_abi(secret: *const paraph_webhook_secret) -> paraph_result {
    // SAFETY: every buffer is a live constant.
    unsafe {
        paraph_webhook_verify(
            secret,
            MSG_ID.as_ptr().cast(),
            MSG_ID.len(),
            TIMESTAMP.as_ptr().cast(),
            TIMESTAMP.len(),
            SIGNATURE.as_ptr().cast(),
            SIGNATURE.len(),
            PAYLOAD.as_ptr(),
            PAYLOAD.len(),
            NOW,
            300,
        )
    }
}

fn webhook(c: &mut Criterion) {
    let mut group = c.benchmark_group("webhook_verify");
    let verifier = Verifier::new(WebhookSecret::parse(SECRET).expect("secret"));
    let now = DateTime::from_timestamp(NOW, 0).expect("now");
    group.bench_function("core", |b| {
        b.iter(|| verifier.verify_parts(MSG_ID, TIMESTAMP, SIGNATURE, black_box(PAYLOAD), now))
    });
    let secret = secret_handle();
    group.bench_function("c_abi", |b| {
        b.iter(|| verify_through_the_abi(black_box(secret)))
    });
    // Every call takes the handle table's lock: two threads at once.
    let shared = secret.addr();
    group.bench_function("c_abi_two_threads", |b| {
        b.iter_custom(|iterations| {
            let started = std::time::Instant::now();
            let other = thread::spawn(move || {
                let secret: *const paraph_webhook_secret = std::ptr::without_provenance(shared);
                for _ in 0..iterations {
                    assert_eq!(
                        verify_through_the_abi(black_box(secret)),
                        paraph_result::PARAPH_OK
                    );
                }
            });
            for _ in 0..iterations {
                assert_eq!(
                    verify_through_the_abi(black_box(secret)),
                    paraph_result::PARAPH_OK
                );
            }
            other.join().expect("join");
            // Per call, both threads' calls counted.
            started.elapsed() / 2
        })
    });
    group.finish();
    paraph_webhook_secret_free(secret);
}

fn handle_lookup(c: &mut Criterion) {
    // paraph_bytes_len does nothing but find its handle.
    let secret = secret_handle();
    let mut text: *mut paraph_bytes = std::ptr::null_mut();
    // SAFETY: the out-pointer is live for the call.
    let result = unsafe { paraph_ffi::paraph_webhook_secret_expose(secret, &mut text) };
    assert_eq!(result, paraph_result::PARAPH_OK);
    c.bench_function("handle_lookup/paraph_bytes_len", |b| {
        b.iter(|| paraph_bytes_len(black_box(text)))
    });
    paraph_bytes_free(text);
    paraph_webhook_secret_free(secret);
}

const CONTEXT: &str = r#"{"now":"2026-11-23T09:00:00Z","actor":{"type":"apiKey","id":"key_1"}}"#;
const ADD_RECIPIENT: &str =
    r#"{"type":"addRecipient","id":"alice","name":"Alice Martin","email":"alice@example.com"}"#;

fn envelope_apply(c: &mut Criterion) {
    let context: Context = serde_json::from_str(CONTEXT).expect("context");
    let create: Command =
        serde_json::from_str(r#"{"type":"create","id":"env_1","subject":"Contract"}"#)
            .expect("command");
    let Command::Create(params) = create else {
        unreachable!("a create command")
    };
    let draft = envelope::create(params, &context)
        .expect("created")
        .envelope;
    let state = serde_json::to_string(&draft).expect("state");

    let mut group = c.benchmark_group("envelope_apply_add_recipient");
    group.bench_function("core_values", |b| {
        let command: Command = serde_json::from_str(ADD_RECIPIENT).expect("command");
        b.iter(|| envelope::apply(black_box(&draft), command.clone(), &context))
    });
    group.bench_function("core_with_json", |b| {
        b.iter(|| {
            let state = Envelope::from_json(black_box(&state)).expect("state");
            let command: Command = serde_json::from_str(ADD_RECIPIENT).expect("command");
            let context: Context = serde_json::from_str(CONTEXT).expect("context");
            let transition = envelope::apply(&state, command, &context).expect("applied");
            (
                serde_json::to_vec(&transition.envelope).expect("json"),
                serde_json::to_vec(&transition.events).expect("json"),
            )
        })
    });
    group.bench_function("c_abi", |b| {
        b.iter(|| {
            let (mut new_state, mut events) = (std::ptr::null_mut(), std::ptr::null_mut());
            // SAFETY: every buffer and out-pointer is live for the call.
            let result = unsafe {
                paraph_envelope_apply(
                    state.as_ptr().cast(),
                    state.len(),
                    ADD_RECIPIENT.as_ptr().cast(),
                    ADD_RECIPIENT.len(),
                    CONTEXT.as_ptr().cast(),
                    CONTEXT.len(),
                    &mut new_state,
                    &mut events,
                )
            };
            assert_eq!(result, paraph_result::PARAPH_OK);
            paraph_bytes_free(new_state);
            paraph_bytes_free(events);
        })
    });
    group.finish();
}

criterion_group!(benches, webhook, handle_lookup, envelope_apply);
criterion_main!(benches);
