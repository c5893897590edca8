"""Documents, signers and PAdES signing from Python, checked by paraph's own
verifier and, independently, by pyHanko in this process."""

from __future__ import annotations

import json
from typing import List

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import paraph
from paraph import Document, Rect, Signer

from conftest import FIXTURES, NOW, assert_pyhanko_accepts, fixture, roots

CONTRACT = FIXTURES / "pdf/reportlab-contract.pdf"
PNG = fixture("images/signature.png")


@pytest.fixture(scope="module")
def signer() -> Signer:
    return Signer.from_pkcs12(fixture("certs/ec/signer.p12"), "test")


@pytest.fixture(scope="module")
def rsa_signer() -> Signer:
    return Signer.from_pem(fixture("certs/rsa/signer.key"), fixture("certs/rsa/chain.pem") + fixture("certs/rsa/signer.pem"))


def ec_key() -> ec.EllipticCurvePrivateKey:
    key = serialization.load_pem_private_key(fixture("certs/ec/signer.key"), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key


def test_open_reads_a_path_a_pathlike_and_bytes_alike() -> None:
    by_path = Document.open(str(CONTRACT))
    by_pathlike = Document.open(CONTRACT)
    by_bytes = Document.open(CONTRACT.read_bytes())
    assert by_path.to_bytes() == by_pathlike.to_bytes() == by_bytes.to_bytes() == CONTRACT.read_bytes()
    assert len(by_bytes) == len(CONTRACT.read_bytes())
    assert by_bytes.page_count == 2


def test_pages_are_given_as_displayed() -> None:
    pages = Document.open(FIXTURES / "pdf/qpdf-rotated.pdf").pages
    assert [p.number for p in pages] == list(range(1, len(pages) + 1))
    rotations = {p.rotation for p in pages}
    assert {90, 180, 270} <= rotations
    sideways = next(p for p in pages if p.rotation == 90)
    upright = next(p for p in pages if p.rotation == 180)
    assert (sideways.width, sideways.height) == (upright.height, upright.width)


def test_fields_of_an_existing_form() -> None:
    fields = {f.name: f for f in Document.open(FIXTURES / "pdf/reportlab-acroform.pdf").fields}
    assert fields, "the fixture has a form"
    types = {f.type for f in fields.values()}
    assert "TEXT" in types and "BUTTON" in types
    text = next(f for f in fields.values() if f.type == "TEXT")
    assert text.value and text.widgets[0].page == 1 and text.widgets[0].rect is not None


def test_a_missing_file_is_an_io_error() -> None:
    with pytest.raises(paraph.RequestError) as caught:
        Document.open("/nonexistent/contract.pdf")
    assert caught.value.code == "IO_ERROR"


def test_a_pdf_that_needs_a_password_is_refused_with_pdf_encrypted() -> None:
    with pytest.raises(paraph.PdfError) as caught:
        Document.open(FIXTURES / "pdf" / "encrypted-user-password.pdf")
    assert caught.value.code == "PDF_ENCRYPTED"


def test_a_pdf_encrypted_with_an_empty_user_password_opens() -> None:
    document = Document.open(FIXTURES / "pdf" / "encrypted-owner-password.pdf")
    assert document.page_count >= 1


def test_garbage_is_a_pdf_error_not_a_crash() -> None:
    with pytest.raises(paraph.PdfError):
        Document.open(b"%PDF-1.7\nthis is not a pdf")


def test_a_wrong_pkcs12_password_is_a_certificate_error() -> None:
    with pytest.raises(paraph.CertificateError) as caught:
        Signer.from_pkcs12(fixture("certs/ec/signer.p12"), "wrong")
    assert caught.value.code == "PKCS12_BAD_PASSWORD"


def test_signers_tell_their_certificate(signer: Signer, rsa_signer: Signer) -> None:
    assert signer.algorithm == "ECDSA_P256_SHA256" and not signer.is_external
    assert rsa_signer.algorithm == "RSA_PKCS1V15_SHA256"
    assert signer.common_name and signer.common_name in signer.subject
    assert len(signer.certificate_chain) >= 2
    assert all(der[:1] == b"\x30" for der in signer.certificate_chain)


def test_add_signature_field_returns_a_new_document() -> None:
    doc = Document.open(CONTRACT)
    with_field = doc.add_signature_field("sig_marie", page=2, rect=Rect(72, 600, 180, 50))
    assert doc.fields == []
    (field,) = with_field.fields
    assert (field.name, field.type, field.signed) == ("sig_marie", "SIGNATURE", False)
    assert field.widgets[0].page == 2
    rect = field.widgets[0].rect
    assert rect is not None and (round(rect.x), round(rect.width)) == (72, 180)
    assert with_field.to_bytes().startswith(doc.to_bytes()), "an incremental update"


def test_a_field_outside_the_page_is_refused() -> None:
    with pytest.raises(paraph.ParaphError):
        Document.open(CONTRACT).add_signature_field("sig", page=9, rect=(0, 0, 10, 10))


def test_sign_an_existing_field_with_an_image_validates_everywhere(signer: Signer) -> None:
    doc = Document.open(CONTRACT).add_signature_field("sig_marie", page=2, rect=(72, 600, 180, 50))
    signed = doc.sign(signer, field="sig_marie", name="Marie Dubois", image=PNG, reason="I agree",
                      signing_time=NOW)
    assert signed.startswith(doc.to_bytes())
    report = paraph.verify(signed, trust=roots(), time=NOW)
    assert report.is_valid and report.all_trusted and report.trust_checked
    (sig,) = report.signatures
    assert (sig.field_name, sig.kind, sig.coverage, sig.chain) == ("sig_marie", "approval", "wholeFile", "TRUSTED")
    assert sig.signing_time == NOW and sig.intact and sig.problems == ()
    assert sig.signer is not None and sig.signer.common_name == signer.common_name
    assert Document.open(signed).fields[0].signed
    assert_pyhanko_accepts(signed, 1)


def test_sign_invisibly_then_visibly_on_a_new_field_keeps_both_valid(signer: Signer, rsa_signer: Signer) -> None:
    first = Document.open(CONTRACT).sign(rsa_signer, reason="Approved", signing_time=NOW)
    second = Document.open(first).sign(signer, page=1, rect=(300, 650, 180, 50), field="sig_2", signing_time=NOW)
    report = paraph.verify(second, trust=roots(), time=NOW)
    assert report.is_valid and len(report.signatures) == 2
    assert {s.coverage for s in report.signatures} == {"wholeFile", "revision"}
    statuses = assert_pyhanko_accepts(second, 2)
    assert "sig_2" in statuses[1].field_name


def test_a_certification_signature_reports_its_permission(signer: Signer) -> None:
    signed = Document.open(CONTRACT).sign(signer, certify="FORM_FILLING", signing_time=NOW)
    (sig,) = paraph.verify(signed, trust=roots(), time=NOW).signatures
    assert (sig.kind, sig.certification_permission) == ("certification", 2)
    assert_pyhanko_accepts(signed, 1)


def test_an_image_needs_a_visible_field(signer: Signer) -> None:
    with pytest.raises(paraph.RequestError) as caught:
        Document.open(CONTRACT).sign(signer, image=PNG)
    assert caught.value.code == "INVALID_ARGUMENT"


def test_verify_without_trust_checks_integrity_only(signer: Signer) -> None:
    signed = Document.open(CONTRACT).sign(signer, signing_time=NOW)
    report = paraph.verify(Document.open(signed), time=NOW)
    assert report.is_valid and not report.trust_checked and report.all_intact


def test_verify_reports_an_untrusted_chain_with_its_code() -> None:
    rogue = Signer.from_pkcs12(fixture("certs/rogue/signer.p12"), "test")
    signed = Document.open(CONTRACT).sign(rogue, signing_time=NOW)
    report = paraph.verify(signed, trust=roots(), time=NOW)
    assert not report.is_valid and report.all_intact and not report.all_trusted
    assert isinstance(report.verdict, paraph.CertificateError) and report.verdict.code == "CERT_UNTRUSTED"
    assert report.signatures[0].chain == "UNTRUSTED"
    # Intact PAdES without a time-stamp: B-B, judged at the time given.
    assert report.signatures[0].level == "B-B"
    assert report.signatures[0].time_proof == "none"
    assert report.signatures[0].validation_time == NOW
    assert report.signatures[0].revocation == ()
    assert "CHAIN_UNTRUSTED" in {p.code for p in report.signatures[0].problems}
    with pytest.raises(paraph.CertificateError):
        report.raise_for_verdict()


def test_verify_finds_a_changed_byte(signer: Signer) -> None:
    signed = bytearray(Document.open(CONTRACT).sign(signer, signing_time=NOW))
    # A byte inside the first stream's data: the file still parses, but
    # the bytes the signature covers have changed.
    at = signed.index(b"stream", 100) + 20
    signed[at] ^= 0x01
    report = paraph.verify(bytes(signed), time=NOW)
    assert not report.is_valid
    assert report.verdict is not None and report.verdict.code == "SIGNATURE_INVALID"
    assert not report.signatures[0].digest_valid


def test_an_unsigned_pdf_has_the_verdict_signature_not_found() -> None:
    report = paraph.verify(CONTRACT.read_bytes(), time=NOW)
    assert report.signatures == () and report.verdict is not None
    assert report.verdict.code == "SIGNATURE_NOT_FOUND"


def test_an_external_signer_is_called_with_the_message_and_validates() -> None:
    key = ec_key()
    messages: List[bytes] = []

    def kms(message: bytes) -> bytes:
        messages.append(message)
        return key.sign(message, ec.ECDSA(hashes.SHA256()))

    hsm = Signer.external(fixture("certs/ec/signer.pem") + fixture("certs/ec/chain.pem"), kms)
    assert hsm.is_external and hsm.algorithm == "ECDSA_P256_SHA256"
    signed = Document.open(CONTRACT).sign(hsm, page=1, rect=(72, 650, 180, 50), signing_time=NOW)
    assert len(messages) == 1 and messages[0][:1] == b"\x31", "the DER SET of signed attributes"
    assert paraph.verify(signed, trust=roots(), time=NOW).is_valid
    assert_pyhanko_accepts(signed, 1)


def test_an_exception_in_the_external_signer_is_a_signing_failed_error_with_its_cause() -> None:
    class HsmDown(RuntimeError):
        pass

    def broken(message: bytes) -> bytes:
        raise HsmDown("the HSM is unreachable")

    hsm = Signer.external(fixture("certs/ec/signer.pem"), broken)
    with pytest.raises(paraph.SignatureError) as caught:
        Document.open(CONTRACT).sign(hsm, signing_time=NOW)
    assert caught.value.code == "SIGNING_FAILED"
    assert "the HSM is unreachable" in caught.value.message
    assert isinstance(caught.value.__cause__, HsmDown)


def test_an_external_signer_that_returns_no_bytes_is_a_signing_failed_error() -> None:
    hsm = Signer.external(fixture("certs/ec/signer.pem"), lambda message: 42)  # type: ignore[arg-type,return-value]
    with pytest.raises(paraph.SignatureError) as caught:
        Document.open(CONTRACT).sign(hsm, signing_time=NOW)
    assert caught.value.code == "SIGNING_FAILED"


def test_a_value_made_with_another_key_is_refused() -> None:
    other = serialization.load_pem_private_key(fixture("certs/ec/signer2.key"), password=None)
    assert isinstance(other, ec.EllipticCurvePrivateKey)
    hsm = Signer.external(fixture("certs/ec/signer.pem"), lambda m: other.sign(m, ec.ECDSA(hashes.SHA256())))
    with pytest.raises(paraph.SignatureError) as caught:
        Document.open(CONTRACT).sign(hsm, signing_time=NOW)
    assert caught.value.code in {"KEY_CERT_MISMATCH", "SIGNING_FAILED", "SIGNATURE_INVALID"}


def test_two_phase_signing_through_json_validates() -> None:
    doc = Document.open(CONTRACT)
    chain = [fixture("certs/ec/signer.pem"), fixture("certs/ec/chain.pem")]
    prepared = doc.prepare(chain, page=2, rect=(72, 600, 180, 50), field="sig_hsm", reason="Signed in the HSM",
                           signing_time=NOW)
    assert prepared.field_name == "sig_hsm" and prepared.algorithm == "ECDSA_P256_SHA256"
    import hashlib

    assert prepared.digest == hashlib.sha256(prepared.message).digest()
    # The pending state goes to another process and comes back.
    carried = paraph.PreparedSignature.from_json(prepared.to_json())
    value = ec_key().sign(carried.message, ec.ECDSA(hashes.SHA256()))
    signed = doc.finish(carried, value)
    report = paraph.verify(signed, trust=roots(), time=NOW)
    assert report.is_valid and report.signatures[0].field_name == "sig_hsm"
    assert_pyhanko_accepts(signed, 1)


def test_finish_refuses_a_tampered_pending_signature() -> None:
    doc = Document.open(CONTRACT)
    prepared = doc.prepare(fixture("certs/ec/signer.pem"), signing_time=NOW)
    data = json.loads(prepared.to_json())
    data["byteRange"][1] += 1
    tampered = paraph.PreparedSignature.from_json(json.dumps(data))
    value = ec_key().sign(prepared.message, ec.ECDSA(hashes.SHA256()))
    with pytest.raises(paraph.SignatureError) as caught:
        doc.finish(tampered, value)
    assert caught.value.code == "PENDING_SIGNATURE_INVALID"


def test_finish_refuses_another_document() -> None:
    prepared = Document.open(CONTRACT).prepare(fixture("certs/ec/signer.pem"), signing_time=NOW)
    value = ec_key().sign(prepared.message, ec.ECDSA(hashes.SHA256()))
    other = Document.open(FIXTURES / "pdf/reportlab-three-pages.pdf")
    with pytest.raises(paraph.SignatureError) as caught:
        other.finish(prepared, value)
    assert caught.value.code == "PENDING_SIGNATURE_INVALID"


def test_a_pending_signature_of_another_schema_version_is_refused() -> None:
    prepared = Document.open(CONTRACT).prepare(fixture("certs/ec/signer.pem"), signing_time=NOW)
    data = json.loads(prepared.to_json())
    data["schemaVersion"] = 99
    with pytest.raises(paraph.RequestError) as caught:
        paraph.PreparedSignature.from_json(json.dumps(data))
    assert caught.value.code == "UNSUPPORTED_SCHEMA_VERSION"


def test_naive_signing_times_are_refused(signer: Signer) -> None:
    from datetime import datetime

    with pytest.raises(paraph.RequestError):
        Document.open(CONTRACT).sign(signer, signing_time=datetime(2026, 11, 23, 9, 0))


def test_the_default_signing_time_is_now(signer: Signer) -> None:
    from datetime import datetime, timedelta, timezone

    before = datetime.now(timezone.utc).replace(microsecond=0)
    (sig,) = paraph.verify(Document.open(CONTRACT).sign(signer)).signatures
    assert sig.signing_time is not None and before - timedelta(seconds=1) <= sig.signing_time


def test_documents_and_signers_are_immutable(signer: Signer) -> None:
    doc = Document.open(CONTRACT)
    with pytest.raises(AttributeError):
        doc.page_count = 3  # type: ignore[misc]
    with pytest.raises(AttributeError):
        signer.algorithm = "x"  # type: ignore[misc]

