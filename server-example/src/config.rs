//! Command line and environment (clap): every flag has an environment
//! variable, so the server configures the same way from a shell, a
//! container or a service manager.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::ratelimit::RateLimitConfig;
use crate::state::DEFAULT_MAX_DOCUMENT_BYTES;
use crate::webhooks::DeliveryConfig;

/// paraph-server: an e-signature REST API on the paraph engine.
#[derive(Debug, Parser)]
#[command(name = "paraph-server", version, about, long_about = None)]
pub struct Cli {
    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Serve options, when no subcommand is given.
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (the default).
    Serve(Box<ServeArgs>),
    /// Manage API keys.
    Keys {
        /// What to do with keys.
        #[command(subcommand)]
        command: KeysCommand,
    },
}

/// Key subcommands.
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key (and the account, if new) and print only the key.
    Create(CreateKeyArgs),
}

/// Where the data is.
#[derive(Debug, Clone, Args)]
pub struct DataArgs {
    /// The data folder: the SQLite database and the documents, unless
    /// configured elsewhere.
    #[arg(long = "data", env = "PARAPH_DATA", default_value = "./paraph-data")]
    pub data_dir: PathBuf,
    /// A database URL (`postgres://user:pass@host/db`, or `sqlite://FILE`);
    /// default: `paraph.db` in the data folder.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,
    /// Connections in the database pool.
    #[arg(long, env = "PARAPH_DB_CONNECTIONS", default_value_t = 8)]
    pub db_connections: u32,
}

impl DataArgs {
    /// The database URL to use.
    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| crate::store::SqlStore::sqlite_url(&self.data_dir.join("paraph.db")))
    }
}

/// `keys create`.
#[derive(Debug, Clone, Args)]
pub struct CreateKeyArgs {
    /// The account (created if it does not exist).
    #[arg(long)]
    pub account: String,
    /// A test key (`sk_test_`) rather than a live one.
    #[arg(long)]
    pub test: bool,
    /// A label for the key.
    #[arg(long, default_value = "API key")]
    pub name: String,
    /// The account's contact email, when it is created.
    #[arg(long)]
    pub email: Option<String>,
    /// Where the data is.
    #[command(flatten)]
    pub data: DataArgs,
}

