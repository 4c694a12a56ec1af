//! Deciding what an uploaded file really is (SECURITY.md E-02, E-03).
//!
//! The format comes from the content, never from the name or the declared type. A PDF is
//! parsed with `lopdf` and refused when it is damaged, carries other content (HTML, data
//! after its end: polyglots), holds active content (scripts, automatic actions, launchers,
//! embedded files), has absurdly many pages, or inflates beyond a budget (bombs).
//!
//! Parsing hostile files is the riskiest thing the portal does, so it runs in a child
//! process (`portail-famille inspect-file`, see [`child_main`]) that limits its own memory,
//! CPU time and file writes before reading a byte; the server kills it after a timeout and
//! runs at most a few at once. A child that dies is a refusal, never an acceptance.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use lopdf::{Dictionary, Document, Object};
use serde::{Deserialize, Serialize};
use shared::api::pieces::Format;
use shared::pieces::MAX_FILE_BYTES;
use shared::validation::codes;
use tokio::sync::Semaphore;

/// More pages than any justificatif has (E-03 refuses 100,000).
pub const MAX_PAGES: usize = 500;
/// Bytes all the compressed streams of one PDF may inflate to (E-03: 2 GB bombs).
pub const MAX_INFLATED_BYTES: u64 = 256 * 1024 * 1024;
/// The child's address-space limit.
const CHILD_MEMORY_BYTES: u64 = 768 * 1024 * 1024;
/// The child's CPU-time limit, in seconds.
const CHILD_CPU_SECONDS: u64 = 5;
/// Dictionary keys that make a PDF act on its own.
const ACTIVE_KEYS: &[&[u8]] = &[
    b"JavaScript",
    b"JS",
    b"OpenAction",
    b"AA",
    b"Launch",
    b"EmbeddedFile",
    b"EmbeddedFiles",
    b"RichMedia",
    b"XFA",
];
/// Action and object types that do the same.
const ACTIVE_NAMES: &[&[u8]] = &[
    b"JavaScript",
    b"Launch",
    b"EmbeddedFile",
    b"RichMedia",
    b"ImportData",
    b"SubmitForm",
    b"GoToE",
];
/// Markup that has no business in a PDF or an image (HTML polyglots).
const MARKUP: &[&[u8]] = &[
    b"<html",
    b"<script",
    b"<body",
    b"<iframe",
    b"<!doctype html",
];

/// What the inspection decided.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    Accepted {
        format: Format,
    },
    /// `code` is a field code of `shared::validation::codes`; `reason` says why in French.
    Refused {
        code: String,
        reason: String,
    },
}

impl Verdict {
    fn refused(code: &str, reason: impl Into<String>) -> Self {
        Self::Refused {
            code: code.to_string(),
            reason: reason.into(),
        }
    }

    fn damaged(reason: impl Into<String>) -> Self {
        Self::refused(codes::FILE_DAMAGED, reason)
    }
}

/// The format announced by a file's first bytes, if it is one the portal knows.
pub fn sniff(head: &[u8]) -> Option<Format> {
    if head.starts_with(b"%PDF-") {
        Some(Format::Pdf)
    } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(Format::Png)
    } else if head.starts_with(b"\xFF\xD8\xFF") {
        Some(Format::Jpeg)
    } else {
        None
    }
}

/// Inspects a whole file (in the child process).
pub fn inspect(bytes: &[u8]) -> Verdict {
    let Some(format) = sniff(bytes) else {
        return Verdict::refused(
            codes::FORMAT_NOT_ACCEPTED,
            "ce n'est ni un PDF, ni une image JPEG ou PNG",
        );
    };
    if let Some(tag) = find_markup(bytes) {
        return Verdict::damaged(format!(
            "il contient du code HTML ({}) : ce n'est pas un document",
            String::from_utf8_lossy(tag)
        ));
    }
    let checked = match format {
        Format::Pdf => inspect_pdf(bytes),
        Format::Png if bytes.ends_with(b"IEND\xAE\x42\x60\x82") => Ok(()),
        Format::Jpeg if bytes.ends_with(b"\xFF\xD9") => Ok(()),
        Format::Png | Format::Jpeg => Err(Verdict::damaged(
            "l'image est incomplète ou suivie d'autres données",
        )),
    };
    match checked {
        Ok(()) => Verdict::Accepted { format },
        Err(refusal) => refusal,
    }
}

