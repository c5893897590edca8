//! File and terminal I/O for the CLI, with every failure as a typed error.

use std::io::{Read, Write};
use std::path::Path;

use chrono::{DateTime, Utc};
use paraph::{Error, ErrorCode};
use serde::Serialize;

/// Most bytes read from any input that is not a PDF (JSON, keys,
/// certificates, images, webhook payloads): as much as a PDF may weigh.
pub const MAX_INPUT_SIZE: usize = paraph::pdf::DEFAULT_MAX_FILE_SIZE;

/// Reads a PDF, or standard input for `-`, refusing with `PDF_TOO_LARGE`
/// anything over `limit` bytes without reading more than `limit + 1`.
pub fn read_pdf(path: &Path, limit: usize) -> Result<Vec<u8>, Error> {
    read_bounded(path, limit, ErrorCode::PdfTooLarge)
}

/// Reads a whole file, or standard input for `-`, up to [`MAX_INPUT_SIZE`]
/// (`PAYLOAD_TOO_LARGE` beyond it).
pub fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    read_bounded(path, MAX_INPUT_SIZE, ErrorCode::PayloadTooLarge)
}

/// Reads at most `limit + 1` bytes, whatever the input is: a regular file
/// (refused from its size before reading), or a FIFO, a device such as
/// `/dev/zero` or standard input, which have no size to ask.
fn read_bounded(path: &Path, limit: usize, too_large: ErrorCode) -> Result<Vec<u8>, Error> {
    let name = if path.as_os_str() == "-" {
        "standard input".to_owned()
    } else {
        path.display().to_string()
    };
    let io_error =
        |e: std::io::Error| Error::new(ErrorCode::Io, format!("cannot read {name}: {e}"));
    let refuse = || {
        Error::new(
            too_large,
            format!("{name} is larger than the limit of {limit} bytes"),
        )
    };
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).map_err(io_error)?;
        let metadata = file.metadata().map_err(io_error)?;
        if metadata.is_dir() {
            return Err(Error::new(
                ErrorCode::Io,
                format!("cannot read {name}: it is a directory"),
            ));
        }
        if metadata.is_file() && metadata.len() > limit as u64 {
            return Err(refuse());
        }
        Box::new(file)
    };
    let mut bytes = Vec::new();
    reader
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() > limit {
        return Err(refuse());
    }
    Ok(bytes)
}

/// Reads standard input, up to [`MAX_INPUT_SIZE`].
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

/// Writes a file atomically: to a new temporary file beside it, then
/// renamed, so that a failure never leaves a half-written file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    write_atomic_parts(path, &[bytes])
}

/// [`write_atomic`] of several byte slices one after the other (an original
/// PDF and its update), without joining them in memory first.
///
/// The temporary file gets an unpredictable name and is created with
/// `O_CREAT | O_EXCL` (the `tempfile` crate), so a link planted beside the
/// output is never followed. An existing output keeps its permissions; one
/// that is a symbolic link, a FIFO or a device is refused rather than
/// replaced, since renaming over it would silently change what the path is.
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
    let existing = match std::fs::symlink_metadata(path) {
        Ok(metadata) => Some(metadata),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io_error("inspect", e)),
    };
    if let Some(metadata) = &existing {
        let kind = metadata.file_type();
        let refused = if kind.is_symlink() {
            Some("a symbolic link")
        } else if kind.is_dir() {
            Some("a directory")
        } else if !kind.is_file() {
            Some("not a regular file (a FIFO, socket or device)")
        } else {
            None
        };
        if let Some(what) = refused {
            return Err(Error::new(
                ErrorCode::Io,
                format!(
                    "{} is {what}; refusing to replace it (remove it first, or write elsewhere)",
                    path.display()
                ),
            ));
        }
    }
    let directory = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(file_name);
    prefix.push(".");
    let mut temp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .tempfile_in(directory)
        .map_err(|e| io_error("create a temporary file for", e))?;
    let written = parts
        .iter()
        .try_for_each(|part| temp.as_file_mut().write_all(part))
        .and_then(|()| match &existing {
            Some(metadata) => temp.as_file().set_permissions(metadata.permissions()),
            None => Ok(()),
        })
        .and_then(|()| temp.as_file().sync_all());
    // On error the temporary file is removed when `temp` drops.
    written.map_err(|e| io_error("write", e))?;
    temp.persist(path).map_err(|e| io_error("write", e.error))?;
    Ok(())
}

/// Parses an RFC 3339 time (`2026-11-23T09:00:00Z`).
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{text:?} is not an RFC 3339 time such as 2026-11-23T09:00:00Z: {e}"))
}
