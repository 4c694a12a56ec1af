//! Where pieces' files live: an `object_store` store (the local filesystem by default, an
//! S3-compatible bucket by configuration), outside anything the portal serves statically
//! (SECURITY.md E-05). Objects are named `<shelf>/<uuid>`: no name a family or an agent
//! chose ever reaches the store (E-04).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use tokio::io::AsyncReadExt;

/// The two kinds of stored files, each under its own prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shelf {
    /// Families' pièces justificatives: `pieces/<uuid>`.
    Pieces,
    /// The town's public documents: `documents/<uuid>`.
    Documents,
    /// Copies of a family's data (« Une copie de mes données »): `exports/<uuid>`, kept a
    /// few days, never backed up.
    Exports,
}

impl Shelf {
    /// The shelves a backup holds (copies of data are short-lived: a family asks again).
    pub const ALL: [Self; 2] = [Self::Pieces, Self::Documents];

    /// The shelf's prefix in the store (and its directory in a backup).
    pub fn prefix(self) -> &'static str {
        match self {
            Self::Pieces => "pieces",
            Self::Documents => "documents",
            Self::Exports => "exports",
        }
    }
}

/// Where the files go, from `STORAGE_URL`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StorageLocation {
    /// A local directory (the embedded default: `data/files`).
    Local(PathBuf),
    /// `s3://bucket`: credentials, endpoint and region come from the `AWS_*` variables,
    /// then from `options` (`object_store`'s configuration keys, such as `aws_endpoint`),
    /// which are empty when read from `STORAGE_URL`.
    S3 {
        url: String,
        options: Vec<(String, String)>,
    },
}

impl StorageLocation {
    /// Reads `STORAGE_URL`: `s3://bucket[/…]`, or a local directory path.
    pub fn parse(value: &str) -> Self {
        if value.starts_with("s3://") {
            Self::S3 {
                url: value.to_string(),
                options: Vec::new(),
            }
        } else {
            Self::Local(PathBuf::from(
                value.strip_prefix("file://").unwrap_or(value),
            ))
        }
    }
}

/// The file store, and the local scratch directory where uploads are received and checked
/// before they enter it.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// The store's directory when it is local (to set file modes).
    local_root: Option<PathBuf>,
    scratch: PathBuf,
    /// Bytes per part when copying a file into the store: small parts keep memory flat on
    /// a local disk; S3 needs at least 5 MiB per part.
    part_size: usize,
}

/// A store that is down must fail an upload within seconds (503, retry later), not keep
/// the family waiting through `object_store`'s default of ten retries over three minutes.
fn bounded_retries() -> object_store::RetryConfig {
    object_store::RetryConfig {
        max_retries: 2,
        retry_timeout: std::time::Duration::from_secs(10),
        ..Default::default()
    }
}

impl Storage {
    /// Opens (and creates, if local) the store. Refuses a local store inside `web_root`,
    /// which is served to anyone.
    pub fn open(
        location: &StorageLocation,
        scratch: &Path,
        web_root: &Path,
    ) -> anyhow::Result<Self> {
        create_private_dir(scratch)?;
        match location {
            StorageLocation::Local(dir) => {
                create_private_dir(dir)?;
                let root = dir
                    .canonicalize()
                    .with_context(|| format!("Failed to resolve {}", dir.display()))?;
                if let Ok(web) = web_root.canonicalize()
                    && root.starts_with(&web)
                {
                    bail!(
                        "STORAGE_URL ({}) must not be inside WEB_DIST ({}): files would be public",
                        root.display(),
                        web.display()
                    );
                }
                let store = LocalFileSystem::new_with_prefix(&root)
                    .context("Failed to open the file store")?
                    .with_automatic_cleanup(true)
                    .with_fsync(true);
                Ok(Self {
                    store: Arc::new(store),
                    local_root: Some(root),
                    scratch: scratch.to_path_buf(),
                    part_size: 256 * 1024,
                })
            }
            StorageLocation::S3 { url, options } => {
                let mut builder = object_store::aws::AmazonS3Builder::from_env()
                    .with_url(url)
                    .with_retry(bounded_retries());
                for (key, value) in options {
                    let key = key
                        .parse()
                        .with_context(|| format!("Unknown S3 option {key}"))?;
                    builder = builder.with_config(key, value);
                }
                let store = builder
                    .build()
                    .with_context(|| format!("Failed to configure the S3 store {url}"))?;
                Ok(Self {
                    store: Arc::new(store),
                    local_root: None,
                    scratch: scratch.to_path_buf(),
                    part_size: 5 * 1024 * 1024,
                })
            }
        }
    }

