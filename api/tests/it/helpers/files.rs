//! Real files for upload tests, made with `lopdf`: a proper PDF, and the hostile ones of
//! SECURITY.md E-02/E-03 (active content, polyglots, bombs, page floods).

use std::io::Write;

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Document, Object, ObjectId, Stream, dictionary};

/// A 1×1 PNG image.
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
    0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
    0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

/// HTML with a script, as someone might rename it `x.pdf`.
pub const HTML: &[u8] =
    b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";

/// A PDF of `pages` pages saying `text`, with `extra` given the document and its catalog
/// to add whatever a test needs.
pub fn pdf_with(pages: usize, text: &str, extra: impl FnOnce(&mut Document, ObjectId)) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let content = Content {
        operations: vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 18.into()]),
            Operation::new("Td", vec![72.into(), 720.into()]),
            Operation::new("Tj", vec![Object::string_literal(text)]),
            Operation::new("ET", vec![]),
        ],
    };
    let content_id = doc.add_object(Stream::new(
        dictionary! {},
        content.encode().expect("encode the page"),
    ));
    let kids: Vec<Object> = (0..pages)
        .map(|_| {
            doc.add_object(dictionary! {
                "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            })
            .into()
        })
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => pages as i64,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    extra(&mut doc, catalog_id);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).expect("save the PDF");
    bytes
}

/// A plain one-page PDF.
pub fn pdf(text: &str) -> Vec<u8> {
    pdf_with(1, text, |_, _| {})
}

/// A valid PDF of exactly `size` bytes (padded with an unused uncompressed stream).
pub fn pdf_of_size(size: usize) -> Vec<u8> {
    let base = pdf("Justificatif volumineux").len();
    let overhead = 200;
    let padding = size.saturating_sub(base + overhead);
    let mut bytes = pdf_with(1, "Justificatif volumineux", |doc, _| {
        doc.add_object(Stream::new(dictionary! {}, vec![b'0'; padding]));
    });
    // Adjust the padding precisely: only whitespace may follow %%EOF, so trim or extend
    // inside the padding stream is not possible after saving; pad after %%EOF instead.
    assert!(
        bytes.len() <= size,
        "PDF larger than asked: {}",
        bytes.len()
    );
    bytes.resize(size, b'\n');
    bytes
}

fn catalog(doc: &mut Document, id: ObjectId) -> &mut Dictionary {
    doc.get_object_mut(id)
        .and_then(Object::as_dict_mut)
        .expect("catalog")
}

/// A PDF that runs JavaScript when opened.
pub fn pdf_with_javascript() -> Vec<u8> {
    pdf_with(1, "Facture", |doc, root| {
        let action = doc.add_object(dictionary! {
            "Type" => "Action", "S" => "JavaScript", "JS" => Object::string_literal("app.alert(1)"),
        });
        catalog(doc, root).set("OpenAction", action);
    })
}

/// A PDF carrying an embedded file.
pub fn pdf_with_embedded_file() -> Vec<u8> {
    pdf_with(1, "Facture", |doc, root| {
        let file = doc.add_object(Stream::new(
            dictionary! { "Type" => "EmbeddedFile" },
            b"MZ\x90\x00 not a document".to_vec(),
        ));
        let spec = doc.add_object(dictionary! {
            "Type" => "Filespec", "F" => Object::string_literal("x.exe"),
            "EF" => dictionary! { "F" => file },
        });
        let names = vec![Object::string_literal("x.exe"), spec.into()];
        catalog(doc, root).set(
            "Names",
            dictionary! { "EmbeddedFiles" => dictionary! { "Names" => names } },
        );
    })
}

/// A PDF with a ZIP archive glued after its end (a polyglot).
pub fn pdf_with_zip_appended() -> Vec<u8> {
    let mut bytes = pdf("Facture");
    bytes.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00payload.js");
    bytes.extend_from_slice(
        b"PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00",
    );
    bytes
}

/// A PDF whose page content carries an HTML page with a script.
pub fn pdf_with_html() -> Vec<u8> {
    pdf_with(1, "<html><script>alert(1)</script></html>", |_, _| {})
}

/// A small PDF holding a deflated stream that inflates to `inflated` bytes.
pub fn pdf_bomb(inflated: usize) -> Vec<u8> {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1024 * 1024];
    for _ in 0..inflated / block.len() {
        encoder.write_all(&block).expect("deflate");
    }
    let deflated = encoder.finish().expect("deflate");
    pdf_with(1, "Facture", move |doc, _| {
        doc.add_object(Stream::new(
            dictionary! { "Filter" => "FlateDecode" },
            deflated,
        ));
    })
}

/// A small PDF announcing `pages` pages, all the same page object (a parser flood).
pub fn pdf_page_flood(pages: usize) -> Vec<u8> {
    pdf_with(1, "page", move |doc, root| {
        let pages_id = catalog(doc, root)
            .get(b"Pages")
            .and_then(Object::as_reference)
            .expect("pages");
        let tree = doc
            .get_object_mut(pages_id)
            .and_then(Object::as_dict_mut)
            .expect("page tree");
        let first = tree.get(b"Kids").and_then(Object::as_array).expect("kids")[0].clone();
        tree.set("Kids", vec![first; pages]);
        tree.set("Count", pages as i64);
    })
}
