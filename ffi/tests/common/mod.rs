//! Building and running the C programs of `tests/c/` against the library
//! cargo built for this test run, shared or static.
//!
//! The programs read the shared vectors through headers generated here from
//! `fixtures/vectors/*.json` (C has no JSON parser to lean on):
//! `error_vectors.h` names each code's `PARAPH_E_` constant, so a code the
//! header lacks fails to compile.
//!
//! Compilers: `$CC` (default `cc`) and `$CXX` (default `c++`), with
//! `-Wall -Wextra -Werror -pedantic`.

#![allow(dead_code, clippy::unwrap_used)] // each test target uses part of this

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use serde_json::Value;

/// The crate's directory (`ffi/`).
pub fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Where cargo put this run's `libparaph_ffi.so` and `libparaph_ffi.a` (the
/// library `cargo xtask install-c` installs as libparaph): next to the
/// test executable (`target/<profile>/deps`), since test builds are not
/// copied up to `target/<profile>`.
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    exe.parent()
        .expect("the test executable's directory")
        .to_owned()
}

/// The repository's `fixtures/`.
pub fn fixtures_dir() -> PathBuf {
    crate_dir()
        .join("../fixtures")
        .canonicalize()
        .expect("the fixtures directory")
}

/// Where the C programs of this test executable write their outputs
/// (`PARAPH_OUT_DIR`).
pub fn out_dir() -> PathBuf {
    work_dir()
}

/// A directory of our own for this test executable's builds.
fn work_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test executable's path");
    let name = exe
        .file_stem()
        .expect("a file name")
        .to_string_lossy()
        .into_owned();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("paraph-ffi-c")
        .join(name);
    std::fs::create_dir_all(&dir).expect("create the work directory");
    dir
}

/// How a program links the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// `-lparaph_ffi`, found at run time through an rpath.
    Shared,
    /// `libparaph_ffi.a` and the system libraries Rust's std needs.
    Static,
}

/// What rustc reports (`--print native-static-libs`) for a static library
/// on Linux with glibc: Rust's std needs these, and paraph adds none.
const NATIVE_STATIC_LIBS: &[&str] = &[
    "-lgcc_s",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

pub const C_FLAGS: &[&str] = &[
    "-std=c11",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-g",
    "-O0",
];
pub const CXX_FLAGS: &[&str] = &[
    "-std=c++17",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-pedantic",
    "-g",
    "-O0",
];

pub fn cc() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_owned())
}

pub fn cxx() -> String {
    std::env::var("CXX").unwrap_or_else(|_| "c++".to_owned())
}

/// `-I` flags: the header, the generated vectors, the test helpers.
fn include_flags() -> Vec<String> {
    let mut flags = vec![
        format!("-I{}", crate_dir().join("include").display()),
        format!("-I{}", vectors_dir().display()),
        format!("-I{}", crate_dir().join("tests/c").display()),
    ];
    if cfg!(feature = "test-hooks") {
        flags.push("-DPARAPH_TEST_HOOKS".to_owned());
    }
    flags
}

/// Compiles `tests/c/<source>` (C, or C++ for `.cpp`) and links it.
pub fn build(source: &str, linkage: Linkage) -> PathBuf {
    let path = crate_dir().join("tests/c").join(source);
    let is_cxx = source.ends_with(".cpp");
    let stem = Path::new(source)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let suffix = match linkage {
        Linkage::Shared => "shared",
        Linkage::Static => "static",
    };
    let binary = work_dir().join(format!("{stem}-{suffix}"));
    let lib_dir = lib_dir();
    let mut command = Command::new(if is_cxx { cxx() } else { cc() });
    command
        .args(if is_cxx { CXX_FLAGS } else { C_FLAGS })
        .args(include_flags())
        .arg("-pthread")
        .arg("-o")
        .arg(&binary)
        .arg(&path);
    match linkage {
        Linkage::Shared => {
            command
                .arg(format!("-L{}", lib_dir.display()))
                .arg("-lparaph_ffi")
                .arg(format!("-Wl,-rpath,{}", lib_dir.display()));
        }
        Linkage::Static => {
            command
                .arg(lib_dir.join("libparaph_ffi.a"))
                .args(NATIVE_STATIC_LIBS);
        }
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run the compiler for {source}: {e}"));
    assert!(
        output.status.success(),
        "compiling {source} ({suffix}) failed:\n{:?}\n{}{}",
        command,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    binary
}

/// Runs `binary` (under `wrapper`, e.g. valgrind, when given) and fails
/// the test with its output unless it exits with 0.
pub fn run(binary: &Path, wrapper: &[&str]) -> Output {
    let mut command = match wrapper.split_first() {
        Some((program, args)) => {
            let mut command = Command::new(program);
            command.args(args).arg(binary);
            command
        }
        None => Command::new(binary),
    };
    // cargo points LD_LIBRARY_PATH at target/<profile>, which may hold a
    // `libparaph_ffi.so` from an earlier `cargo build` with other features, and
    // the loader searches it before the program's runpath: load exactly the
    // library this run built.
    let output = command
        .env_remove("LD_LIBRARY_PATH")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display()));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{} failed ({}):\n{stdout}{stderr}",
        binary.display(),
        output.status
    );
    print!("{stdout}");
    output
}