fn find_markup(bytes: &[u8]) -> Option<&'static [u8]> {
    bytes.iter().enumerate().find_map(|(at, &byte)| {
        if byte != b'<' {
            return None;
        }
        MARKUP.iter().copied().find(|tag| {
            bytes
                .get(at..at + tag.len())
                .is_some_and(|window| window.eq_ignore_ascii_case(tag))
        })
    })
}

fn inspect_pdf(bytes: &[u8]) -> Result<(), Verdict> {
    // A PDF ends at its last `%%EOF`: anything but whitespace after it is another file
    // glued on (a ZIP, a script: a polyglot).
    let end = bytes
        .windows(5)
        .rposition(|w| w == b"%%EOF")
        .ok_or_else(|| Verdict::damaged("le PDF est incomplet (pas de fin de fichier)"))?;
    if !bytes[end + 5..]
        .iter()
        .all(|b| b.is_ascii_whitespace() || *b == 0)
    {
        return Err(Verdict::damaged(
            "d'autres données suivent la fin du PDF (fichier polyglotte)",
        ));
    }
    let document = Document::load_mem(bytes)
        .map_err(|_| Verdict::damaged("le PDF est endommagé ou illisible"))?;
    if document.is_encrypted() {
        return Err(Verdict::damaged(
            "le PDF est protégé par un mot de passe : enregistrez-le sans protection",
        ));
    }
    // The page tree's own count too: a tree naming one page 100,000 times is a flood.
    let announced = document
        .catalog()
        .and_then(|catalog| catalog.get(b"Pages"))
        .and_then(Object::as_reference)
        .and_then(|id| document.get_dictionary(id))
        .and_then(|tree| tree.get(b"Count"))
        .and_then(Object::as_i64)
        .map_or(0, |count| usize::try_from(count).unwrap_or(usize::MAX));
    let pages = document.get_pages().len().max(announced);
    if pages == 0 {
        return Err(Verdict::damaged("le PDF ne contient aucune page"));
    }
    if pages > MAX_PAGES {
        return Err(Verdict::damaged(format!(
            "le PDF a {pages} pages, plus que les {MAX_PAGES} acceptées"
        )));
    }
    let mut inflated = 0u64;
    for object in document.objects.values() {
        if let Some(found) = active_content(object, 0) {
            return Err(Verdict::refused(
                codes::PDF_ACTIVE_CONTENT,
                format!("le PDF contient du contenu actif (/{found})"),
            ));
        }
        if let Object::Stream(stream) = object
            && is_deflated(&stream.dict)
        {
            inflated += inflated_size(&stream.content, MAX_INFLATED_BYTES - inflated);
            if inflated >= MAX_INFLATED_BYTES {
                return Err(Verdict::damaged(
                    "le PDF contient des données compressées démesurées",
                ));
            }
        }
    }
    Ok(())
}

/// The first active key or action found in an object, looking into nested values.
fn active_content(object: &Object, depth: usize) -> Option<String> {
    if depth > 32 {
        return None;
    }
    let in_dictionary = |dict: &Dictionary| {
        dict.iter().find_map(|(key, value)| {
            if ACTIVE_KEYS.contains(&key.as_slice()) {
                return Some(String::from_utf8_lossy(key).into_owned());
            }
            if matches!(key.as_slice(), b"S" | b"Type" | b"Subtype")
                && let Object::Name(name) = value
                && ACTIVE_NAMES.contains(&name.as_slice())
            {
                return Some(String::from_utf8_lossy(name).into_owned());
            }
            active_content(value, depth + 1)
        })
    };
    match object {
        Object::Dictionary(dict) => in_dictionary(dict),
        Object::Stream(stream) => in_dictionary(&stream.dict),
        Object::Array(items) => items.iter().find_map(|o| active_content(o, depth + 1)),
        _ => None,
    }
}

