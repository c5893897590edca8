//! Shared test harness: an application on a fresh database and object
//! store, two accounts with keys, and request helpers over `oneshot`.
//!
//! The backend comes from the environment, so the same tests run on both:
//! - `PARAPH_TEST_DATABASE_URL=postgres://…/postgres`: each test gets its
//!   own new database on that server (scripts/test-server starts one);
//!   otherwise a new SQLite file in a temporary folder.
//! - `PARAPH_TEST_S3_URL=s3://bucket`: each test gets its own prefix in that
//!   bucket (credentials and endpoint from `AWS_*`); otherwise a local folder.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use paraph_server::auth::ALL_SCOPES;
use paraph_server::blobs::Blobs;
use paraph_server::ratelimit::{RateLimitConfig, RateLimits};
use paraph_server::routes::keys::issue_key;
use paraph_server::server::ensure_account;
use paraph_server::state::{AppState, Settings, body_limit_for};
use paraph_server::store::{SqlStore, Store, Tenant};
use paraph_server::webhooks::{Deliverer, DeliveryConfig, UrlGuard};
use serde_json::Value;
use tower::ServiceExt;

/// What a test may change.
#[derive(Debug, Clone)]
pub struct Options {
    pub rate_limits: RateLimitConfig,
    pub max_document_bytes: usize,
    pub allow_hosts: Vec<String>,
    pub delivery: DeliveryConfig,
    /// The link secret (random when `None`); processes sharing a database share it.
    pub link_secret: Option<Arc<[u8; 32]>>,
    /// Archive completed envelopes through a TSA (`--tsa-url`).
    pub archive: Option<Arc<paraph_server::signing::tsa::Archive>>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            rate_limits: RateLimitConfig {
                burst: 10_000,
                per_minute: 10_000,
            },
            max_document_bytes: 5 * 1024 * 1024,
            allow_hosts: vec!["localhost".to_owned(), "127.0.0.1".to_owned()],
            delivery: DeliveryConfig {
                backoff_base: std::time::Duration::ZERO,
                timeout: std::time::Duration::from_secs(5),
                ..DeliveryConfig::default()
            },
            link_secret: None,
            archive: None,
        }
    }
}

/// Which backends this run uses.
pub fn backend_label() -> String {
    format!(
        "{} + {}",
        if std::env::var("PARAPH_TEST_DATABASE_URL").is_ok() {
            "postgres"
        } else {
            "sqlite"
        },
        if std::env::var("PARAPH_TEST_S3_URL").is_ok() {
            "s3"
        } else {
            "folder"
        }
    )
}

/// A database URL and storage URL for one test.
pub struct Storage {
    pub database_url: String,
    pub storage_url: String,
    pub dir: tempfile::TempDir,
}

fn random_suffix() -> String {
    paraph_server::ids::random_base62(12)
        .unwrap()
        .to_ascii_lowercase()
}

/// A fresh database and object store location.
pub async fn fresh_storage() -> Storage {
    let dir = tempfile::tempdir().unwrap();
    let database_url = match std::env::var("PARAPH_TEST_DATABASE_URL") {
        Ok(admin) => {
            sqlx::any::install_default_drivers();
            let name = format!("paraph_test_{}", random_suffix());
            let pool = sqlx::any::AnyPoolOptions::new()
                .max_connections(1)
                .connect(&admin)
                .await
                .expect("the test PostgreSQL server answers");
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
            let mut url = url::Url::parse(&admin).unwrap();
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
        Err(_) => SqlStore::sqlite_url(&dir.path().join("paraph.db")),
    };
    let storage_url = match std::env::var("PARAPH_TEST_S3_URL") {
        Ok(bucket) => format!("{}/{}", bucket.trim_end_matches('/'), random_suffix()),
        Err(_) => dir.path().join("documents").display().to_string(),
    };
    Storage {
        database_url,
        storage_url,
        dir,
    }
}

/// A key and what it sees.
#[derive(Debug, Clone)]
pub struct Key {
    pub key: String,
    pub id: String,
    pub tenant: Tenant,
}

/// An application with two accounts: A (live and test keys) and B (live key).
pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub store: Arc<dyn Store>,
    pub options: Options,
    pub storage: Storage,
    /// Account A, live, every scope.
    pub a: Key,
    /// Account A, test mode, every scope.
    pub a_test: Key,
    /// Account B, live, every scope.
    pub b: Key,
}

impl TestApp {
    pub async fn new() -> Self {
        Self::with(Options::default()).await
    }

    pub async fn with(options: Options) -> Self {
        let storage = fresh_storage().await;
        Self::on(storage, options).await
    }

