//! The `paraph` binary, driven as users drive it.
#![forbid(unsafe_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

fn paraph(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paraph"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("paraph starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("writes stdin");
    child.wait_with_output().expect("paraph runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("utf8 stdout")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("utf8 stderr")
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("paraph-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Self(dir)
    }

    fn write(&self, name: &str, value: &Value) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, value.to_string()).expect("write");
        path.to_string_lossy().into_owned()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn apply(dir: &TempDir, state: Option<&Value>, command: Value, extra: &[&str]) -> Output {
    let command_path = dir.write("command.json", &command);
    let state_path = state.map(|s| dir.write("state.json", s));
    let mut args = vec!["envelope", "apply"];
    if let Some(p) = &state_path {
        args.push(p);
    }
    args.push(&command_path);
    args.extend_from_slice(&["--now", "2026-11-23T09:00:00Z"]);
    args.extend_from_slice(extra);
    paraph(&args, b"")
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["envelope", "--help"],
        vec!["envelope", "apply", "--help"],
        vec!["envelope", "replay", "--help"],
        vec!["webhook", "--help"],
        vec!["webhook", "sign", "--help"],
        vec!["webhook", "verify", "--help"],
        vec!["webhook", "new-secret", "--help"],
        vec!["demo", "--help"],
        vec!["errors", "--help"],
        vec!["ltv", "--help"],
        vec!["ltv", "needs", "--help"],
        vec!["ltv", "add", "--help"],
    ] {
        let out = paraph(&args, b"");
        assert!(out.status.success(), "{args:?}");
        assert!(stdout(&out).contains("Usage: paraph"), "{args:?}");
    }
}