fn is_deflated(dict: &Dictionary) -> bool {
    match dict.get(b"Filter") {
        Ok(Object::Name(name)) => name == b"FlateDecode",
        Ok(Object::Array(filters)) => filters
            .iter()
            .any(|f| matches!(f, Object::Name(n) if n == b"FlateDecode")),
        _ => false,
    }
}

/// How many bytes a deflated stream inflates to, counting at most `budget` (+1) of them
/// without ever holding them in memory.
fn inflated_size(content: &[u8], budget: u64) -> u64 {
    let decoder = flate2::read::ZlibDecoder::new(content);
    std::io::copy(&mut decoder.take(budget + 1), &mut std::io::sink()).unwrap_or(0)
}

/// `portail-famille inspect-file`: limits itself, reads one file on stdin, writes its
/// [`Verdict`] as JSON on stdout.
pub fn child_main() -> ExitCode {
    use rlimit::Resource;
    let limited = Resource::AS
        .set(CHILD_MEMORY_BYTES, CHILD_MEMORY_BYTES)
        .and_then(|()| Resource::CPU.set(CHILD_CPU_SECONDS, CHILD_CPU_SECONDS + 1))
        .and_then(|()| Resource::FSIZE.set(0, 0))
        .and_then(|()| Resource::NPROC.set(0, 0));
    if limited.is_err() {
        // Never parse a hostile file without the limits.
        return ExitCode::FAILURE;
    }
    let mut bytes = Vec::new();
    if std::io::stdin()
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .is_err()
        || bytes.len() as u64 > MAX_FILE_BYTES
    {
        return ExitCode::FAILURE;
    }
    let verdict = inspect(&bytes);
    match serde_json::to_vec(&verdict) {
        Ok(json) if std::io::stdout().write_all(&json).is_ok() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// Runs inspections in child processes, a few at a time.
pub struct Inspector {
    program: PathBuf,
    permits: Semaphore,
    timeout: Duration,
}

impl Inspector {
    /// `program` is the `portail-famille` binary; `concurrency` children at most.
    pub fn new(program: PathBuf, concurrency: usize, timeout: Duration) -> Self {
        Self {
            program,
            permits: Semaphore::new(concurrency.max(1)),
            timeout,
        }
    }

    /// Inspects the file at `path`. A child that fails, is killed by its limits or runs
    /// out of time gives a refusal.
    pub async fn inspect(&self, path: &Path) -> anyhow::Result<Verdict> {
        let _permit = self.permits.acquire().await?;
        let input = std::fs::File::open(path)?;
        let child = tokio::process::Command::new(&self.program)
            .arg("inspect-file")
            .env_clear()
            .stdin(Stdio::from(input))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let too_complex = || Verdict::damaged("le fichier est trop complexe à analyser");
        match tokio::time::timeout(self.timeout, child.wait_with_output()).await {
            Err(_elapsed) => {
                tracing::warn!("file inspection timed out");
                Ok(too_complex())
            }
            Ok(output) => {
                let output = output?;
                if !output.status.success() {
                    tracing::warn!(status = %output.status, "file inspection failed");
                    return Ok(too_complex());
                }
                Ok(serde_json::from_slice(&output.stdout)?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_comes_from_the_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(Format::Pdf));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n...."), Some(Format::Png));
        assert_eq!(sniff(b"\xFF\xD8\xFF\xE0"), Some(Format::Jpeg));
        assert_eq!(sniff(b"<!DOCTYPE html>"), None);
        assert_eq!(sniff(b"PK\x03\x04"), None);
    }

    #[test]
    fn markup_is_found_whatever_its_case() {
        assert_eq!(find_markup(b"%PDF-1.4 <HtMl>"), Some(&b"<html"[..]));
        assert_eq!(find_markup(b"%PDF-1.4 < 3 and <x:xmpmeta>"), None);
    }

    #[test]
    fn html_is_not_accepted() {
        assert!(matches!(
            inspect(b"<html><script>alert(1)</script></html>"),
            Verdict::Refused { code, .. } if code == codes::FORMAT_NOT_ACCEPTED
        ));
    }

    #[test]
    fn a_truncated_png_is_refused() {
        assert!(matches!(
            inspect(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
            Verdict::Refused { code, .. } if code == codes::FILE_DAMAGED
        ));
    }
}