    /// An application on existing storage (a second process, a restart).
    pub async fn on(storage: Storage, options: Options) -> Self {
        let store = SqlStore::connect(&storage.database_url, 8).await.unwrap();
        let store: Arc<dyn Store> = Arc::new(store);
        let a_account = ensure_account(store.as_ref(), "account-a", Some("a@example.com"))
            .await
            .unwrap();
        let b_account = ensure_account(store.as_ref(), "account-b", Some("b@example.com"))
            .await
            .unwrap();
        let key = |account: &str, live: bool| {
            let store = store.clone();
            let account = account.to_owned();
            async move {
                let (text, record) = issue_key(
                    store.as_ref(),
                    &account,
                    "test key",
                    live,
                    ALL_SCOPES.iter().map(|s| s.to_string()).collect(),
                )
                .await
                .unwrap();
                Key {
                    key: text,
                    id: record.id,
                    tenant: Tenant {
                        account_id: account,
                        livemode: live,
                    },
                }
            }
        };
        let a = key(&a_account.id, true).await;
        let a_test = key(&a_account.id, false).await;
        let b = key(&b_account.id, true).await;
        let blobs = Blobs::from_url(&storage.storage_url).unwrap();
        let defaults = paraph_server::signing::SigningSettings::default();
        let link_secret = options
            .link_secret
            .clone()
            .unwrap_or_else(|| defaults.link_secret.clone());
        let state = AppState::new(
            store.clone(),
            blobs,
            RateLimits::new(options.rate_limits).unwrap(),
            UrlGuard::new(options.allow_hosts.clone()),
            Settings {
                max_document_bytes: options.max_document_bytes,
                max_body_bytes: body_limit_for(options.max_document_bytes),
                public_url: "http://127.0.0.1:8080".to_owned(),
                signing: paraph_server::signing::SigningSettings {
                    sms: Arc::new(paraph_server::signing::sms::FileOutbox {
                        path: storage.dir.path().join("outbox/sms.jsonl"),
                    }),
                    mailer: Some(Arc::new(
                        paraph_server::signing::mail::Mailer::new(
                            "paraph <no-reply@localhost>",
                            Some(storage.dir.path().join("outbox")),
                            None,
                        )
                        .unwrap(),
                    )),
                    link_secret,
                    archive: options.archive.clone(),
                    ..defaults
                },
            },
        );

        let router = paraph_server::app(state.clone());
        Self {
            state,
            router,
            store,
            options,
            storage,
            a,
            a_test,
            b,
        }
    }

    /// A key for account A with only some scopes.
    pub async fn scoped_key(&self, scopes: &[&str]) -> Key {
        let (text, record) = issue_key(
            self.store.as_ref(),
            &self.a.tenant.account_id,
            "scoped",
            true,
            scopes.iter().map(|s| s.to_string()).collect(),
        )
        .await
        .unwrap();
        Key {
            key: text,
            id: record.id,
            tenant: self.a.tenant.clone(),
        }
    }

    /// A webhook worker on this application's store.
    pub fn deliverer(&self) -> Deliverer {
        Deliverer::new(
            self.store.clone(),
            UrlGuard::new(self.options.allow_hosts.clone()),
            self.options.delivery.clone(),
            self.state.delivery_signal(),
        )
        .unwrap()
    }

    /// A mail and SMS worker on this application, retrying at once.
    pub fn messenger(&self) -> paraph_server::signing::messages::Messenger {
        paraph_server::signing::messages::Messenger::new(
            self.state.clone(),
            paraph_server::signing::messages::MessageConfig {
                backoff_base: std::time::Duration::ZERO,
                ..Default::default()
            },
        )
    }

    /// Sends every queued mail and SMS now (what the worker of a running
    /// server does on its own); returns how many it handled.
    pub async fn send_messages(&self) -> usize {
        let messenger = self.messenger();
        let mut total = 0;
        loop {
            let n = messenger.run_once().await.unwrap();
            if n == 0 {
                return total;
            }
            total += n;
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Response {
        let response = self.router.clone().oneshot(request).await.unwrap();
        Response::read(response).await
    }

    pub fn request(method: Method, path: &str, key: Option<&Key>) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path);
        if let Some(key) = key {
            builder = builder.header("authorization", format!("Bearer {}", key.key));
        }
        builder
    }

