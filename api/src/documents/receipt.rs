//! The récépissé of a request (issue 16): a PDF the family downloads from « Consulter ma
//! demande » and receives attached to the acknowledgement of its submission and to each
//! decision — the town, the request's number, kind and dates, its status, the dossier as
//! submitted (address, members) and the pieces provided.
//!
//! The text is set in DejaVu Sans, embedded in the binary (`api/assets/fonts`), so every
//! French character prints whatever the reader's fonts; krilla keeps only the glyphs used,
//! so a récépissé weighs a few tens of KiB.

use std::sync::LazyLock;

use chrono::{DateTime, NaiveDate, Utc};
use krilla::Document;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::text::{Font, TextDirection};
use shared::api::dossier::{DemandeDetail, DemandeStatus, Member, Role};
use shared::api::pieces::{Piece, PieceStatus};

static REGULAR: LazyLock<Option<Font>> = LazyLock::new(|| {
    Font::new(
        include_bytes!("../../assets/fonts/DejaVuSans.ttf")
            .as_slice()
            .into(),
        0,
    )
});
static BOLD: LazyLock<Option<Font>> = LazyLock::new(|| {
    Font::new(
        include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf")
            .as_slice()
            .into(),
        0,
    )
});

/// A4, in points.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 56.0;
const BODY_SIZE: f32 = 10.0;
const LINE_HEIGHT: f32 = 14.0;
/// Characters per line of body text: DejaVu Sans averages about 0.55 em, so 85 characters
/// of 10 pt fit the 483 pt between the margins.
const LINE_CHARS: usize = 85;

/// What a récépissé says, already in French.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub town: String,
    pub title: String,
    /// Lines under the title: the request's number, kind, dates and status.
    pub facts: Vec<(String, String)>,
    pub sections: Vec<Section>,
    pub footer: String,
}

/// A titled block of lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    pub lines: Vec<String>,
}

/// The file name families get.
pub fn file_name(demande_id: &str) -> String {
    format!("recepisse-{}.pdf", short_number(demande_id))
}

/// The request's number as families read it: the first block of its uuid, in capitals.
pub fn short_number(demande_id: &str) -> String {
    demande_id
        .split('-')
        .next()
        .unwrap_or(demande_id)
        .to_uppercase()
}