/// `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, env = "PARAPH_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Where the data is.
    #[command(flatten)]
    pub data: DataArgs,
    /// Where document bytes go: `s3://bucket[/prefix]` (credentials and
    /// endpoint from `AWS_*`), or a folder; default: `documents/` in the
    /// data folder.
    #[arg(long, env = "PARAPH_STORAGE_URL")]
    pub storage_url: Option<String>,
    /// The public base URL, for links (default: `http://<listen>`).
    #[arg(long, env = "PARAPH_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Log JSON lines instead of text.
    #[arg(long, env = "PARAPH_LOG_JSON")]
    pub log_json: bool,
    /// Requests a key may make at once (the rate-limit bucket).
    #[arg(long, env = "PARAPH_RATE_LIMIT_BURST", default_value_t = 200)]
    pub rate_limit_burst: u32,
    /// Requests added back to each key's bucket per minute.
    #[arg(long, env = "PARAPH_RATE_LIMIT_PER_MINUTE", default_value_t = 100)]
    pub rate_limit_per_minute: u32,
    /// Largest document, in bytes.
    #[arg(long, env = "PARAPH_MAX_DOCUMENT_BYTES", default_value_t = DEFAULT_MAX_DOCUMENT_BYTES)]
    pub max_document_bytes: usize,
    /// Hosts webhooks may reach even on loopback or private addresses, and
    /// over plain http (comma-separated; for development and tests).
    #[arg(long, env = "PARAPH_WEBHOOK_ALLOW_HOSTS", value_delimiter = ',')]
    pub webhook_allow_host: Vec<String>,
    /// Delivery attempts per webhook message, the first included.
    #[arg(long, env = "PARAPH_WEBHOOK_ATTEMPTS", default_value_t = 6)]
    pub webhook_attempts: u32,
    /// Seconds to wait after the first failed delivery.
    #[arg(long, env = "PARAPH_WEBHOOK_BACKOFF_SECONDS", default_value_t = 40.0)]
    pub webhook_backoff_seconds: f64,
    /// Each later wait is this many times the previous one.
    #[arg(long, env = "PARAPH_WEBHOOK_BACKOFF_FACTOR", default_value_t = 5)]
    pub webhook_backoff_factor: u32,
    /// Seconds one delivery attempt may take.
    #[arg(long, env = "PARAPH_WEBHOOK_TIMEOUT_SECONDS", default_value_t = 15)]
    pub webhook_timeout_seconds: u64,
    /// Milliseconds between polls of the outbox.
    #[arg(long, env = "PARAPH_WEBHOOK_POLL_MS", default_value_t = 1000)]
    pub webhook_poll_ms: u64,
    /// Headers that carry the hex HMAC of the body besides
    /// X-Paraph-Signature (comma-separated; empty for none).
    #[arg(
        long,
        env = "PARAPH_WEBHOOK_HEX_HEADERS",
        value_delimiter = ',',
        default_value = "X-Certyneo-Signature"
    )]
    pub webhook_hex_header: Vec<String>,
    /// Attempts per invitation, reminder or SMS code, the first included.
    #[arg(long, env = "PARAPH_MAIL_ATTEMPTS", default_value_t = 8)]
    pub mail_attempts: u32,
    /// Seconds to wait after the first failed mail or SMS (then 3 times longer each time).
    #[arg(long, env = "PARAPH_MAIL_BACKOFF_SECONDS", default_value_t = 30.0)]
    pub mail_backoff_seconds: f64,
    /// Milliseconds between polls of the mail and SMS outbox.
    #[arg(long, env = "PARAPH_MAIL_POLL_MS", default_value_t = 1000)]
    pub mail_poll_ms: u64,
    /// Seconds in-flight requests may take to finish after a shutdown signal.
    #[arg(long, env = "PARAPH_SHUTDOWN_GRACE_SECONDS", default_value_t = 30)]
    pub shutdown_grace_seconds: u64,
    /// Whose certificate signs each recipient's signature: a certificate
    /// issued for them by the platform CA, or the platform's seal.
    #[arg(
        long,
        env = "PARAPH_CERTIFICATES",
        value_enum,
        default_value = "per-signer"
    )]
    pub certificates: crate::signing::CertificateMode,
    /// The platform CA's private key (PEM) that issues signers their
    /// certificates; default: the bundled test CA (never trust it).
    #[arg(long, env = "PARAPH_CA_KEY", requires_all = ["ca_chain", "seal"])]
    pub ca_key: Option<PathBuf>,
    /// The CA's certificate chain (PEM, the CA first).
    #[arg(long, env = "PARAPH_CA_CHAIN", requires = "ca_key")]
    pub ca_chain: Option<PathBuf>,
    /// The platform seal (PKCS#12) that seals audit trails.
    #[arg(long, env = "PARAPH_SEAL", requires = "ca_key")]
    pub seal: Option<PathBuf>,
    /// The seal's password.
    #[arg(long, env = "PARAPH_SEAL_PASSWORD", default_value = "")]
    pub seal_password: String,
    /// An RFC 3161 time-stamp authority (http or https URL). With it,
    /// completed envelopes are archives (PAdES B-LTA): the seals and the
    /// audit trail are time-stamped, each document's DSS holds the
    /// platform's CA certificates, and a document time-stamp covers it all,
    /// so signatures verify offline after their certificates expire.
    #[arg(long, env = "PARAPH_TSA_URL")]
    pub tsa_url: Option<String>,
    /// A file holding the 32-byte secret signing links are derived from
    /// (created if missing); every process sharing a database needs the
    /// same. Default: `link-secret` in the data folder.
    #[arg(long, env = "PARAPH_LINK_SECRET_FILE")]
    pub link_secret_file: Option<PathBuf>,
    /// Days a signing link lasts (cut to the envelope's expiry).
    #[arg(long, env = "PARAPH_LINK_DAYS", default_value_t = crate::signing::DEFAULT_LINK_DAYS)]
    pub link_days: i64,
    /// Where invitations (`.eml`) and SMS (`sms.jsonl`) go; default:
    /// `outbox/` in the data folder.
    #[arg(long, env = "PARAPH_OUTBOX")]
    pub outbox: Option<PathBuf>,
    /// SMTP server for live envelopes' mail (`smtps://user:pass@host`,
    /// `smtp://host:587?tls=required`); without it, mail goes to the
    /// outbox as `.eml` files. Test keys' mail always does.
    #[arg(long, env = "PARAPH_SMTP_URL")]
    pub smtp_url: Option<String>,
    /// Days after which recipients who have not acted are reminded (again
    /// after as many days, three times at most); 0 never reminds.
    #[arg(long, env = "PARAPH_REMIND_AFTER_DAYS", default_value_t = crate::signing::DEFAULT_REMIND_AFTER_DAYS)]
    pub remind_after_days: i64,
    /// The sender of invitations.
    #[arg(
        long,
        env = "PARAPH_MAIL_FROM",
        default_value = "paraph <no-reply@localhost>"
    )]
    pub mail_from: String,
}

