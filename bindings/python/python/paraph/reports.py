"""Typed verification reports: what :func:`paraph.verify` and
:func:`paraph.audit.verify` found.

The native module returns the core's report as its JSON shape, with the
core's own judgements (``intact``, ``allIntact``, ``allTrusted``,
``isValid``) and its verdict as the exception it would raise; these frozen
dataclasses only give that shape names and types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Optional, Tuple

from .exceptions import ParaphError

__all__ = [
    "AuditReport",
    "ChainBreak",
    "Problem",
    "RevocationInfo",
    "SignatureReport",
    "SignerInfo",
    "VerificationReport",
]


def _time(value: Optional[str]) -> Optional[datetime]:
    if value is None:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass(frozen=True)
class SignerInfo:
    """The signer, from the signing certificate."""

    subject: str
    common_name: Optional[str]
    issuer: str
    fingerprint_sha256: str


@dataclass(frozen=True)
class Problem:
    """A problem found in a signature: a stable ``code``
    (``DIGEST_MISMATCH``, ``CHAIN_UNTRUSTED``...) and what was found."""

    code: str
    message: str


@dataclass(frozen=True)
class RevocationInfo:
    """What the document's validation data (its DSS) says of one
    certificate of a signature's chain: ``status`` is ``GOOD``,
    ``REVOKED``, ``MISSING``, ``STALE``, ``UNTRUSTED_RESPONDER`` or
    ``NOT_REQUIRED``; ``source`` ``OCSP`` or ``CRL`` when data was found."""

    subject: str
    status: str
    source: Optional[str]
    issued_at: Optional[datetime]
    revoked_at: Optional[datetime]
    checked_at: datetime


@dataclass(frozen=True)
class SignatureReport:
    """One signature of a document.

    ``kind`` is ``"approval"``, ``"certification"`` (with
    ``certification_permission`` 1, 2 or 3) or ``"documentTimestamp"``;
    ``coverage`` is ``"wholeFile"``, ``"revision"`` (with
    ``covered_bytes``) or ``"invalid"``; ``modifications`` is ``"none"``,
    ``"allowed"`` or ``"disallowed"`` (with ``modification_details``);
    ``chain`` is ``TRUSTED``, ``UNTRUSTED``, ``EXPIRED`` or
    ``REVOKED_UNKNOWN``, judged at ``validation_time``, which
    ``time_proof`` says what proved (``"none"``: the time given,
    ``"signatureTimestamp"``, or ``"documentTimestamp"`` in
    ``time_proof_field``); ``level`` is the PAdES baseline level reached
    (``"B-B"``, ``"B-T"``, ``"B-LT"``, ``"B-LTA"``) or ``None``.
    """

    field_name: str
    kind: str
    certification_permission: Optional[int]
    sub_filter: str
    signer: Optional[SignerInfo]
    signing_time: Optional[datetime]
    timestamp_time: Optional[datetime]
    digest_valid: bool
    signature_valid: bool
    coverage: str
    covered_bytes: Optional[int]
    modifications: str
    modification_details: Tuple[str, ...]
    chain: str
    validation_time: datetime
    time_proof: str
    time_proof_field: Optional[str]
    revocation: Tuple[RevocationInfo, ...]
    level: Optional[str]
    problems: Tuple[Problem, ...]
    intact: bool
    """Digest and signature valid, byte range sound, nothing disallowed after."""

    @classmethod
    def _from_native(cls, data: Mapping[str, Any]) -> "SignatureReport":
        signer = data.get("signer")
        mods = data["modifications"]
        return cls(
            field_name=data["fieldName"],
            kind=data["kind"]["kind"],
            certification_permission=data["kind"].get("permission"),
            sub_filter=data["subFilter"],
            signer=None
            if signer is None
            else SignerInfo(
                subject=signer["subject"],
                common_name=signer.get("commonName"),
                issuer=signer["issuer"],
                fingerprint_sha256=signer["fingerprintSha256"],
            ),
            signing_time=_time(data.get("signingTime")),
            timestamp_time=_time(data.get("timestampTime")),
            digest_valid=data["digestValid"],
            signature_valid=data["signatureValid"],
            coverage=data["coverage"]["kind"],
            covered_bytes=data["coverage"].get("bytes"),
            modifications=mods["kind"],
            modification_details=tuple(mods.get("changes", mods.get("reasons", []))),
            chain=data["chain"],
            validation_time=_time(data["validationTime"]),
            time_proof=data["timeProof"]["kind"],
            time_proof_field=data["timeProof"].get("fieldName"),
            revocation=tuple(
                RevocationInfo(
                    subject=r["subject"],
                    status=r["status"],
                    source=r.get("source"),
                    issued_at=_time(r.get("issuedAt")),
                    revoked_at=_time(r.get("revokedAt")),
                    checked_at=_time(r["checkedAt"]),
                )
                for r in data["revocation"]
            ),
            level=data.get("level"),
            problems=tuple(Problem(p["code"], p["message"]) for p in data["problems"]),
            intact=data["intact"],
        )


@dataclass(frozen=True)
class VerificationReport:
    """The signatures of a document, and the verdict every paraph surface
    reports alike: ``verdict`` is ``None`` when the document holds, else
    the error (``SIGNATURE_NOT_FOUND``, ``SIGNATURE_INVALID``,
    ``CERT_UNTRUSTED``), which :meth:`raise_for_verdict` raises."""

    signatures: Tuple[SignatureReport, ...]
    trust_checked: bool
    """Whether trust anchors were given (without them chains are not judged)."""
    all_intact: bool
    all_trusted: bool
    verdict: Optional[ParaphError]

    @property
    def is_valid(self) -> bool:
        """No verdict against the document."""
        return self.verdict is None

    def raise_for_verdict(self) -> None:
        """Raises the verdict's error, if there is one."""
        if self.verdict is not None:
            raise self.verdict

    @classmethod
    def _from_native(
        cls, data: Mapping[str, Any], verdict: Optional[ParaphError]
    ) -> "VerificationReport":
        return cls(
            signatures=tuple(SignatureReport._from_native(s) for s in data["signatures"]),
            trust_checked=data["trustChecked"],
            all_intact=data["allIntact"],
            all_trusted=data["allTrusted"],
            verdict=verdict,
        )


