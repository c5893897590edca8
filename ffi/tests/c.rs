//! The C programs of `tests/c/`, compiled against the library this run
//! built and run, linked shared and static; and the header compiled alone
//! as C11 and C++17. `tests/valgrind.rs` runs the same programs under
//! valgrind (`--features test-hooks`, as `scripts/test-ffi` does).
#![cfg(target_os = "linux")]

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};

use common::{Linkage, build, run};

fn shared_and_static(source: &str) {
    for linkage in [Linkage::Shared, Linkage::Static] {
        run(&build(source, linkage), &[]);
    }
}

#[test]
fn error_codes_match_the_vectors_and_the_last_error_works() {
    shared_and_static("test_errors.c");
}

#[test]
fn webhooks_sign_and_verify_the_vectors_and_refuse_bad_input() {
    shared_and_static("test_webhook.c");
}

#[test]
fn envelopes_apply_and_replay_and_refuse_bad_input() {
    shared_and_static("test_envelope.c");
}

#[test]
fn documents_open_list_and_add_fields_and_refuse_bad_input() {
    shared_and_static("test_document.c");
}

#[test]
fn signing_verifying_two_phases_and_callbacks_from_c() {
    shared_and_static("test_sign.c");
}

#[test]
fn a_two_signer_workflow_from_c_completes_and_refuses_bad_steps() {
    shared_and_static("test_workflow.c");
}

/// The workflow's final document and audit trail, made by the C program,
/// pass qpdf, pdfsig and pyHanko (`tests/tools/validate_pdf.sh`): two
/// signatures in the contract, one per signer certificate, trusted from
/// the test PKI's RSA root; the sealed audit trail too (the platform's
/// seal is issued under it).
#[test]
#[ignore = "needs qpdf, poppler and pyHanko ($PYTHON): run by scripts/test-ffi"]
fn the_workflow_output_of_c_passes_the_validators() {
    run(&build("test_workflow.c", Linkage::Shared), &[]);
    let out = common::out_dir();
    let fixtures = common::fixtures_dir();
    let validator = common::crate_dir().join("../tests/tools/validate_pdf.sh");
    for (file, root, count) in [
        ("workflow-contract.pdf", "certs/rsa/root.pem", "2"),
        ("workflow-audit-trail.pdf", "certs/rsa/root.pem", "1"),
    ] {
        let mut command = Command::new("bash");
        command
            .arg(&validator)
            .arg(out.join(file))
            .arg(fixtures.join(root))
            .arg(count);
        // scripts/test names the interpreter that has pyHanko PARAPH_PYTHON;
        // validate_pdf.sh reads PYTHON.
        if std::env::var_os("PYTHON").is_none()
            && let Some(python) = std::env::var_os("PARAPH_PYTHON")
        {
            command.env("PYTHON", python);
        }
        let output = command.output().expect("run validate_pdf.sh");
        let stdout = String::from_utf8_lossy(&output.stdout);
        print!("{file}:\n{stdout}");
        let last = stdout.lines().last().unwrap_or_default();
        assert!(
            output.status.success() && last.ends_with(" 0 failed") && !last.starts_with("0 passed"),
            "{file} does not pass the validators:\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn handles_and_last_errors_are_safe_across_threads() {
    shared_and_static("test_threads.c");
}

#[test]
fn the_header_works_from_cxx() {
    shared_and_static("test_cxx.cpp");
}

#[cfg(feature = "test-hooks")]
#[test]
fn a_panic_inside_an_entry_point_is_a_result_not_an_abort() {
    shared_and_static("test_panic.c");
}

/// The header on its own (no other include first), in each language, with
/// and without the test hooks.
#[test]
fn the_header_compiles_alone_as_c11_and_cxx17() {
    let include = format!("-I{}", common::crate_dir().join("include").display());
    let languages = [
        (common::cc(), "c", common::C_FLAGS),
        (common::cxx(), "c++", common::CXX_FLAGS),
    ];
    for (compiler, language, flags) in languages {
        for defines in [&[][..], &["-DPARAPH_TEST_HOOKS"][..]] {
            let mut child = Command::new(&compiler)
                .args(flags)
                .args(defines)
                .args([&include, "-fsyntax-only", "-x", language, "-"])
                .stdin(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"#include \"paraph.h\"\nint main(void) { return PARAPH_OK; }\n")
                .expect("write the program");
            let output = child.wait_with_output().expect("wait for the compiler");
            assert!(
                output.status.success(),
                "paraph.h does not compile as {language} {defines:?}:\n{}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
    }
}

/// Every `PARAPH_E_` constant of the header is a code of the vectors with
/// the same number, and the other way round (the C program checks one
/// direction by compiling; this one also catches a constant too many).
#[test]
fn the_header_constants_are_exactly_the_vector_codes() {
    let header = std::fs::read_to_string(common::crate_dir().join("include/paraph.h"))
        .expect("read paraph.h");
    let mut in_header: Vec<(String, u64)> = header
        .lines()
        .filter_map(|line| {
            let (name, number) = line.trim().strip_prefix("PARAPH_E_")?.split_once(" = ")?;
            Some((name.to_owned(), number.trim_end_matches(',').parse().ok()?))
        })
        .collect();
    let vectors: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::crate_dir().join("../fixtures/vectors/error_codes.json"))
            .expect("read the vectors"),
    )
    .expect("parse the vectors");
    let mut in_vectors: Vec<(String, u64)> = vectors["codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|code| {
            let name = code["name"].as_str().expect("a name").to_owned();
            (name, code["code"].as_u64().expect("a number"))
        })
        .collect();
    in_header.sort();
    in_vectors.sort();
    assert!(in_vectors.len() > 90);
    assert_eq!(
        in_header, in_vectors,
        "include/paraph.h and fixtures/vectors/error_codes.json disagree: regenerate the header"
    );
    assert!(header.contains("  PARAPH_OK = 0,"));
}
