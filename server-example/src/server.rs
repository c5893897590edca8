//! Running the server: opening the stores, the first key, the background
//! workers, the listener and the graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::app::app;
use crate::auth::ALL_SCOPES;
use crate::blobs::Blobs;
use crate::config::{CreateKeyArgs, DataArgs, ServeArgs};
use crate::error::AppError;
use crate::ids;
use crate::ratelimit::RateLimits;
use crate::routes::keys::issue_key;
use crate::signing::messages::Messenger;
use crate::state::{AppState, Settings, body_limit_for};
use crate::store::{Account, Backend, SqlStore, Store};
use crate::webhooks::{Deliverer, UrlGuard};

/// Opens the database of `data` (creating the data folder for SQLite).
pub async fn open_store(data: &DataArgs) -> Result<SqlStore, AppError> {
    let url = data.database_url();
    if Backend::of_url(&url)? == Backend::Sqlite {
        std::fs::create_dir_all(&data.data_dir).map_err(|e| {
            AppError::internal(
                paraph::ErrorCode::StorageUnavailable,
                format!("cannot create {}: {e}", data.data_dir.display()),
            )
        })?;
    }
    SqlStore::connect(&url, data.db_connections).await
}

/// The account named `name`, created if missing.
pub async fn ensure_account(
    store: &dyn Store,
    name: &str,
    email: Option<&str>,
) -> Result<Account, AppError> {
    if let Some(account) = store.account_by_name(name).await? {
        return Ok(account);
    }
    let trimmed = name.trim();
    if trimmed.is_empty() || trimmed.len() > 100 || trimmed.chars().any(char::is_control) {
        return Err(AppError::invalid("an account name is 1 to 100 characters"));
    }
    let now = ids::now();
    let account = Account {
        id: ids::new_id("acct", now)?,
        name: trimmed.to_owned(),
        email: email.unwrap_or_default().to_owned(),
        plan: "self-hosted".to_owned(),
        created_at: now,
    };
    store.insert_account(&account).await?;
    Ok(account)
}

/// `paraph-server keys create`: the new key, to print.
pub async fn create_key(args: &CreateKeyArgs) -> Result<String, AppError> {
    let store = open_store(&args.data).await?;
    let account = ensure_account(&store, &args.account, args.email.as_deref()).await?;
    let (key, _) = issue_key(
        &store,
        &account.id,
        &args.name,
        !args.test,
        ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
    )
    .await?;
    Ok(key)
}

/// Everything a running server holds.
#[derive(Debug)]
pub struct Running {
    /// The application state.
    pub state: AppState,
    /// The webhook worker.
    pub deliverer: Deliverer,
    /// The mail and SMS worker.
    pub messenger: Messenger,
}

/// Builds the state and the worker from the serve options.
pub async fn build(args: &ServeArgs, store: Arc<dyn Store>) -> Result<Running, AppError> {
    let blobs = Blobs::from_url(&args.storage_url())?;
    let guard = UrlGuard::new(args.webhook_allow_host.iter().cloned());
    let limits = RateLimits::new(args.rate_limits())?;
    let settings = Settings {
        max_document_bytes: args.max_document_bytes,
        max_body_bytes: body_limit_for(args.max_document_bytes),
        public_url: args.public_url(),
        signing: signing_settings(args)?,
    };
    let state = AppState::new(store.clone(), blobs, limits, guard.clone(), settings);
    let deliverer = Deliverer::new(store, guard, args.delivery(), state.delivery_signal())?;
    let messenger = Messenger::new(state.clone(), args.messages());
    Ok(Running {
        state,
        deliverer,
        messenger,
    })
}

/// The signing settings of the serve options: the platform's keys, the
/// link secret (read, or created on the first start), the outbox.
pub fn signing_settings(args: &ServeArgs) -> Result<crate::signing::SigningSettings, AppError> {
    use crate::signing::{Platform, SigningSettings, sms::FileOutbox};
    let platform = match (&args.ca_key, &args.ca_chain, &args.seal) {
        (Some(key), Some(chain), Some(seal)) => {
            Platform::from_files(key, chain, seal, &args.seal_password)?
        }
        _ => {
            tracing::warn!(
                "signing with the bundled TEST CA and seal: fine for trying the server, never for real signatures (see --ca-key)"
            );
            Platform::demo()?
        }
    };
    let outbox = args.outbox();
    let archive = match &args.tsa_url {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => {
            Some(std::sync::Arc::new(crate::signing::tsa::Archive {
                tsa: crate::signing::tsa::HttpTsa::new(url)?,
            }))
        }
        Some(url) => {
            return Err(AppError::internal(
                paraph::ErrorCode::InvalidArgument,
                format!("--tsa-url {url:?} is not an http or https URL"),
            ));
        }
        None => None,
    };
    Ok(SigningSettings {
        archive,
        platform: Some(std::sync::Arc::new(platform)),
        certificates: args.certificates,
        link_secret: std::sync::Arc::new(link_secret(&args.link_secret_file())?),
        link_lifetime: chrono::Duration::days(args.link_days.max(1)),
        sms: std::sync::Arc::new(FileOutbox {
            path: outbox.join("sms.jsonl"),
        }),
        mailer: Some(std::sync::Arc::new(crate::signing::mail::Mailer::new(
            &args.mail_from,
            Some(outbox.clone()),
            args.smtp_url.as_deref(),
        )?)),
        outbox_dir: Some(outbox),
        remind_after: (args.remind_after_days > 0)
            .then(|| chrono::Duration::days(args.remind_after_days)),
        ..SigningSettings::default()
    })
}

