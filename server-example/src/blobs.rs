//! Document bytes, through the `object_store` crate: a local folder by
//! default, any S3-compatible bucket by configuration.
//!
//! Keys are `documents/<account>/<document id>.pdf`. Bytes are written
//! before the database transaction that refers to them, so a committed row
//! always has its bytes; a crash in between leaves at most an unreferenced
//! object, never a row without bytes.

use std::path::Path;
use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as ObjectPath;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use paraph::ErrorCode;

use crate::error::AppError;

/// Where document bytes are kept.
#[derive(Debug, Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    description: String,
}

impl Blobs {
    /// A local folder (created if missing).
    pub fn local(dir: &Path) -> Result<Self, AppError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            AppError::internal(
                ErrorCode::StorageUnavailable,
                format!("cannot create {}: {e}", dir.display()),
            )
        })?;
        let store = LocalFileSystem::new_with_prefix(dir)?;
        Ok(Self {
            store: Arc::new(store),
            description: format!("folder {}", dir.display()),
        })
    }

    /// An S3-compatible bucket: `s3://bucket` or `s3://bucket/prefix`, with
    /// the credentials, region and endpoint from the usual `AWS_*`
    /// variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP`).
    pub fn s3(url: &str) -> Result<Self, AppError> {
        let parsed = url::Url::parse(url)
            .map_err(|e| AppError::invalid(format!("storage URL {url:?}: {e}")))?;
        let bucket = parsed
            .host_str()
            .filter(|b| !b.is_empty())
            .ok_or_else(|| AppError::invalid(format!("storage URL {url:?} names no bucket")))?;
        let store = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()?;
        let prefix = parsed.path().trim_matches('/');
        let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
            Arc::new(store)
        } else {
            Arc::new(PrefixStore::new(store, prefix))
        };
        Ok(Self {
            store,
            description: format!(
                "bucket {bucket}{}",
                if prefix.is_empty() {
                    String::new()
                } else {
                    format!(" under {prefix}/")
                }
            ),
        })
    }

    /// From a storage URL: `s3://…`, or a local folder path (`file://` or plain).
    pub fn from_url(url: &str) -> Result<Self, AppError> {
        if url.starts_with("s3://") {
            Self::s3(url)
        } else {
            Self::local(Path::new(url.strip_prefix("file://").unwrap_or(url)))
        }
    }

    /// What this is, for the start-up log.
    pub fn description(&self) -> &str {
        &self.description
    }

    /// The underlying store (tests read it directly).
    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// The key of a document's bytes.
    pub fn document_key(account_id: &str, document_id: &str) -> String {
        format!("documents/{account_id}/{document_id}.pdf")
    }

    /// Stores bytes under `key`.
    pub async fn put(&self, key: &str, bytes: Bytes) -> Result<(), AppError> {
        self.store
            .put(&ObjectPath::from(key), PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    /// The bytes under `key`.
    pub async fn get(&self, key: &str) -> Result<Bytes, AppError> {
        Ok(self
            .store
            .get(&ObjectPath::from(key))
            .await?
            .bytes()
            .await?)
    }

    /// Removes `key`; a missing object is not an error.
    pub async fn delete(&self, key: &str) -> Result<(), AppError> {
        match self.store.delete(&ObjectPath::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks that the store answers (a listing of one prefix).
    pub async fn ping(&self) -> Result<(), AppError> {
        use futures::TryStreamExt;
        let mut listing = self.store.list(Some(&ObjectPath::from("documents")));
        listing.try_next().await?;
        Ok(())
    }
}