#[test]
fn apply_creates_and_edits_an_envelope() {
    let dir = TempDir::new("apply");
    let out = apply(
        &dir,
        None,
        json!({"type": "create", "id": "env_1", "subject": "Contract"}),
        &["--actor", "apiKey:key_1", "--ip", "198.51.100.4"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let created: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(created["envelope"]["status"], "DRAFT");
    assert_eq!(created["events"][0]["type"], "envelope.created");
    assert_eq!(created["events"][0]["actor"]["id"], "key_1");
    assert_eq!(created["events"][0]["ip"], "198.51.100.4");

    let out = apply(
        &dir,
        Some(&created["envelope"]),
        json!({"type": "addDocument", "id": "doc_1", "name": "c.pdf", "pageCount": 2, "sha256": "ab".repeat(32)}),
        &["--actor", "apiKey:key_1"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let added: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(added["envelope"]["documents"][0]["pageCount"], 2);
    assert_eq!(added["envelope"]["version"], 2);
}

#[test]
fn a_dash_state_means_no_envelope() {
    let dir = TempDir::new("dash");
    let command = dir.write(
        "create.json",
        &json!({"type": "create", "id": "env_1", "subject": "S"}),
    );
    let out = paraph(
        &[
            "envelope",
            "apply",
            "-",
            &command,
            "--now",
            "2026-11-23T09:00:00Z",
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn errors_print_code_and_message_and_exit_1() {
    let dir = TempDir::new("errors");
    let out = apply(&dir, None, json!({"type": "send"}), &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error[ENVELOPE_NOT_FOUND]: "),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());

    let out = apply(&dir, None, json!({"type": "send"}), &["--json"]);
    assert_eq!(out.status.code(), Some(1));
    let body: Value = serde_json::from_str(stderr(&out).trim()).expect("json error");
    assert_eq!(body["error"]["code"], "ENVELOPE_NOT_FOUND");
    assert!(
        body["error"]["message"]
            .as_str()
            .expect("message")
            .contains("send")
    );
}

#[test]
fn malformed_input_and_missing_files_are_typed_errors() {
    let dir = TempDir::new("bad");
    let bad = dir.0.join("bad.json");
    std::fs::write(&bad, "{\"type\": \"create\", ").expect("write");
    let out = paraph(
        &[
            "envelope",
            "apply",
            bad.to_str().expect("path"),
            "--now",
            "2026-11-23T09:00:00Z",
        ],
        b"",
    );
    assert!(
        stderr(&out).starts_with("error[MALFORMED_JSON]"),
        "{}",
        stderr(&out)
    );

    let good = dir.write("send.json", &json!({"type": "send"}));
    let out = paraph(
        &[
            "envelope",
            "apply",
            "/nonexistent/state.json",
            &good,
            "--now",
            "2026-11-23T09:00:00Z",
        ],
        b"",
    );
    assert!(
        stderr(&out).starts_with("error[IO_ERROR]"),
        "{}",
        stderr(&out)
    );

    let state = json!({"schemaVersion": 99});
    let out = apply(&dir, Some(&state), json!({"type": "send"}), &[]);
    assert!(
        stderr(&out).starts_with("error[UNSUPPORTED_SCHEMA_VERSION]"),
        "{}",
        stderr(&out)
    );

    let out = paraph(&["envelope", "apply", &good, "--now", "yesterday"], b"");
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
}

#[test]
fn recipients_need_their_own_actor() {
    let dir = TempDir::new("actor");
    let out = apply(
        &dir,
        None,
        json!({"type": "create", "id": "env_1", "subject": "S"}),
        &["--actor", "recipient:alice"],
    );
    assert!(
        stderr(&out).starts_with("error[ACTOR_NOT_ALLOWED]"),
        "{}",
        stderr(&out)
    );
    let out = apply(
        &dir,
        None,
        json!({"type": "create", "id": "env_1", "subject": "S"}),
        &["--actor", "boss"],
    );
    assert_eq!(out.status.code(), Some(2));
}

const VECTOR_A_SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const VECTOR_A_PAYLOAD: &[u8] = br#"{"test": 2432232314}"#;
const VECTOR_A_SIGNATURE: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

#[test]
fn webhook_sign_reproduces_the_specification_vector() {
    let out = paraph(
        &[
            "webhook",
            "sign",
            "--secret",
            VECTOR_A_SECRET,
            "--id",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "--timestamp",
            "1614265330",
        ],
        VECTOR_A_PAYLOAD,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        format!(
            "webhook-id: msg_p5jXN8AQM9LWM0D4loKWxJek\nwebhook-timestamp: 1614265330\nwebhook-signature: {VECTOR_A_SIGNATURE}\n"
        )
    );
    let out = paraph(
        &[
            "webhook",
            "sign",
            "--secret",
            VECTOR_A_SECRET,
            "--secret",
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "--id",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            "--timestamp",
            "1614265330",
            "--json-headers",
        ],
        VECTOR_A_PAYLOAD,
    );
    let headers: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let signature = headers["webhook-signature"].as_str().expect("signature");
    assert!(
        signature.starts_with(&format!("{VECTOR_A_SIGNATURE} v1,")),
        "{signature}"
    );
}

#[test]
fn webhook_verify_accepts_valid_and_refuses_tampered_or_stale() {
    let verify = |payload: &[u8], now: &str| {
        paraph(
            &[
                "webhook",
                "verify",
                "--secret",
                VECTOR_A_SECRET,
                "--id",
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                "--timestamp",
                "1614265330",
                "--signature",
                VECTOR_A_SIGNATURE,
                "--now",
                now,
            ],
            payload,
        )
    };
    let out = verify(VECTOR_A_PAYLOAD, "2021-02-25T15:02:10Z");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "valid\n");
    let out = verify(br#"{"test": 2432232315}"#, "2021-02-25T15:02:10Z");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("error[WEBHOOK_SIGNATURE_MISMATCH]"));
    let out = verify(VECTOR_A_PAYLOAD, "2021-02-25T16:00:00Z");
    assert!(stderr(&out).starts_with("error[WEBHOOK_TIMESTAMP_TOO_OLD]"));
}

#[test]
fn webhook_hex_scheme_round_trips() {
    let out = paraph(
        &[
            "webhook",
            "sign",
            "--scheme",
            "hex",
            "--secret",
            "s3cr3t",
            "--header",
            "X-Certyneo-Signature",
        ],
        b"{}",
    );
    let line = stdout(&out);
    let signature = line
        .strip_prefix("X-Certyneo-Signature: ")
        .expect("header line")
        .trim()
        .to_owned();
    assert_eq!(signature.len(), 64);
    let out = paraph(
        &[
            "webhook",
            "verify",
            "--scheme",
            "hex",
            "--secret",
            "s3cr3t",
            "--signature",
            &signature,
        ],
        b"{}",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = paraph(
        &[
            "webhook",
            "verify",
            "--scheme",
            "hex",
            "--secret",
            "other",
            "--signature",
            &signature,
        ],
        b"{}",
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn new_secrets_are_random_and_usable() {
    let a = stdout(&paraph(&["webhook", "new-secret"], b""));
    let b = stdout(&paraph(&["webhook", "new-secret"], b""));
    assert!(a.starts_with("whsec_") && b.starts_with("whsec_"));
    assert_ne!(a, b);
    let out = paraph(
        &[
            "webhook",
            "sign",
            "--secret",
            a.trim(),
            "--id",
            "m1",
            "--timestamp",
            "1",
        ],
        b"x",
    );
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn demo_completes_and_its_history_replays_to_its_envelope() {
    let dir = TempDir::new("demo");
    let out_dir = dir.path("out");
    let out = paraph(
        &[
            "demo",
            "--out",
            out_dir.to_str().expect("path"),
            "--now",
            "2026-11-23T09:00:00Z",
            "--secret",
            VECTOR_A_SECRET,
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("envelope.completed"));
    assert!(text.contains("Final status: COMPLETED"));

    let envelope: Value = read_json(&out_dir.join("envelope.json"));
    assert_eq!(envelope["status"], "COMPLETED");
    let replayed = paraph(
        &[
            "envelope",
            "replay",
            out_dir.join("events.json").to_str().expect("path"),
        ],
        b"",
    );
    assert!(replayed.status.success(), "{}", stderr(&replayed));
    let replayed: Value = serde_json::from_str(&stdout(&replayed)).expect("json");
    assert_eq!(replayed, envelope);

    let deliveries: Value = read_json(&out_dir.join("webhooks.json"));
    let deliveries = deliveries.as_array().expect("array");
    assert!(deliveries.len() >= 8);
    for delivery in deliveries {
        let headers = &delivery["headers"];
        let out = paraph(
            &[
                "webhook",
                "verify",
                "--secret",
                VECTOR_A_SECRET,
                "--id",
                headers["webhook-id"].as_str().expect("id"),
                "--timestamp",
                headers["webhook-timestamp"].as_str().expect("ts"),
                "--signature",
                headers["webhook-signature"].as_str().expect("sig"),
                "--tolerance",
                "100000000",
            ],
            delivery["body"].as_str().expect("body").as_bytes(),
        );
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let first: Value =
        serde_json::from_str(deliveries[0]["body"].as_str().expect("body")).expect("json");
    assert_eq!(first["type"], "envelope.created");
    assert_eq!(
        first["data"]["status"], "DRAFT",
        "bodies describe the envelope at their event"
    );
}

#[test]
fn errors_command_prints_the_committed_table() {
    let out = paraph(&["errors"], b"");
    let printed: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let committed = read_json(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/vectors/error_codes.json"),
    );
    assert_eq!(printed, committed);
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json")
}

fn repo(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
        .to_string_lossy()
        .into_owned()
}

#[test]
fn sign_then_verify_round_trips_and_reports_trust() {
    let dir = TempDir::new("sign");
    let out = dir.path("signed.pdf");
    let signed = paraph(
        &[
            "sign",
            &repo("fixtures/pdf/reportlab-contract.pdf"),
            "-o",
            out.to_str().expect("path"),
            "--p12",
            &repo("fixtures/certs/rsa/signer.p12"),
            "--password",
            "test",
            "--page",
            "1",
            "--rect",
            "72,300,200,60",
            "--name",
            "Marie Dubois",
            "--reason",
            "I agree",
            "--time",
            "2026-11-23T10:00:00Z",
        ],
        b"",
    );
    assert!(signed.status.success(), "{}", stderr(&signed));
    assert!(stdout(&signed).contains("Alice Signer RSA"));

    let trusted = paraph(
        &[
            "verify",
            out.to_str().expect("path"),
            "--trust",
            &repo("fixtures/certs/rsa/root.pem"),
        ],
        b"",
    );
    assert!(
        trusted.status.success(),
        "{}{}",
        stdout(&trusted),
        stderr(&trusted)
    );
    assert!(stdout(&trusted).contains("integrity: intact"));
    assert!(stdout(&trusted).contains("chain:     trusted"));

    let rogue = paraph(
        &[
            "verify",
            out.to_str().expect("path"),
            "--trust",
            &repo("fixtures/certs/rogue/root.pem"),
        ],
        b"",
    );
    assert_eq!(rogue.status.code(), Some(1));
    assert!(stdout(&rogue).contains("UNTRUSTED"));
    assert!(
        stderr(&rogue).starts_with("error[CERT_UNTRUSTED]"),
        "{}",
        stderr(&rogue)
    );

    let json = paraph(&["verify", out.to_str().expect("path"), "--json"], b"");
    assert!(json.status.success());
    let report: Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(report["signatures"][0]["digestValid"], true);
    assert_eq!(report["signatures"][0]["coverage"]["kind"], "wholeFile");
    assert_eq!(
        report["signatures"][0]["signingTime"],
        "2026-11-23T10:00:00Z"
    );

    let fields = paraph(&["fields", out.to_str().expect("path"), "--json"], b"");
    let listed: Value = serde_json::from_str(&stdout(&fields)).expect("json");
    assert_eq!(listed["pages"].as_array().expect("pages").len(), 2);
    assert_eq!(listed["fields"][0]["type"], "SIGNATURE");
    assert_eq!(listed["fields"][0]["signed"], true);
    assert_eq!(listed["fields"][0]["widgets"][0]["rect"]["x"], 72.0);
}

#[test]
fn a_tampered_file_fails_verification() {
    let dir = TempDir::new("tamper");
    let out = dir.path("signed.pdf");
    let signed = paraph(
        &[
            "sign",
            &repo("fixtures/pdf/reportlab-contract.pdf"),
            "-o",
            out.to_str().expect("path"),
            "--key",
            &repo("fixtures/certs/ec/signer.key"),
            "--cert",
            &repo("fixtures/certs/ec/signer.pem"),
            "--chain",
            &repo("fixtures/certs/ec/chain.pem"),
        ],
        b"",
    );
    assert!(signed.status.success(), "{}", stderr(&signed));
    let mut bytes = std::fs::read(&out).expect("read");
    let at = bytes.windows(9).position(|w| w == b"Employ").unwrap_or(200);
    bytes[at] ^= 1;
    std::fs::write(&out, &bytes).expect("write");
    let verified = paraph(&["verify", out.to_str().expect("path")], b"");
    assert_eq!(verified.status.code(), Some(1));
    assert!(stdout(&verified).contains("BROKEN"));
    assert!(stderr(&verified).starts_with("error[SIGNATURE_INVALID]"));
    let unsigned = paraph(
        &["verify", &repo("fixtures/pdf/reportlab-contract.pdf")],
        b"",
    );
    assert!(stderr(&unsigned).starts_with("error[SIGNATURE_NOT_FOUND]"));
}

#[test]
#[ignore = "needs openssl: run by scripts/test"]
fn two_phase_signing_from_the_shell_with_openssl_as_the_kms() {
    let dir = TempDir::new("two-phase");
    for alg in ["rsa", "ec"] {
        let pending = dir.path(&format!("{alg}.pending.json"));
        let out = dir.path(&format!("{alg}.pdf"));
        let prepared = paraph(
            &[
                "sign",
                &repo("fixtures/pdf/reportlab-contract.pdf"),
                "--cert",
                &repo(&format!("fixtures/certs/{alg}/signer.pem")),
                "--chain",
                &repo(&format!("fixtures/certs/{alg}/chain.pem")),
                "--page",
                "1",
                "--rect",
                "72,300,200,60",
                "--time",
                "2026-11-23T10:00:00Z",
                "--prepare",
                pending.to_str().expect("path"),
            ],
            b"",
        );
        assert!(prepared.status.success(), "{}", stderr(&prepared));
        let digest = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD
                .decode(stdout(&prepared).trim())
                .expect("the digest is base64")
        };
        assert_eq!(digest.len(), 32);
        let digest_path = dir.path(&format!("{alg}.digest"));
        std::fs::write(&digest_path, &digest).expect("write");
        let value_path = dir.path(&format!("{alg}.sig"));
        let kms = Command::new("openssl")
            .args(["pkeyutl", "-sign", "-pkeyopt", "digest:sha256", "-inkey"])
            .arg(repo(&format!("fixtures/certs/{alg}/signer.key")))
            .arg("-in")
            .arg(&digest_path)
            .arg("-out")
            .arg(&value_path)
            .output()
            .expect("openssl runs");
        assert!(
            kms.status.success(),
            "{}",
            String::from_utf8_lossy(&kms.stderr)
        );
        let finished = paraph(
            &[
                "sign",
                "--finish",
                pending.to_str().expect("path"),
                "--signature",
                value_path.to_str().expect("path"),
                "-o",
                out.to_str().expect("path"),
            ],
            b"",
        );
        assert!(finished.status.success(), "{}", stderr(&finished));
        let verified = paraph(
            &[
                "verify",
                out.to_str().expect("path"),
                "--trust",
                &repo(&format!("fixtures/certs/{alg}/root.pem")),
            ],
            b"",
        );
        assert!(verified.status.success(), "{}", stdout(&verified));

        // A pending file tampered with is refused with a code, and no
        // output is written.
        let mut file: Value =
            serde_json::from_slice(&std::fs::read(&pending).expect("read")).expect("json");
        let digest_hex = file["pending"]["documentDigest"]
            .as_str()
            .expect("digest")
            .to_owned();
        file["pending"]["documentDigest"] = Value::String(digest_hex.replace('a', "b"));
        file["pending"]["byteRange"][3] = json!(1);
        let tampered = dir.write(&format!("{alg}.tampered.json"), &file);
        let never = dir.path(&format!("{alg}.never.pdf"));
        let refused = paraph(
            &[
                "sign",
                "--finish",
                &tampered,
                "--signature",
                value_path.to_str().expect("path"),
                "-o",
                never.to_str().expect("path"),
            ],
            b"",
        );
        assert_eq!(refused.status.code(), Some(1));
        assert!(
            stderr(&refused).starts_with("error[PENDING_SIGNATURE_INVALID]"),
            "{}",
            stderr(&refused)
        );
        assert!(!never.exists());
        // A value made by another key.
        let other = paraph(
            &[
                "sign",
                "--finish",
                pending.to_str().expect("path"),
                "--signature",
                &repo("fixtures/pdf/reportlab-contract.pdf"),
                "-o",
                never.to_str().expect("path"),
            ],
            b"",
        );
        assert_eq!(other.status.code(), Some(1));
        assert!(!never.exists());
    }
}

#[test]
fn signing_errors_are_typed_and_leave_no_file() {
    let dir = TempDir::new("sign-errors");
    let out = dir.path("never.pdf");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "--p12".into(),
                repo("fixtures/certs/rsa/signer.p12"),
                "--password".into(),
                "wrong".into(),
            ],
            "PKCS12_BAD_PASSWORD",
        ),
        (
            vec![
                "--p12".into(),
                repo("fixtures/certs/rsa/expired.p12"),
                "--password".into(),
                "test".into(),
            ],
            "CERT_EXPIRED",
        ),
        (
            vec![
                "--key".into(),
                repo("fixtures/certs/rsa/signer.key"),
                "--cert".into(),
                repo("fixtures/certs/rsa/signer2.pem"),
            ],
            "KEY_CERT_MISMATCH",
        ),
        (
            vec![
                "--p12".into(),
                repo("fixtures/certs/rsa/signer.p12"),
                "--password".into(),
                "test".into(),
                "--field".into(),
                "nope".into(),
            ],
            "PDF_FIELD_NOT_FOUND",
        ),
        (
            vec![
                "--p12".into(),
                repo("fixtures/certs/rsa/signer.p12"),
                "--password".into(),
                "test".into(),
                "--page".into(),
                "9".into(),
                "--rect".into(),
                "1,1,10,10".into(),
            ],
            "PDF_PAGE_NOT_FOUND",
        ),
    ];
    for (extra, code) in cases {
        let mut args = vec![
            "sign".to_owned(),
            repo("fixtures/pdf/reportlab-contract.pdf"),
            "-o".into(),
            out.to_string_lossy().into_owned(),
        ];
        args.extend(extra);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let result = paraph(&refs, b"");
        assert_eq!(result.status.code(), Some(1), "{code}");
        assert!(
            stderr(&result).starts_with(&format!("error[{code}]")),
            "{code}: {}",
            stderr(&result)
        );
        assert!(!out.exists(), "{code}: a file was written");
    }
    let encrypted = paraph(
        &[
            "sign",
            &repo("fixtures/pdf/encrypted-user-password.pdf"),
            "-o",
            out.to_str().expect("path"),
            "--p12",
            &repo("fixtures/certs/rsa/signer.p12"),
            "--password",
            "test",
        ],
        b"",
    );
    assert!(
        stderr(&encrypted).starts_with("error[PDF_ENCRYPTED]"),
        "{}",
        stderr(&encrypted)
    );
    // With its password, the same file is signed (the update encrypted like
    // the file) and verifies with it.
    let opened = paraph(
        &[
            "sign",
            &repo("fixtures/pdf/encrypted-user-password.pdf"),
            "-o",
            out.to_str().expect("path"),
            "--p12",
            &repo("fixtures/certs/rsa/signer.p12"),
            "--password",
            "test",
            "--pdf-password",
            "user-secret",
        ],
        b"",
    );
    assert!(opened.status.success(), "{}", stderr(&opened));
    let verified = paraph(
        &[
            "verify",
            out.to_str().expect("path"),
            "--trust",
            &repo("fixtures/certs/rsa/root.pem"),
            "--pdf-password",
            "user-secret",
        ],
        b"",
    );
    assert!(verified.status.success(), "{}", stderr(&verified));
    std::fs::remove_file(&out).expect("remove");
    let garbage = dir.path("garbage.pdf");
    std::fs::write(&garbage, b"%PDF-1.7 garbage").expect("write");
    let broken = paraph(&["fields", garbage.to_str().expect("path")], b"");
    assert!(
        stderr(&broken).starts_with("error[PDF_MALFORMED]"),
        "{}",
        stderr(&broken)
    );
}

#[test]
fn the_demo_writes_its_documents_signed_and_sealed() {
    // At the real time: `paraph verify` judges the signers' certificates
    // (valid for a year from their signing) now.
    let dir = TempDir::new("demo-pdf");
    let out_dir = dir.path("out");
    let out = paraph(&["demo", "--out", out_dir.to_str().expect("path")], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("contract-signed.pdf: 3 signature(s), intact; every signature trusted"),
        "{text}"
    );
    assert!(
        text.contains("annex-signed.pdf: 2 signature(s), intact; every signature trusted"),
        "{text}"
    );
    assert_eq!(
        text.matches("audit trail: seal intact and trusted").count(),
        2
    );
    let envelope: Value = read_json(&out_dir.join("envelope.json"));
    for (index, document, expected) in [
        (
            0,
            "contract",
            vec!["sig_marie", "sig_junho", "PlatformSeal"],
        ),
        (1, "annex", vec!["marie_annex", "sig_junho_annex"]),
    ] {
        let pdf = out_dir.join(format!("{document}-signed.pdf"));
        let verified = paraph(
            &[
                "verify",
                pdf.to_str().expect("path"),
                "--trust",
                &repo("fixtures/certs/rsa/root.pem"),
                "--json",
            ],
            b"",
        );
        assert!(verified.status.success(), "{}", stderr(&verified));
        let report: Value = serde_json::from_str(&stdout(&verified)).expect("json");
        let mut names: Vec<&str> = report["signatures"]
            .as_array()
            .expect("array")
            .iter()
            .map(|s| s["fieldName"].as_str().expect("name"))
            .collect();
        names.sort_unstable();
        let mut expected = expected;
        expected.sort_unstable();
        assert_eq!(names, expected, "{document}");
        // Each signer's own certificate, the platform's for the seal.
        for signature in report["signatures"].as_array().expect("array") {
            let name = signature["fieldName"].as_str().expect("name");
            let common_name = signature["signer"]["commonName"].as_str().expect("cn");
            let expected = match name {
                "sig_marie" | "marie_annex" => "Marie-Hélène Dupré",
                "sig_junho" | "sig_junho_annex" => "김준호 (Jun-ho Kim)",
                _ => "paraph Demo Platform Seal",
            };
            assert_eq!(common_name, expected, "{name}");
        }
        // The envelope recorded the final document's digest.
        let bytes = std::fs::read(&pdf).expect("read");
        let digest: String = <sha2::Sha256 as sha2::Digest>::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(envelope["documents"][index]["id"], document);
        assert_eq!(envelope["documents"][index]["finalSha256"], digest.as_str());
    }
}

#[test]
fn demo_assets_match_the_fixtures() {
    for (asset, fixture) in [
        (
            "cli/assets/demo-contract.pdf",
            "fixtures/pdf/libreoffice-contract-signing-page.pdf",
        ),
        (
            "cli/assets/demo-annex.pdf",
            "fixtures/pdf/reportlab-contract.pdf",
        ),
        (
            "cli/assets/demo-ca.key",
            "fixtures/certs/rsa/intermediate.key",
        ),
        (
            "cli/assets/demo-ca-chain.pem",
            "fixtures/certs/rsa/chain.pem",
        ),
        ("cli/assets/demo-seal.p12", "fixtures/certs/demo/seal.p12"),
        ("cli/assets/demo-root.pem", "fixtures/certs/rsa/root.pem"),
        (
            "cli/assets/demo-signature.png",
            "fixtures/images/signature.png",
        ),
    ] {
        assert_eq!(
            std::fs::read(repo(asset)).expect("asset"),
            std::fs::read(repo(fixture)).expect("fixture"),
            "{asset}"
        );
    }
}

#[test]
fn sign_draws_a_png_signature_and_refuses_a_broken_one() {
    let dir = TempDir::new("image");
    let out = dir.path("signed.pdf");
    let args = |image: &str| {
        vec![
            "sign".to_owned(),
            repo("fixtures/pdf/reportlab-contract.pdf"),
            "-o".into(),
            out.to_string_lossy().into_owned(),
            "--p12".into(),
            repo("fixtures/certs/rsa/signer.p12"),
            "--password".into(),
            "test".into(),
            "--anchor".into(),
            "Employer signature:".into(),
            "--size".into(),
            "180,60".into(),
            "--image".into(),
            image.to_owned(),
        ]
    };
    let ok = args(&repo("fixtures/images/signature.png"));
    let refs: Vec<&str> = ok.iter().map(String::as_str).collect();
    let signed = paraph(&refs, b"");
    assert!(signed.status.success(), "{}", stderr(&signed));
    let bytes = std::fs::read(&out).expect("read");
    assert!(
        bytes.windows(6).any(|w| w == b"/SMask"),
        "the drawn signature keeps its transparency"
    );
    std::fs::remove_file(&out).expect("remove");

    let broken = dir.path("broken.png");
    std::fs::write(&broken, b"\x89PNG\r\n\x1a\n broken").expect("write");
    let bad = args(broken.to_str().expect("path"));
    let refs: Vec<&str> = bad.iter().map(String::as_str).collect();
    let failed = paraph(&refs, b"");
    assert!(
        stderr(&failed).starts_with("error[PDF_IMAGE_INVALID]"),
        "{}",
        stderr(&failed)
    );
    assert!(!out.exists());
}

// ---- hostile inputs: bounded reads, outputs that are links, arguments ----

fn sign_args(input: &str, out: &Path) -> Vec<String> {
    vec![
        "sign".into(),
        input.into(),
        "-o".into(),
        out.to_string_lossy().into_owned(),
        "--p12".into(),
        repo("fixtures/certs/rsa/signer.p12"),
        "--password".into(),
        "test".into(),
        "--time".into(),
        "2026-11-23T10:00:00Z".into(),
    ]
}

fn paraph_owned(args: &[String], stdin: &[u8]) -> Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    paraph(&args, stdin)
}

#[test]
fn endless_inputs_are_cut_at_the_limit() {
    let dir = TempDir::new("endless");
    let out = dir.path("never.pdf");
    // A device with no end: refused after limit + 1 bytes, not read whole.
    let zero = paraph_owned(&sign_args("/dev/zero", &out), b"");
    assert_eq!(zero.status.code(), Some(1));
    assert!(
        stderr(&zero).starts_with("error[PDF_TOO_LARGE]"),
        "{}",
        stderr(&zero)
    );
    assert!(!out.exists());
    // Standard input larger than the limit (a webhook payload).
    let big = vec![b'x'; paraph::pdf::DEFAULT_MAX_FILE_SIZE + 10];
    let verify = paraph(
        &[
            "webhook",
            "verify",
            "--secret",
            VECTOR_A_SECRET,
            "--id",
            "msg_1",
            "--timestamp",
            "1",
            "--signature",
            "v1,x",
        ],
        &big,
    );
    assert_eq!(verify.status.code(), Some(1));
    assert!(
        stderr(&verify).starts_with("error[PAYLOAD_TOO_LARGE]"),
        "{}",
        stderr(&verify)
    );
    // A regular file over the limit is refused from its size.
    let large = dir.path("large.pdf");
    let file = std::fs::File::create(&large).expect("create");
    file.set_len(paraph::pdf::DEFAULT_MAX_FILE_SIZE as u64 + 1)
        .expect("sparse file");
    let refused = paraph_owned(&sign_args(large.to_str().expect("path"), &out), b"");
    assert!(
        stderr(&refused).starts_with("error[PDF_TOO_LARGE]"),
        "{}",
        stderr(&refused)
    );
}

#[cfg(unix)]
#[test]
fn outputs_never_follow_or_replace_links_and_keep_permissions() {
    use std::os::unix::fs::{PermissionsExt, symlink};
    let dir = TempDir::new("links");
    let input = repo("fixtures/pdf/reportlab-contract.pdf");
    let victim = dir.path("victim.txt");
    std::fs::write(&victim, b"precious").expect("victim");

    // The output is a symbolic link: refused, its target untouched.
    let link = dir.path("signed.pdf");
    symlink(&victim, &link).expect("symlink");
    let out = paraph_owned(&sign_args(&input, &link), b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&victim).expect("victim"), b"precious");

    // The old predictable temporary name, planted as a link: not followed.
    let real = dir.path("real.pdf");
    let planted = dir.path(&format!(".real.pdf.{}.tmp", std::process::id()));
    symlink(&victim, &planted).expect("symlink");
    let out = paraph_owned(&sign_args(&input, &real), b"");
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(std::fs::read(&victim).expect("victim"), b"precious");
    assert!(std::fs::read(&real).expect("signed").starts_with(b"%PDF-"));

    // Replacing an existing output keeps its permissions.
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let out = paraph_owned(&sign_args(&input, &real), b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let mode = std::fs::metadata(&real).expect("meta").permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // No temporary file is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp") && !n.contains(&std::process::id().to_string()))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn arguments_that_name_nothing_are_refused() {
    let dir = TempDir::new("args");
    let out = dir.path("never.pdf");
    let mut args = sign_args(&repo("fixtures/pdf/reportlab-contract.pdf"), &out);
    args.extend([
        "--anchor".into(),
        "Signature".into(),
        "--anchor-occurrence".into(),
        "0".into(),
    ]);
    let zero = paraph_owned(&args, b"");
    assert_eq!(zero.status.code(), Some(2), "{}", stderr(&zero));
    assert!(!out.exists());

    let negative = paraph(
        &[
            "webhook",
            "sign",
            "--secret",
            VECTOR_A_SECRET,
            "--id",
            "msg_1",
            "--timestamp",
            "-1",
        ],
        b"{}",
    );
    assert_eq!(negative.status.code(), Some(1));
    assert!(
        stderr(&negative).starts_with("error[WEBHOOK_INVALID_TIMESTAMP]"),
        "{}",
        stderr(&negative)
    );

    let missing = paraph(
        &[
            "webhook",
            "verify",
            "--secret",
            VECTOR_A_SECRET,
            "--id",
            "",
            "--timestamp",
            "1",
            "--signature",
            "v1,x",
        ],
        b"{}",
    );
    assert!(
        stderr(&missing).starts_with("error[WEBHOOK_MISSING_HEADER]"),
        "{}",
        stderr(&missing)
    );

    let bad_ip = apply(
        &dir,
        None,
        json!({"type": "create", "id": "env_1", "subject": "Contract"}),
        &["--ip", "not-an-ip"],
    );
    assert!(
        stderr(&bad_ip).starts_with("error[INVALID_ARGUMENT]"),
        "{}",
        stderr(&bad_ip)
    );
}

#[test]
fn audit_verify_without_trust_says_what_it_checked_and_fails() {
    let dir = TempDir::new("audit-trust");
    let out_dir = dir.path("out");
    let demo = paraph(&["demo", "--out", out_dir.to_str().expect("path")], b"");
    assert!(demo.status.success(), "{}", stderr(&demo));
    let trail = out_dir.join("audit-trail.pdf");
    let trail = trail.to_str().expect("path");

    let untrusted = paraph(&["audit", "verify", trail], b"");
    assert_eq!(untrusted.status.code(), Some(1));
    assert!(
        stdout(&untrusted).contains("trust was NOT checked"),
        "{}",
        stdout(&untrusted)
    );
    assert!(!stdout(&untrusted).contains("Everything holds"));
    assert!(
        stderr(&untrusted).starts_with("error[CERT_UNTRUSTED]"),
        "{}",
        stderr(&untrusted)
    );

    let integrity = paraph(&["audit", "verify", trail, "--no-trust-check"], b"");
    assert!(integrity.status.success(), "{}", stderr(&integrity));

    let trusted = paraph(
        &[
            "audit",
            "verify",
            trail,
            "--trust",
            &repo("cli/assets/demo-root.pem"),
        ],
        b"",
    );
    assert!(trusted.status.success(), "{}", stderr(&trusted));
    assert!(stdout(&trusted).contains("Everything holds"));

    let evidence = out_dir.join("evidence.json");
    let bare = paraph(&["audit", "verify", evidence.to_str().expect("path")], b"");
    assert_eq!(bare.status.code(), Some(1));
    assert!(
        stdout(&bare).contains("all a bare evidence file can prove"),
        "{}",
        stdout(&bare)
    );
    let bare = paraph(
        &[
            "audit",
            "verify",
            evidence.to_str().expect("path"),
            "--no-trust-check",
        ],
        b"",
    );
    assert!(bare.status.success(), "{}", stderr(&bare));
}

#[cfg(unix)]
#[test]
fn a_fifo_output_is_refused_not_replaced() {
    let dir = TempDir::new("fifo");
    let fifo = dir.path("out.pdf");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    let out = paraph_owned(
        &sign_args(&repo("fixtures/pdf/reportlab-contract.pdf"), &fifo),
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .expect("still there")
            .file_type()
            .is_fifo()
    );
}

#[test]
fn the_default_small_print_never_fails_on_a_field_name_from_the_pdf() {
    // An empty signature field whose name no bundled font can draw
    // (a private-use character), signed without --details.
    let pdf = paraph::pdf::testing::assemble(
        &[
            (1, b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>".to_vec()),
            (2, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_vec()),
            (3, b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots [4 0 R] >>".to_vec()),
            (
                4,
                b"<< /FT /Sig /T <FEFFE000E001> /Type /Annot /Subtype /Widget /Rect [72 72 272 132] /P 3 0 R >>"
                    .to_vec(),
            ),
        ],
        1,
    );
    let dir = TempDir::new("details");
    let input = dir.path("in.pdf");
    std::fs::write(&input, &pdf).expect("write");
    let out = dir.path("signed.pdf");
    let mut args = sign_args(input.to_str().expect("path"), &out);
    args.extend(["--field".into(), "\u{E000}\u{E001}".into()]);
    let signed = paraph_owned(&args, b"");
    assert!(signed.status.success(), "{}", stderr(&signed));
    assert!(std::fs::read(&out).expect("signed").len() > pdf.len());
}

#[test]
fn ltv_lists_what_is_missing_and_adds_it_from_files() {
    let dir = TempDir::new("ltv");
    let signed = dir.path("signed.pdf");
    let out = paraph_owned(
        &sign_args(&repo("fixtures/pdf/reportlab-contract.pdf"), &signed),
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let signed = signed.to_string_lossy().into_owned();

    let out = paraph(&["ltv", "needs", &signed, "--json"], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let needs: Value = serde_json::from_str(&stdout(&out)).expect("json");
    let needs = needs.as_array().expect("array");
    assert_eq!(needs.len(), 2);
    assert!(needs.iter().all(|n| n["covered"] == false));

    // --fetch with certificates that name no responder: nothing to fetch,
    // a typed error, no file.
    let fetched = dir.path("fetched.pdf");
    let out = paraph(
        &[
            "ltv",
            "add",
            &signed,
            "-o",
            &fetched.to_string_lossy(),
            "--fetch",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("INVALID_ARGUMENT") && stderr(&out).contains("name no OCSP"),
        "{}",
        stderr(&out)
    );
    assert!(!fetched.exists());
    // Nothing to add.
    let out = paraph(
        &["ltv", "add", &signed, "-o", &fetched.to_string_lossy()],
        b"",
    );
    assert!(
        stderr(&out).contains("INVALID_ARGUMENT"),
        "{}",
        stderr(&out)
    );

    let with_dss = dir.path("with-dss.pdf");
    let out = paraph(
        &[
            "ltv",
            "add",
            &signed,
            "-o",
            &with_dss.to_string_lossy(),
            "--cert",
            &repo("fixtures/certs/rsa/chain.pem"),
            "--ocsp",
            &repo("fixtures/certs/rsa/revocation/signer.ocsp"),
            "--crl",
            &repo("fixtures/certs/rsa/revocation/intermediate.crl"),
        ],
        b"",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = paraph(&["ltv", "needs", &with_dss.to_string_lossy()], b"");
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Alice Signer RSA (serial"), "{text}");
    assert!(text.contains("covered (OCSP and CRL)"), "{text}");
    assert!(
        text.contains("2 certificate(s), 1 without revocation data"),
        "{text}"
    );
    // The signature stays intact.
    let out = paraph(
        &[
            "verify",
            &with_dss.to_string_lossy(),
            "--trust",
            &repo("fixtures/certs/rsa/root.pem"),
        ],
        b"",
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));

    // A CRL given as an OCSP response is refused.
    let out = paraph(
        &[
            "ltv",
            "add",
            &signed,
            "-o",
            &fetched.to_string_lossy(),
            "--ocsp",
            &repo("fixtures/certs/rsa/revocation/intermediate.crl"),
        ],
        b"",
    );
    assert!(
        stderr(&out).contains("REVOCATION_DATA_INVALID"),
        "{}",
        stderr(&out)
    );
    assert!(!fetched.exists());
}

#[test]
fn levels_above_b_b_need_a_tsa_and_b_b_takes_none() {
    let dir = TempDir::new("levels");
    let out_path = dir.path("signed.pdf");
    let input = repo("fixtures/pdf/reportlab-contract.pdf");
    for (extra, needle) in [
        (vec!["--level", "B-LT"], "need a time-stamp authority"),
        (vec!["--level", "B-LTA"], "need a time-stamp authority"),
        (vec!["--level", "B-T"], "need a time-stamp authority"),
        (
            vec!["--level", "B-B", "--tsa", "http://127.0.0.1:9/"],
            "--level B-B",
        ),
    ] {
        let mut args = sign_args(&input, &out_path);
        args.extend(extra.iter().map(|s| s.to_string()));
        let out = paraph_owned(&args, b"");
        assert_eq!(out.status.code(), Some(1), "{extra:?}");
        let err = stderr(&out);
        assert!(
            err.contains("INVALID_ARGUMENT") && err.contains(needle),
            "{extra:?}: {err}"
        );
        assert!(!out_path.exists(), "{extra:?}: nothing written");
    }
    // An unknown level is a usage error.
    let mut args = sign_args(&input, &out_path);
    args.extend(["--level".to_string(), "B-X".to_string()]);
    assert_eq!(paraph_owned(&args, b"").status.code(), Some(2));
    // B-LTA through a TSA that is not there: its typed error, no file.
    let mut args = sign_args(&input, &out_path);
    args.extend(
        [
            "--level",
            "B-LTA",
            "--tsa",
            "http://127.0.0.1:9/",
            "--offline",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    let out = paraph_owned(&args, b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("TIMESTAMP_INVALID"),
        "{}",
        stderr(&out)
    );
    assert!(!out_path.exists());
}
