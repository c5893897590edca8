//! One-time codes by SMS, through a provider trait. The default provider
//! appends each message to `sms.jsonl` in the outbox folder (nothing
//! leaves the machine); a real one (an SMS gateway's HTTP API) implements
//! [`SmsProvider`].

use std::path::PathBuf;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
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
