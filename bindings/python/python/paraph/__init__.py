"""paraph: an embeddable e-signature engine with a native Rust core.

- :class:`Envelope`, :class:`Event`, :func:`replay`: the envelope state
  machine, ``apply(command) -> (envelope, events)``, with event-sourced
  replay. Commands are the core's JSON dicts or the typed classes of
  :mod:`paraph.commands`.
- :class:`Document`, :class:`Signer`: PDFs, their pages and fields, and
  PAdES signing in one call (``Document.sign``) or two phases
  (``Document.prepare`` / ``Document.finish``); signers from PKCS#12, PEM
  or a Python callable (``Signer.external``, for HSMs and KMS).
- :func:`verify`: every signature of a PDF, as a :class:`VerificationReport`.
- :mod:`paraph.workflow`: upload, prepare, sign or approve each recipient,
  finalize, with per-signer certificates.
- :mod:`paraph.audit`: the evidence, the sealed audit-trail PDF, and its
  verification.
- :mod:`paraph.webhooks`: Standard Webhooks and hex HMAC signatures.
- :data:`errors`: every stable error code; :class:`ParaphError` and its
  family subclasses carry ``.code`` and ``.number``.

The core is pure: every call that depends on time takes ``now``.
"""

from __future__ import annotations

from datetime import datetime
from types import MappingProxyType
from typing import Mapping, NamedTuple, Optional, Sequence, Type, Union

from . import _native, audit, commands, webhooks, workflow
from ._native import (
    Document,
    Envelope,
    Event,
    Field,
    Page,
    PreparedSignature,
    Rect,
    Signer,
    Widget,
    replay,
)
from .reports import (
    AuditReport,
    Problem,
    RevocationInfo,
    SignatureReport,
    SignerInfo,
    VerificationReport,
)
from .commands import Actor
from .exceptions import (
    AuditError,
    CertificateError,
    EnvelopeStateError,
    InternalError,
    ParaphError,
    PdfError,
    RequestError,
    SignatureError,
    WebhookVerificationError,
    exception_class,
)

__version__: str = _native.__version__

__all__ = [
    "__version__",
    "Actor",
    "AuditError",
    "AuditReport",
    "CertificateError",
    "Document",
    "Envelope",
    "EnvelopeStateError",
    "ErrorCode",
    "Event",
    "Field",
    "InternalError",
    "Page",
    "ParaphError",
    "PdfError",
    "PreparedSignature",
    "Problem",
    "RevocationInfo",
    "Rect",
    "RequestError",
    "SignatureError",
    "SignatureReport",
    "Signer",
    "SignerInfo",
    "VerificationReport",
    "WebhookVerificationError",
    "Widget",
    "audit",
    "commands",
    "errors",
    "replay",
    "verify",
    "webhooks",
    "workflow",
]

_Bytes = Union[bytes, bytearray, memoryview]


def verify(
    data: Union[_Bytes, Document],
    *,
    trust: Optional[Union[_Bytes, str, Sequence[Union[_Bytes, str]]]] = None,
    time: Optional[Union[datetime, str]] = None,
) -> VerificationReport:
    """Verifies every signature of a PDF: integrity, coverage, changes made
    after each, time-stamps, and the chains against ``trust`` (PEM or DER
    root certificates; without any, chains are not judged) at ``time`` (the
    system clock unless given) when a signature has no valid time-stamp.
    A PDF that cannot be read raises ``PdfError``; everything else is in
    the report. Releases the GIL.
    """
    pdf = data.to_bytes() if isinstance(data, Document) else data
    report, verdict = _native.verify(pdf, trust=trust, time=time)
    return VerificationReport._from_native(report, verdict)


class ErrorCode(NamedTuple):
    """One stable error code of ``fixtures/vectors/error_codes.json``."""

    name: str
    number: int
    family: str
    http_status: int
    message: str

    @property
    def exception(self) -> Type[ParaphError]:
        """The exception class raised with this code."""
        return exception_class(self.name, self.number)


errors: Mapping[str, ErrorCode] = MappingProxyType(
    {row[0]: ErrorCode(*row) for row in _native.error_codes()}
)
"""Every error code of this build by name, in number order."""
