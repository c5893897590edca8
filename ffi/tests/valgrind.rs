//! The C programs of `tests/c/` under valgrind: no invalid read or write,
//! no use of uninitialised memory, no leak (`--leak-check=full`; definite,
//! indirect and possible leaks are errors). Built only with
//! `--features test-hooks` (`scripts/test-ffi`), which also covers the
//! panic test, and needs valgrind installed.
#![cfg(target_os = "linux")]

mod common;

use common::{Linkage, build, run};

const VALGRIND: &[&str] = &[
    "valgrind",
    "--error-exitcode=1",
    "--leak-check=full",
    "--errors-for-leak-kinds=definite,indirect,possible",
    "--show-leak-kinds=definite,indirect,possible",
    "--track-origins=yes",
    "--quiet",
];

fn under_valgrind(source: &str) {
    let output = run(&build(source, Linkage::Shared), VALGRIND);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("ERROR SUMMARY") || stderr.contains("ERROR SUMMARY: 0 errors"),
        "{stderr}"
    );
}

#[test]
fn errors_under_valgrind() {
    under_valgrind("test_errors.c");
}

#[test]
fn webhooks_under_valgrind() {
    under_valgrind("test_webhook.c");
}

#[test]
fn envelopes_under_valgrind() {
    under_valgrind("test_envelope.c");
}

#[test]
fn documents_under_valgrind() {
    under_valgrind("test_document.c");
}

#[test]
fn signing_under_valgrind() {
    under_valgrind("test_sign.c");
}

#[test]
fn workflow_under_valgrind() {
    under_valgrind("test_workflow.c");
}

#[test]
fn threads_under_valgrind() {
    under_valgrind("test_threads.c");
}

#[test]
fn cxx_under_valgrind() {
    under_valgrind("test_cxx.cpp");
}

#[test]
fn panic_under_valgrind() {
    under_valgrind("test_panic.c");
}