impl ServeArgs {
    /// The rate limits.
    pub fn rate_limits(&self) -> RateLimitConfig {
        RateLimitConfig {
            burst: self.rate_limit_burst,
            per_minute: self.rate_limit_per_minute,
        }
    }

    /// The delivery settings.
    pub fn delivery(&self) -> DeliveryConfig {
        DeliveryConfig {
            max_attempts: self.webhook_attempts.max(1),
            backoff_base: Duration::from_secs_f64(self.webhook_backoff_seconds.max(0.0)),
            backoff_factor: self.webhook_backoff_factor.max(1),
            timeout: Duration::from_secs(self.webhook_timeout_seconds.max(1)),
            poll_interval: Duration::from_millis(self.webhook_poll_ms.max(10)),
            hex_signature_headers: self
                .webhook_hex_header
                .iter()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
                .collect(),
            coalesce: Duration::from_millis(crate::webhooks::delivery::DEFAULT_COALESCE_MS),
        }
    }

    /// The mail and SMS outbox settings.
    pub fn messages(&self) -> crate::signing::messages::MessageConfig {
        crate::signing::messages::MessageConfig {
            max_attempts: self.mail_attempts.max(1),
            backoff_base: Duration::from_secs_f64(self.mail_backoff_seconds.max(0.0)),
            poll_interval: Duration::from_millis(self.mail_poll_ms.max(10)),
            ..Default::default()
        }
    }

    /// The storage URL to use.
    pub fn storage_url(&self) -> String {
        self.storage_url
            .clone()
            .unwrap_or_else(|| self.data.data_dir.join("documents").display().to_string())
    }

    /// The outbox folder.
    pub fn outbox(&self) -> PathBuf {
        self.outbox
            .clone()
            .unwrap_or_else(|| self.data.data_dir.join("outbox"))
    }

    /// The link-secret file.
    pub fn link_secret_file(&self) -> PathBuf {
        self.link_secret_file
            .clone()
            .unwrap_or_else(|| self.data.data_dir.join("link-secret"))
    }

    /// The public base URL.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_documented_ones() {
        let cli = Cli::try_parse_from(["paraph-server"]).unwrap();
        assert!(cli.command.is_none());
        let serve = cli.serve;
        assert_eq!(serve.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(serve.rate_limits(), RateLimitConfig::default());
        assert!(
            serve
                .data
                .database_url()
                .ends_with("paraph-data/paraph.db?mode=rwc")
        );
        assert_eq!(serve.delivery().max_attempts, 6);
        assert_eq!(
            serve.delivery().hex_signature_headers,
            ["X-Certyneo-Signature"]
        );
    }

    #[test]
    fn keys_create_parses() {
        let cli = Cli::try_parse_from([
            "paraph-server",
            "keys",
            "create",
            "--account",
            "acme",
            "--test",
            "--data",
            "/tmp/x",
        ])
        .unwrap();
        let Some(Command::Keys {
            command: KeysCommand::Create(args),
        }) = cli.command
        else {
            panic!("keys create");
        };
        assert_eq!(args.account, "acme");
        assert!(args.test);
        assert_eq!(args.data.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn allow_hosts_split_on_commas() {
        let cli = Cli::try_parse_from([
            "paraph-server",
            "serve",
            "--webhook-allow-host",
            "localhost,127.0.0.1",
        ])
        .unwrap();
        let Some(Command::Serve(serve)) = cli.command else {
            panic!("serve")
        };
        assert_eq!(serve.webhook_allow_host, ["localhost", "127.0.0.1"]);
    }
}