@dataclass(frozen=True)
class ChainBreak:
    """The first bad record of an evidence chain: ``kind`` is ``EDITED``,
    ``DELETED``, ``REORDERED``, ``INSERTED`` or ``TRUNCATED``."""

    index: int
    seq: int
    kind: str
    message: str


@dataclass(frozen=True)
class AuditReport:
    """What :func:`paraph.audit.verify` found in an audit trail."""

    seal: Optional[VerificationReport]
    """The PDF's signatures (``None`` for a bare evidence file)."""
    seal_intact: bool
    seal_trust: Optional[str]
    """The seal's chain status, when trust anchors were given."""
    envelope_id: str
    record_count: int
    chain_head: Optional[str]
    first_break: Optional[ChainBreak]
    problems: Tuple[str, ...]
    document_sha256: Optional[str]
    matches_document: Optional[str]
    """The envelope document the given file is the final version of."""
    is_valid: bool
    verdict: Optional[ParaphError]

    def raise_for_verdict(self) -> None:
        """Raises the verdict's error (``AUDIT_CHAIN_BROKEN``,
        ``AUDIT_SEAL_INVALID``, ``AUDIT_DOCUMENT_MISMATCH``...), if any."""
        if self.verdict is not None:
            raise self.verdict

    @classmethod
    def _from_native(cls, data: Mapping[str, Any], verdict: Optional[ParaphError]) -> "AuditReport":
        seal = data.get("seal")
        chain = data["evidence"]["chain"]
        broken = chain.get("firstBreak")
        document = data.get("document")
        return cls(
            seal=None if seal is None else VerificationReport._from_native(seal, None),
            seal_intact=data["sealIntact"],
            seal_trust=data.get("sealTrust"),
            envelope_id=data["envelopeId"],
            record_count=chain["count"],
            chain_head=chain.get("head"),
            first_break=None
            if broken is None
            else ChainBreak(broken["index"], broken["seq"], broken["kind"], broken["message"]),
            problems=tuple(data["evidence"]["problems"]),
            document_sha256=None if document is None else document["sha256"],
            matches_document=None if document is None else document.get("matchesDocument"),
            is_valid=data["isValid"],
            verdict=verdict,
        )
