//! The audit-trail PDF: the evidence bundle laid out for people on A4 pages
//! (PDF/A-3u, which includes PDF/A-3b), with the bundle's JSON attached as
//! an associated file.

use chrono::{DateTime, Datelike, Timelike, Utc};
use krilla::configure::{Archival, ConfigurationBuilder};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::{Document, SerializeSettings};

use super::bundle::{EvidenceBundle, EvidenceMark, RecipientSummary};
use super::evidence::EvidenceRecord;
use super::i18n::{self, Label, Locale};
use super::layout::{
    ACCENT, BAND, Block, CONTENT_WIDTH, Fonts, INK, MARGIN, MUTED, Op, PAGE_HEIGHT, PAGE_WIDTH,
    Pages, RULE, STRIPE, Style,
};
use crate::digest::sha256_hex;
use crate::envelope::{
    AuthenticationMethod, EnvelopeStatus, RecipientRole, RecipientStatus, SignatureLevel,
};
use crate::error::{Error, ErrorCode, Result};

use super::verify::EVIDENCE_ATTACHMENT as EVIDENCE_FILE_NAME;

/// How to render the audit trail. JSON: `{"locale": "fr"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RenderOptions {
    /// The language of the labels (English by default).
    #[serde(default)]
    pub locale: Locale,
}

const BODY: Style = Style::new(8.6);
const LABEL: Style = Style::new(8.6).color(MUTED);
const SMALL: Style = Style::new(7.2);
const HEADING: Style = Style::new(12.5).bold().color(ACCENT);
const LABEL_WIDTH: f32 = 132.0;
const MARK_BOX: (f32, f32) = (150.0, 58.0);

/// Renders `bundle` as an audit-trail PDF. The bundle must verify
/// ([`EvidenceBundle::verify`]): a broken chain is `AUDIT_CHAIN_BROKEN`, an
/// inconsistent summary `AUDIT_EVIDENCE_INVALID`. The output depends only on
/// the bundle and the options: same input, same bytes.
pub fn render_audit_trail(bundle: &EvidenceBundle, options: &RenderOptions) -> Result<Vec<u8>> {
    let report = bundle.verify();
    if let Some(first) = &report.chain.first_break {
        return Err(Error::new(
            ErrorCode::AuditChainBroken,
            format!("the evidence chain is broken: {}", first.message),
        ));
    }
    if let Some(problem) = report.problems.first() {
        return Err(Error::new(ErrorCode::AuditEvidenceInvalid, problem.clone()));
    }
    let generated_at = parse_time(&bundle.generated_at)?;
    let fonts = Fonts::bundled()
        .ok_or_else(|| Error::new(ErrorCode::Internal, "the bundled fonts cannot be read"))?;
    let evidence_json = bundle.to_json();
    let mut composer = Composer {
        fonts: &fonts,
        locale: options.locale,
        pages: Pages::new(),
        images: Vec::new(),
    };
    composer.compose(bundle, &sha256_hex(&evidence_json))?;
    let Composer { pages, images, .. } = composer;
    write_pdf(
        bundle,
        options.locale,
        &fonts,
        pages,
        &images,
        evidence_json,
        generated_at,
    )
}

fn parse_time(text: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Error::new(
                ErrorCode::AuditEvidenceInvalid,
                format!("{text:?} is not an RFC 3339 time: {e}"),
            )
        })
}

/// `2026-11-23T09:00:00.000Z` as `2026-11-23 09:00:00.000 UTC`.
fn display_time(text: &str) -> String {
    match text.strip_suffix('Z') {
        Some(rest) => format!("{} UTC", rest.replacen('T', " ", 1)),
        None => text.replacen('T', " ", 1),
    }
}

struct Composer<'f> {
    fonts: &'f Fonts,
    locale: Locale,
    pages: Pages,
    images: Vec<krilla::image::Image>,
}

