"""paraph: an embeddable e-signature engine with a native Rust core.

- :class:`Envelope`, :class:`Event`, :func:`replay`: the envelope state
  machine, ``apply(command) -> (envelope, events)``, with event-sourced
  replay. Commands are the core's JSON dicts or the typed classes of
  :mod:`paraph.commands`.
- :mod:`paraph.webhooks`: Standard Webhooks and hex HMAC signatures.
- :data:`errors`: every stable error code; :class:`ParaphError` and its
  family subclasses carry ``.code`` and ``.number``.

The core is pure: every call that depends on time takes ``now``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping, NamedTuple, Type

from . import _native, commands, webhooks
from ._native import Envelope, Event, replay
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
    "CertificateError",
    "Envelope",
    "EnvelopeStateError",
    "ErrorCode",
    "Event",
    "InternalError",
    "ParaphError",
    "PdfError",
    "RequestError",
    "SignatureError",
    "WebhookVerificationError",
    "commands",
    "errors",
    "replay",
    "webhooks",
]


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
