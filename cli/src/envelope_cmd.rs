//! `paraph envelope`: apply commands and replay histories.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use clap::{Args, Subcommand};
use paraph::envelope::{self, Actor, Command, Context, Envelope, Event, Transition};
use paraph::{Error, ErrorCode};
use serde::Deserialize;

use crate::io;

#[derive(Debug, Subcommand)]
pub enum EnvelopeCommand {
    /// Apply a command to an envelope; prints `{"envelope", "events"}`.
    ///
    /// Give `STATE.json COMMAND.json`, or only `COMMAND.json` (or `- COMMAND.json`)
    /// for a `create` command. COMMAND.json may be `-` to read standard input.
    Apply(ApplyArgs),
    /// Rebuild an envelope from its events; prints the envelope.
    Replay {
        /// A JSON array of events, or a transition `{"events": [...]}`; `-` for standard input.
        events: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// `[STATE.json] COMMAND.json`. STATE is omitted or `-` for `create`.
    #[arg(value_name = "STATE.json COMMAND.json", num_args = 1..=2, required = true)]
    files: Vec<PathBuf>,

    /// The current time, RFC 3339 (the core never reads a clock).
    #[arg(long, value_parser = io::parse_time)]
    now: DateTime<Utc>,

    /// Who issues the command: `system`, `apiKey:ID`, `user:ID` or `recipient:ID`.
    #[arg(long, default_value = "system", value_parser = parse_actor)]
    actor: Actor,

    /// The client's IP address, recorded in the events.
    #[arg(long)]
    ip: Option<String>,

    /// The client's user agent, recorded in the events.
    #[arg(long)]
    user_agent: Option<String>,
}

fn parse_actor(text: &str) -> Result<Actor, String> {
    let actor = match text.split_once(':') {
        None if text == "system" => Actor::System,
        Some(("apiKey" | "api-key", id)) if !id.is_empty() => Actor::ApiKey { id: id.into() },
        Some(("user", id)) if !id.is_empty() => Actor::User { id: id.into() },
        Some(("recipient", id)) if !id.is_empty() => Actor::Recipient { id: id.into() },
        _ => {
            return Err(format!(
                "{text:?} is not an actor: use system, apiKey:ID, user:ID or recipient:ID"
            ));
        }
    };
    Ok(actor)
}

pub fn run(command: EnvelopeCommand) -> Result<(), Error> {
    match command {
        EnvelopeCommand::Apply(args) => apply(args),
        EnvelopeCommand::Replay { events } => replay(events),
    }
}

fn apply(args: ApplyArgs) -> Result<(), Error> {
    let (state_path, command_path) = match args.files.as_slice() {
        [command] => (None, command),
        [state, command] if state.as_os_str() == "-" => (None, command),
        [state, command] => (Some(state), command),
        _ => {
            return Err(Error::new(
                ErrorCode::InvalidArgument,
                "give [STATE.json] COMMAND.json",
            ));
        }
    };
    let command: Command = io::parse_json(command_path, &io::read_text(command_path)?)?;
    let ctx = Context {
        now: args.now,
        actor: args.actor,
        ip: args.ip,
        user_agent: args.user_agent,
    };
    let state = state_path
        .map(|path| {
            Envelope::from_json(&io::read_text(path)?)
                .map_err(|e| Error::new(e.code(), format!("{}: {}", path.display(), e.message())))
        })
        .transpose()?;
    let transition: Transition = envelope::apply(state.as_ref(), command, &ctx)?;
    io::print_json(&transition)
}

#[derive(Deserialize)]
#[serde(untagged)]
enum EventLog {
    Events(Vec<Event>),
    Transition { events: Vec<Event> },
}

fn replay(path: PathBuf) -> Result<(), Error> {
    let log: EventLog = io::parse_json(&path, &io::read_text(&path)?)?;
    let events = match log {
        EventLog::Events(events) | EventLog::Transition { events } => events,
    };
    io::print_json(&envelope::replay(&events)?)
}