impl Composer<'_> {
    fn label(&self, label: Label) -> &'static str {
        i18n::label(self.locale, label)
    }

    fn compose(&mut self, bundle: &EvidenceBundle, evidence_sha256: &str) -> Result<()> {
        self.title(bundle);
        self.envelope(bundle);
        self.documents(bundle);
        self.recipients(bundle)?;
        self.events(bundle);
        self.integrity(bundle, evidence_sha256);
        self.legal(bundle);
        Ok(())
    }

    fn title(&mut self, bundle: &EvidenceBundle) {
        let mut block = Block::default();
        block.text(
            self.fonts,
            MARGIN,
            CONTENT_WIDTH,
            self.label(Label::Title),
            Style::new(21.0).bold().color(ACCENT),
        );
        block.gap(2.0);
        block.text(
            self.fonts,
            MARGIN,
            CONTENT_WIDTH,
            &bundle.envelope.subject,
            Style::new(13.0).bold(),
        );
        block.gap(1.0);
        block.text(
            self.fonts,
            MARGIN,
            CONTENT_WIDTH,
            &format!(
                "{} {} · {} {}",
                self.label(Label::Generated),
                display_time(&bundle.generated_at),
                self.label(Label::EnvelopeId),
                bundle.envelope.id
            ),
            LABEL,
        );
        block.gap(6.0);
        let y = block.height;
        block.ops.push(Op::Rule {
            x: MARGIN,
            y,
            w: CONTENT_WIDTH,
            width: 1.2,
            color: ACCENT,
        });
        block.gap(8.0);
        self.pages.place(block);
    }

    /// A section heading, kept on the page of what follows it.
    fn heading(&mut self, text: &str) {
        let mut block = Block::default();
        block.gap(8.0);
        block.text(self.fonts, MARGIN, CONTENT_WIDTH, text, HEADING);
        block.gap(2.0);
        let y = block.height;
        block.ops.push(Op::Rule {
            x: MARGIN,
            y,
            w: CONTENT_WIDTH,
            width: 0.5,
            color: RULE,
        });
        block.gap(5.0);
        if !self.pages.fits(block.height + 60.0) {
            self.pages.new_page();
        }
        self.pages.place(block);
    }

    /// Label/value rows in a block, from its current height.
    fn rows(&self, block: &mut Block, x: f32, width: f32, rows: &[(String, String)]) {
        for (label, value) in rows {
            let top = block.height;
            let label_bottom = block.text_at(self.fonts, x, top, LABEL_WIDTH - 6.0, label, LABEL);
            let value_bottom = block.text_at(
                self.fonts,
                x + LABEL_WIDTH,
                top,
                width - LABEL_WIDTH,
                value,
                BODY,
            );
            block.height = label_bottom.max(value_bottom) + 1.5;
        }
    }

    fn place_rows(&mut self, rows: &[(String, String)]) {
        for row in rows {
            let mut block = Block::default();
            self.rows(&mut block, MARGIN, CONTENT_WIDTH, std::slice::from_ref(row));
            self.pages.place(block);
        }
    }

    fn envelope(&mut self, bundle: &EvidenceBundle) {
        let l = self.locale;
        let e = &bundle.envelope;
        self.heading(self.label(Label::Envelope));
        let mut rows = vec![
            (self.label(Label::Subject).to_owned(), e.subject.clone()),
            (self.label(Label::EnvelopeId).to_owned(), e.id.clone()),
            (
                self.label(Label::Status).to_owned(),
                i18n::envelope_status(l, e.status).to_owned(),
            ),
            (
                self.label(Label::SignatureLevel).to_owned(),
                i18n::signature_level(l, e.signature_level).to_owned(),
            ),
            (
                self.label(Label::Created).to_owned(),
                display_time(&e.created_at),
            ),
        ];
        let mut time = |label: Label, value: &Option<String>| {
            if let Some(value) = value {
                rows.push((i18n::label(l, label).to_owned(), display_time(value)));
            }
        };
        time(Label::Sent, &e.sent_at);
        time(Label::Completed, &e.completed_at);
        time(Label::Declined, &e.declined_at);
        time(Label::Voided, &e.voided_at);
        time(Label::Expired, &e.expired_at);
        if e.status != EnvelopeStatus::Completed {
            time(Label::Expires, &e.expires_at);
        }
        if let Some(reason) = &e.void_reason {
            rows.push((self.label(Label::VoidReason).to_owned(), reason.clone()));
        }
        self.place_rows(&rows);
    }

    fn documents(&mut self, bundle: &EvidenceBundle) {
        self.heading(self.label(Label::Documents));
        for document in &bundle.documents {
            let mut block = Block::default();
            block.text(
                self.fonts,
                MARGIN,
                CONTENT_WIDTH,
                &document.name,
                BODY.bold(),
            );
            block.gap(1.0);
            let rows = [
                (
                    self.label(Label::Pages).to_owned(),
                    document.page_count.to_string(),
                ),
                (
                    self.label(Label::OriginalSha256).to_owned(),
                    document.original_sha256.clone(),
                ),
                (
                    self.label(Label::FinalSha256).to_owned(),
                    document.final_sha256.clone(),
                ),
            ];
            self.rows(&mut block, MARGIN, CONTENT_WIDTH, &rows);
            block.gap(4.0);
            self.pages.place(block);
        }
    }

    /// Simple or advanced, for a signer who signed.
    fn signature_type(bundle: &EvidenceBundle, recipient: &RecipientSummary) -> Option<bool> {
        if recipient.role != RecipientRole::Signer || recipient.status != RecipientStatus::Signed {
            return None;
        }
        let strong = matches!(
            recipient.authentication,
            AuthenticationMethod::SmsCode | AuthenticationMethod::AccessCode
        );
        Some(bundle.envelope.signature_level != SignatureLevel::Simple && strong)
    }

    fn recipients(&mut self, bundle: &EvidenceBundle) -> Result<()> {
        let l = self.locale;
        self.heading(self.label(Label::Recipients));
        for recipient in &bundle.recipients {
            let mut block = Block::default();
            let text_width = CONTENT_WIDTH - MARK_BOX.0 - 12.0;
            block.text(
                self.fonts,
                MARGIN,
                text_width,
                &recipient.name,
                Style::new(10.0).bold(),
            );
            block.gap(1.5);
            let mut rows = Vec::new();
            if let Some(email) = &recipient.email {
                rows.push((self.label(Label::Email).to_owned(), email.clone()));
            }
            if let Some(phone) = &recipient.phone {
                rows.push((self.label(Label::Phone).to_owned(), phone.clone()));
            }
            rows.push((
                self.label(Label::Role).to_owned(),
                format!(
                    "{} · {} {}",
                    i18n::role(l, recipient.role),
                    self.label(Label::RoutingOrder),
                    recipient.routing_order
                ),
            ));
            rows.push((
                self.label(Label::Status).to_owned(),
                i18n::recipient_status(l, recipient.status).to_owned(),
            ));
            rows.push((
                self.label(Label::Authentication).to_owned(),
                i18n::authentication(l, recipient.authentication).to_owned(),
            ));
            if let Some(at) = &recipient.authenticated_at {
                rows.push((
                    self.label(Label::AuthenticatedAt).to_owned(),
                    display_time(at),
                ));
            }
            if let Some(fingerprint) = &recipient.certificate_sha256 {
                rows.push((
                    self.label(Label::Certificate).to_owned(),
                    fingerprint.clone(),
                ));
            }
            if let Some(consent) = &recipient.consent {
                rows.push((
                    self.label(Label::Consent).to_owned(),
                    format!(
                        "{} · {}\nSHA-256 {}",
                        consent.version,
                        display_time(&consent.given_at),
                        consent.text_sha256
                    ),
                ));
            }
            for (label, value) in [
                (Label::Notified, &recipient.notified_at),
                (Label::Viewed, &recipient.viewed_at),
                (Label::ActedAt, &recipient.acted_at),
            ] {
                if let Some(value) = value {
                    rows.push((self.label(label).to_owned(), display_time(value)));
                }
            }
            if let Some(reason) = &recipient.decline_reason {
                rows.push((self.label(Label::DeclineReason).to_owned(), reason.clone()));
            }
            if let Some(ip) = &recipient.ip {
                rows.push((self.label(Label::Ip).to_owned(), ip.clone()));
            }
            if let Some(agent) = &recipient.user_agent {
                rows.push((self.label(Label::UserAgent).to_owned(), agent.clone()));
            }
            if let Some(advanced) = Self::signature_type(bundle, recipient) {
                let kind = if advanced { Label::Ades } else { Label::Ses };
                rows.push((
                    self.label(Label::SignatureType).to_owned(),
                    self.label(kind).to_owned(),
                ));
            }
            self.rows(&mut block, MARGIN, text_width, &rows);

            if recipient.role == RecipientRole::Signer {
                let box_bottom = self.signature_box(&mut block, recipient)?;
                block.height = block.height.max(box_bottom);
            }
            block.gap(6.0);
            let y = block.height - 3.0;
            block.ops.push(Op::Rule {
                x: MARGIN,
                y,
                w: CONTENT_WIDTH,
                width: 0.3,
                color: RULE,
            });
            block.gap(4.0);
            self.pages.place(block);
        }
        Ok(())
    }

    /// The signer's mark in a framed box at the block's top right; returns
    /// the box's bottom.
    fn signature_box(&mut self, block: &mut Block, recipient: &RecipientSummary) -> Result<f32> {
        let (w, h) = MARK_BOX;
        let x = MARGIN + CONTENT_WIDTH - w;
        let top = 0.0;
        block.text_at(
            self.fonts,
            x,
            top,
            w,
            self.label(Label::Signature),
            SMALL.color(MUTED),
        );
        let box_top = top + SMALL.line_height() + 1.0;
        block.ops.push(Op::Frame {
            x,
            y: box_top,
            w,
            h,
            color: RULE,
        });
        let pad = 5.0;
        match &recipient.signature {
            Some(EvidenceMark::Drawn { png, .. }) => {
                let image = krilla::image::Image::from_png(krilla::Data::from(png.clone()), false)
                    .map_err(|e| {
                        Error::new(
                            ErrorCode::AuditEvidenceInvalid,
                            format!(
                                "the drawn signature of {} cannot be read: {e}",
                                recipient.id
                            ),
                        )
                    })?;
                let (pw, ph) = image.size();
                let (pw, ph) = (pw.max(1) as f32, ph.max(1) as f32);
                let scale = ((w - 2.0 * pad) / pw).min((h - 2.0 * pad) / ph);
                let (iw, ih) = (pw * scale, ph * scale);
                self.images.push(image);
                block.ops.push(Op::Image {
                    x: x + (w - iw) / 2.0,
                    y: box_top + (h - ih) / 2.0,
                    w: iw,
                    h: ih,
                    index: self.images.len() - 1,
                });
            }
            Some(EvidenceMark::Typed { text }) => {
                let text = self.fonts.sanitize(text);
                let mut style = Style::new(17.0).color(ACCENT);
                let width = self.fonts.measure(&text, style);
                if width > w - 2.0 * pad {
                    style.size = (style.size * (w - 2.0 * pad) / width).max(6.0);
                }
                let line = self.fonts.wrap(&text, style, w - 2.0 * pad);
                let y = box_top + (h - style.line_height() * line.len() as f32) / 2.0;
                block.text_at(self.fonts, x + pad, y, w - 2.0 * pad, &text, style);
                block.text_at(
                    self.fonts,
                    x + pad,
                    box_top + h - SMALL.line_height() - 1.0,
                    w - 2.0 * pad,
                    &format!("({})", self.label(Label::TypedSignature)),
                    SMALL.color(MUTED),
                );
            }
            None => {
                block.text_at(
                    self.fonts,
                    x + pad,
                    box_top + h / 2.0 - BODY.line_height() / 2.0,
                    w - 2.0 * pad,
                    self.label(Label::NoSignatureMark),
                    BODY.color(MUTED),
                );
            }
        }
        Ok(box_top + h)
    }

    fn events(&mut self, bundle: &EvidenceBundle) {
        self.heading(self.label(Label::Events));
        let columns = [62.0, 92.0, 118.0, CONTENT_WIDTH - 62.0 - 92.0 - 118.0];
        let header = self.table_row(
            &[
                self.label(Label::Time).to_owned(),
                self.label(Label::Event).to_owned(),
                self.label(Label::Actor).to_owned(),
                self.label(Label::Details).to_owned(),
            ],
            &columns,
            Some(BAND),
            true,
        );
        self.pages.place(header.clone());
        for (i, record) in bundle.records.iter().enumerate() {
            let cells = self.event_cells(bundle, record);
            let row = self.table_row(&cells, &columns, (i % 2 == 1).then_some(STRIPE), false);
            if !self.pages.fits(row.height) {
                self.pages.new_page();
                self.pages.place(header.clone());
            }
            self.pages.place(row);
        }
    }

    fn table_row(
        &self,
        cells: &[String],
        columns: &[f32],
        band: Option<super::layout::Color>,
        header: bool,
    ) -> Block {
        let style = if header { SMALL.bold() } else { SMALL };
        let pad = 3.0;
        let mut block = Block::default();
        let mut x = MARGIN;
        let mut bottom: f32 = 0.0;
        let mut text_ops = Block::default();
        for (cell, width) in cells.iter().zip(columns) {
            let cell_bottom =
                text_ops.text_at(self.fonts, x + pad, pad, width - 2.0 * pad, cell, style);
            bottom = bottom.max(cell_bottom);
            x += width;
        }
        let height = bottom + pad;
        if let Some(color) = band {
            block.ops.push(Op::Fill {
                x: MARGIN,
                y: 0.0,
                w: CONTENT_WIDTH,
                h: height,
                color,
            });
        }
        block.ops.extend(text_ops.ops);
        block.ops.push(Op::Rule {
            x: MARGIN,
            y: height,
            w: CONTENT_WIDTH,
            width: 0.3,
            color: RULE,
        });
        block.height = height;
        block
    }

    fn event_cells(&self, bundle: &EvidenceBundle, record: &EvidenceRecord) -> [String; 4] {
        let l = self.locale;
        let time = display_time(&record.recorded_at);
        let time = time.split_once(' ').map_or(time.clone(), |(date, rest)| {
            format!("{date}\n{}", rest.trim_end_matches(" UTC"))
        });
        let action = format!(
            "{}\n#{}",
            i18n::action(l, &record.action).unwrap_or(&record.action),
            record.seq
        );
        let actor = &record.actor;
        let by = match (&actor.name, &actor.email) {
            (Some(name), Some(email)) => format!("{name}\n{email}"),
            _ => actor.describe(),
        };
        let mut details: Vec<String> = Vec::new();
        let name_of = |id: &str| {
            bundle.recipients.iter().find(|r| r.id == id).map_or_else(
                || id.to_owned(),
                |r| match &r.email {
                    Some(email) => format!("{} <{email}>", r.name),
                    None => r.name.clone(),
                },
            )
        };
        let d = &record.details;
        match record.action.as_str() {
            "envelope.created" | "envelope.updated" => {
                if let Some(subject) = d["subject"].as_str() {
                    details.push(subject.to_owned());
                }
            }
            "recipient.added" => {
                let r = &d["recipient"];
                details.push(format!(
                    "{} <{}>",
                    r["name"].as_str().unwrap_or_default(),
                    r["email"].as_str().unwrap_or_default()
                ));
            }
            "field.added" => {
                let f = &d["field"];
                details.push(format!(
                    "{} · {} p. {} · {}",
                    f["kind"].as_str().unwrap_or_default(),
                    f["documentId"].as_str().unwrap_or_default(),
                    f["page"],
                    name_of(f["recipientId"].as_str().unwrap_or_default())
                ));
            }
            "field.filled" => details.push(format!(
                "{} = {}",
                d["fieldId"].as_str().unwrap_or_default(),
                d["value"].as_str().unwrap_or_default()
            )),
            "recipient.consented" => details.push(format!(
                "{} · SHA-256 {}",
                d["version"].as_str().unwrap_or_default(),
                d["textSha256"].as_str().unwrap_or_default()
            )),
            "envelope.expired" => {
                if let Some(missing) = d["missingRecipientIds"].as_array() {
                    let names: Vec<String> = missing
                        .iter()
                        .filter_map(|v| v.as_str())
                        .map(name_of)
                        .collect();
                    if !names.is_empty() {
                        details.push(format!(
                            "{}: {}",
                            self.label(Label::Missing),
                            names.join(", ")
                        ));
                    }
                }
            }
            _ => {}
        }
        if let Some(id) = &record.recipient_id
            && actor.id.as_deref() != Some(id.as_str())
            && record.action != "recipient.added"
        {
            details.insert(0, name_of(id));
        }
        if record.action == "recipient.signed" {
            match d["signature"]["type"].as_str() {
                Some("DRAWN") => details.push(format!(
                    "{}: PNG SHA-256 {}",
                    self.label(Label::Signature),
                    d["signature"]["sha256"].as_str().unwrap_or_default()
                )),
                Some("TYPED") => details.push(format!(
                    "{} ({}): {}",
                    self.label(Label::Signature),
                    self.label(Label::TypedSignature),
                    d["signature"]["text"].as_str().unwrap_or_default()
                )),
                _ => {}
            }
        }
        if let Some(reason) = &record.reason {
            details.push(format!("{}: {reason}", self.label(Label::Reason)));
        }
        for document in &record.documents {
            details.push(format!(
                "{} ({}): {}",
                document.name,
                i18n::digest_kind(l, document.kind),
                document.sha256
            ));
        }
        if let Some(ip) = &record.ip {
            details.push(format!("IP {ip}"));
        }
        if let Some(agent) = &record.user_agent {
            details.push(agent.clone());
        }
        details.push(format!(
            "{} {}…",
            self.label(Label::Record),
            &record.hash[..16.min(record.hash.len())]
        ));
        [time, action, by, details.join("\n")]
    }

    fn integrity(&mut self, bundle: &EvidenceBundle, evidence_sha256: &str) {
        self.heading(self.label(Label::Integrity));
        let rows = [
            (
                self.label(Label::Records).to_owned(),
                bundle.chain_head.count.to_string(),
            ),
            (
                self.label(Label::ChainHead).to_owned(),
                bundle.chain_head.hash.clone(),
            ),
            (
                self.label(Label::EvidenceFile).to_owned(),
                format!("{EVIDENCE_FILE_NAME} · SHA-256 {evidence_sha256}"),
            ),
        ];
        self.place_rows(&rows);
    }

    fn legal(&mut self, bundle: &EvidenceBundle) {
        let kinds: Vec<bool> = bundle
            .recipients
            .iter()
            .filter_map(|r| Self::signature_type(bundle, r))
            .collect();
        let simple = kinds.iter().any(|advanced| !advanced) || kinds.is_empty();
        let advanced = kinds.iter().any(|advanced| *advanced);
        self.heading(self.label(Label::Legal));
        for paragraph in i18n::legal_statement(
            self.locale,
            bundle.envelope.signature_level,
            simple,
            advanced,
        ) {
            self.paragraph(paragraph);
        }
        self.heading(self.label(Label::HowToVerify));
        for paragraph in i18n::how_to_verify(self.locale) {
            self.paragraph(paragraph);
        }
    }

    /// A paragraph that may break across pages, line by line.
    fn paragraph(&mut self, text: &str) {
        let lines = self
            .fonts
            .wrap(&self.fonts.sanitize(text), BODY, CONTENT_WIDTH);
        for line in lines {
            let mut block = Block::default();
            block.text(self.fonts, MARGIN, CONTENT_WIDTH, &line, BODY);
            self.pages.place(block);
        }
        self.pages.gap(4.0);
    }
}

