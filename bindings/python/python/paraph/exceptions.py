"""The exceptions paraph raises: one hierarchy under :class:`ParaphError`.

Every error carries the stable ``code`` (``"ENVELOPE_NOT_DRAFT"``) and
``number`` (``2001``) of ``fixtures/vectors/error_codes.json``, and the HTTP
status a server answers with. Catch a family with its subclass, or one case
with ``err.code``::

    try:
        envelope.apply({"type": "send"}, now=now, actor=sender)
    except paraph.EnvelopeStateError as err:
        if err.code == "NO_SIGNER": ...
"""

from __future__ import annotations

from typing import Dict, Tuple, Type

__all__ = [
    "ParaphError",
    "RequestError",
    "EnvelopeStateError",
    "PdfError",
    "SignatureError",
    "CertificateError",
    "AuditError",
    "WebhookVerificationError",
    "InternalError",
    "exception_class",
]


class ParaphError(Exception):
    """Base class of every paraph error.

    Attributes:
        code: the stable SCREAMING_SNAKE name (``"PDF_ENCRYPTED"``).
        number: the stable number (``3002``).
        message: what went wrong in this occurrence.
    """

    code: str
    number: int
    message: str

    def __init__(self, message: str, code: str = "INTERNAL", number: int = 9001) -> None:
        super().__init__(message, code, number)
        self.message = message
        self.code = code
        self.number = number

    @property
    def family(self) -> str:
        """The code's family (``"envelope"``), from its number range."""
        return _family_of(self.number)

    @property
    def http_status(self) -> int:
        """The HTTP status every paraph surface answers with for this code."""
        from . import errors

        info = errors.get(self.code)
        return info.http_status if info is not None else 500

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r}, number={self.number})"


class RequestError(ParaphError):
    """Bad arguments, JSON or I/O (1xxx), and API-surface errors (7xxx)."""


class EnvelopeStateError(ParaphError):
    """The envelope state machine refused a command or a history (2xxx)."""


class PdfError(ParaphError):
    """A PDF could not be read, was over a limit, or a field was wrong (3xxx)."""


class SignatureError(ParaphError):
    """PAdES signing or verification failed (4xxx other than certificates and keys)."""


class CertificateError(SignatureError):
    """A certificate, private key or PKCS#12 file was refused (CERT_, KEY_, PKCS12_ codes)."""


class AuditError(ParaphError):
    """The evidence or the audit-trail PDF was refused (5xxx)."""


class WebhookVerificationError(ParaphError):
    """A webhook secret, id, timestamp or signature was refused (6xxx)."""


class InternalError(ParaphError):
    """A bug in paraph, or a caught panic (9xxx): please report it."""


_FAMILIES: Tuple[Tuple[int, int, str], ...] = (
    (1000, 1999, "general"),
    (2000, 2999, "envelope"),
    (3000, 3999, "pdf"),
    (4000, 4999, "signature"),
    (5000, 5999, "audit"),
    (6000, 6999, "webhook"),
    (7000, 7999, "api"),
    (9000, 9999, "internal"),
)

_CLASS_OF_FAMILY: Dict[str, Type[ParaphError]] = {
    "general": RequestError,
    "envelope": EnvelopeStateError,
    "pdf": PdfError,
    "signature": SignatureError,
    "audit": AuditError,
    "webhook": WebhookVerificationError,
    "api": RequestError,
    "internal": InternalError,
}

# NEEDS FROM THE CORE: the core's families stop at "signature"; which of its
# codes are about certificates and keys is read here from the name prefix.
# A core classification (ErrorCode::is_certificate_error, or a sub-family in
# error_codes.json) would replace this line.
_CERTIFICATE_PREFIXES = ("CERT_", "KEY_", "PKCS12_")


def _family_of(number: int) -> str:
    for low, high, family in _FAMILIES:
        if low <= number <= high:
            return family
    return "internal"


def exception_class(code: str, number: int) -> Type[ParaphError]:
    """The class paraph raises for the code ``code`` numbered ``number``."""
    family = _family_of(number)
    if family == "signature" and code.startswith(_CERTIFICATE_PREFIXES):
        return CertificateError
    return _CLASS_OF_FAMILY[family]


def _from_native(code: str, number: int, message: str) -> ParaphError:
    """Called by ``paraph._native`` to build the exception of a core error."""
    return exception_class(code, number)(message, code, number)
