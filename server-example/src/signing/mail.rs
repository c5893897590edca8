//! Invitations and reminders by email, with lettre: through SMTP when
//! configured (`--smtp-url`), otherwise as `.eml` files in the outbox
//! folder. Envelopes of test keys never reach SMTP (the sandbox: nothing
//! leaves the machine). Subject and body in the envelope's language
//! (English, French, Korean; others read English).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::file::AsyncFileTransport;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use paraph::envelope::{Envelope, Recipient};

use crate::error::AppError;

/// Where mail goes.
#[derive(Clone)]
pub struct Mailer {
    from: Mailbox,
    outbox: Option<PathBuf>,
    smtp: Option<AsyncSmtpTransport<Tokio1Executor>>,
    /// Whether the outbox folder is known to exist (saves a file-system
    /// round trip per message; forgotten when a write fails).
    outbox_made: Arc<AtomicBool>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("outbox", &self.outbox)
            .field("smtp", &self.smtp.is_some())
            .finish()
    }
}

/// What a message is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The first message: it is their turn.
    Invitation,
    /// A reminder.
    Reminder,
}

impl Mailer {
    /// A mailer writing `.eml` files to `outbox` and, when `smtp_url` is
    /// given (`smtps://user:pass@host`, `smtp://host:587?tls=required`),
    /// sending live envelopes' mail through it.
    pub fn new(
        from: &str,
        outbox: Option<PathBuf>,
        smtp_url: Option<&str>,
    ) -> Result<Self, AppError> {
        let from: Mailbox = from
            .parse()
            .map_err(|e| AppError::invalid(format!("mail sender {from:?}: {e}")))?;
        let smtp = smtp_url
            .map(|url| {
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map(|b| b.build())
                    .map_err(|e| AppError::invalid(format!("SMTP URL: {e}")))
            })
            .transpose()?;
        Ok(Self {
            from,
            outbox,
            smtp,
            outbox_made: Arc::new(AtomicBool::new(false)),
        })
    }

    /// Sends a recipient their link. Sandbox (`livemode` false) mail goes
    /// to the outbox only.
    pub async fn send_link(
        &self,
        livemode: bool,
        envelope: &Envelope,
        recipient: &Recipient,
        url: &str,
        kind: Kind,
    ) -> Result<(), AppError> {
        let Some(email) = recipient.email.as_deref() else {
            return Ok(());
        };
        let to: Mailbox = format!("{} <{email}>", quoted(&recipient.name))
            .parse()
            .or_else(|_| email.parse())
            .map_err(|e| AppError::invalid(format!("recipient email {email:?}: {e}")))?;
        let (subject, body) = text(&envelope.locale, kind, envelope, recipient, url);
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| AppError::internal(paraph::ErrorCode::Internal, e))?;
        match (&self.smtp, livemode) {
            (Some(smtp), true) => {
                smtp.send(message)
                    .await
                    .map_err(|e| AppError::internal(paraph::ErrorCode::Io, e))?;
            }
            _ => {
                let Some(dir) = &self.outbox else {
                    return Ok(());
                };
                if !self.outbox_made.load(Ordering::Relaxed) {
                    tokio::fs::create_dir_all(dir)
                        .await
                        .map_err(|e| AppError::internal(paraph::ErrorCode::Io, e))?;
                    self.outbox_made.store(true, Ordering::Relaxed);
                }
                if let Err(e) = AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await
                {
                    self.outbox_made.store(false, Ordering::Relaxed);
                    return Err(AppError::internal(paraph::ErrorCode::Io, e));
                }
            }
        }
        Ok(())
    }
}

/// A display name safe inside a mailbox.
fn quoted(name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '"' | '\\' | '\r' | '\n'))
        .collect();
    format!("\"{clean}\"")
}

/// The subject and body, in the envelope's language.
pub fn text(
    locale: &str,
    kind: Kind,
    envelope: &Envelope,
    recipient: &Recipient,
    url: &str,
) -> (String, String) {
    let subject = &envelope.subject;
    let name = &recipient.name;
    let message = envelope
        .message
        .as_deref()
        .map(|m| format!("\n\n{m}"))
        .unwrap_or_default();
    let acts = recipient.role.must_act();
    match (locale.split(['-', '_']).next().unwrap_or("en"), kind) {
        ("fr", Kind::Invitation) => (
            format!(
                "Document à {} : {subject}",
                if acts { "signer" } else { "consulter" }
            ),
            format!(
                "Bonjour {name},\n\nVous êtes invité(e) à {} « {subject} ».{message}\n\nOuvrir : {url}\n\nCe lien vous est personnel : ne le transférez pas.",
                if acts { "signer" } else { "consulter" }
            ),
        ),
        ("fr", Kind::Reminder) => (
            format!("Rappel : {subject}"),
            format!(
                "Bonjour {name},\n\n« {subject} » attend toujours votre signature.{message}\n\nOuvrir : {url}"
            ),
        ),
        ("ko", Kind::Invitation) => (
            format!("{} 요청: {subject}", if acts { "서명" } else { "열람" }),
            format!(
                "{name}님, 안녕하세요.\n\n「{subject}」 문서의 {} 요청이 도착했습니다.{message}\n\n열기: {url}\n\n이 링크는 본인 전용입니다. 다른 사람에게 전달하지 마세요.",
                if acts { "서명" } else { "열람" }
            ),
        ),
        ("ko", Kind::Reminder) => (
            format!("알림: {subject}"),
            format!(
                "{name}님, 「{subject}」 문서가 아직 서명을 기다리고 있습니다.{message}\n\n열기: {url}"
            ),
        ),
        (_, Kind::Invitation) => (
            format!("Please {}: {subject}", if acts { "sign" } else { "review" }),
            format!(
                "Hello {name},\n\nYou are invited to {} \"{subject}\".{message}\n\nOpen: {url}\n\nThis link is yours alone: do not forward it.",
                if acts { "sign" } else { "review" }
            ),
        ),
        (_, Kind::Reminder) => (
            format!("Reminder: {subject}"),
            format!(
                "Hello {name},\n\n\"{subject}\" is still waiting for your signature.{message}\n\nOpen: {url}"
            ),
        ),
    }
}
