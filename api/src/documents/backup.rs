//! The file half of a backup (SECURITY.md G-08; the database half is `pg_dump`, see
//! `scripts/backup.sh`): every object of the store copied to a plain directory
//! (`<shelf>/<uuid>`), and such a directory put back into a store, local or S3 alike. A
//! backup taken from a local store restores into a bucket and the other way round.

use std::path::Path;

use anyhow::Context;
use futures_util::TryStreamExt;
use tokio::io::AsyncWriteExt;

use crate::documents::storage::{Shelf, Storage};

/// How many files were copied, per shelf.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Copied {
    pub pieces: usize,
    pub documents: usize,
}

impl Copied {
    fn count(&mut self, shelf: Shelf) {
        match shelf {
            Shelf::Pieces => self.pieces += 1,
            Shelf::Documents => self.documents += 1,
            // Not in `Shelf::ALL`: copies of data are not backed up.
            Shelf::Exports => {}
        }
    }
}

/// Copies every object of `storage` into `dir` (created), streamed: memory stays flat
/// whatever the files' sizes. A file is written under a temporary name and renamed once
/// complete, so an interrupted export never leaves a truncated file under an object's name.
pub async fn export(storage: &Storage, dir: &Path) -> anyhow::Result<Copied> {
    let mut copied = Copied::default();
    // Every object, whatever its age.
    let everything = chrono::Utc::now() + chrono::Duration::days(1);
    for shelf in Shelf::ALL {
        let shelf_dir = dir.join(shelf.prefix());
        tokio::fs::create_dir_all(&shelf_dir)
            .await
            .with_context(|| format!("Failed to create {}", shelf_dir.display()))?;
        for id in storage.ids_older_than(shelf, everything).await? {
            let target = shelf_dir.join(&id);
            let partial = shelf_dir.join(format!(".{id}.partiel"));
            let mut out = tokio::fs::File::create(&partial)
                .await
                .with_context(|| format!("Failed to create {}", partial.display()))?;
            let mut body = storage.get(shelf, &id).await?;
            while let Some(chunk) = body.try_next().await? {
                out.write_all(&chunk).await?;
            }
            out.sync_all().await?;
            tokio::fs::rename(&partial, &target).await?;
            copied.count(shelf);
        }
    }
    Ok(copied)
}

/// Puts every file of `dir` (as written by [`export`]) into `storage`. Only names that are
/// object ids are taken: nothing else in the directory can become an object.
pub async fn import(storage: &Storage, dir: &Path) -> anyhow::Result<Copied> {
    let mut copied = Copied::default();
    for shelf in Shelf::ALL {
        let shelf_dir = dir.join(shelf.prefix());
        let Ok(mut entries) = tokio::fs::read_dir(&shelf_dir).await else {
            continue;
        };
        while let Some(entry) = entries.next_entry().await? {
            let name = entry.file_name();
            let Some(id) = name.to_str().filter(|n| uuid::Uuid::parse_str(n).is_ok()) else {
                continue;
            };
            storage
                .put_file(shelf, id, &entry.path())
                .await
                .with_context(|| format!("Failed to restore {}", entry.path().display()))?;
            copied.count(shelf);
        }
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::documents::storage::StorageLocation;

    fn store(root: &Path, name: &str) -> Storage {
        Storage::open(
            &StorageLocation::Local(root.join(name)),
            &root.join(format!("{name}-scratch")),
            &root.join("web"),
        )
        .expect("open a store")
    }

    #[tokio::test]
    async fn a_store_exported_then_imported_elsewhere_holds_the_same_files() {
        let root = std::env::temp_dir().join(format!("pf-backup-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&root).expect("root");
        let source = store(&root, "source");
        let file = root.join("content");
        let mut ids = Vec::new();
        for (shelf, size) in [
            (Shelf::Pieces, 300_000),
            (Shelf::Pieces, 1),
            (Shelf::Documents, 42),
        ] {
            let id = uuid::Uuid::new_v4().to_string();
            std::fs::write(&file, vec![u8::try_from(size % 251).expect("byte"); size])
                .expect("write");
            source.put_file(shelf, &id, &file).await.expect("put");
            ids.push((shelf, id, size));
        }
        let exported = export(&source, &root.join("backup")).await.expect("export");
        assert_eq!(
            exported,
            Copied {
                pieces: 2,
                documents: 1
            }
        );
        // A stray file in the backup directory never becomes an object.
        std::fs::write(root.join("backup/pieces/notes.txt"), "hors sauvegarde").expect("write");

        let restored = store(&root, "restored");
        let imported = import(&restored, &root.join("backup"))
            .await
            .expect("import");
        assert_eq!(imported, exported);
        for (shelf, id, size) in ids {
            let body: Vec<bytes::Bytes> = restored
                .get(shelf, &id)
                .await
                .expect("get")
                .try_collect()
                .await
                .expect("read");
            let bytes: Vec<u8> = body.concat();
            assert_eq!(bytes.len(), size);
            assert!(bytes.iter().all(|b| usize::from(*b) == size % 251));
        }
        let _ = std::fs::remove_dir_all(&root);
    }
}
