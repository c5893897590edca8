"""The signing workflow from Python: an employment contract through upload,
prepare, each recipient's signing (in one call, and in two phases as an
HSM would) or approval, finalize, and the audit trail, checked by paraph's
verifier and by pyHanko."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Dict, List

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

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
from paraph.workflow import RecipientSigning, SignedRecipient

from conftest import NOW, assert_pyhanko_accepts, fixture, roots

HR = Actor.api_key("key_hr")
CONSENT = hashlib.sha256(b"I agree to sign electronically.").hexdigest()


def at(minutes: int) -> datetime:
    return NOW + timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def ca() -> Signer:
    return Signer.from_pem(fixture("certs/ec/intermediate.key"), fixture("certs/ec/chain.pem"))


@pytest.fixture(scope="module")
def platform() -> Signer:
    return Signer.from_pkcs12(fixture("certs/demo/seal.p12"), "test")


@dataclass
class Walk:
    envelope: Envelope
    history: List[Event]
    documents: Dict[str, bytes] = field(default_factory=dict)

    def apply(self, command: object, minutes: int, actor: Actor) -> None:
        self.envelope, events = self.envelope.apply(command, now=at(minutes), actor=actor)
        self.history.extend(events)

    def record(self, signed: SignedRecipient) -> None:
        self.envelope = signed.envelope
        self.history.extend(signed.events)
        self.documents = signed.updated(self.documents)

    def ready(self, recipient: str, minutes: int) -> None:
        me = Actor.recipient(recipient)
        self.apply(View(recipient_id=recipient), minutes, me)
        self.apply(Authenticate(recipient_id=recipient, method="EMAIL_LINK", passed=True), minutes, me)
        self.apply(Consent(recipient_id=recipient, version="2026-11", text_sha256=CONSENT), minutes, me)


def anchored(id: str, recipient: str, phrase: str, occurrence: int = 1) -> AddField:
    return AddField(id=id, document_id="contract", recipient_id=recipient, kind="SIGNATURE", page=0,
                    rect=Rect(0, -8, 150, 44), anchor=FieldAnchor(text=phrase, occurrence=occurrence))


def sent(*, approver: bool = False) -> Walk:
    """A contract sent to an employee (1), optionally a payroll approver (2),
    and an HR manager (3)."""
    envelope, history = Envelope.create(CreateEnvelope(id="env_py", subject="Employment contract"),
                                        now=at(0), actor=HR)
    walk = Walk(envelope, history)
    uploaded = paraph.workflow.upload("contract", "contract.pdf", fixture("pdf/reportlab-contract.pdf"))
    assert (uploaded.document_id, uploaded.page_count) == ("contract", 2)
    assert uploaded.sha256 == hashlib.sha256(uploaded.pdf).hexdigest()
    walk.apply(uploaded.command, 1, HR)
    walk.documents = {uploaded.document_id: uploaded.pdf}
    walk.apply(AddRecipient(id="employee", name="Marie Dubois", email="marie@example.com"), 2, HR)
    if approver:
        walk.apply(AddRecipient(id="payroll", name="Paul Martin", email="paul@example.com", role="APPROVER",
                                routing_order=2), 2, HR)
        walk.apply(AddField(id="salary_ok", document_id="contract", recipient_id="payroll", kind="CHECKBOX",
                            page=1, rect=Rect(72, 700, 14, 14)), 2, HR)
    walk.apply(AddRecipient(id="hr", name="Hana Kim", email="hana@example.com", routing_order=3), 2, HR)
    walk.apply(anchored("sig_employee", "employee", "Employee signature:"), 3, HR)
    walk.apply(anchored("sig_hr", "hr", "Employer signature:"), 3, HR)
    prepared = paraph.workflow.prepare(walk.envelope, walk.documents)
    assert prepared.command["type"] == "send"
    walk.documents = prepared.documents
    walk.apply(prepared.command, 4, HR)
    assert walk.envelope.status == "SENT"
    return walk


def completed(ca: Signer, platform: Signer) -> Walk:
    """The contract signed by the employee then the HR manager, finalized."""
    walk = sent()
    for minutes, recipient in [(10, "employee"), (20, "hr")]:
        walk.ready(recipient, minutes)
        signer = paraph.workflow.issue_recipient_signer(walk.envelope, recipient, ca, now=at(minutes))
        walk.record(paraph.workflow.sign_recipient(walk.envelope, walk.documents, recipient, signer,
                                                   now=at(minutes)))
    done = paraph.workflow.finalize(walk.envelope, walk.history, walk.documents, platform, now=at(30))
    walk.envelope = done.envelope
    walk.history.extend(done.events)
    walk.documents = done.documents
    return walk


def test_the_whole_flow_validates_with_each_signer_named(ca: Signer, platform: Signer) -> None:
    walk = sent(approver=True)
    walk.ready("employee", 10)
    employee = paraph.workflow.issue_recipient_signer(walk.envelope, "employee", ca, now=at(11))
    assert employee.common_name == "Marie Dubois" and employee.algorithm == "ECDSA_P256_SHA256"
    signed = paraph.workflow.sign_recipient(walk.envelope, walk.documents, "employee", employee, now=at(11),
                                            signature=fixture("images/signature.png"), ip="203.0.113.7")
    assert [c["type"] for c in signed.commands][-1] == "sign"
    assert set(signed.documents) == {"contract"}
    walk.record(signed)

    walk.ready("payroll", 20)
    approved = paraph.workflow.approve_recipient(walk.envelope, walk.documents, "payroll", now=at(21),
                                                 values={"salary_ok": True})
    assert [c["type"] for c in approved.commands] == ["fillField", "approve"]
    walk.record(approved)

    walk.ready("hr", 30)
    hr = paraph.workflow.issue_recipient_signer(walk.envelope, "hr", ca, now=at(31), algorithm="P-256")
    walk.record(paraph.workflow.sign_recipient(walk.envelope, walk.documents, "hr", hr, now=at(31),
                                               signature="H. Kim", reason="For the employer"))

    done = paraph.workflow.finalize(walk.envelope, walk.history, walk.documents, platform, now=at(40),
                                    seal=["contract"])
    walk.envelope = done.envelope
    walk.history.extend(done.events)
    assert walk.envelope.status == "COMPLETED" and done.command["type"] == "complete"
    assert paraph.replay(walk.history) == walk.envelope

    contract = done.documents["contract"]
    report = paraph.verify(contract, trust=roots(), time=at(50))
    report.raise_for_verdict()
    names = [s.signer.common_name for s in report.signatures if s.signer]
    assert names == ["Marie Dubois", "Hana Kim", "paraph Demo Platform Seal"]
    statuses = assert_pyhanko_accepts(contract, 3)
    assert "Marie Dubois" in statuses[0].signer and "Hana Kim" in statuses[1].signer

    trail = paraph.audit.verify(done.audit_trail, contract, trust=roots(), time=at(50))
    trail.raise_for_verdict()
    assert trail.is_valid and trail.seal_intact and trail.seal_trust == "TRUSTED"
    assert trail.envelope_id == "env_py" and trail.matches_document == "contract"
    assert trail.record_count == len(walk.history) and trail.first_break is None
    assert done.evidence["chainHead"]["hash"] == trail.chain_head
    assert_pyhanko_accepts(done.audit_trail, 1)

    # The original contract is not the final document.
    other = paraph.audit.verify(done.audit_trail, fixture("pdf/reportlab-contract.pdf"), time=at(50))
    assert other.verdict is not None and other.verdict.code == "AUDIT_DOCUMENT_MISMATCH"
    assert isinstance(other.verdict, paraph.AuditError)


def ec_key() -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(fixture("certs/ec/signer.key"), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def test_two_phase_recipient_signing_with_a_key_outside_the_process() -> None:
    walk = sent()
    walk.ready("employee", 10)
    chain = fixture("certs/ec/signer.pem") + fixture("certs/ec/chain.pem")
    signing = paraph.workflow.begin_recipient_signing(walk.envelope, walk.documents, "employee", chain,
                                                      now=at(11))
    rounds = 0
    result: object = signing
    key = ec_key()
    while isinstance(result, RecipientSigning):
        rounds += 1
        # Between round trips the signing is kept as JSON (a queue, a database).
        pending = RecipientSigning.from_json(result.to_json())
        items = pending.to_sign()
        assert items and all(hashlib.sha256(m).digest() == d for _, _, m, d in items)
        values = {doc: key.sign(message, ec.ECDSA(hashes.SHA256())) for doc, _, message, _ in items}
        result = paraph.workflow.provide_signatures(pending, walk.envelope, walk.documents, values, now=at(11))
    assert isinstance(result, SignedRecipient) and rounds == 1
    walk.record(result)
    report = paraph.verify(walk.documents["contract"], trust=roots(), time=at(12))
    assert report.is_valid and report.signatures[0].field_name == "sig_employee"
    assert_pyhanko_accepts(walk.documents["contract"], 1)


def test_signing_before_consent_is_an_envelope_state_error(ca: Signer) -> None:
    walk = sent()
    walk.apply(View(recipient_id="employee"), 10, Actor.recipient("employee"))
    signer = paraph.workflow.issue_recipient_signer(walk.envelope, "employee", ca, now=at(11))
    with pytest.raises(paraph.EnvelopeStateError) as caught:
        paraph.workflow.sign_recipient(walk.envelope, walk.documents, "employee", signer, now=at(11))
    assert caught.value.code in paraph.errors and caught.value.number // 1000 == 2


def test_signing_out_of_turn_is_an_envelope_state_error(ca: Signer) -> None:
    walk = sent()
    walk.ready("employee", 10)
    with pytest.raises(paraph.EnvelopeStateError):
        hr = paraph.workflow.issue_recipient_signer(walk.envelope, "hr", ca, now=at(11))
        paraph.workflow.sign_recipient(walk.envelope, walk.documents, "hr", hr, now=at(11))


def test_documents_other_than_the_envelope_records_are_refused(ca: Signer) -> None:
    walk = sent()
    walk.ready("employee", 10)
    signer = paraph.workflow.issue_recipient_signer(walk.envelope, "employee", ca, now=at(11))
    with pytest.raises(paraph.ParaphError) as caught:
        paraph.workflow.sign_recipient(walk.envelope, {"contract": fixture("pdf/reportlab-contract.pdf")},
                                       "employee", signer, now=at(11))
    assert caught.value.code == "DOCUMENT_MISMATCH"


def test_issued_certificates_differ_per_entropy_and_repeat_with_the_same(ca: Signer) -> None:
    walk = sent()
    seed = bytes(range(32))
    a = paraph.workflow.issue_recipient_signer(walk.envelope, "employee", ca, now=at(5), entropy=seed)
    b = paraph.workflow.issue_recipient_signer(walk.envelope, "employee", ca, now=at(5), entropy=seed)
    c = paraph.workflow.issue_recipient_signer(walk.envelope, "employee", ca, now=at(5))
    assert a.certificate_chain == b.certificate_chain != c.certificate_chain
    with pytest.raises(paraph.RequestError) as caught:
        paraph.workflow.issue_recipient_signer(walk.envelope, "employee", ca, now=at(5), entropy=b"short")
    assert caught.value.code == "INVALID_ARGUMENT"
    with pytest.raises(paraph.ParaphError) as missing:
        paraph.workflow.issue_recipient_signer(walk.envelope, "nobody", ca, now=at(5))
    assert missing.value.code == "RECIPIENT_NOT_FOUND"


def test_a_signer_certificate_cannot_issue(ca: Signer) -> None:
    walk = sent()
    leaf = Signer.from_pkcs12(fixture("certs/ec/signer.p12"), "test")
    with pytest.raises(paraph.CertificateError) as caught:
        paraph.workflow.issue_recipient_signer(walk.envelope, "employee", leaf, now=at(5))
    assert caught.value.code == "CERT_NOT_CA"


def test_finalize_before_everyone_acted_is_refused(platform: Signer) -> None:
    walk = sent()
    with pytest.raises(paraph.EnvelopeStateError) as caught:
        paraph.workflow.finalize(walk.envelope, walk.history, walk.documents, platform, now=at(9))
    assert caught.value.code == "ENVELOPE_NOT_READY"


def test_an_unreadable_upload_is_refused_before_anything_is_recorded() -> None:
    with pytest.raises(paraph.PdfError) as caught:
        paraph.workflow.upload("doc", "x.pdf", fixture("pdf/encrypted-user-password.pdf"))
    assert caught.value.code == "PDF_ENCRYPTED"


def test_audit_render_and_verify_from_the_events(ca: Signer, platform: Signer) -> None:
    walk = completed(ca, platform)
    evidence = paraph.audit.evidence(walk.history, generated_at=at(31))
    assert evidence["envelope"]["id"] == "env_py" and len(evidence["records"]) == len(walk.history)
    for locale in ("en", "fr", "ko"):
        pdf = paraph.audit.render(walk.history, generated_at=at(31), locale=locale)
        assert pdf.startswith(b"%PDF")
        assert pdf == paraph.audit.render(json.dumps(evidence), locale=locale), "same input, same bytes"
    sealed = paraph.audit.render(walk.history, generated_at=at(31), seal=platform, signing_time=at(31))
    report = paraph.audit.verify(sealed, walk.documents["contract"], trust=roots(), time=at(32))
    assert report.is_valid and report.seal is not None and report.seal.all_trusted
    assert report.matches_document == "contract"
    unsealed = paraph.audit.verify(paraph.audit.render(walk.history, generated_at=at(31)), time=at(32))
    assert unsealed.verdict is not None and unsealed.verdict.code == "AUDIT_SEAL_INVALID"


def test_a_tampered_evidence_file_names_the_broken_record(ca: Signer, platform: Signer) -> None:
    walk = completed(ca, platform)
    evidence = paraph.audit.evidence(walk.history, generated_at=at(31))
    evidence["records"][2]["ip"] = "198.51.100.9"
    report = paraph.audit.verify(json.dumps(evidence).encode(), evidence_only=True)
    assert not report.is_valid and report.first_break is not None
    assert report.first_break.index == 2 and report.first_break.kind == "EDITED"
    assert isinstance(report.verdict, paraph.AuditError) and report.verdict.code == "AUDIT_CHAIN_BROKEN"
    with pytest.raises(paraph.AuditError):
        paraph.audit.render(json.dumps(evidence))
