//! [`paraph_bytes`]: a byte buffer owned by the library, given to C.

use zeroize::Zeroize;

use crate::boundary::run_or;
use crate::handle::{self, Opaque};

/// A byte buffer made by paraph (JSON, a signature header value, later a
/// PDF). Read it with `paraph_bytes_data` and `paraph_bytes_len`; release
/// it with `paraph_bytes_free`.
///
/// The data is always followed by one NUL byte that `paraph_bytes_len`
/// does not count, so that text (JSON, header values) can be passed to C
/// string functions as it is. Binary data may itself contain NUL bytes:
/// use the length.
#[derive(Debug)]
pub struct paraph_bytes {
    _private: [u8; 0],
}

/// What a [`paraph_bytes`] handle holds.
pub(crate) struct Bytes {
    /// The data and one trailing NUL.
    buf: Vec<u8>,
    /// Wiped when freed (an exposed secret).
    sensitive: bool,
}

impl Opaque for paraph_bytes {
    type Inner = Bytes;
    const C_NAME: &'static str = "paraph_bytes";
}

impl Bytes {
    fn data(&self) -> &[u8] {
        &self.buf[..self.buf.len() - 1]
    }
}

impl Drop for Bytes {
    fn drop(&mut self) {
        if self.sensitive {
            self.buf.zeroize();
        }
    }
}

/// A new handle owning `data`.
pub(crate) fn new(data: Vec<u8>) -> *mut paraph_bytes {
    with_nul(data, false)
}

/// A new handle owning `data`, which is wiped when the handle is freed.
pub(crate) fn new_sensitive(data: Vec<u8>) -> *mut paraph_bytes {
    with_nul(data, true)
}

fn with_nul(mut buf: Vec<u8>, sensitive: bool) -> *mut paraph_bytes {
    if sensitive && buf.capacity() == buf.len() {
        // Growing would copy the secret and free the old copy unwiped.
        let mut grown = Vec::with_capacity(buf.len() + 1);
        grown.extend_from_slice(&buf);
        buf.zeroize();
        buf = grown;
    }
    buf.push(0);
    handle::register::<paraph_bytes>(Bytes { buf, sensitive })
}

/// The first byte of `bytes`' data; valid until `bytes` is freed, and
/// followed by a NUL byte after `paraph_bytes_len(bytes)` bytes. Never NULL
/// for a live handle, even when the length is 0.
///
/// Returns NULL when `bytes` is NULL or not a live `paraph_bytes`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_bytes_data(bytes: *const paraph_bytes) -> *const u8 {
    run_or("paraph_bytes_data", std::ptr::null(), || {
        match handle::get(bytes, "bytes") {
            // The table keeps the buffer alive until `paraph_bytes_free`,
            // and a buffer never moves: the pointer stays valid after this
            // reference is dropped.
            Ok(value) => value.data().as_ptr(),
            Err(_) => std::ptr::null(),
        }
    })
}

/// The number of bytes of `bytes`' data, not counting the trailing NUL.
///
/// Returns 0 when `bytes` is NULL or not a live `paraph_bytes`.
#[unsafe(no_mangle)]
pub extern "C" fn paraph_bytes_len(bytes: *const paraph_bytes) -> usize {
    run_or("paraph_bytes_len", 0, || {
        handle::get(bytes, "bytes").map_or(0, |value| value.data().len())
    })
}

/// Frees `bytes`. Accepts NULL; does nothing for a handle that is not a live
/// `paraph_bytes` (already freed, or of another type).
#[unsafe(no_mangle)]
pub extern "C" fn paraph_bytes_free(bytes: *mut paraph_bytes) {
    run_or("paraph_bytes_free", (), || handle::release(bytes));
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The bytes behind a handle, as C reads them.
    pub(crate) fn read(bytes: *const paraph_bytes) -> Vec<u8> {
        let data = paraph_bytes_data(bytes);
        let len = paraph_bytes_len(bytes);
        assert!(!data.is_null());
        // SAFETY: a live handle's data has `len` bytes and a NUL after them,
        // valid until it is freed, which happens after this copy.
        let with_nul = unsafe { std::slice::from_raw_parts(data, len + 1) };
        assert_eq!(with_nul[len], 0, "the data is followed by NUL");
        with_nul[..len].to_vec()
    }

    #[test]
    fn data_is_followed_by_a_nul_not_counted_in_the_length() {
        let bytes = new(b"{\"a\":1}".to_vec());
        assert_eq!(paraph_bytes_len(bytes), 7);
        assert_eq!(read(bytes), b"{\"a\":1}");
        paraph_bytes_free(bytes);
        assert_eq!(paraph_bytes_len(bytes), 0);
        assert!(paraph_bytes_data(bytes).is_null());
    }

    #[test]
    fn empty_data_has_a_pointer_and_sensitive_data_reads_the_same() {
        let empty = new(Vec::new());
        assert_eq!(read(empty), b"");
        paraph_bytes_free(empty);
        let secret = new_sensitive(b"whsec_abc".to_vec());
        assert_eq!(read(secret), b"whsec_abc");
        paraph_bytes_free(secret);
    }

    #[test]
    fn null_is_accepted_everywhere() {
        assert!(paraph_bytes_data(std::ptr::null()).is_null());
        assert_eq!(paraph_bytes_len(std::ptr::null()), 0);
        paraph_bytes_free(std::ptr::null_mut());
    }
}
