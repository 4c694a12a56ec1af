//! Email: composing messages, the transport (SMTP or a local folder) and the outbox worker.

pub mod history;
pub mod templates;
pub mod worker;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use lettre::message::header::ContentType;
use lettre::message::{Attachment as LettreAttachment, Mailbox, MultiPart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::models::outbox::OutboxEmail;

/// Where emails go.
#[derive(Clone)]
pub enum Mailer {
    /// A real SMTP server (production, and the tests' local SMTP server).
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder, for a local run without any mail server.
    Folder(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

/// An SMTP exchange that takes longer than this is abandoned and retried later
/// (lettre's default is 60 s; SECURITY.md L-07).
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

impl Mailer {
    /// SMTP when `smtp_url` is set, otherwise the folder.
    pub fn new(smtp_url: Option<&str>, folder: PathBuf) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .context("SMTP_URL is not a valid smtp:// or smtps:// URL")?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build();
                Ok(Self::Smtp(transport))
            }
            None => {
                std::fs::create_dir_all(&folder).with_context(|| {
                    format!("Failed to create the mail folder {}", folder.display())
                })?;
                Ok(Self::Folder(
                    AsyncFileTransport::<Tokio1Executor>::new(&folder),
                    folder,
                ))
            }
        }
    }

    /// Sends one queued email.
    pub async fn send(&self, from: &Mailbox, email: &OutboxEmail) -> anyhow::Result<()> {
        let message = Message::builder()
            .from(from.clone())
            .to(email
                .to_address
                .parse()
                .context("Invalid recipient address")?)
            .subject(&email.subject);
        let bodies =
            MultiPart::alternative_plain_html(email.text_body.clone(), email.html_body.clone());
        let message = match (&email.attachment_name, &email.attachment) {
            (Some(name), Some(content)) => {
                let pdf = ContentType::parse("application/pdf").context("PDF content type")?;
                message.multipart(
                    MultiPart::mixed()
                        .multipart(bodies)
                        .singlepart(LettreAttachment::new(name.clone()).body(content.clone(), pdf)),
                )
            }
            _ => message.multipart(bodies),
        }
        .context("Failed to build the email")?;
        match self {
            Self::Smtp(transport) => {
                transport
                    .send(message)
                    .await
                    .context("SMTP delivery failed")?;
            }
            Self::Folder(transport, folder) => {
                let id = transport
                    .send(message)
                    .await
                    .context("Failed to write the email file")?;
                // In a local run nobody has a mailbox: show where the message and its
                // links are, so a new user can follow them.
                let links: Vec<&str> = email
                    .text_body
                    .split_whitespace()
                    .filter(|w| w.starts_with("http"))
                    .collect();
                tracing::info!(
                    to = %email.to_address,
                    subject = %email.subject,
                    file = %folder.join(format!("{id}.eml")).display(),
                    links = ?links,
                    "email written to the local mail folder"
                );
            }
        }
        Ok(())
    }
}
