"""The audit trail: the hash-chained evidence of an envelope, rendered as
a PDF/A-3 document (English, French or Korean) with the evidence attached,
sealed by the platform, and verified.

    trail = paraph.audit.render(events, generated_at=now, locale="fr", seal=platform)
    report = paraph.audit.verify(trail, final_pdf, trust=[root_pem])
    report.raise_for_verdict()

:func:`paraph.workflow.finalize` renders and seals the trail itself; these
functions are for re-rendering and for checking a trail received later.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Union

from . import _native
from ._native import Event, Signer
from .reports import AuditReport

__all__ = ["AuditReport", "evidence", "render", "verify"]

Bytes = Union[bytes, bytearray, memoryview]
Certificates = Union[Bytes, str, Sequence[Union[Bytes, str]]]
Time = Union[datetime, str]


def evidence(events: Iterable[Union[Event, Mapping[str, Any]]], *, generated_at: Time) -> Dict[str, Any]:
    """The evidence bundle of an envelope's whole history (its JSON shape):
    one hash-chained record per event, the envelope, documents and
    recipients summarised."""
    result: Dict[str, Any] = json.loads(_native.audit_evidence(list(events), generated_at=generated_at))
    return result


def render(
    events_or_evidence: Union[Iterable[Union[Event, Mapping[str, Any]]], Bytes, str],
    *,
    generated_at: Optional[Time] = None,
    locale: str = "en",
    seal: Optional[Signer] = None,
    signing_time: Optional[Time] = None,
) -> bytes:
    """Renders the audit-trail PDF of an envelope's events (``generated_at``
    then required) or of an evidence bundle's JSON text, in ``locale``
    (``en``, ``fr``, ``ko``), sealed by ``seal`` at ``signing_time`` (the
    system clock unless given) when a signer is given. The same input
    gives the same bytes. Rendering releases the GIL."""
    if isinstance(events_or_evidence, (bytes, bytearray, memoryview, str)):
        bundle: Union[Bytes, str] = events_or_evidence
    else:
        if generated_at is None:
            raise TypeError("render(events) needs generated_at")
        bundle = _native.audit_evidence(list(events_or_evidence), generated_at=generated_at)
    return _native.audit_render(bundle, locale=locale, seal=seal, signing_time=signing_time)


def verify(
    audit_trail: Bytes,
    document: Optional[Bytes] = None,
    *,
    trust: Optional[Certificates] = None,
    time: Optional[Time] = None,
    evidence_only: bool = False,
) -> AuditReport:
    """Verifies an audit-trail PDF: its seal (against ``trust``, PEM or DER
    root certificates, when given, at ``time``, the system clock unless
    given), the attached evidence's hash chain and summary, and, when given,
    that ``document`` is a final document of the envelope. With
    ``evidence_only``, ``audit_trail`` is a bare evidence JSON file."""
    data, verdict = _native.audit_verify(
        audit_trail, document, trust=trust, time=time, evidence_only=evidence_only
    )
    return AuditReport._from_native(data, verdict)