/// The directory of the generated vector headers, written once per run.
fn vectors_dir() -> PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = work_dir().join("vectors");
        std::fs::create_dir_all(&dir).expect("create the vectors directory");
        let fixtures = crate_dir().join("../fixtures/vectors");
        let read = |name: &str| -> Value {
            let text = std::fs::read_to_string(fixtures.join(name)).expect("read a vector file");
            serde_json::from_str(&text).expect("parse a vector file")
        };
        write_if_changed(
            &dir.join("error_vectors.h"),
            &error_vectors(&read("error_codes.json")),
        );
        write_if_changed(
            &dir.join("paths.h"),
            &format!(
                "/* Generated by ffi/tests/common/mod.rs. */\n#define PARAPH_FIXTURES {}\n#define PARAPH_OUT_DIR {}\n",
                c_literal(fixtures_dir().to_string_lossy().as_bytes()),
                c_literal(work_dir().to_string_lossy().as_bytes()),
            ),
        );
        write_if_changed(
            &dir.join("webhook_vectors.h"),
            &webhook_vectors(&read("webhooks.json")),
        );
        dir
    })
    .clone()
}

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).expect("write a generated header");
    }
}

/// A C string literal for `bytes`: printable ASCII as is, everything else
/// (and `"`, `\`, `?` against trigraphs) as three-digit octal escapes, which
/// cannot run into the next character as hex escapes would.
pub fn c_literal(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &byte in bytes {
        if (0x20..0x7f).contains(&byte) && !matches!(byte, b'"' | b'\\' | b'?') {
            out.push(byte as char);
        } else {
            let _ = write!(out, "\\{byte:03o}");
        }
    }
    out.push('"');
    out
}

fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("vector field {key} is not a string: {value}"))
}

fn error_vectors(table: &Value) -> String {
    let mut out = String::from(
        "/* Generated by ffi/tests/common/mod.rs from fixtures/vectors/error_codes.json. */\n\
         #include <stddef.h>\n#include <stdint.h>\n#include \"paraph.h\"\n\n\
         struct error_vector {\n  const char *name;\n  uint32_t code;\n  paraph_result constant;\n  \
         const char *family;\n  uint16_t http_status;\n  const char *message;\n};\n\n\
         static const struct error_vector ERROR_VECTORS[] = {\n",
    );
    let codes = table["codes"].as_array().expect("codes");
    for code in codes {
        let name = text(code, "name");
        let _ = writeln!(
            out,
            "  {{{}, {}, PARAPH_E_{name}, {}, {}, {}}},",
            c_literal(name.as_bytes()),
            code["code"].as_u64().expect("a numeric code"),
            c_literal(text(code, "family").as_bytes()),
            code["httpStatus"].as_u64().expect("a numeric status"),
            c_literal(text(code, "message").as_bytes()),
        );
    }
    let _ = writeln!(
        out,
        "}};\nstatic const size_t ERROR_VECTORS_LEN = {};\n",
        codes.len()
    );
    let retired = table["retired"].as_array().expect("retired");
    // C has no empty arrays: a 0 entry ends the list and is never counted.
    out.push_str("static const uint32_t RETIRED_VECTORS[] = {");
    for code in retired {
        let _ = write!(out, "{}, ", code["code"].as_u64().expect("a numeric code"));
    }
    let _ = writeln!(
        out,
        "0}};\nstatic const size_t RETIRED_VECTORS_LEN = {};",
        retired.len()
    );
    out
}

