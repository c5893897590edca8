//! The envelope state machine over JSON: `apply` and `replay`
//! (`paraph_core::envelope`), with exactly the JSON of the core's serde types.

use std::ffi::c_char;

use paraph_core::envelope::{self, Command, Context, Envelope, Event, Transition};
use paraph_core::{Error, ErrorCode};

use crate::args;
use crate::boundary::run;
use crate::bytes::{self, paraph_bytes};
use crate::json::{parse, to_json};
use crate::result::paraph_result;

/// Applies a command to an envelope, with the JSON of the core's types:
/// `state_json` is an `Envelope` (or NULL when there is no envelope yet),
/// `command_json` a `Command` (`{"type": "send"}`), `context_json` a
/// `Context` (`{"now": "2026-11-23T09:00:00Z", "actor": {"type": "apiKey",
/// "id": "key_1"}}`, optional `ip` and `userAgent`). The core never reads a
/// clock: `now` is the caller's.
///
/// On success `*out_state` receives the new `Envelope` and `*out_events`
/// the JSON array of the `Event`s the command produced (persist both; the
/// events are the history). On error both are NULL and nothing changed.
///
/// With `state_json` NULL (and `state_json_len` 0) the command must be
/// `create`; with a state, it must not be.
///
/// Errors: the envelope codes (`PARAPH_E_ENVELOPE_NOT_DRAFT`,
/// `PARAPH_E_NO_SIGNER`, ...) for a refused command;
/// `PARAPH_E_ENVELOPE_NOT_FOUND` (no state and not `create`),
/// `PARAPH_E_ENVELOPE_ALREADY_EXISTS` (a state and `create`),
/// `PARAPH_E_MALFORMED_JSON` (not JSON, unknown command `type`, missing or
/// unknown field), `PARAPH_E_UNSUPPORTED_SCHEMA_VERSION` (a state of another
/// `schemaVersion`), `PARAPH_E_INVALID_ARGUMENT` (NULL command, context or
/// out-pointer).
///
/// # Safety
///
/// Each JSON pointer must point to its length in readable bytes (UTF-8, not
/// NUL-terminated; `state_json` may be NULL); the out-pointers must be valid
/// for pointer writes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_envelope_apply(
    state_json: *const c_char,
    state_json_len: usize,
    command_json: *const c_char,
    command_json_len: usize,
    context_json: *const c_char,
    context_json_len: usize,
    out_state: *mut *mut paraph_bytes,
    out_events: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_envelope_apply", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_state = unsafe { args::out(out_state, "out_state")? };
        // SAFETY: as above.
        let out_events = unsafe { args::out(out_events, "out_events")? };
        let state = if state_json.is_null() {
            if state_json_len != 0 {
                return Err(crate::boundary::invalid_argument(format!(
                    "state_json is NULL but state_json_len is {state_json_len}"
                )));
            }
            None
        } else {
            // SAFETY: as above.
            Some(unsafe { args::json(state_json, state_json_len, "state_json")? })
        };
        if command_json.is_null() {
            return Err(null_json("command_json"));
        }
        // SAFETY: as above.
        let command = unsafe { args::json(command_json, command_json_len, "command_json")? };
        if context_json.is_null() {
            return Err(null_json("context_json"));
        }
        // SAFETY: as above.
        let context = unsafe { args::json(context_json, context_json_len, "context_json")? };

        let command: Command = parse("command_json", command)?;
        let context: Context = parse("context_json", context)?;
        let transition = match state {
            None => start(command, &context)?,
            Some(state) => {
                let state = Envelope::from_json(state)
                    .map_err(|e| Error::new(e.code(), format!("state_json: {}", e.message())))?;
                envelope::apply(&state, command, &context)?
            }
        };
        let state = to_json(&transition.envelope)?;
        let events = to_json(&transition.events)?;
        *out_state = bytes::new(state);
        *out_events = bytes::new(events);
        Ok(())
    })
}

/// Rebuilds an envelope from its whole history: `events_json` is the JSON
/// array of its `Event`s, in order, from `envelope.created`. `*out_state`
/// receives the `Envelope`, exactly as `paraph_envelope_apply` returned it
/// after the last event.
///
/// Errors: `PARAPH_E_INVALID_EVENT_LOG` (empty, out of order, mixed
/// envelopes, an impossible event), `PARAPH_E_MALFORMED_JSON`,
/// `PARAPH_E_INVALID_ARGUMENT` (NULL). On error `*out_state` is NULL.
///
/// # Safety
///
/// `events_json` must point to `events_json_len` readable bytes;
/// `out_state` must be valid for a pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn paraph_envelope_replay(
    events_json: *const c_char,
    events_json_len: usize,
    out_state: *mut *mut paraph_bytes,
) -> paraph_result {
    run("paraph_envelope_replay", || {
        // SAFETY: forwarded from this function's contract (also below).
        let out_state = unsafe { args::out(out_state, "out_state")? };
        if events_json.is_null() {
            return Err(null_json("events_json"));
        }
        // SAFETY: as above.
        let events = unsafe { args::json(events_json, events_json_len, "events_json")? };
        let events: Vec<Event> = parse("events_json", events)?;
        let state = to_json(&envelope::replay(&events)?)?;
        *out_state = bytes::new(state);
        Ok(())
    })
}

