//! `paraph webhook`: sign and verify deliveries.

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand, ValueEnum};
use paraph::webhook::{Verifier, WebhookHeaders, WebhookSecret, sign_hex, verify_hex};
use paraph::{Error, ErrorCode};

use crate::io;

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Sign the payload read from standard input; prints the headers.
    ///
    /// Standard Webhooks (default) prints `webhook-id`, `webhook-timestamp`
    /// and `webhook-signature`; give `--secret` twice while rotating a
    /// secret. `--scheme hex` prints one header with the hex HMAC-SHA256.
    Sign(SignArgs),
    /// Verify the payload read from standard input; exit 0 only if valid.
    Verify(VerifyArgs),
    /// Print a new random Standard Webhooks secret (`whsec_...`, 32 bytes).
    NewSecret,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Scheme {
    /// Standard Webhooks: `v1,<base64 HMAC-SHA256 of id.timestamp.payload>`.
    Standard,
    /// Lower-case hex HMAC-SHA256 of the raw body, in one header.
    Hex,
}

#[derive(Debug, Args)]
pub struct SignArgs {
    /// The secret: `whsec_<base64>` for `standard`, the raw string for `hex`.
    /// Repeat to sign with several secrets (standard scheme).
    #[arg(long, required = true)]
    secret: Vec<String>,

    /// The message id (`webhook-id`), stable across retries.
    #[arg(long, required_if_eq("scheme", "standard"))]
    id: Option<String>,

    /// Unix seconds of this attempt (`webhook-timestamp`); default: now.
    #[arg(long, allow_negative_numbers = true)]
    timestamp: Option<i64>,

    /// Signature scheme.
    #[arg(long, value_enum, default_value_t = Scheme::Standard)]
    scheme: Scheme,

    /// Header name for the hex scheme.
    #[arg(long, default_value = "x-paraph-signature")]
    header: String,

    /// Print the headers as a JSON object.
    #[arg(long)]
    json_headers: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The secret (see `sign`).
    #[arg(long)]
    secret: String,

    /// `webhook-id` header value.
    #[arg(long, required_if_eq("scheme", "standard"))]
    id: Option<String>,

    /// `webhook-timestamp` header value.
    #[arg(long, required_if_eq("scheme", "standard"), allow_hyphen_values = true)]
    timestamp: Option<String>,

    /// `webhook-signature` header value (or the hex signature).
    #[arg(long)]
    signature: String,

    /// The verifier's current time, RFC 3339; default: the system clock.
    #[arg(long, value_parser = io::parse_time)]
    now: Option<DateTime<Utc>>,

    /// Timestamp tolerance in seconds, either way.
    #[arg(long, default_value_t = 300)]
    tolerance: u64,

    /// Signature scheme.
    #[arg(long, value_enum, default_value_t = Scheme::Standard)]
    scheme: Scheme,
}

pub fn run(command: WebhookCommand) -> Result<(), Error> {
    match command {
        WebhookCommand::Sign(args) => sign(args),
        WebhookCommand::Verify(args) => verify(args),
        WebhookCommand::NewSecret => new_secret(),
    }
}

fn sign(args: SignArgs) -> Result<(), Error> {
    let payload = io::read_stdin()?;
    let headers: Vec<(String, String)> = match args.scheme {
        Scheme::Standard => {
            let secrets = args
                .secret
                .iter()
                .map(|s| WebhookSecret::parse(s))
                .collect::<Result<Vec<_>, _>>()?;
            let id = args.id.unwrap_or_default();
            let timestamp = args.timestamp.unwrap_or_else(|| Utc::now().timestamp());
            WebhookHeaders::sign(&secrets, &id, timestamp, &payload)?
                .to_pairs()
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect()
        }
        Scheme::Hex => {
            let [secret] = args.secret.as_slice() else {
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    "the hex scheme signs with exactly one secret",
                ));
            };
            vec![(args.header, sign_hex(secret.as_bytes(), &payload)?)]
        }
    };
    if args.json_headers {
        let object: serde_json::Map<String, serde_json::Value> = headers
            .into_iter()
            .map(|(name, value)| (name, value.into()))
            .collect();
        io::print_json(&object)
    } else {
        let text: String = headers
            .iter()
            .map(|(name, value)| format!("{name}: {value}\n"))
            .collect();
        io::print(&text)
    }
}

fn verify(args: VerifyArgs) -> Result<(), Error> {
    let payload = io::read_stdin()?;
    match args.scheme {
        Scheme::Standard => {
            let verifier = Verifier::new(WebhookSecret::parse(&args.secret)?)
                .with_tolerance(std::time::Duration::from_secs(args.tolerance));
            verifier.verify_parts(
                args.id.as_deref().unwrap_or_default(),
                args.timestamp.as_deref().unwrap_or_default(),
                &args.signature,
                &payload,
                args.now.unwrap_or_else(Utc::now),
            )?;
        }
        Scheme::Hex => verify_hex(args.secret.as_bytes(), &payload, &args.signature)?,
    }
    io::print("valid\n")
}

fn new_secret() -> Result<(), Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("the system random source failed: {e}"),
        )
    })?;
    io::print(&format!("{}\n", WebhookSecret::from_bytes(bytes)?.expose()))
}
