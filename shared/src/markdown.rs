//! The small Markdown subset of news bodies and FAQ answers.
//!
//! Agents write plain text; a few marks make it readable: blank lines between paragraphs,
//! `## ` subheadings, `- ` or `1. ` lists, `**gras**`, `*italique*` and `[liens](https://…)`.
//! Nothing here produces HTML: the result is a tree of blocks holding text, which the SPA
//! renders as DOM text nodes. A `<script>` stays the eight characters it is, and a link
//! whose address is not `https://`, `http://`, `mailto:` or a path of the portal (`/…`) is
//! shown as its text, so `javascript:` can never become a link.
//!
//! The family pages and the back office's preview both use this parser, so an agent sees
//! exactly what families will see.

/// A piece of a line of text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    /// `**…**`
    Strong(String),
    /// `*…*` (not `_…_`: underscores are common in addresses and file names)
    Emphasis(String),
    /// `[text](href)` with an allowed address.
    Link {
        text: String,
        href: String,
    },
    /// A line break inside a paragraph or a list item.
    LineBreak,
}

/// A block of the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// `## Titre`: a subheading (the page decides its level).
    Heading(Vec<Inline>),
    Paragraph(Vec<Inline>),
    /// `- item` lines, or `1. item` lines when `ordered`.
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
}

/// Parses `source` into blocks. Never fails: what is not a mark is text.
pub fn parse(source: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines: Vec<&str> = Vec::new();
    for line in source.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !lines.is_empty() {
                push_block(&mut blocks, &lines);
                lines.clear();
            }
        } else {
            lines.push(line.trim_end());
        }
    }
    blocks
}

/// One run of non-blank lines: a heading line opens its own block, list lines group into
/// lists, the other lines into paragraphs.
fn push_block(blocks: &mut Vec<Block>, lines: &[&str]) {
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |blocks: &mut Vec<Block>, paragraph: &mut Vec<&str>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(inlines_of_lines(paragraph)));
            paragraph.clear();
        }
    };
    for line in lines {
        let trimmed = line.trim_start();
        if let Some(title) = trimmed.strip_prefix("## ").or(trimmed.strip_prefix("# ")) {
            flush(blocks, &mut paragraph);
            blocks.push(Block::Heading(inlines(title.trim())));
        } else if let Some((ordered, item)) = list_item(trimmed) {
            flush(blocks, &mut paragraph);
            match blocks.last_mut() {
                Some(Block::List {
                    ordered: last_ordered,
                    items,
                }) if *last_ordered == ordered && paragraph.is_empty() => items.push(inlines(item)),
                _ => blocks.push(Block::List {
                    ordered,
                    items: vec![inlines(item)],
                }),
            }
        } else {
            paragraph.push(trimmed);
        }
    }
    flush(blocks, &mut paragraph);
}

/// `- item`, `* item` (unordered) or `12. item` (ordered).
fn list_item(line: &str) -> Option<(bool, &str)> {
    if let Some(item) = line.strip_prefix("- ").or(line.strip_prefix("* ")) {
        return Some((false, item.trim()));
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    if !(1..=3).contains(&digits) {
        return None;
    }
    line[digits..]
        .strip_prefix(". ")
        .map(|item| (true, item.trim()))
}

fn inlines_of_lines(lines: &[&str]) -> Vec<Inline> {
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push(Inline::LineBreak);
        }
        out.extend(inlines(line));
    }
    out
}