/// Builds the récépissé of `detail` (a request as the town holds it: for a submitted one,
/// the dossier as submitted) with the pieces of its dossier, as of `at`.
pub fn of_demande(
    town: &str,
    detail: &DemandeDetail,
    pieces: &[Piece],
    at: DateTime<Utc>,
) -> Receipt {
    let summary = &detail.summary;
    let mut facts = vec![
        (
            "Numéro de la demande".to_string(),
            short_number(&summary.id.to_string()),
        ),
        ("Type de demande".into(), summary.kind.label().to_string()),
        ("Créée le".into(), date_time(summary.created_at)),
    ];
    if let Some(submitted) = summary.submitted_at {
        facts.push(("Déposée le".into(), date_time(submitted)));
    }
    facts.push(("Statut".into(), status_label(summary.status).to_string()));
    if let Some(decided) = detail
        .history
        .iter()
        .rev()
        .find(|event| event.status == summary.status && event.actor == "agent")
    {
        facts.push(("Décision du".into(), date_time(decided.at)));
    }
    if let Some(numero) = detail.dossier.as_ref().and_then(|d| d.numero.clone()) {
        facts.push(("Numéro du dossier famille".into(), numero));
    }
    let mut sections = Vec::new();
    if let Some(message) = &detail.agent_message {
        sections.push(Section {
            heading: "Message du service".into(),
            lines: vec![message.clone()],
        });
    }
    if let Some(dossier) = &detail.dossier {
        let address = [
            dossier.address.adresse.clone(),
            dossier.address.code_postal.clone(),
            dossier.address.commune.clone(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        sections.push(Section {
            heading: "Adresse du foyer".into(),
            lines: vec![if address.is_empty() {
                "Non renseignée".into()
            } else {
                address
            }],
        });
        sections.push(Section {
            heading: "Membres du foyer".into(),
            lines: dossier.members.iter().map(member_line).collect(),
        });
    }
    sections.push(Section {
        heading: format!(
            "Pièces justificatives fournies (état au {})",
            at.format("%d/%m/%Y")
        ),
        lines: if pieces.is_empty() {
            vec!["Aucune".into()]
        } else {
            pieces.iter().map(piece_line).collect()
        },
    });
    Receipt {
        town: town.to_string(),
        title: match summary.status {
            DemandeStatus::Brouillon => "Brouillon de demande".into(),
            DemandeStatus::EnAttenteValidation => "Récépissé de dépôt de demande".into(),
            _ => "Récépissé de décision".into(),
        },
        facts,
        sections,
        footer: format!(
            "Document établi le {} par le Portail Famille ({town}). Conservez-le : il atteste le dépôt de votre demande et son état à cette date.",
            date_time(at)
        ),
    }
}

/// The récépissé of request `demande_id` as of `now`: its file name and the PDF. The
/// dossier is the one the town received (the snapshot of the submission).
pub fn for_demande(
    conn: &mut crate::db::DbConn,
    town: &str,
    demande_id: &str,
    now: chrono::NaiveDateTime,
) -> Result<(String, Vec<u8>), crate::error::ApiError> {
    use crate::dossier_views::{Reader, detail};
    let found = crate::db::models::demande::find(conn, demande_id)?;
    let (shown, _) = detail(conn, &found, Reader::Staff)?;
    let today = crate::domain::calendar::date_in_france(now.and_utc());
    let pieces = crate::documents::pieces::DossierPieces::load(conn, &found.dossier_id, false)?
        .provided(today)?;
    let pdf = render(&of_demande(town, &shown, &pieces, now.and_utc()))?;
    Ok((file_name(demande_id), pdf))
}

fn status_label(status: DemandeStatus) -> &'static str {
    match status {
        DemandeStatus::Brouillon => "Brouillon (non envoyée)",
        DemandeStatus::EnAttenteValidation => "En attente de validation",
        DemandeStatus::ACompleter => "À compléter",
        DemandeStatus::Validee => "Validée",
        DemandeStatus::Refusee => "Refusée",
    }
}

fn piece_status_label(status: PieceStatus) -> &'static str {
    match status {
        PieceStatus::NonFournie => "non fournie",
        PieceStatus::EnAttenteValidation => "en attente de validation",
        PieceStatus::Validee => "validée",
        PieceStatus::Refusee => "refusée",
        PieceStatus::Expiree => "expirée",
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Responsable => "Responsable du dossier",
        Role::ResponsableLegal => "Responsable légal",
        Role::Conjoint => "Conjoint",
        Role::Enfant => "Enfant",
        Role::Contact => "Contact",
    }
}

fn member_line(member: &Member) -> String {
    let fields = &member.fields;
    let name = crate::documents::pieces::member_label(member);
    let born = if fields.a_naitre {
        fields
            .date_naissance_prevue
            .map(|d| format!(", naissance prévue le {}", day(d)))
            .unwrap_or_else(|| ", à naître".into())
    } else {
        fields
            .date_naissance
            .map(|d| format!(", né(e) le {}", day(d)))
            .unwrap_or_default()
    };
    format!("{} : {name}{born}", role_label(fields.role))
}

fn piece_line(piece: &Piece) -> String {
    format!(
        "{} ({}) : présentée le {}, {}",
        piece.type_libelle,
        piece.lie_a.libelle,
        day(piece.presente_le),
        piece_status_label(piece.status)
    )
}

fn day(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// Paris time, as families read it.
fn date_time(at: DateTime<Utc>) -> String {
    crate::domain::calendar::in_france(at)
        .format("%d/%m/%Y à %H:%M")
        .to_string()
}

/// Cuts `text` into lines of at most `width` characters at spaces (a word longer than a
/// line is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while word.chars().count() > width {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let head: String = word.chars().take(width).collect();
            word = word.chars().skip(width).collect();
            lines.push(head);
        }
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// One line to set: its text, whether bold, its size, the space before it.
struct Line {
    text: String,
    bold: bool,
    size: f32,
    before: f32,
}

