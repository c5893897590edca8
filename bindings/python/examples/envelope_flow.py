"""An employment contract through the envelope state machine, with each
published event signed as a Standard Webhooks delivery and verified as a
receiver would.

Run: python examples/envelope_flow.py (with paraph installed).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import List

import paraph
from paraph import Actor, Envelope, Event
from paraph.commands import (
    AddDocument,
    AddField,
    AddRecipient,
    Complete,
    Consent,
    CreateEnvelope,
    Rect,
    Send,
    Sign,
    View,
)
from paraph.webhooks import Webhook

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
# SHA-256 of the consent text each signer accepted (hex).
CONSENT = "9f" * 32


def main() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    sender = Actor.api_key("key_hr_portal")
    envelope, history = Envelope.create(
        CreateEnvelope(id="env_contract_42", subject="Employment contract"), now=start, actor=sender
    )
    steps = [
        (AddDocument(id="doc_1", name="contract.pdf", page_count=3, sha256="ab" * 32), sender),
        (AddRecipient(id="employee", name="Marie Dubois", email="marie@example.com", routing_order=1), sender),
        (AddRecipient(id="hr", name="Hana Kim", email="hana@example.com", routing_order=2), sender),
        (AddField(id="sig_employee", document_id="doc_1", recipient_id="employee", kind="SIGNATURE",
                  page=3, rect=Rect(72, 640, 200, 60)), sender),
        (AddField(id="sig_hr", document_id="doc_1", recipient_id="hr", kind="SIGNATURE",
                  page=3, rect=Rect(320, 640, 200, 60)), sender),
        (Send(), sender),
        (View(recipient_id="employee"), Actor.recipient("employee")),
        (Consent(recipient_id="employee", version="2026-11", text_sha256=CONSENT), Actor.recipient("employee")),
        (Sign(recipient_id="employee"), Actor.recipient("employee")),
        (Consent(recipient_id="hr", version="2026-11", text_sha256=CONSENT), Actor.recipient("hr")),
        (Sign(recipient_id="hr"), Actor.recipient("hr")),
        # Once everyone signed and the final documents exist.
        (Complete(), Actor.system()),
    ]
    for minute, (command, actor) in enumerate(steps, start=1):
        envelope, events = envelope.apply(command, now=start + timedelta(minutes=minute), actor=actor)
        history.extend(events)

    assert envelope.status == "COMPLETED"
    assert paraph.replay(history) == envelope

    published: List[Event] = [e for e in history if e.is_published]
    receiver = Webhook(SECRET)
    for event in published:
        body = event.to_json()
        delivered_at = int(datetime.fromisoformat(event.occurred_at.replace("Z", "+00:00")).timestamp())
        headers = paraph.webhooks.sign(SECRET, event.message_id, delivered_at, body)
        received = receiver.verify(body, headers, now=delivered_at)
        assert received["type"] == event.type

    try:
        envelope.apply(Send(), now=start + timedelta(hours=1), actor=sender)
    except paraph.EnvelopeStateError as err:
        print(f"refused as expected: {err.code} ({err.number}, HTTP {err.http_status})")

    print(f"{envelope.id}: {envelope.status} after {envelope.version} events, {len(published)} webhooks verified")


if __name__ == "__main__":
    main()
