"""Typed envelope commands, actors and their parts.

Each class turns into the core's JSON shape with ``to_dict()``; anywhere a
command or an actor is accepted, its dict works as well::

    envelope.apply(AddRecipient(id="marie", name="Marie Dubois",
                                email="marie@example.com"), now=now, actor=Actor.api_key("key_1"))
    envelope.apply({"type": "addRecipient", "id": "marie", "name": "Marie Dubois",
                    "email": "marie@example.com"}, now=now, actor={"type": "apiKey", "id": "key_1"})

Keys are camelCase in the dicts and snake_case here; times may be
timezone-aware ``datetime`` objects or RFC 3339 strings; PNG bytes are
base64-encoded for you.
"""

from __future__ import annotations

import base64
import dataclasses
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Dict, List, Optional, Tuple, Union

__all__ = [
    "Actor",
    "Rect",
    "DocumentDigest",
    "TypedSignature",
    "DrawnSignature",
    "CreateEnvelope",
    "Update",
    "AddDocument",
    "RemoveDocument",
    "AddRecipient",
    "RemoveRecipient",
    "AddField",
    "RemoveField",
    "Send",
    "Consent",
    "View",
    "FillField",
    "Sign",
    "Approve",
    "Decline",
    "Void",
    "Expire",
    "Remind",
    "Delete",
    "UNSET",
]


class _Unset:
    """Marks an ``Update`` key left as it is (``None`` clears it)."""

    _instance: ClassVar[Optional["_Unset"]] = None

    def __new__(cls) -> "_Unset":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()
"""Default of the ``Update`` fields: the key is left out, so the value stays."""


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


class _Shape:
    """Dataclass fields as camelCase JSON; ``None`` and ``UNSET`` are left out."""

    _type: ClassVar[Optional[str]] = None
    _keep_none: ClassVar[Tuple[str, ...]] = ()

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        if self._type is not None:
            out["type"] = self._type
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if value is UNSET:
                continue
            if value is None and f.name not in self._keep_none:
                continue
            out[_camel(f.name)] = _json(value)
        return out


@dataclass(frozen=True)
class Actor(_Shape):
    """Who issues a command: ``Actor.api_key("key_1")``, ``Actor.recipient("marie")``."""

    type: str
    id: Optional[str] = None

    @classmethod
    def system(cls) -> "Actor":
        return cls("system")

    @classmethod
    def api_key(cls, id: str) -> "Actor":
        return cls("apiKey", id)

    @classmethod
    def user(cls, id: str) -> "Actor":
        return cls("user", id)

    @classmethod
    def recipient(cls, id: str) -> "Actor":
        return cls("recipient", id)


@dataclass(frozen=True)
class Rect(_Shape):
    """Points from the top-left corner of the page as displayed."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class DocumentDigest(_Shape):
    document_id: str
    sha256: str


@dataclass(frozen=True)
class TypedSignature(_Shape):
    """A signature mark: the signer's name as typed."""

    _type = "TYPED"
    text: str


@dataclass(frozen=True)
class DrawnSignature(_Shape):
    """A signature mark: a PNG drawing."""

    _type = "DRAWN"
    png: bytes


SignatureMark = Union[TypedSignature, DrawnSignature]


@dataclass(frozen=True)
class CreateEnvelope(_Shape):
    """The parameters of ``Envelope.create``."""

    id: str
    subject: str
    message: Optional[str] = None
    signature_level: str = "SIMPLE"
    locale: str = "en"
    expires_at: Optional[Union[datetime, str]] = None


@dataclass(frozen=True)
class Update(_Shape):
    """Change a draft; fields left ``UNSET`` stay, ``None`` clears ``message``/``expires_at``."""

    _type = "update"
    _keep_none = ("message", "expires_at")
    subject: Any = UNSET
    message: Any = UNSET
    signature_level: Any = UNSET
    locale: Any = UNSET
    expires_at: Any = UNSET


@dataclass(frozen=True)
class AddDocument(_Shape):
    _type = "addDocument"
    id: str
    name: str
    page_count: int
    sha256: str


@dataclass(frozen=True)
class RemoveDocument(_Shape):
    _type = "removeDocument"
    document_id: str


@dataclass(frozen=True)
class AddRecipient(_Shape):
    _type = "addRecipient"
    id: str
    name: str
    email: str
    phone: Optional[str] = None
    role: str = "SIGNER"
    routing_order: int = 1
    authentication: str = "EMAIL_LINK"


@dataclass(frozen=True)
class RemoveRecipient(_Shape):
    _type = "removeRecipient"
    recipient_id: str


@dataclass(frozen=True)
class AddField(_Shape):
    _type = "addField"
    id: str
    document_id: str
    recipient_id: str
    kind: str
    page: int
    rect: Rect
    required: bool = True
    value: Optional[str] = None


@dataclass(frozen=True)
class RemoveField(_Shape):
    _type = "removeField"
    field_id: str


@dataclass(frozen=True)
class Send(_Shape):
    _type = "send"


@dataclass(frozen=True)
class Consent(_Shape):
    _type = "consent"
    recipient_id: str
    version: str
    text_sha256: str


@dataclass(frozen=True)
class View(_Shape):
    _type = "view"
    recipient_id: str


@dataclass(frozen=True)
class FillField(_Shape):
    _type = "fillField"
    recipient_id: str
    field_id: str
    value: str


@dataclass(frozen=True)
class Sign(_Shape):
    _type = "sign"
    recipient_id: str
    documents: List[DocumentDigest] = field(default_factory=list)
    signature: Optional[SignatureMark] = None


@dataclass(frozen=True)
class Approve(_Shape):
    _type = "approve"
    recipient_id: str


@dataclass(frozen=True)
class Decline(_Shape):
    _type = "decline"
    recipient_id: str
    reason: str


@dataclass(frozen=True)
class Void(_Shape):
    _type = "void"
    reason: str


@dataclass(frozen=True)
class Expire(_Shape):
    _type = "expire"


@dataclass(frozen=True)
class Remind(_Shape):
    _type = "remind"
    recipient_ids: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class Delete(_Shape):
    _type = "delete"


Command = Union[
    Update, AddDocument, RemoveDocument, AddRecipient, RemoveRecipient, AddField,
    RemoveField, Send, Consent, View, FillField, Sign, Approve, Decline, Void,
    Expire, Remind, Delete,
]
"""Any typed command."""