fn layout(receipt: &Receipt) -> Vec<Line> {
    let body = |text: String, before: f32| Line {
        text,
        bold: false,
        size: BODY_SIZE,
        before,
    };
    let mut lines = vec![
        Line {
            text: receipt.town.clone(),
            bold: true,
            size: 12.0,
            before: 0.0,
        },
        Line {
            text: receipt.title.clone(),
            bold: true,
            size: 16.0,
            before: 10.0,
        },
    ];
    let mut first = true;
    for (label, value) in &receipt.facts {
        for (i, text) in wrap(&format!("{label} : {value}"), LINE_CHARS)
            .into_iter()
            .enumerate()
        {
            lines.push(body(text, if first && i == 0 { 12.0 } else { 0.0 }));
        }
        first = false;
    }
    for section in &receipt.sections {
        lines.push(Line {
            text: section.heading.clone(),
            bold: true,
            size: 12.0,
            before: 12.0,
        });
        for entry in &section.lines {
            for (i, text) in wrap(entry, LINE_CHARS - 2).into_iter().enumerate() {
                let text = if i == 0 {
                    format!("• {text}")
                } else {
                    format!("  {text}")
                };
                lines.push(body(text, 0.0));
            }
        }
    }
    for (i, text) in wrap(&receipt.footer, LINE_CHARS).into_iter().enumerate() {
        lines.push(body(text, if i == 0 { 18.0 } else { 0.0 }));
    }
    lines
}

/// The PDF of `receipt`: A4 pages, as many as its lines need.
pub fn render(receipt: &Receipt) -> anyhow::Result<Vec<u8>> {
    let (Some(regular), Some(bold)) = (REGULAR.as_ref(), BOLD.as_ref()) else {
        anyhow::bail!("the embedded DejaVu Sans font could not be read");
    };
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("{} — {}", receipt.title, receipt.town))
            .language("fr-FR".into())
            .creator("Portail Famille".into()),
    );
    let lines = layout(receipt);
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| anyhow::anyhow!("invalid page size"))?;
    let mut rest = lines.as_slice();
    while !rest.is_empty() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        let mut y = MARGIN;
        let mut used = 0;
        for line in rest {
            let step = line.before + line.size.max(LINE_HEIGHT);
            if used > 0 && y + step > PAGE_HEIGHT - MARGIN {
                break;
            }
            y += step;
            let font = if line.bold { bold } else { regular };
            surface.draw_text(
                Point::from_xy(MARGIN, y),
                font.clone(),
                line.size,
                &line.text,
                false,
                TextDirection::Auto,
            );
            used += 1;
        }
        surface.finish();
        page.finish();
        rest = &rest[used..];
    }
    document
        .finish()
        .map_err(|error| anyhow::anyhow!("the récépissé could not be written: {error:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(lines: usize) -> Receipt {
        Receipt {
            town: "Ville de Chartres".into(),
            title: "Récépissé de dépôt de demande".into(),
            facts: vec![("Numéro de la demande".into(), "0A1B2C3D".into())],
            sections: vec![Section {
                heading: "Membres du foyer".into(),
                lines: (0..lines)
                    .map(|i| format!("Enfant : Zoé Lefèvre-Ÿvonne n°{i}, née le 01/02/2019"))
                    .collect(),
            }],
            footer: "Document établi le 08/12/2026 à 10:00.".into(),
        }
    }

    fn text_of(pdf: &[u8]) -> (usize, String) {
        let document = lopdf::Document::load_mem(pdf).expect("a PDF lopdf can read");
        let pages: Vec<u32> = document.get_pages().keys().copied().collect();
        let text = document.extract_text(&pages).expect("its text");
        (pages.len(), text)
    }

    #[test]
    fn a_receipt_reads_back_in_french_with_its_accents() {
        let pdf = render(&sample(3)).expect("pdf");
        let (pages, text) = text_of(&pdf);
        assert_eq!(pages, 1);
        assert!(text.contains("Récépissé de dépôt de demande"), "{text}");
        assert!(text.contains("Zoé Lefèvre-Ÿvonne"), "{text}");
        assert!(text.contains("0A1B2C3D"), "{text}");
        // The font is subsetted: far smaller than the 760 KB font file.
        assert!(pdf.len() < 100_000, "{} bytes", pdf.len());
    }

    #[test]
    fn a_long_receipt_runs_onto_more_pages_and_loses_no_line() {
        let pdf = render(&sample(120)).expect("pdf");
        let (pages, text) = text_of(&pdf);
        assert!(pages >= 3, "{pages} pages");
        assert!(text.contains("n°0,"), "{text}");
        assert!(text.contains("n°119,"), "{text}");
        assert!(text.contains("Document établi le"), "{text}");
    }

    #[test]
    fn lines_wrap_at_spaces_and_cut_a_word_too_long() {
        assert_eq!(wrap("un deux trois", 7), vec!["un deux", "trois"]);
        assert_eq!(wrap("abcdefghij", 4), vec!["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 4), vec![""]);
    }
}
