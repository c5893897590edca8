//! `Envelope`, `replay` and `replayAsync`: the core's envelope state
//! machine, with its camelCase JSON as plain objects.
//!
//! An `Envelope` is immutable and holds its core value behind an `Arc`:
//! `apply` returns a new envelope, so one can be shared freely (and sent to
//! the thread pool without copying).

use std::sync::Arc;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use paraph::envelope::{
    self, Actor, Command, Context, CreateEnvelope, Envelope as CoreEnvelope, Event,
};

use crate::convert::{self, CoreTask, InstantInput};
use crate::error::{boundary, core};

/// Who issues a command, when, and from where.
#[napi(object)]
#[derive(Debug)]
pub struct CommandContext {
    /// The current time (the core never reads a clock).
    #[napi(ts_type = "Date | string")]
    pub now: InstantInput,
    /// Who issues the command.
    #[napi(ts_type = "Actor")]
    pub actor: serde_json::Value,
    /// The client's IP address, recorded in the events.
    pub ip: Option<String>,
    /// The client's user agent, recorded in the events.
    pub user_agent: Option<String>,
}

/// The core's context from the JS one.
pub(crate) fn context(env: &Env, ctx: CommandContext) -> Result<Context> {
    Ok(Context {
        now: convert::instant(env, ctx.now, "context.now")?,
        actor: convert::from_value::<Actor>(env, ctx.actor, "context.actor")?,
        ip: ctx.ip,
        user_agent: ctx.user_agent,
    })
}

/// The outcome of a command: the new envelope and the events it produced.
#[napi(object, object_from_js = false)]
#[derive(Debug)]
pub struct Transition {
    /// The envelope after the command.
    pub envelope: Envelope,
    /// The events, in order, as the core's JSON.
    #[napi(ts_type = "EnvelopeEvent[]")]
    pub events: Vec<serde_json::Value>,
}

fn transition(env: &Env, t: envelope::Transition) -> Result<Transition> {
    let events = t
        .events
        .iter()
        .map(|e| convert::to_value(env, e))
        .collect::<Result<Vec<_>>>()?;
    Ok(Transition {
        envelope: Envelope {
            inner: Arc::new(t.envelope),
        },
        events,
    })
}

/// An envelope at one point of its history (immutable).
#[napi]
#[derive(Debug)]
pub struct Envelope {
    pub(crate) inner: Arc<CoreEnvelope>,
}

#[napi]
impl Envelope {
    /// Creates a draft envelope.
    #[napi]
    pub fn create(
        env: &Env,
        #[napi(ts_arg_type = "CreateEnvelopeParams")] params: serde_json::Value,
        context: CommandContext,
    ) -> Result<Transition> {
        boundary(env, || {
            let params: CreateEnvelope = convert::from_value(env, params, "params")?;
            let ctx = self::context(env, context)?;
            let created = envelope::create(params, &ctx).map_err(core(env))?;
            transition(env, created)
        })
    }

    /// Applies a command (`{ type: "send" }`); this envelope is left as it was.
    #[napi]
    pub fn apply(
        &self,
        env: &Env,
        #[napi(ts_arg_type = "EnvelopeCommand")] command: serde_json::Value,
        context: CommandContext,
    ) -> Result<Transition> {
        boundary(env, || {
            let command: Command = convert::from_value(env, command, "command")?;
            let ctx = self::context(env, context)?;
            let next = envelope::apply(&*self.inner, command, &ctx).map_err(core(env))?;
            transition(env, next)
        })
    }

    /// Reads an envelope from its JSON text (`schemaVersion` checked first).
    #[napi(js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: String) -> Result<Envelope> {
        boundary(env, || {
            let envelope = CoreEnvelope::from_json(&json).map_err(core(env))?;
            Ok(Envelope {
                inner: Arc::new(envelope),
            })
        })
    }

    /// Reads an envelope from the object `toJSON()` returns.
    #[napi]
    pub fn from_object(
        env: &Env,
        #[napi(ts_arg_type = "EnvelopeJson")] value: serde_json::Value,
    ) -> Result<Envelope> {
        boundary(env, || {
            let json = serde_json::to_string(&value)
                .map_err(paraph::Error::from)
                .map_err(core(env))?;
            Self::from_json(env, json)
        })
    }

    /// The envelope's JSON shape (`JSON.stringify(envelope)` uses it).
    #[napi(js_name = "toJSON", ts_return_type = "EnvelopeJson")]
    pub fn to_json(&self, env: &Env) -> Result<serde_json::Value> {
        boundary(env, || convert::to_value(env, &*self.inner))
    }

    /// Whether `other` is the same envelope in the same state.
    #[napi]
    pub fn equals(&self, other: &Envelope) -> bool {
        self.inner == other.inner
    }

    /// The id.
    #[napi(getter)]
    pub fn id(&self) -> String {
        self.inner.id.clone()
    }

    /// `DRAFT`, `SENT`, `COMPLETED`, `DECLINED`, `VOIDED` or `EXPIRED`.
    #[napi(getter, ts_return_type = "EnvelopeStatus")]
    pub fn status(&self) -> &'static str {
        self.inner.status.as_str()
    }

    /// The number of events in its history.
    #[napi(getter)]
    pub fn version(&self) -> i64 {
        i64::try_from(self.inner.version).unwrap_or(i64::MAX)
    }

    /// The subject.
    #[napi(getter)]
    pub fn subject(&self) -> String {
        self.inner.subject.clone()
    }
}

/// A core transition as a JS one, built anywhere (a task's output).
pub(crate) fn transition_of(t: envelope::Transition) -> paraph::Result<Transition> {
    let events = t
        .events
        .iter()
        .map(|e| convert::Json::of(e).map(|j| j.0))
        .collect::<paraph::Result<Vec<_>>>()?;
    Ok(Transition {
        envelope: Envelope {
            inner: Arc::new(t.envelope),
        },
        events,
    })
}

pub(crate) fn parse_events(values: Vec<serde_json::Value>) -> paraph::Result<Vec<Event>> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            serde_json::from_value(value).map_err(|e| {
                paraph::Error::new(
                    paraph::ErrorCode::MalformedJson,
                    format!("event {i} does not have the expected shape: {e}"),
                )
            })
        })
        .collect()
}

/// Rebuilds an envelope from its whole history.
#[napi]
pub fn replay(
    env: &Env,
    #[napi(ts_arg_type = "EnvelopeEvent[]")] events: Vec<serde_json::Value>,
) -> Result<Envelope> {
    boundary(env, || {
        let events = parse_events(events).map_err(core(env))?;
        let envelope = envelope::replay(&events).map_err(core(env))?;
        Ok(Envelope {
            inner: Arc::new(envelope),
        })
    })
}

/// `replay` on the libuv thread pool, for long histories.
#[napi(ts_return_type = "Promise<Envelope>")]
pub fn replay_async(
    #[napi(ts_arg_type = "EnvelopeEvent[]")] events: Vec<serde_json::Value>,
) -> AsyncTask<CoreTask<Envelope>> {
    AsyncTask::new(CoreTask::new(move || {
        let events = parse_events(events)?;
        let envelope = envelope::replay(&events)?;
        Ok(Envelope {
            inner: Arc::new(envelope),
        })
    }))
}