fn krilla_date(at: DateTime<Utc>) -> krilla::metadata::DateTime {
    let narrow = |v: u32| u8::try_from(v).unwrap_or(0);
    krilla::metadata::DateTime::new(u16::try_from(at.year()).unwrap_or(1970))
        .month(narrow(at.month()))
        .day(narrow(at.day()))
        .hour(narrow(at.hour()))
        .minute(narrow(at.minute()))
        .second(narrow(at.second()))
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

fn write_pdf(
    bundle: &EvidenceBundle,
    locale: Locale,
    fonts: &Fonts,
    pages: Pages,
    images: &[krilla::image::Image],
    evidence_json: Vec<u8>,
    generated_at: DateTime<Utc>,
) -> Result<Vec<u8>> {
    let failed = |what: String| Error::new(ErrorCode::AuditRenderFailed, what);
    let configuration = ConfigurationBuilder::new()
        .with_archival_validator(Archival::A3_U)
        .finish()
        .map_err(|e| failed(format!("the PDF/A-3 configuration is refused: {e:?}")))?;
    let settings = SerializeSettings {
        configuration,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let title = format!(
        "{} — {}",
        i18n::label(locale, Label::Title),
        fonts.sanitize(&bundle.envelope.subject)
    );
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language(locale.tag().to_owned())
            .creator("paraph".to_owned())
            .producer("paraph".to_owned())
            .creation_date(krilla_date(generated_at))
            .document_id(format!("{}:{}", bundle.envelope.id, bundle.chain_head.hash)),
    );
    let total = pages.pages.len();
    for (number, ops) in pages.pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
            .ok_or_else(|| failed("invalid page size".to_owned()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        super::layout::draw(&mut surface, fonts, ops, images);
        super::layout::draw(
            &mut surface,
            fonts,
            &footer(bundle, locale, fonts, number + 1, total),
            images,
        );
        surface.finish();
        page.finish();
    }
    let mime = MimeType::new("application/json")
        .ok_or_else(|| failed("the evidence MIME type is refused".to_owned()))?;
    document
        .embed_file(EmbeddedFile {
            path: EVIDENCE_FILE_NAME.to_owned(),
            mime_type: Some(mime),
            description: Some(format!(
                "Evidence of envelope {}: {} hash-chained records (paraph evidence schema {})",
                bundle.envelope.id, bundle.chain_head.count, bundle.schema_version
            )),
            association_kind: AssociationKind::Data,
            data: evidence_json.into(),
            modification_date: Some(krilla_date(generated_at)),
            compress: Some(true),
            location: None,
        })
        .ok_or_else(|| failed("the evidence file could not be attached".to_owned()))?;
    document
        .finish()
        .map_err(|e| failed(format!("krilla could not write the PDF: {e:?}")))
}

fn footer(
    bundle: &EvidenceBundle,
    locale: Locale,
    fonts: &Fonts,
    number: usize,
    total: usize,
) -> Vec<Op> {
    let style = SMALL.color(MUTED);
    let y = PAGE_HEIGHT - 32.0;
    let right = i18n::page_of(locale, number, total);
    let right_width = fonts.measure(&right, style);
    let left = format!(
        "{} · {} · {} {}…",
        i18n::label(locale, Label::Title),
        bundle.envelope.id,
        "SHA-256",
        &bundle.chain_head.hash[..16.min(bundle.chain_head.hash.len())]
    );
    let left = fonts.sanitize(&left);
    vec![
        Op::Rule {
            x: MARGIN,
            y: y - 10.0,
            w: CONTENT_WIDTH,
            width: 0.4,
            color: RULE,
        },
        Op::Text {
            x: MARGIN,
            y,
            text: left,
            style,
        },
        Op::Text {
            x: MARGIN + CONTENT_WIDTH - right_width,
            y,
            text: right,
            style: style.color(INK),
        },
    ]
}