/// The first command of an envelope's life.
///
/// NEEDS FROM THE CORE: `envelope::apply` takes an existing envelope, and
/// `create` takes the parameters of `Command::Create`, so every surface
/// dispatches "no state yet" itself (the CLI does the same). The lead is
/// moving this into the core (an `apply` over `Option<&Envelope>`); until
/// then this is the one place that does it here.
fn start(command: Command, context: &Context) -> Result<Transition, Error> {
    match command {
        Command::Create(params) => envelope::create(params, context),
        other => Err(Error::new(
            ErrorCode::EnvelopeNotFound,
            format!(
                "state_json is NULL, so the command must be create, not {}",
                other.name()
            ),
        )),
    }
}

fn null_json(name: &str) -> Error {
    crate::boundary::invalid_argument(format!("{name} is NULL"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::last_error;
    use crate::bytes::paraph_bytes_free;
    use crate::bytes::tests::read;

    const SENDER: &str = r#"{"now":"2026-11-23T09:00:00Z","actor":{"type":"apiKey","id":"key_1"}}"#;

    struct Applied {
        result: paraph_result,
        state: Option<String>,
        events: Option<String>,
    }

    fn apply(state: Option<&str>, command: &str, context: &str) -> Applied {
        let (mut out_state, mut out_events) = (std::ptr::null_mut(), std::ptr::null_mut());
        let (state_ptr, state_len) = state.map_or((std::ptr::null(), 0), |s| (s.as_ptr(), s.len()));
        // SAFETY: every buffer is live for the call.
        let result = unsafe {
            paraph_envelope_apply(
                state_ptr.cast(),
                state_len,
                command.as_ptr().cast(),
                command.len(),
                context.as_ptr().cast(),
                context.len(),
                &mut out_state,
                &mut out_events,
            )
        };
        let take = |bytes: *mut paraph_bytes| {
            (!bytes.is_null()).then(|| {
                let text = String::from_utf8(read(bytes)).expect("UTF-8");
                paraph_bytes_free(bytes);
                text
            })
        };
        Applied {
            result,
            state: take(out_state),
            events: take(out_events),
        }
    }

    fn create() -> String {
        let created = apply(
            None,
            r#"{"type":"create","id":"env_1","subject":"Contract"}"#,
            SENDER,
        );
        assert_eq!(created.result, paraph_result::PARAPH_OK);
        created.state.expect("state")
    }

    #[test]
    fn the_output_is_the_core_s_json() {
        let created = apply(
            None,
            r#"{"type":"create","id":"env_1","subject":"Contract"}"#,
            SENDER,
        );
        let state: Envelope =
            Envelope::from_json(created.state.as_deref().expect("state")).expect("an Envelope");
        assert_eq!(state.id, "env_1");
        let events: Vec<Event> =
            serde_json::from_str(created.events.as_deref().expect("events")).expect("Events");
        assert_eq!(events.len(), 1);
        assert_eq!(envelope::replay(&events).expect("replay"), state);
    }

    #[test]
    fn a_refused_command_gives_its_code_and_no_output() {
        let state = create();
        let sent = apply(Some(&state), r#"{"type":"send"}"#, SENDER);
        assert_eq!(sent.result, paraph_result::PARAPH_E_NO_DOCUMENT);
        assert!(sent.state.is_none() && sent.events.is_none());
        let message = last_error().expect("recorded").message;
        assert_eq!(
            message,
            "paraph_envelope_apply: envelope env_1 has no document to send"
        );
    }

    #[test]
    fn no_state_needs_create_and_a_state_refuses_it() {
        let sent = apply(None, r#"{"type":"send"}"#, SENDER);
        assert_eq!(sent.result, paraph_result::PARAPH_E_ENVELOPE_NOT_FOUND);
        let state = create();
        let again = apply(
            Some(&state),
            r#"{"type":"create","id":"env_1","subject":"x"}"#,
            SENDER,
        );
        assert_eq!(
            again.result,
            paraph_result::PARAPH_E_ENVELOPE_ALREADY_EXISTS
        );
    }

    #[test]
    fn bad_json_is_malformed_json_naming_the_argument() {
        for (command, context, name) in [
            ("{", SENDER, "command_json"),
            (r#"{"type":"frobnicate"}"#, SENDER, "command_json"),
            (
                r#"{"type":"send"}"#,
                r#"{"now":"yesterday","actor":{"type":"system"}}"#,
                "context_json",
            ),
        ] {
            let applied = apply(None, command, context);
            assert_eq!(
                applied.result,
                paraph_result::PARAPH_E_MALFORMED_JSON,
                "{command}"
            );
            let message = last_error().expect("recorded").message;
            assert!(
                message.starts_with(&format!("paraph_envelope_apply: {name}: ")),
                "{message}"
            );
        }
        let mut state: serde_json::Value = serde_json::from_str(&create()).expect("json");
        state["schemaVersion"] = 99.into();
        let state = state.to_string();
        let applied = apply(Some(&state), r#"{"type":"send"}"#, SENDER);
        assert_eq!(
            applied.result,
            paraph_result::PARAPH_E_UNSUPPORTED_SCHEMA_VERSION
        );
    }

    #[test]
    fn replay_refuses_an_empty_log() {
        let mut out = std::ptr::null_mut();
        // SAFETY: the buffer and `out` are live for the call.
        let result = unsafe { paraph_envelope_replay(c"[]".as_ptr(), 2, &mut out) };
        assert_eq!(result, paraph_result::PARAPH_E_INVALID_EVENT_LOG);
        assert!(out.is_null());
    }
}
