//! One-time codes by SMS, through a provider trait. The default provider
//! appends each message to `sms.jsonl` in the outbox folder (nothing
//! leaves the machine); a real one (an SMS gateway's HTTP API) implements
//! [`SmsProvider`].

use std::path::PathBuf;

use async_trait::async_trait;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use crate::error::AppError;

/// An SMS to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sms {
    /// The phone number (E.164).
    pub to: String,
    /// The text.
    pub body: String,
    /// The envelope it is about.
    pub envelope_id: String,
    /// The recipient.
    pub recipient_id: String,
}

/// Sends SMS.
#[async_trait]
pub trait SmsProvider: Send + Sync + std::fmt::Debug {
    /// Sends one message.
    async fn send(&self, sms: &Sms) -> Result<(), AppError>;
}

/// Appends messages as JSON lines to a file.
#[derive(Debug, Clone)]
pub struct FileOutbox {
    /// The file (`<outbox>/sms.jsonl`).
    pub path: PathBuf,
}

#[async_trait]
impl SmsProvider for FileOutbox {
    async fn send(&self, sms: &Sms) -> Result<(), AppError> {
        if let Some(dir) = self.path.parent() {
            tokio::fs::create_dir_all(dir).await.map_err(io_error)?;
        }
        let mut line = serde_json::to_vec(sms)
            .map_err(|e| AppError::internal(paraph::ErrorCode::Internal, e))?;
        line.push(b'\n');
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await
            .map_err(io_error)?;
        file.write_all(&line).await.map_err(io_error)?;
        // tokio's File finishes writes in the background unless flushed.
        file.flush().await.map_err(io_error)?;
        Ok(())
    }
}

/// Drops messages (no outbox configured).
#[derive(Debug, Clone, Copy)]
pub struct Discard;

#[async_trait]
impl SmsProvider for Discard {
    async fn send(&self, sms: &Sms) -> Result<(), AppError> {
        tracing::info!(envelope = %sms.envelope_id, recipient = %sms.recipient_id, "no SMS outbox: message dropped");
        Ok(())
    }
}

fn io_error(e: std::io::Error) -> AppError {
    AppError::internal(paraph::ErrorCode::Io, e)
}

/// The text of a code message, in the envelope's language.
pub fn code_text(locale: &str, code: &str, subject: &str) -> String {
    match locale.split(['-', '_']).next().unwrap_or("en") {
        "fr" => format!(
            "Votre code de signature pour « {subject} » : {code}. Ne le communiquez à personne."
        ),
        "ko" => format!("「{subject}」 서명 인증 코드: {code}. 다른 사람에게 알려 주지 마세요."),
        _ => format!("Your signing code for \"{subject}\": {code}. Do not share it."),
    }
}

/// A six-digit code, derived from the link secret, the envelope, the
/// recipient and a random nonce (HMAC-SHA256): the outbox row keeps the
/// nonce, the envelope the code's SHA-256, and neither is the code.
pub fn derive_code(
    secret: &[u8; 32],
    envelope_id: &str,
    recipient_id: &str,
    nonce: &str,
) -> String {
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"paraph-server/sms-code/v1\0");
    mac.update(envelope_id.as_bytes());
    mac.update(b"\0");
    mac.update(recipient_id.as_bytes());
    mac.update(b"\0");
    mac.update(nonce.as_bytes());
    let tag = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&tag[..8]);
    // 2^64 is not a multiple of 10^6, but the bias is below 10^-13.
    format!("{:06}", u64::from_be_bytes(first) % 1_000_000)
}

/// SHA-256 of a code, bound to its envelope and recipient.
pub fn code_sha256(envelope_id: &str, recipient_id: &str, code: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"paraph-server/sms-code/v1\0");
    hasher.update(envelope_id.as_bytes());
    hasher.update(b"\0");
    hasher.update(recipient_id.as_bytes());
    hasher.update(b"\0");
    hasher.update(code.as_bytes());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_depend_on_every_input() {
        let secret = [7u8; 32];
        let code = derive_code(&secret, "env_1", "rcp_1", "n1");
        assert_eq!(code.len(), 6);
        assert!(code.chars().all(|c| c.is_ascii_digit()));
        assert_eq!(code, derive_code(&secret, "env_1", "rcp_1", "n1"));
        let others = [
            derive_code(&[8u8; 32], "env_1", "rcp_1", "n1"),
            derive_code(&secret, "env_2", "rcp_1", "n1"),
            derive_code(&secret, "env_1", "rcp_2", "n1"),
            derive_code(&secret, "env_1", "rcp_1", "n2"),
        ];
        // Fixed inputs: each differs (checked once, the same every run).
        assert!(others.iter().all(|o| *o != code), "{code} {others:?}");
    }
}