/// The inline marks of one line. An unclosed mark is text.
pub fn inlines(line: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        let marked = match c {
            '*' if rest.starts_with("**") => {
                closed(&rest[2..], "**").map(|(inner, after)| (Inline::Strong(inner.into()), after))
            }
            '*' => closed(&rest[1..], "*")
                .map(|(inner, after)| (Inline::Emphasis(inner.into()), after)),
            '[' => link(rest),
            _ => None,
        };
        match marked {
            Some((Inline::Text(refused), after)) => {
                text.push_str(&refused);
                rest = after;
            }
            Some((inline, after)) => {
                if !text.is_empty() {
                    out.push(Inline::Text(std::mem::take(&mut text)));
                }
                out.push(inline);
                rest = after;
            }
            None => {
                text.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if !text.is_empty() {
        out.push(Inline::Text(text));
    }
    out
}

/// The text up to the closing `mark` (not empty, not starting or ending with a space) and
/// what follows it.
fn closed<'a>(rest: &'a str, mark: &str) -> Option<(&'a str, &'a str)> {
    let end = rest.find(mark)?;
    let inner = &rest[..end];
    let spaced = inner.starts_with(' ') || inner.ends_with(' ');
    (!inner.is_empty() && !spaced).then(|| (inner, &rest[end + mark.len()..]))
}

/// `[text](href)`: a link when the address is allowed, plain text otherwise.
fn link(rest: &str) -> Option<(Inline, &str)> {
    let close = rest.find("](")?;
    let text = &rest[1..close];
    let after_text = &rest[close + 2..];
    let end = after_text.find(')')?;
    let href = after_text[..end].trim();
    if text.is_empty() || text.contains('[') {
        return None;
    }
    let inline = if allowed_href(href) {
        Inline::Link {
            text: text.into(),
            href: href.into(),
        }
    } else {
        Inline::Text(format!("{text} ({href})"))
    };
    Some((inline, &after_text[end + 1..]))
}

/// Web and mail addresses, and paths of the portal itself (not `//host`, which leaves it).
pub fn allowed_href(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    let external = ["https://", "http://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len());
    let internal = href.starts_with('/') && !href.starts_with("//");
    (external || internal) && !href.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// The text without its marks, cut after about `max_chars` characters with « … »: the
/// excerpt of a news item on the home page.
pub fn excerpt(source: &str, max_chars: usize) -> String {
    let mut words = String::new();
    for block in parse(source) {
        let parts = match block {
            Block::Heading(parts) | Block::Paragraph(parts) => parts,
            Block::List { items, .. } => items.into_iter().flatten().collect(),
        };
        for part in parts {
            let piece = match part {
                Inline::Text(t) | Inline::Strong(t) | Inline::Emphasis(t) => t,
                Inline::Link { text, .. } => text,
                Inline::LineBreak => " ".into(),
            };
            words.push_str(&piece);
        }
        words.push(' ');
    }
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    if words.chars().count() <= max_chars {
        return words;
    }
    let cut: String = words.chars().take(max_chars).collect();
    let cut = match cut.rfind(' ') {
        Some(space) if space > max_chars / 2 => &cut[..space],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([' ', ',', ';', ':', '.']))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.into())
    }

    #[test]
    fn paragraphs_are_separated_by_blank_lines_and_keep_their_line_breaks() {
        let blocks = parse("Première ligne\nseconde ligne\n\n\nAutre paragraphe");
        assert_eq!(
            blocks,
            vec![
                Block::Paragraph(vec![
                    text("Première ligne"),
                    Inline::LineBreak,
                    text("seconde ligne")
                ]),
                Block::Paragraph(vec![text("Autre paragraphe")]),
            ]
        );
    }

    #[test]
    fn html_is_text() {
        let blocks = parse("<script>alert(1)</script> <b>gras</b>");
        assert_eq!(
            blocks,
            vec![Block::Paragraph(vec![text(
                "<script>alert(1)</script> <b>gras</b>"
            )])]
        );
    }

    #[test]
    fn marks_headings_and_lists() {
        let blocks = parse(
            "## Pièces à fournir\nIl faut :\n- le **livret de famille**\n- un *justificatif*\n1. Créer un compte\n2. Saisir le dossier",
        );
        assert_eq!(
            blocks,
            vec![
                Block::Heading(vec![text("Pièces à fournir")]),
                Block::Paragraph(vec![text("Il faut :")]),
                Block::List {
                    ordered: false,
                    items: vec![
                        vec![text("le "), Inline::Strong("livret de famille".into())],
                        vec![text("un "), Inline::Emphasis("justificatif".into())],
                    ]
                },
                Block::List {
                    ordered: true,
                    items: vec![
                        vec![text("Créer un compte")],
                        vec![text("Saisir le dossier")]
                    ]
                },
            ]
        );
    }

    #[test]
    fn unclosed_or_spaced_marks_are_text() {
        assert_eq!(inlines("2 * 3 * 4"), vec![text("2 * 3 * 4")]);
        assert_eq!(inlines("**pas fermé"), vec![text("**pas fermé")]);
        assert_eq!(
            inlines("jean_dupont@mail.fr"),
            vec![text("jean_dupont@mail.fr")]
        );
    }

    #[test]
    fn only_safe_addresses_become_links() {
        assert_eq!(
            inlines("Voir [le site](https://www.chartres.fr) ou [la FAQ](/faq)."),
            vec![
                text("Voir "),
                Inline::Link {
                    text: "le site".into(),
                    href: "https://www.chartres.fr".into()
                },
                text(" ou "),
                Inline::Link {
                    text: "la FAQ".into(),
                    href: "/faq".into()
                },
                text("."),
            ]
        );
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "//evil.example",
            "vbscript:x",
            "https://",
        ] {
            assert_eq!(
                inlines(&format!("[clic]({bad})")),
                vec![text(&format!("clic ({bad})"))],
                "{bad}"
            );
        }
    }

    #[test]
    fn excerpts_drop_marks_and_cut_between_words() {
        assert_eq!(
            excerpt(
                "Les **inscriptions** scolaires 2025/2026 sont ouvertes.",
                200
            ),
            "Les inscriptions scolaires 2025/2026 sont ouvertes."
        );
        assert_eq!(
            excerpt("Les inscriptions scolaires 2025/2026 sont ouvertes.", 40),
            "Les inscriptions scolaires 2025/2026…"
        );
    }
}
