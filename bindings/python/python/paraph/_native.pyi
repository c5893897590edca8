# Type stubs of the compiled module paraph._native (src/*.rs). CI checks
# them against the built module with `python -m mypy.stubtest paraph._native`.
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Optional, Union, final

from paraph.exceptions import ParaphError

__all__ = [
    "Document",
    "Field",
    "Page",
    "PreparedSignature",
    "RecipientSigning",
    "Rect",
    "Signer",
    "Widget",
    "audit_evidence",
    "audit_render",
    "audit_verify",
    "verify",
    "workflow_approve_recipient",
    "workflow_finalize",
    "workflow_issue_recipient_signer",
    "workflow_prepare",
    "workflow_sign_recipient",
    "workflow_upload",
    "Envelope",
    "Event",
    "replay",
    "Webhook",
    "webhook_sign",
    "webhook_sign_hex",
    "webhook_verify",
    "webhook_verify_hex",
    "_panic_for_tests",
    "_raise_for_tests",
    "error_codes",
    "__version__",
]

__version__: str

_Instant = Union[datetime, str]
_Timestamp = Union[int, datetime]
_Bytes = Union[bytes, bytearray, memoryview, str]
_Secret = Union[str, bytes]
# A command, an actor or create parameters: the core's JSON shape as a
# mapping, or an object with to_dict() (paraph.commands).
_Shape = Any
_ErrorRow = tuple[str, int, str, int, str]
# PEM text (one or many certificates) or DER, or a list of them.
_Certificates = Union[_Bytes, Sequence[_Bytes]]
# A paraph.Rect, any object with x, y, width and height, or a 4-tuple.
_RectLike = Any
# Document id to PDF bytes.
_Documents = Mapping[str, _Bytes]
_Signed = tuple[dict[str, bytes], list[dict[str, Any]], Envelope, list[Event]]

