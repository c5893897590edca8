"""The envelope state machine through the binding: typed and dict commands,
JSON round trips, replay, and the same transitions as `paraph envelope apply`."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest

import paraph
from paraph import Actor, Envelope, Event
from paraph.commands import (
    AddDocument,
    AddField,
    AddRecipient,
    Authenticate,
    Complete,
    Consent,
    CreateEnvelope,
    Decline,
    DocumentDigest,
    EnvelopeSettings,
    PageSize,
    Rect,
    RequestAuthentication,
    ReturnToDraft,
    Send,
    Sign,
    TypedSignature,
    Update,
    UpdateField,
    UpdateRecipient,
    View,
)

from conftest import NOW

SENDER = Actor.api_key("key_1")
SHA = "ab" * 32

# One story: a contract signed by an employee, then an HR manager.
STORY: List[Tuple[Any, Actor]] = [
    (AddDocument(id="doc_1", name="contract.pdf", page_count=2, sha256=SHA), SENDER),
    (AddRecipient(id="marie", name="Marie Dubois", email="marie@example.com", routing_order=1), SENDER),
    (AddRecipient(id="hr", name="Hana Kim", email="hr@example.com", routing_order=2), SENDER),
    (
        AddField(
            id="f_sig", document_id="doc_1", recipient_id="marie", kind="SIGNATURE",
            page=2, rect=Rect(72, 600, 200, 50),
        ),
        SENDER,
    ),
    (
        AddField(
            id="f_hr", document_id="doc_1", recipient_id="hr", kind="SIGNATURE",
            page=2, rect=Rect(300, 600, 200, 50),
        ),
        SENDER,
    ),
    (Send(), SENDER),
    (View(recipient_id="marie"), Actor.recipient("marie")),
    (Consent(recipient_id="marie", version="2026-11", text_sha256="ef" * 32), Actor.recipient("marie")),
    (
        Sign(
            recipient_id="marie",
            documents=[DocumentDigest(document_id="doc_1", sha256="cd" * 32)],
            signature=TypedSignature(text="Marie Dubois"),
        ),
        Actor.recipient("marie"),
    ),
    (Consent(recipient_id="hr", version="2026-11", text_sha256="ef" * 32), Actor.recipient("hr")),
    (Sign(recipient_id="hr"), Actor.recipient("hr")),
    # Once everyone signed, the completion is recorded with the final digests.
    (Complete(), Actor.system()),
]


def at(minute: int) -> datetime:
    return NOW + timedelta(minutes=minute)


def run_story() -> Tuple[List[Envelope], List[Event]]:
    envelope, history = Envelope.create(
        CreateEnvelope(id="env_1", subject="Employment contract", locale="fr"), now=at(0), actor=SENDER
    )
    states = [envelope]
    for minute, (command, actor) in enumerate(STORY, start=1):
        envelope, events = envelope.apply(command, now=at(minute), actor=actor, ip="192.0.2.7")
        states.append(envelope)
        history.extend(events)
    return states, history


def test_the_story_completes_and_replays_into_the_same_envelope() -> None:
    states, history = run_story()
    final = states[-1]
    assert final.status == "COMPLETED"
    assert final.version == len(history) == history[-1].seq
    assert [e.seq for e in history] == list(range(1, len(history) + 1))
    assert history[-1].type == "envelope.completed"
    assert paraph.replay(history) == final
    assert paraph.replay([e.to_dict() for e in history]) == final


def test_typed_commands_and_dicts_give_the_same_transition() -> None:
    created, _ = Envelope.create(CreateEnvelope(id="env_2", subject="S"), now=NOW, actor=SENDER)
    typed = created.apply(
        AddRecipient(id="r1", name="Ana", email="ana@example.com", role="APPROVER"), now=NOW, actor=SENDER
    )
    plain = created.apply(
        {"type": "addRecipient", "id": "r1", "name": "Ana", "email": "ana@example.com", "role": "APPROVER"},
        now="2026-11-23T09:00:00Z",
        actor={"type": "apiKey", "id": "key_1"},
    )
    assert typed[0] == plain[0]
    assert [e.to_dict() for e in typed[1]] == [e.to_dict() for e in plain[1]]


def test_apply_leaves_the_envelope_as_it_was() -> None:
    created, _ = Envelope.create({"id": "env_3", "subject": "S"}, now=NOW, actor=SENDER)
    before = created.to_json()
    after, _ = created.apply(Update(subject="T"), now=NOW, actor=SENDER)
    assert created.to_json() == before
    assert (created.subject, after.subject) == ("S", "T")


def test_update_distinguishes_unset_from_none() -> None:
    created, _ = Envelope.create({"id": "env_4", "subject": "S", "message": "hello"}, now=NOW, actor=SENDER)
    kept, _ = created.apply(Update(subject="T"), now=NOW, actor=SENDER)
    cleared, _ = created.apply(Update(message=None), now=NOW, actor=SENDER)
    assert kept.to_dict()["message"] == "hello"
    assert "message" not in cleared.to_dict()


def test_json_dict_and_pickle_round_trips() -> None:
    states, history = run_story()
    final = states[-1]
    assert Envelope.from_json(final.to_json()) == final
    assert Envelope.from_dict(final.to_dict()) == final
    assert pickle.loads(pickle.dumps(final)) == final
    for event in history:
        assert Event.from_json(event.to_json()) == event
        assert Event.from_dict(event.to_dict()) == event
        assert pickle.loads(pickle.dumps(event)) == event
    assert history[0].message_id == "evt_env_1_1"
    assert history[0].occurred_at == "2026-11-23T09:00:00Z"


def test_refused_commands_raise_envelope_state_errors_with_their_codes() -> None:
    draft, _ = Envelope.create({"id": "env_5", "subject": "S"}, now=NOW, actor=SENDER)
    with pytest.raises(paraph.EnvelopeStateError) as caught:
        draft.apply(Send(), now=NOW, actor=SENDER)
    assert (caught.value.code, caught.value.number) == ("NO_DOCUMENT", 2009)
    assert caught.value.http_status == 409
    states, _ = run_story()
    with pytest.raises(paraph.EnvelopeStateError) as caught:
        states[-1].apply(Decline(recipient_id="hr", reason="no"), now=at(30), actor=Actor.recipient("hr"))
    assert caught.value.code == "ENVELOPE_TERMINAL"
    with pytest.raises(paraph.EnvelopeStateError) as caught:
        states[1].apply(Update(subject="T"), now=NOW - timedelta(days=1), actor=SENDER)
    assert caught.value.code == "TIME_BEFORE_LAST_EVENT"


def test_bad_input_has_typed_errors() -> None:
    draft, _ = Envelope.create({"id": "env_6", "subject": "S"}, now=NOW, actor=SENDER)
    cases: List[Tuple[Dict[str, Any], Any, Any, str]] = [
        ({"type": "noSuchCommand"}, NOW, SENDER, "MALFORMED_JSON"),
        ({"type": "update", "subject": 3}, NOW, SENDER, "MALFORMED_JSON"),
        ({"type": "update"}, datetime(2026, 11, 23), SENDER, "INVALID_ARGUMENT"),
        ({"type": "update"}, "yesterday", SENDER, "INVALID_ARGUMENT"),
        ({"type": "update"}, NOW, {"type": "robot"}, "MALFORMED_JSON"),
        ({"type": "update", "expiresAt": NOW}, NOW, SENDER, "MALFORMED_JSON"),
    ]
    for command, now, actor, code in cases:
        with pytest.raises(paraph.RequestError) as caught:
            draft.apply(command, now=now, actor=actor)
        assert caught.value.code == code, command
    with pytest.raises(paraph.RequestError) as caught:
        draft.apply(42, now=NOW, actor=SENDER)
    assert caught.value.code == "INVALID_ARGUMENT"
    with pytest.raises(paraph.RequestError) as caught:
        Envelope.from_json("{")
    assert caught.value.code == "MALFORMED_JSON"
    newer = dict(draft.to_dict(), schemaVersion=99)
    with pytest.raises(paraph.RequestError) as caught:
        Envelope.from_dict(newer)
    assert caught.value.code == "UNSUPPORTED_SCHEMA_VERSION"
    with pytest.raises(paraph.EnvelopeStateError) as refused:
        paraph.replay([])
    assert refused.value.code == "INVALID_EVENT_LOG"


def test_an_aware_datetime_in_any_zone_is_the_same_instant() -> None:
    paris = timezone(timedelta(hours=1))
    a, _ = Envelope.create({"id": "env_7", "subject": "S"}, now=NOW, actor=SENDER)
    b, _ = Envelope.create({"id": "env_7", "subject": "S"}, now=NOW.astimezone(paris), actor=SENDER)
    assert a == b


CLI = os.environ.get("PARAPH_BIN")


@pytest.mark.skipif(not CLI, reason="PARAPH_BIN (the paraph CLI) is not set; scripts/test-python sets it")
def test_every_transition_is_the_one_the_cli_produces(tmp_path: Path) -> None:
    """`paraph envelope apply` and the binding, from the same commands, give
    the same envelopes and events, JSON for JSON."""

    def cli(*args: str) -> Any:
        out = subprocess.run([str(CLI), "envelope", "apply", *args], capture_output=True, check=True)
        return json.loads(out.stdout)

    def label(actor: Actor) -> str:
        return actor.type if actor.id is None else f"{actor.type}:{actor.id}"

    states, history = run_story()
    create = tmp_path / "create.json"
    create.write_text(json.dumps(dict(CreateEnvelope(id="env_1", subject="Employment contract", locale="fr").to_dict(), type="create")))
    expected = cli(str(create), "--now", at(0).isoformat(), "--actor", label(SENDER))
    assert expected == {"envelope": states[0].to_dict(), "events": [history[0].to_dict()]}

    seen = 1
    for minute, (command, actor) in enumerate(STORY, start=1):
        state = tmp_path / "state.json"
        state.write_text(json.dumps(expected["envelope"]))
        step = tmp_path / "command.json"
        step.write_text(json.dumps(command.to_dict()))
        expected = cli(
            str(state), str(step), "--now", at(minute).isoformat(), "--actor", label(actor), "--ip", "192.0.2.7"
        )
        n = len(expected["events"])
        assert expected["envelope"] == states[minute].to_dict()
        assert expected["events"] == [e.to_dict() for e in history[seen : seen + n]]
        seen += n
    assert seen == len(history)


def test_corrections_codes_and_a_new_round_through_typed_commands() -> None:
    envelope, _ = Envelope.create(
        CreateEnvelope(
            id="env_8", subject="S", signature_level="ADVANCED",
            settings=EnvelopeSettings(max_authentication_attempts=2),
        ),
        now=NOW, actor=SENDER,
    )
    steps: List[Tuple[Any, Actor]] = [
        (AddDocument(id="d", name="d.pdf", page_count=1, sha256=SHA, pages=[PageSize(612, 792)]), SENDER),
        (AddRecipient(id="minji", name="Min-ji Park", phone="+821012345678", authentication="SMS_CODE"), SENDER),
        (AddField(id="f", document_id="d", recipient_id="minji", kind="SIGNATURE", page=1, rect=Rect(72, 600, 200, 50)), SENDER),
        (UpdateRecipient(recipient_id="minji", name="Minji Park"), SENDER),
        (UpdateField(field_id="f", rect=Rect(300, 600, 200, 50), multiline=False), SENDER),
        (Send(), SENDER),
        (RequestAuthentication(recipient_id="minji"), Actor.recipient("minji")),
        (Authenticate(recipient_id="minji", method="SMS_CODE", passed=False), Actor.recipient("minji")),
        (ReturnToDraft(reason="wrong salary"), SENDER),
    ]
    for minute, (command, actor) in enumerate(steps, start=1):
        envelope, _ = envelope.apply(command, now=at(minute), actor=actor)
    data = envelope.to_dict()
    assert data["status"] == "DRAFT" and data["round"] == 2
    assert data["recipients"][0]["name"] == "Minji Park"
    assert "email" not in data["recipients"][0]
    assert data["fields"][0]["rect"]["x"] == 300
    # A rectangle past the page's edge is refused with its code.
    with pytest.raises(paraph.EnvelopeStateError) as caught:
        envelope.apply(UpdateField(field_id="f", rect=Rect(500, 600, 200, 50)), now=at(20), actor=SENDER)
    assert caught.value.code == "FIELD_OUT_OF_BOUNDS"
    # Misspelt keys are refused, not ignored.
    with pytest.raises(paraph.RequestError) as refused:
        envelope.apply({"type": "updateField", "fieldId": "f", "pgae": 2}, now=at(21), actor=SENDER)
    assert refused.value.code == "MALFORMED_JSON"
