//! File and terminal I/O for the CLI, with every failure as a typed error.

use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use paraph::{Error, ErrorCode};
use serde::Serialize;

/// Reads a whole file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::new(ErrorCode::Io, format!("cannot read standard input: {e}")))?;
        Ok(bytes)
    } else {
        std::fs::read(path).map_err(|e| {
            Error::new(
                ErrorCode::Io,
                format!("cannot read {}: {e}", path.display()),
            )
        })
    }
}

/// Reads standard input whole.
pub fn read_stdin() -> Result<Vec<u8>, Error> {
    read_input(Path::new("-"))
}

/// Reads a file as UTF-8 text.
pub fn read_text(path: &Path) -> Result<String, Error> {
    String::from_utf8(read_input(path)?).map_err(|_| {
        Error::new(
            ErrorCode::MalformedJson,
            format!("{} is not UTF-8 text", path.display()),
        )
    })
}

/// Parses JSON, naming the file in the error.
pub fn parse_json<T: serde::de::DeserializeOwned>(path: &Path, text: &str) -> Result<T, Error> {
    serde_json::from_str(text)
        .map_err(|e| Error::new(ErrorCode::MalformedJson, format!("{}: {e}", path.display())))
}

/// Prints a value as pretty JSON on standard output.
pub fn print_json<T: Serialize>(value: &T) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(value)
        .map_err(|e| Error::new(ErrorCode::Internal, format!("cannot render JSON: {e}")))?;
    text.push('\n');
    print(&text)
}

/// Writes text to standard output. A reader that went away (`| head`) ends
/// the program quietly, as other command-line tools do.
pub fn print(text: &str) -> Result<(), Error> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => std::process::exit(0),
        Err(e) => Err(Error::new(
            ErrorCode::Io,
            format!("cannot write standard output: {e}"),
        )),
    }
}

/// Writes a file atomically: to a temporary file beside it, then renamed,
/// so that a failure never leaves a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic_parts(path, &[bytes])
}

/// [`write_atomic`] of several byte slices one after the other (an original
/// PDF and its update), without joining them in memory first.
pub fn write_atomic_parts(path: &Path, parts: &[&[u8]]) -> Result<(), Error> {
    let io_error = |what: &str, e: std::io::Error| {
        Error::new(
            ErrorCode::Io,
            format!("cannot {what} {}: {e}", path.display()),
        )
    };
    let file_name = path.file_name().ok_or_else(|| {
        Error::new(
            ErrorCode::Io,
            format!("{} is not a file path", path.display()),
        )
    })?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(format!(".{}.tmp", std::process::id()));
    let temp = path.with_file_name(temp_name);
    let result = std::fs::File::create(&temp)
        .and_then(|mut file| {
            for part in parts {
                file.write_all(part)?;
            }
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&temp, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(io_error("write", e));
    }
    Ok(())
}

/// Parses an RFC 3339 time (`2026-11-23T09:00:00Z`).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{text:?} is not an RFC 3339 time such as 2026-11-23T09:00:00Z: {e}"))
}
