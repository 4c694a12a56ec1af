//! Family-chosen file names: kept as display metadata only (SECURITY.md E-04), and sent back
//! in `Content-Disposition` without any chance of header injection (E-06, RFC 6266).

/// Longest display name kept, in characters.
pub const MAX_DISPLAY_CHARS: usize = 120;

/// Characters that reorder or hide text (bidirectional overrides, zero-width marks): a
/// name like `facture\u{202E}fdp.exe` must not display as something it is not.
fn is_invisible_or_bidi(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The name shown to families and agents: the last path component, without control,
/// bidirectional or invisible characters, trimmed and shortened (keeping the extension).
/// Never used to name anything on disk.
pub fn display_name(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !is_invisible_or_bidi(*c))
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    if cleaned.is_empty() {
        return "fichier".to_string();
    }
    if cleaned.chars().count() <= MAX_DISPLAY_CHARS {
        return cleaned.to_string();
    }
    let extension = cleaned
        .rsplit_once('.')
        .map(|(_, ext)| ext)
        .filter(|ext| ext.chars().count() <= 8)
        .unwrap_or_default();
    let keep = MAX_DISPLAY_CHARS - extension.chars().count() - 2;
    let stem: String = cleaned.chars().take(keep).collect();
    if extension.is_empty() {
        format!("{stem}…")
    } else {
        format!("{stem}….{extension}")
    }
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded>`.
pub fn content_disposition(name: &str) -> String {
    let fallback: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || " .-_()".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_hostile_characters_are_dropped() {
        assert_eq!(display_name("../../etc/passwd"), "passwd");
        assert_eq!(display_name("..\\..\\x.pdf"), "x.pdf");
        assert_eq!(display_name("%2e%2e%2fx.pdf"), "%2e%2e%2fx.pdf");
        assert_eq!(display_name("x.pdf\0.html"), "x.pdf.html");
        assert_eq!(display_name("facture\u{202E}fdp.exe"), "facturefdp.exe");
        assert_eq!(display_name(".."), "fichier");
        assert_eq!(display_name(""), "fichier");
    }

    #[test]
    fn long_names_keep_their_extension() {
        let shortened = display_name(&format!("{}.pdf", "a".repeat(300)));
        assert_eq!(shortened.chars().count(), MAX_DISPLAY_CHARS);
        assert!(shortened.ends_with("….pdf"));
    }

    #[test]
    fn the_header_cannot_be_broken_out_of() {
        let header = content_disposition("a\"b;c\r\nSet-Cookie: x=1 é.pdf");
        assert!(!header.contains('\r') && !header.contains('\n'));
        assert_eq!(
            header,
            "attachment; filename=\"a_b_c__Set-Cookie_ x_1 _.pdf\"; \
             filename*=UTF-8''a%22b%3Bc%0D%0ASet-Cookie%3A%20x%3D1%20%C3%A9.pdf"
        );
    }
}