    /// Whether the store answers within 2 s (a missing object is an answer): readiness.
    pub async fn is_reachable(&self) -> bool {
        let probe = ObjectPath::from("readiness-probe");
        matches!(
            tokio::time::timeout(std::time::Duration::from_secs(2), self.store.head(&probe)).await,
            Ok(Ok(_) | Err(object_store::Error::NotFound { .. }))
        )
    }

    /// The directory where uploads are received before they are checked.
    pub fn scratch_dir(&self) -> &Path {
        &self.scratch
    }

    fn object(shelf: Shelf, id: &str) -> ObjectPath {
        ObjectPath::from_iter([shelf.prefix(), id])
    }

    /// Where an object lives on disk, for a local store (tests check E-04/E-05 with it).
    pub fn local_path(&self, shelf: Shelf, id: &str) -> Option<PathBuf> {
        self.local_root
            .as_ref()
            .map(|root| root.join(shelf.prefix()).join(id))
    }

    /// Copies a checked scratch file into the store as object `id`, part by part so that
    /// memory stays flat whatever the file size.
    pub async fn put_file(&self, shelf: Shelf, id: &str, source: &Path) -> anyhow::Result<()> {
        let location = Self::object(shelf, id);
        let mut upload = self.store.put_multipart(&location).await?;
        let mut file = tokio::fs::File::open(source).await?;
        let copied: anyhow::Result<()> = async {
            loop {
                let mut part = Vec::with_capacity(self.part_size);
                let read = (&mut file)
                    .take(self.part_size as u64)
                    .read_to_end(&mut part)
                    .await?;
                if read == 0 {
                    break;
                }
                upload.put_part(PutPayload::from(part)).await?;
            }
            Ok(())
        }
        .await;
        if let Err(error) = copied {
            // Best effort: an unfinished upload leaves at most a staging file behind.
            let _ = upload.abort().await;
            return Err(error);
        }
        upload.complete().await?;
        if let Some(path) = self.local_path(shelf, id) {
            set_private_mode(&path)?;
        }
        Ok(())
    }

    /// The content of object `id`, as a stream.
    pub async fn get(
        &self,
        shelf: Shelf,
        id: &str,
    ) -> anyhow::Result<impl futures_util::Stream<Item = std::io::Result<Bytes>> + use<>> {
        let result = self.store.get(&Self::object(shelf, id)).await?;
        Ok(result.into_stream().map_err(std::io::Error::other))
    }

    /// Deletes objects; one that is already gone is not an error.
    pub async fn delete(&self, shelf: Shelf, ids: &[String]) {
        for id in ids {
            match self.store.delete(&Self::object(shelf, id)).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => {
                    tracing::warn!(%error, object = %id, "failed to delete a stored file; the purge job will retry")
                }
            }
        }
    }

    /// The ids of objects last written before `before`.
    pub async fn ids_older_than(
        &self,
        shelf: Shelf,
        before: chrono::DateTime<chrono::Utc>,
    ) -> anyhow::Result<Vec<String>> {
        let prefix = ObjectPath::from(shelf.prefix());
        let mut ids = Vec::new();
        let mut listing = self.store.list(Some(&prefix));
        while let Some(meta) = listing.next().await {
            let meta = meta?;
            if meta.last_modified < before
                && let Some(name) = meta.location.filename()
            {
                ids.push(name.to_string());
            }
        }
        Ok(ids)
    }
}

/// Creates a directory only the service user can enter (0750 on Unix).
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("Failed to create {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o750))
            .with_context(|| format!("Failed to restrict {}", dir.display()))?;
    }
    Ok(())
}

/// Stored files are readable by the service user and its group only (E-05: 0640).
fn set_private_mode(path: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o640))
            .with_context(|| format!("Failed to restrict {}", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}