fn webhook_vectors(vectors: &Value) -> String {
    let mut out = String::from(
        "/* Generated by ffi/tests/common/mod.rs from fixtures/vectors/webhooks.json. */\n\
         #include <stddef.h>\n#include <stdint.h>\n#include \"paraph.h\"\n\n\
         struct sign_vector {\n  const char *name;\n  const char *secrets[4];\n  size_t secrets_len;\n  \
         const char *msg_id;\n  int64_t timestamp;\n  const char *payload;\n  size_t payload_len;\n  \
         const char *signature;\n};\n\n\
         struct verify_vector {\n  const char *name;\n  const char *secret;\n  const char *msg_id;\n  \
         const char *timestamp;\n  int64_t now;\n  const char *payload;\n  size_t payload_len;\n  \
         const char *signature;\n  paraph_result expect;\n};\n\n\
         struct hex_vector {\n  const char *secret;\n  size_t secret_len;\n  const char *payload;\n  \
         size_t payload_len;\n  const char *signature;\n};\n\n\
         static const struct sign_vector SIGN_VECTORS[] = {\n",
    );
    let sign = vectors["standardSign"].as_array().expect("standardSign");
    for v in sign {
        let secrets: Vec<&str> = match v.get("secrets") {
            Some(list) => list
                .as_array()
                .expect("secrets")
                .iter()
                .map(|s| s.as_str().expect("a secret"))
                .collect(),
            None => vec![text(v, "secret")],
        };
        assert!(secrets.len() <= 4, "at most 4 secrets per sign vector");
        let payload = text(v, "payload");
        let literals: Vec<String> = secrets.iter().map(|s| c_literal(s.as_bytes())).collect();
        let _ = writeln!(
            out,
            "  {{{}, {{{}}}, {}, {}, INT64_C({}), {}, {}, {}}},",
            c_literal(text(v, "name").as_bytes()),
            literals.join(", "),
            secrets.len(),
            c_literal(text(v, "msgId").as_bytes()),
            v["timestamp"].as_i64().expect("a numeric timestamp"),
            c_literal(payload.as_bytes()),
            payload.len(),
            c_literal(text(v, "signature").as_bytes()),
        );
    }
    let _ = writeln!(
        out,
        "}};\nstatic const size_t SIGN_VECTORS_LEN = {};\n\nstatic const struct verify_vector VERIFY_VECTORS[] = {{",
        sign.len()
    );
    let verify = vectors["standardVerify"]
        .as_array()
        .expect("standardVerify");
    for v in verify {
        let payload = text(v, "payload");
        let expect = match text(v, "expect") {
            "OK" => "PARAPH_OK".to_owned(),
            name => format!("PARAPH_E_{name}"),
        };
        let _ = writeln!(
            out,
            "  {{{}, {}, {}, {}, INT64_C({}), {}, {}, {}, {expect}}},",
            c_literal(text(v, "name").as_bytes()),
            c_literal(text(v, "secret").as_bytes()),
            c_literal(text(v, "msgId").as_bytes()),
            c_literal(text(v, "timestamp").as_bytes()),
            v["now"].as_i64().expect("a numeric now"),
            c_literal(payload.as_bytes()),
            payload.len(),
            c_literal(text(v, "signature").as_bytes()),
        );
    }
    let _ = writeln!(
        out,
        "}};\nstatic const size_t VERIFY_VECTORS_LEN = {};\n\nstatic const struct hex_vector HEX_VECTORS[] = {{",
        verify.len()
    );
    let hex = vectors["hex"].as_array().expect("hex");
    for v in hex {
        let (secret, payload) = (text(v, "secret"), text(v, "payload"));
        let _ = writeln!(
            out,
            "  {{{}, {}, {}, {}, {}}},",
            c_literal(secret.as_bytes()),
            secret.len(),
            c_literal(payload.as_bytes()),
            payload.len(),
            c_literal(text(v, "signature").as_bytes()),
        );
    }
    let _ = writeln!(
        out,
        "}};\nstatic const size_t HEX_VECTORS_LEN = {};",
        hex.len()
    );
    out
}