/// The link secret in `path`, made on the first start (mode 0600).
fn link_secret(path: &std::path::Path) -> Result<[u8; 32], AppError> {
    let io = |e: std::io::Error| {
        AppError::internal(
            paraph::ErrorCode::Io,
            format!("link secret {}: {e}", path.display()),
        )
    };
    match std::fs::read(path) {
        Ok(bytes) => {
            let hex_text = String::from_utf8_lossy(&bytes);
            let decoded = hex::decode(hex_text.trim()).map_err(|_| {
                AppError::invalid(format!("{} does not hold 64 hex digits", path.display()))
            })?;
            decoded.try_into().map_err(|_| {
                AppError::invalid(format!("{} does not hold 64 hex digits", path.display()))
            })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut secret = [0u8; 32];
            crate::ids::fill_random(&mut secret)?;
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(io)?;
            }
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            use std::io::Write as _;
            match options.open(path) {
                Ok(mut file) => {
                    file.write_all(hex::encode(secret).as_bytes()).map_err(io)?;
                    Ok(secret)
                }
                // Another process made it first: use theirs.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => link_secret(path),
                Err(e) => Err(io(e)),
            }
        }
        Err(e) => Err(io(e)),
    }
}

/// Periodic chores: old idempotency keys and idle rate-limit buckets.
pub async fn maintenance(state: AppState, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = shutdown.changed() => break,
            _ = tokio::time::sleep(Duration::from_secs(60)) => {}
        }
        let before = ids::now() - crate::idempotency::RETENTION;
        match state.store().purge_idempotency(before).await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "old idempotency keys removed"),
            Ok(_) => {}
            Err(err) => tracing::warn!(error = %err, "could not purge idempotency keys"),
        }
        state.limits().shrink();
        let remind_after = state.settings().signing.remind_after;
        match crate::signing::flow::expire_and_remind(&state, remind_after, 200).await {
            Ok((0, 0)) => {}
            Ok((expired, reminded)) => {
                tracing::info!(
                    expired,
                    reminded,
                    "envelopes expired and recipients reminded"
                )
            }
            Err(err) => tracing::warn!(error = %err.message(), "expiries and reminders failed"),
        }
    }
}

/// Waits for Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// Serves `state` on `listener` until `stop` resolves, then lets in-flight
/// requests finish for up to `grace`. The webhook worker and the chores
/// run beside it and stop with it.
pub async fn run(
    listener: TcpListener,
    running: Running,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> Result<(), AppError> {
    let (tx, rx) = watch::channel(false);
    let worker = tokio::spawn(running.deliverer.run(rx.clone()));
    let messenger = tokio::spawn(running.messenger.run(rx.clone()));
    let chores = tokio::spawn(maintenance(running.state.clone(), rx.clone()));
    let service = app(running.state).into_make_service_with_connect_info::<SocketAddr>();
    let mut stopped = rx.clone();
    let signal_tx = tx.clone();
    let server = axum::serve(listener, service).with_graceful_shutdown(async move {
        stop.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = signal_tx.send(true);
    });
    let serving = tokio::spawn(async move { server.await });
    // The grace period starts with the signal.
    let _ = stopped.wait_for(|s| *s).await;
    let outcome = tokio::time::timeout(grace, serving).await;
    let _ = tx.send(true);
    let _ = worker.await;
    let _ = messenger.await;
    let _ = chores.await;
    match outcome {
        Ok(Ok(Ok(()))) => Ok(()),
        Ok(Ok(Err(err))) => Err(AppError::internal(paraph::ErrorCode::Internal, err)),
        Ok(Err(join)) => Err(AppError::internal(paraph::ErrorCode::Internal, join)),
        Err(_) => {
            tracing::warn!(
                seconds = grace.as_secs(),
                "in-flight requests did not finish in time"
            );
            Ok(())
        }
    }
}

/// `paraph-server serve`.
pub async fn serve(args: ServeArgs) -> Result<(), AppError> {
    let store = open_store(&args.data).await?;
    let backend = store.backend();
    tracing::info!(
        database = %crate::store::redact_url(&args.data.database_url()),
        backend = backend.name(),
        "database ready"
    );
    if backend == Backend::Sqlite && store.count_accounts().await? == 0 {
        let account = ensure_account(&store, "default", None).await?;
        let (key, _) = issue_key(
            &store,
            &account.id,
            "first key",
            false,
            ALL_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        )
        .await?;
        println!("First API key (test mode, shown once; keep it): {key}");
    }
    let store: Arc<dyn Store> = Arc::new(store);
    let running = build(&args, store).await?;
    tracing::info!(
        storage = running.state.blobs().description(),
        "document storage ready"
    );
    let listener = TcpListener::bind(args.listen).await.map_err(|e| {
        AppError::internal(
            paraph::ErrorCode::Internal,
            format!("cannot listen on {}: {e}", args.listen),
        )
    })?;
    let address = listener
        .local_addr()
        .map_err(|e| AppError::internal(paraph::ErrorCode::Internal, e))?;
    println!(
        "paraph-server listening on http://{address} (API under /api/v1, reference at /api/v1/docs)"
    );
    run(
        listener,
        running,
        shutdown_signal(),
        Duration::from_secs(args.shutdown_grace_seconds),
    )
    .await
}
