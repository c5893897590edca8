//! `paraph`: the command-line tool over the paraph core.
//!
//! Thin by design: it reads files and arguments, calls the core's pure
//! functions and prints their results. Errors go to stderr as
//! `error[CODE]: message` (or JSON with `--json`) with exit status 1.
#![forbid(unsafe_code)]

mod audit_cmd;
mod demo;
mod envelope_cmd;
mod io;
mod ltv_cmd;
mod pdf_cmd;
mod webhook_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use paraph::{Error, ErrorCodeTable};

/// paraph: an embeddable e-signature engine.
#[derive(Debug, Parser)]
#[command(name = "paraph", version, about, long_about = None, propagate_version = true)]
struct Cli {
    /// Print errors as `{"error": {"code", "message"}}` instead of text.
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Apply commands to envelopes and replay their history.
    #[command(subcommand)]
    Envelope(envelope_cmd::EnvelopeCommand),
    /// Sign and verify webhook deliveries.
    #[command(subcommand)]
    Webhook(webhook_cmd::WebhookCommand),
    /// List a PDF's pages and form fields.
    Fields(pdf_cmd::FieldsArgs),
    /// Sign a PDF as an incremental update (PAdES B-B; B-T with --tsa; B-LT, B-LTA with --level).
    Sign(Box<pdf_cmd::SignArgs>),
    /// Verify a PDF's signatures; exit 0 only if every one is intact (and trusted, with --trust).
    Verify(pdf_cmd::VerifyArgs),
    /// Build, render, seal and verify audit trails.
    #[command(subcommand)]
    Audit(audit_cmd::AuditCommand),
    /// Long-term validation (PAdES B-LT, B-LTA): list what is missing, add it, archive and renew.
    #[command(subcommand)]
    Ltv(ltv_cmd::LtvCommand),
    /// Walk an envelope with two signers in sequence from draft to completed.
    Demo(demo::DemoArgs),
    /// Print the table of stable error codes.
    Errors,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Envelope(command) => envelope_cmd::run(command),
        Command::Webhook(command) => webhook_cmd::run(command),
        Command::Fields(args) => pdf_cmd::fields(args),
        Command::Sign(args) => pdf_cmd::sign(*args),
        Command::Verify(args) => pdf_cmd::verify(args),
        Command::Audit(command) => audit_cmd::run(command),
        Command::Ltv(command) => ltv_cmd::run(command),
        Command::Demo(args) => demo::run(args),
        Command::Errors => print_error_table(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            report(&error, cli.json);
            ExitCode::FAILURE
        }
    }
}

fn report(error: &Error, json: bool) {
    if json {
        let body = serde_json::json!({
            "error": { "code": error.code().name(), "message": error.message() }
        });
        eprintln!("{body}");
    } else {
        eprintln!("error[{}]: {}", error.code().name(), error.message());
    }
}

fn print_error_table() -> Result<(), Error> {
    io::print_json(&ErrorCodeTable::current())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