@final
class Envelope:
    """An envelope at one point of its history (immutable)."""

    @staticmethod
    def create(
        params: _Shape,
        *,
        now: _Instant,
        actor: _Shape,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> tuple[Envelope, list[Event]]: ...
    def apply(
        self,
        command: _Shape,
        *,
        now: _Instant,
        actor: _Shape,
        ip: str | None = None,
        user_agent: str | None = None,
    ) -> tuple[Envelope, list[Event]]: ...
    @staticmethod
    def from_json(json: str) -> Envelope: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Envelope: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    @property
    def id(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def subject(self) -> str: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Event:
    """One fact of an envelope's history (immutable)."""

    @staticmethod
    def from_json(json: str) -> Event: ...
    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Event: ...
    def to_dict(self) -> dict[str, Any]: ...
    def to_json(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def seq(self) -> int: ...
    @property
    def envelope_id(self) -> str: ...
    @property
    def occurred_at(self) -> str: ...
    @property
    def message_id(self) -> str: ...
    @property
    def is_published(self) -> bool: ...
    @property
    def webhook_event_type(self) -> Optional[str]: ...
    def __reduce__(self) -> tuple[Any, ...]: ...
    def __eq__(self, value: object, /) -> bool: ...

def replay(events: Iterable[Event | Mapping[str, Any]]) -> Envelope: ...

@final
class Webhook:
    """Signs and verifies Standard Webhooks deliveries, like standardwebhooks.Webhook."""

    def __new__(cls, secret: _Secret, *, tolerance: int = 300) -> Webhook: ...
    def sign(self, msg_id: str, timestamp: _Timestamp, payload: _Bytes) -> str: ...
    def verify(
        self, payload: _Bytes, headers: Mapping[str, str], *, now: _Timestamp | None = None
    ) -> Any: ...

def webhook_sign(
    secrets: Sequence[_Secret], msg_id: str, timestamp: _Timestamp, payload: _Bytes
) -> dict[str, str]: ...
def webhook_verify(
    secret: _Secret,
    payload: _Bytes,
    headers: Mapping[str, str],
    *,
    now: _Timestamp | None = None,
    tolerance: int = 300,
) -> None: ...
def webhook_sign_hex(secret: _Bytes, payload: _Bytes) -> str: ...
def webhook_verify_hex(secret: _Bytes, payload: _Bytes, signature: str) -> None: ...
def error_codes() -> list[_ErrorRow]: ...
def _raise_for_tests(number: int) -> None: ...
def _panic_for_tests(message: str) -> None: ...

@final
class Rect:
    """A rectangle on a displayed page, in points from its top-left corner."""

    def __new__(cls, x: float, y: float, width: float, height: float) -> Rect: ...
    @property
    def x(self) -> float: ...
    @property
    def y(self) -> float: ...
    @property
    def width(self) -> float: ...
    @property
    def height(self) -> float: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Page:
    """A page as displayed."""

    @property
    def number(self) -> int: ...
    @property
    def width(self) -> float: ...
    @property
    def height(self) -> float: ...
    @property
    def rotation(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Widget:
    """Where a form field shows."""

    @property
    def page(self) -> Optional[int]: ...
    @property
    def rect(self) -> Optional[Rect]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Field:
    """A form field of a document."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def value(self) -> Optional[str]: ...
    @property
    def signed(self) -> bool: ...
    @property
    def read_only(self) -> bool: ...
    @property
    def multiline(self) -> bool: ...
    @property
    def widgets(self) -> list[Widget]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Signer:
    """A key that signs: in memory (PKCS#12, PEM) or behind a Python callable."""

    @staticmethod
    def from_pkcs12(data: _Bytes, password: str) -> Signer: ...
    @staticmethod
    def from_pem(key: _Bytes, certificates: _Bytes) -> Signer: ...
    @staticmethod
    def external(certificate_chain: _Certificates, callback: Callable[[bytes], _Bytes]) -> Signer: ...
    @property
    def certificate_chain(self) -> list[bytes]: ...
    @property
    def subject(self) -> str: ...
    @property
    def common_name(self) -> Optional[str]: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def is_external(self) -> bool: ...

@final
class PreparedSignature:
    """A signature waiting for its value (two-phase signing)."""

    @property
    def message(self) -> bytes: ...
    @property
    def digest(self) -> bytes: ...
    @property
    def algorithm(self) -> str: ...
    @property
    def field_name(self) -> str: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str) -> PreparedSignature: ...

@final
class Document:
    """A PDF, loaded and checked under the core's limits (immutable)."""

    @staticmethod
    def open(source: Union[str, os.PathLike[str], _Bytes]) -> Document: ...
    def to_bytes(self) -> bytes: ...
    @property
    def version(self) -> str: ...
    @property
    def page_count(self) -> int: ...
    @property
    def pages(self) -> list[Page]: ...
    @property
    def fields(self) -> list[Field]: ...
    def page_text(self, number: int) -> str: ...
    def add_signature_field(
        self, name: str, *, page: int, rect: _RectLike, required: bool = False
    ) -> Document: ...
    def sign(
        self,
        signer: Signer,
        *,
        field: Optional[str] = None,
        page: Optional[int] = None,
        rect: Optional[_RectLike] = None,
        name: Optional[str] = None,
        image: Optional[_Bytes] = None,
        reason: Optional[str] = None,
        location: Optional[str] = None,
        contact_info: Optional[str] = None,
        signing_time: Optional[_Instant] = None,
        certify: Optional[str] = None,
    ) -> bytes: ...
    def prepare(
        self,
        certificate_chain: _Certificates,
        *,
        field: Optional[str] = None,
        page: Optional[int] = None,
        rect: Optional[_RectLike] = None,
        name: Optional[str] = None,
        image: Optional[_Bytes] = None,
        reason: Optional[str] = None,
        location: Optional[str] = None,
        contact_info: Optional[str] = None,
        signing_time: Optional[_Instant] = None,
        certify: Optional[str] = None,
    ) -> PreparedSignature: ...
    def finish(self, prepared: PreparedSignature, signature_value: _Bytes) -> bytes: ...
    def __len__(self) -> int: ...

def verify(
    data: _Bytes, *, trust: Optional[_Certificates] = None, time: Optional[_Instant] = None
) -> tuple[dict[str, Any], Optional[ParaphError]]: ...
def audit_evidence(events: Iterable[Event | Mapping[str, Any]], *, generated_at: _Instant) -> str: ...
def audit_render(
    evidence: _Bytes,
    *,
    locale: str = "en",
    seal: Optional[Signer] = None,
    signing_time: Optional[_Instant] = None,
) -> bytes: ...
def audit_verify(
    data: _Bytes,
    document: Optional[_Bytes] = None,
    *,
    trust: Optional[_Certificates] = None,
    time: Optional[_Instant] = None,
    evidence_only: bool = False,
) -> tuple[dict[str, Any], Optional[ParaphError]]: ...
def workflow_upload(id: str, name: str, pdf: _Bytes) -> tuple[dict[str, Any], bytes]: ...
def workflow_prepare(
    envelope: Envelope,
    documents: _Documents,
    options: Mapping[str, Any],
    platform: Optional[Signer] = None,
) -> tuple[dict[str, bytes], dict[str, Any]]: ...
def workflow_sign_recipient(
    envelope: Envelope,
    documents: _Documents,
    input: Mapping[str, Any],
    signer: Signer,
    options: Mapping[str, Any],
    *,
    now: _Instant,
    actor: _Shape,
    ip: Optional[str] = None,
    user_agent: Optional[str] = None,
) -> _Signed: ...
def workflow_approve_recipient(
    envelope: Envelope,
    documents: _Documents,
    input: Mapping[str, Any],
    options: Mapping[str, Any],
    *,
    now: _Instant,
    actor: _Shape,
    ip: Optional[str] = None,
    user_agent: Optional[str] = None,
) -> _Signed: ...
def workflow_finalize(
    envelope: Envelope,
    history: Iterable[Event | Mapping[str, Any]],
    documents: _Documents,
    platform: Signer,
    options: Mapping[str, Any],
    *,
    now: _Instant,
    actor: _Shape,
    ip: Optional[str] = None,
    user_agent: Optional[str] = None,
) -> tuple[dict[str, bytes], dict[str, Any], Envelope, list[Event], dict[str, Any], bytes]: ...
def workflow_issue_recipient_signer(
    envelope: Envelope,
    recipient_id: str,
    ca: Signer,
    entropy: _Bytes,
    options: Mapping[str, Any],
    *,
    now: _Instant,
) -> Signer: ...

@final
class RecipientSigning:
    """A recipient's signing in two phases, for a key outside the process."""

    @staticmethod
    def begin(
        envelope: Envelope,
        documents: _Documents,
        input: Mapping[str, Any],
        certificate_chain: _Certificates,
        options: Mapping[str, Any],
        *,
        now: _Instant,
        actor: _Shape,
        ip: Optional[str] = None,
        user_agent: Optional[str] = None,
    ) -> RecipientSigning: ...
    def to_sign(self) -> list[tuple[str, str, bytes, bytes]]: ...
    def provide(
        self,
        envelope: Envelope,
        documents: _Documents,
        values: Mapping[str, _Bytes],
        *,
        now: _Instant,
        actor: _Shape,
        ip: Optional[str] = None,
        user_agent: Optional[str] = None,
    ) -> Union[RecipientSigning, _Signed]: ...
    @property
    def recipient_id(self) -> str: ...
    @property
    def envelope_id(self) -> str: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(json: str) -> RecipientSigning: ...
