"""HR onboarding with paraph: an employment contract signed by the new
employee, then by the HR manager, each with a certificate of their own
issued by the platform CA at signing time; the platform seals the contract
and the audit trail, and everything is verified at the end.

Run (with the paraph wheel installed): python examples/python/hr_onboarding.py [OUT_DIR]

It uses the repository's test PKI (fixtures/certs) and contract
(fixtures/pdf/reportlab-contract.pdf); a real deployment keeps the CA key
in an HSM or a KMS (``paraph.Signer.external``).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List, Tuple

import paraph
from paraph import Actor, Envelope, Event, Signer
from paraph.commands import (
    AddField,
    AddRecipient,
    Authenticate,
    Consent,
    CreateEnvelope,
    FieldAnchor,
    Rect,
    View,
)

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
CONSENT_TEXT = "I agree to sign electronically; my electronic signature binds me as my handwritten one."
CONSENT_SHA256 = hashlib.sha256(CONSENT_TEXT.encode()).hexdigest()
START = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


class Story:
    """The envelope and its whole history, as an HR system would keep them."""

    def __init__(self, envelope: Envelope, history: List[Event]) -> None:
        self.envelope = envelope
        self.history = history

    def apply(self, command: object, minutes: int, actor: Actor) -> None:
        self.envelope, events = self.envelope.apply(command, now=at(minutes), actor=actor)
        self.history.extend(events)


def signature_field(id: str, recipient: str, phrase: str) -> AddField:
    """A signature field beside a phrase of the contract."""
    return AddField(
        id=id,
        document_id="contract",
        recipient_id=recipient,
        kind="SIGNATURE",
        page=0,
        rect=Rect(0, -8, 150, 44),
        anchor=FieldAnchor(text=phrase),
    )


def run(out: Path) -> Tuple[Envelope, paraph.workflow.Finalized]:
    ca = Signer.from_pem(
        (FIXTURES / "certs/ec/intermediate.key").read_bytes(), (FIXTURES / "certs/ec/chain.pem").read_bytes()
    )
    platform = Signer.from_pkcs12((FIXTURES / "certs/demo/seal.p12").read_bytes(), "test")
    hr_portal = Actor.api_key("key_hr_portal")

    envelope, history = Envelope.create(
        CreateEnvelope(id="env_onboarding_7", subject="Employment contract: Marie Dubois"), now=at(0), actor=hr_portal
    )
    story = Story(envelope, history)
    uploaded = paraph.workflow.upload(
        "contract", "employment-contract.pdf", (FIXTURES / "pdf/reportlab-contract.pdf").read_bytes()
    )
    story.apply(uploaded.command, 1, hr_portal)
    documents: Dict[str, bytes] = {uploaded.document_id: uploaded.pdf}
    story.apply(AddRecipient(id="employee", name="Marie Dubois", email="marie.dubois@example.com"), 2, hr_portal)
    story.apply(
        AddRecipient(id="hr", name="Hana Kim", email="hana.kim@example.com", routing_order=2), 2, hr_portal
    )
    story.apply(signature_field("sig_employee", "employee", "Employee signature:"), 3, hr_portal)
    story.apply(signature_field("sig_hr", "hr", "Employer signature:"), 3, hr_portal)

    prepared = paraph.workflow.prepare(story.envelope, documents)
    documents = prepared.documents
    story.apply(prepared.command, 4, hr_portal)

    for minutes, recipient, mark in [(20, "employee", "Marie Dubois"), (45, "hr", "H. Kim")]:
        me = Actor.recipient(recipient)
        story.apply(View(recipient_id=recipient), minutes, me)
        story.apply(Authenticate(recipient_id=recipient, method="EMAIL_LINK", passed=True), minutes, me)
        story.apply(Consent(recipient_id=recipient, version="2026-11", text_sha256=CONSENT_SHA256), minutes + 1, me)
        # A key and a certificate of their own, issued now: viewers show who signed.
        signer = paraph.workflow.issue_recipient_signer(story.envelope, recipient, ca, now=at(minutes + 2))
        signed = paraph.workflow.sign_recipient(
            story.envelope, documents, recipient, signer, now=at(minutes + 2), signature=mark, ip="203.0.113.7"
        )
        story.envelope = signed.envelope
        story.history.extend(signed.events)
        documents = signed.updated(documents)
        print(f"{recipient}: signed as {signer.common_name!r} ({signer.algorithm})")

    done = paraph.workflow.finalize(
        story.envelope, story.history, documents, platform, now=at(50), seal=["contract"]
    )
    story.envelope = done.envelope
    story.history.extend(done.events)

    trust = [(FIXTURES / "certs/ec/root.pem").read_bytes(), (FIXTURES / "certs/rsa/root.pem").read_bytes()]
    contract = done.documents["contract"]
    report = paraph.verify(contract, trust=trust, time=at(60))
    report.raise_for_verdict()
    for s in report.signatures:
        who = s.signer.common_name if s.signer else "?"
        print(f"  {s.field_name:<16} {who:<28} intact={s.intact} chain={s.chain}")
    trail = paraph.audit.verify(done.audit_trail, contract, trust=trust, time=at(60))
    trail.raise_for_verdict()
    print(f"audit trail: {trail.record_count} records, chain head {trail.chain_head}, final document {trail.matches_document}")

    out.mkdir(parents=True, exist_ok=True)
    (out / "employment-contract-signed.pdf").write_bytes(contract)
    (out / "audit-trail.pdf").write_bytes(done.audit_trail)
    assert paraph.replay(story.history) == story.envelope
    print(f"{story.envelope.id}: {story.envelope.status} after {story.envelope.version} events; wrote {out}/")
    return story.envelope, done


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="paraph-hr-"))
    envelope, _ = run(out)
    assert envelope.status == "COMPLETED"


if __name__ == "__main__":
    main()