    pub async fn get(&self, path: &str, key: &Key) -> Response {
        self.send(
            Self::request(Method::GET, path, Some(key))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn delete(&self, path: &str, key: &Key) -> Response {
        self.send(
            Self::request(Method::DELETE, path, Some(key))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn json(&self, method: Method, path: &str, key: &Key, body: &Value) -> Response {
        self.send(
            Self::request(method, path, Some(key))
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    pub async fn post(&self, path: &str, key: &Key, body: &Value) -> Response {
        self.json(Method::POST, path, key, body).await
    }

    pub async fn patch(&self, path: &str, key: &Key, body: &Value) -> Response {
        self.json(Method::PATCH, path, key, body).await
    }

    /// A multipart upload of `bytes` as part `file` with a content type.
    pub async fn upload(
        &self,
        key: &Key,
        bytes: &[u8],
        file_type: &str,
        name: Option<&str>,
    ) -> Response {
        let (content_type, body) = multipart(bytes, file_type, "contrat.pdf", name, "XBOUNDARYX");
        self.send(
            Self::request(Method::POST, "/api/v1/documents", Some(key))
                .header("content-type", content_type)
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }

    /// Uploads a small valid PDF; returns its id.
    pub async fn upload_pdf(&self, key: &Key) -> String {
        let response = self.upload(key, &pdf(2), "application/pdf", None).await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        response.json["id"].as_str().unwrap().to_owned()
    }

    /// Creates a draft with one uploaded document and one signer; returns its id.
    pub async fn draft(&self, key: &Key) -> String {
        let doc = self.upload_pdf(key).await;
        let response = self
            .post(
                "/api/v1/envelopes",
                key,
                &serde_json::json!({
                    "subject": "Contrat de prestation",
                    "documentIds": [doc],
                    "recipients": [{"email": "client@example.com", "name": "Marie Dubois", "role": "SIGNER"}],
                    "fields": [{"recipientIndex": 0, "pageNumber": 1, "x": 72, "y": 600, "width": 150, "height": 40}]
                }),
            )
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        response.json["id"].as_str().unwrap().to_owned()
    }

    /// Sends a draft through the core directly (the send route comes with
    /// the signing workflow), so that voiding and not-a-draft paths can be
    /// tested now.
    pub async fn force_send(&self, key: &Key, envelope_id: &str) {
        use paraph::envelope::{Actor, Command, Context, Transition, apply};
        let record = self
            .store
            .envelope(&key.tenant, envelope_id)
            .await
            .unwrap()
            .unwrap();
        let before = record.envelope.clone();
        let now = paraph_server::ids::now().max(before.updated_at);
        let t = apply(
            &before,
            Command::send(),
            &Context::new(now, Actor::ApiKey { id: key.id.clone() }),
        )
        .unwrap();
        let write = paraph_server::store::EnvelopeWrite {
            tenant: key.tenant.clone(),
            extra: record.extra.clone(),
            outbox: paraph_server::webhooks::payload::outbox_messages(
                Some(&before),
                &Transition {
                    envelope: t.envelope.clone(),
                    events: t.events.clone(),
                },
            )
            .unwrap(),
            messages: vec![],
            envelope: t.envelope,
            events: t.events,
            new_documents: vec![],
            document_ids: before.documents.iter().map(|d| d.id.clone()).collect(),
            envelope_webhook: None,
            deleted_at: None,
        };
        self.store
            .update_envelope(&write, before.version)
            .await
            .unwrap();
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Response {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
    pub json: Value,
}

impl Response {
    pub async fn read(response: axum::response::Response) -> Self {
        let (parts, body) = response.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Self {
            status: parts.status,
            headers: parts.headers,
            body,
            json,
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts an error response: status, code, and the error body shape.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "{}", self.text());
        assert_eq!(self.json["code"], code, "{}", self.text());
        assert!(
            self.json["error"].as_str().is_some_and(|e| !e.is_empty()),
            "{}",
            self.text()
        );
        assert_eq!(
            self.json.as_object().map(|o| o.len()),
            Some(2),
            "only error and code: {}",
            self.text()
        );
    }
}

/// A multipart body with one file part and an optional name part.
pub fn multipart(
    bytes: &[u8],
    file_type: &str,
    file_name: &str,
    name: Option<&str>,
    boundary: &str,
) -> (String, Vec<u8>) {
    let mut body = Vec::new();
    if let Some(name) = name {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n{name}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {file_type}\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A valid PDF of `pages` US Letter pages.
pub fn pdf(pages: usize) -> Vec<u8> {
    paraph::pdf::testing::minimal_pdf(&vec![(612.0, 792.0, 0); pages])
}

/// A file of the repository's fixtures.
pub fn fixture(path: &str) -> Vec<u8> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures")
        .join(path);
    std::fs::read(&root).unwrap_or_else(|e| panic!("{}: {e}", root.display()))
}

/// Base64 of bytes.
pub fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A request as if from a socket peer (for the per-address limiter).
pub fn from_peer(mut request: Request<Body>, peer: &str) -> Request<Body> {
    let addr: SocketAddr = peer.parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    request
}

/// Counts the objects under a prefix of the application's object store.
pub async fn object_count(app: &TestApp) -> usize {
    use futures::TryStreamExt;
    app.state
        .blobs()
        .store()
        .list(None)
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .len()
}
