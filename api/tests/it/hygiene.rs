//! Checks on the source itself (SECURITY.md D-02): queries are built by diesel with bound
//! parameters, never by formatting SQL strings.

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn application_code_never_formats_sql() {
    let mut files = Vec::new();
    rust_files(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 20, "the source tree was found");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let compact: String = text.split_whitespace().collect();
        assert!(
            !compact.contains("sql_query(format!"),
            "{} builds SQL with format!",
            file.display()
        );
        assert!(
            !compact.contains("sql_query(&format!"),
            "{} builds SQL with format!",
            file.display()
        );
    }
}
