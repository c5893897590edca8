//! # paraph
//!
//! An embeddable e-signature engine, as pure functions: no I/O, no clock, no
//! randomness of its own. Time, ids and keys are passed in, so every result
//! can be reproduced and tested.
//!
//! - [`envelope`]: the envelope state machine (documents, recipients,
//!   fields, routing, the lifecycle from draft to completed) as
//!   `apply(state, command) -> (state, events)`, with event-sourced replay.
//! - [`pdf`]: reading PDFs under limits, form fields, stamps, incremental
//!   updates.
//! - [`pades`]: PAdES signatures (in one call, or in two phases for HSMs
//!   and cloud KMS), time-stamps, and their verification.
//! - [`audit`]: the hash-chained evidence log, the sealed audit-trail PDF
//!   (PDF/A-3, English, French, Korean) and their verification.
//! - [`webhook`]: signing and verifying webhook deliveries (Standard
//!   Webhooks, and a plain hex HMAC header), and the event payloads.
//! - [`geometry`] and [`image`]: small leaves shared by the envelope and
//!   the PDF engine (where a field goes on a page; which PNGs are drawable).
//! - [`Error`] and [`ErrorCode`]: one error type with stable codes shared by
//!   every language binding.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod audit;
pub mod digest;
pub mod envelope;
mod error;
pub mod geometry;
pub mod image;
pub mod pades;
pub mod pdf;
mod serde_util;
pub mod webhook;
pub mod workflow;

pub use error::{
    Error, ErrorCode, ErrorCodeEntry, ErrorCodeTable, ErrorFamily, RETIRED_CODES, Result,
    RetiredCode, RetiredCodeEntry,
};

/// The README's examples, run as doctests so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
