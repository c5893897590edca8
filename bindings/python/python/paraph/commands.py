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
    "EnvelopeSettings",
    "PageSize",
    "FieldAnchor",
    "FieldPlacement",
    "CreateEnvelope",
    "Update",
    "AddDocument",
    "RemoveDocument",
    "AddRecipient",
    "UpdateRecipient",
    "RemoveRecipient",
    "AddField",
    "UpdateField",
    "RemoveField",
    "Send",
    "RequestAuthentication",
    "Authenticate",
    "Consent",
    "View",
    "FillField",
    "Sign",
    "Approve",
    "Decline",
    "Void",
    "Expire",
    "Complete",
    "ReturnToDraft",
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
class EnvelopeSettings(_Shape):
    """Initials on every page; failed codes before a recipient is locked out."""

    initials_on_every_page: bool = False
    max_authentication_attempts: int = 5


@dataclass(frozen=True)
class PageSize(_Shape):
    """A page as displayed, in points."""

    width: float
    height: float


@dataclass(frozen=True)
class FieldAnchor(_Shape):
    """Place a field beside the ``occurrence``-th appearance of ``text``."""

    text: str
    occurrence: int = 1
    placement: str = "RIGHT"


@dataclass(frozen=True)
class FieldPlacement(_Shape):
    """Where an anchored field was placed (the workflow's prepare step gives these)."""

    field_id: str
    page: int
    rect: Rect


@dataclass(frozen=True)
class CreateEnvelope(_Shape):
    """The parameters of ``Envelope.create``."""

    id: str
    subject: str
    message: Optional[str] = None
    signature_level: str = "SIMPLE"
    locale: str = "en"
    expires_at: Optional[Union[datetime, str]] = None
    settings: Optional[EnvelopeSettings] = None


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
    settings: Any = UNSET


@dataclass(frozen=True)
class AddDocument(_Shape):
    """``pages`` (each page's size) lets the envelope check that fields fit."""

    _type = "addDocument"
    id: str
    name: str
    page_count: int
    sha256: str
    pages: List[PageSize] = field(default_factory=list)


@dataclass(frozen=True)
class RemoveDocument(_Shape):
    _type = "removeDocument"
    document_id: str


@dataclass(frozen=True)
class AddRecipient(_Shape):
    """An email, a phone (E.164), or both; ``SMS_CODE`` needs the phone."""

    _type = "addRecipient"
    id: str
    name: str
    email: Optional[str] = None
    phone: Optional[str] = None
    role: str = "SIGNER"
    routing_order: int = 1
    authentication: str = "EMAIL_LINK"


@dataclass(frozen=True)
class UpdateRecipient(_Shape):
    """Change a draft's recipient; ``UNSET`` stays, ``None`` clears ``email``/``phone``."""

    _type = "updateRecipient"
    _keep_none = ("email", "phone")
    recipient_id: str
    name: Any = UNSET
    email: Any = UNSET
    phone: Any = UNSET
    role: Any = UNSET
    routing_order: Any = UNSET
    authentication: Any = UNSET


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
    multiline: bool = False
    anchor: Optional[FieldAnchor] = None

    def to_dict(self) -> Dict[str, Any]:
        out = super().to_dict()
        if not self.multiline:
            out.pop("multiline")
        return out


@dataclass(frozen=True)
class UpdateField(_Shape):
    """Change a draft's field; ``UNSET`` stays, ``None`` clears ``value``/``anchor``."""

    _type = "updateField"
    _keep_none = ("value", "anchor")
    field_id: str
    recipient_id: Any = UNSET
    page: Any = UNSET
    rect: Any = UNSET
    required: Any = UNSET
    value: Any = UNSET
    multiline: Any = UNSET
    anchor: Any = UNSET


@dataclass(frozen=True)
class RemoveField(_Shape):
    _type = "removeField"
    field_id: str


@dataclass(frozen=True)
class Send(_Shape):
    """``documents``: the digests as sent, ``placements``: where anchored fields went
    (both from the workflow's prepare step)."""

    _type = "send"
    documents: List[DocumentDigest] = field(default_factory=list)
    placements: List[FieldPlacement] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in super().to_dict().items() if v != []}


@dataclass(frozen=True)
class RequestAuthentication(_Shape):
    """A code (SMS or access code) was sent to the recipient."""

    _type = "requestAuthentication"
    recipient_id: str


@dataclass(frozen=True)
class Authenticate(_Shape):
    """The outcome of the caller's check of the recipient's code."""

    _type = "authenticate"
    recipient_id: str
    method: str
    passed: bool


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
    certificate_sha256: Optional[str] = None


@dataclass(frozen=True)
class Approve(_Shape):
    _type = "approve"
    recipient_id: str
    documents: List[DocumentDigest] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in super().to_dict().items() if v != []}


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
class Complete(_Shape):
    """Record the completion once everyone acted, with the final documents' digests."""

    _type = "complete"
    documents: List[DocumentDigest] = field(default_factory=list)

    def to_dict(self) -> Dict[str, Any]:
        return {k: v for k, v in super().to_dict().items() if v != []}


@dataclass(frozen=True)
class ReturnToDraft(_Shape):
    """Recall a sent envelope nobody has acted on, for correction."""

    _type = "returnToDraft"
    reason: str


@dataclass(frozen=True)
class Remind(_Shape):
    _type = "remind"
    recipient_ids: List[str] = field(default_factory=list)


@dataclass(frozen=True)
class Delete(_Shape):
    _type = "delete"


Command = Union[
    Update, AddDocument, RemoveDocument, AddRecipient, UpdateRecipient, RemoveRecipient,
    AddField, UpdateField, RemoveField, Send, RequestAuthentication, Authenticate,
    Consent, View, FillField, Sign, Approve, Decline, Void, Expire, Complete,
    ReturnToDraft, Remind, Delete,
]
"""Any typed command."""
