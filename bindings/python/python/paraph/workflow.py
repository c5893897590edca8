"""The signing workflow: the core's one path from uploaded PDFs to signed
documents and a sealed audit trail, so that a Python HR system records the
same PDF work, events and evidence as every other paraph surface.

1. :func:`upload` each PDF and apply the ``addDocument`` command it returns.
2. :func:`prepare` at send: every recipient's fields go into the
   documents; apply the returned ``send`` command.
3. For each recipient in turn: :func:`issue_recipient_signer` (a key and
   certificate of their own from the platform CA), then
   :func:`sign_recipient`, or :func:`approve_recipient` for an approver;
   :class:`RecipientSigning` does the signing in two phases for an HSM or
   a KMS.
4. :func:`finalize` after the last one: the platform's seal, the
   completion and the sealed audit trail.

Documents are a mapping of document id to PDF bytes. Each step returns
the documents it changed and the envelope and events after the commands it
recorded: persist them together. The core reads no clock: ``now`` is given.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from . import _native
from ._native import Envelope, Event, RecipientSigning, Signer
from .commands import Actor, DrawnSignature, TypedSignature

__all__ = [
    "Finalized",
    "Prepared",
    "RecipientSigning",
    "SignedRecipient",
    "Uploaded",
    "approve_recipient",
    "begin_recipient_signing",
    "finalize",
    "issue_recipient_signer",
    "prepare",
    "provide_signatures",
    "recipient_input",
    "sign_recipient",
    "upload",
]

Bytes = Union[bytes, bytearray, memoryview]
Documents = Mapping[str, Bytes]
Time = Union[datetime, str]
ActorLike = Union[Actor, Mapping[str, Any]]
Certificates = Union[Bytes, str, Sequence[Union[Bytes, str]]]
Mark = Union[str, bytes, TypedSignature, DrawnSignature, Mapping[str, Any]]
"""A signature mark: typed text (``str``), a drawn PNG (``bytes``), or the
typed classes of :mod:`paraph.commands`."""

MIN_ENTROPY = 32
"""Bytes of fresh entropy :func:`issue_recipient_signer` draws from
``os.urandom`` when none is given."""


@dataclass(frozen=True)
class Uploaded:
    """A PDF read for an envelope: apply ``command`` (``addDocument``, with
    its page count, page sizes and SHA-256) and keep ``pdf``."""

    command: Dict[str, Any]
    pdf: bytes

    @property
    def document_id(self) -> str:
        """The document's id in the envelope."""
        return str(self.command["id"])

    @property
    def sha256(self) -> str:
        """The PDF's SHA-256, hex."""
        return str(self.command["sha256"])

    @property
    def page_count(self) -> int:
        """Its number of pages."""
        return int(self.command["pageCount"])


@dataclass(frozen=True)
class Prepared:
    """The documents with every recipient's fields, and the ``send``
    command (with their digests) to apply."""

    documents: Dict[str, bytes]
    command: Dict[str, Any]


@dataclass(frozen=True)
class SignedRecipient:
    """A recipient's signature or approval: the documents they changed,
    the commands recorded, and the envelope and events after them."""

    documents: Dict[str, bytes]
    commands: List[Dict[str, Any]]
    envelope: Envelope
    events: List[Event]

    def updated(self, documents: Documents) -> Dict[str, bytes]:
        """``documents`` with the ones this signing changed replaced."""
        merged = {k: bytes(v) for k, v in documents.items()}
        merged.update(self.documents)
        return merged


@dataclass(frozen=True)
class Finalized:
    """The completed envelope: every document as a client downloads it,
    the ``complete`` command, the envelope and events after it, the whole
    evidence (its JSON shape) and the sealed audit-trail PDF."""

    documents: Dict[str, bytes]
    command: Dict[str, Any]
    envelope: Envelope
    events: List[Event]
    evidence: Dict[str, Any]
    audit_trail: bytes


def _actor(actor: Optional[ActorLike], default: Actor) -> Any:
    chosen = default if actor is None else actor
    return chosen.to_dict() if isinstance(chosen, Actor) else chosen


def _mark(mark: Optional[Mark]) -> Optional[Dict[str, Any]]:
    if mark is None:
        return None
    if isinstance(mark, str):
        return TypedSignature(mark).to_dict()
    if isinstance(mark, (bytes, bytearray, memoryview)):
        return DrawnSignature(bytes(mark)).to_dict()
    if isinstance(mark, (TypedSignature, DrawnSignature)):
        return mark.to_dict()
    return dict(mark)


def recipient_input(
    recipient_id: str,
    *,
    values: Optional[Mapping[str, Union[str, bool]]] = None,
    signature: Optional[Mark] = None,
    initials: Optional[str] = None,
    initials_image: Optional[Bytes] = None,
) -> Dict[str, Any]:
    """What a recipient brings, as the core's JSON: their field values
    (field id to text; ``True``/``False`` for checkboxes), their mark
    (their name when ``None``) and their initials (from their name when
    ``None``)."""
    out: Dict[str, Any] = {"recipientId": recipient_id}
    if values:
        out["values"] = [
            {"fieldId": k, "value": ("true" if v else "false") if isinstance(v, bool) else v}
            for k, v in values.items()
        ]
    mark = _mark(signature)
    if mark is not None:
        out["signature"] = mark
    if initials is not None:
        out["initials"] = initials
    if initials_image is not None:
        out["initialsImage"] = base64.b64encode(bytes(initials_image)).decode("ascii")
    return out


def _sign_options(reason: Optional[str]) -> Dict[str, Any]:
    return {} if reason is None else {"reason": reason}


def upload(id: str, name: str, pdf: Bytes) -> Uploaded:
    """Reads ``pdf`` for the envelope (a ``PdfError`` for an unreadable or
    encrypted file, before anything is recorded)."""
    command, data = _native.workflow_upload(id, name, pdf)
    return Uploaded(command=command, pdf=data)


def prepare(
    envelope: Envelope,
    documents: Documents,
    *,
    platform: Optional[Signer] = None,
    certify: Sequence[str] = (),
    certification_time: Optional[Time] = None,
) -> Prepared:
    """Puts every recipient's fields into the documents of a draft (anchored
    ones beside their phrase). The documents listed in ``certify`` are
    certified by ``platform`` at ``certification_time``."""
    options: Dict[str, Any] = {}
    if certify:
        options["certify"] = list(certify)
    if certification_time is not None:
        options["certificationTime"] = (
            certification_time.isoformat() if isinstance(certification_time, datetime) else certification_time
        )
    docs, command = _native.workflow_prepare(envelope, documents, options, platform)
    return Prepared(documents=docs, command=command)


def issue_recipient_signer(
    envelope: Envelope,
    recipient_id: str,
    ca: Signer,
    *,
    now: Time,
    entropy: Optional[Bytes] = None,
    algorithm: str = "P-256",
    validity_days: int = 365,
) -> Signer:
    """A key and a short-lived certificate of their own for the signer
    ``recipient_id``, issued by the platform CA ``ca`` from ``now``, so that
    viewers show who signed. ``entropy`` (at least 32 bytes, new for each
    signing) makes the key; by default it is drawn from ``os.urandom``.
    ``algorithm`` is ``P-256`` (fast) or ``RSA-2048``."""
    seed = os.urandom(MIN_ENTROPY) if entropy is None else entropy
    options = {"algorithm": algorithm, "validityDays": validity_days}
    return _native.workflow_issue_recipient_signer(envelope, recipient_id, ca, seed, options, now=now)


def _signed(result: Any) -> SignedRecipient:
    documents, commands, envelope, events = result
    return SignedRecipient(documents=documents, commands=commands, envelope=envelope, events=events)


def sign_recipient(
    envelope: Envelope,
    documents: Documents,
    recipient_id: str,
    signer: Signer,
    *,
    now: Time,
    values: Optional[Mapping[str, Union[str, bool]]] = None,
    signature: Optional[Mark] = None,
    initials: Optional[str] = None,
    initials_image: Optional[Bytes] = None,
    reason: Optional[str] = None,
    actor: Optional[ActorLike] = None,
    ip: Optional[str] = None,
    user_agent: Optional[str] = None,
) -> SignedRecipient:
    """Signs for ``recipient_id`` with ``signer`` (their issued signer, or
    any :class:`paraph.Signer`): the envelope is asked first; then their
    values, the date, their name and initials are written and each of their
    signature fields gets its own PAdES revision with a stamp. The actor is
    the recipient unless given. Releases the GIL."""
    data = recipient_input(
        recipient_id, values=values, signature=signature, initials=initials, initials_image=initials_image
    )
    return _signed(
        _native.workflow_sign_recipient(
            envelope,
            documents,
            data,
            signer,
            _sign_options(reason),
            now=now,
            actor=_actor(actor, Actor.recipient(recipient_id)),
            ip=ip,
            user_agent=user_agent,
        )
    )


def approve_recipient(
    envelope: Envelope,
    documents: Documents,
    recipient_id: str,
    *,
    now: Time,
    values: Optional[Mapping[str, Union[str, bool]]] = None,
    actor: Optional[ActorLike] = None,
    ip: Optional[str] = None,
    user_agent: Optional[str] = None,
) -> SignedRecipient:
    """Records an approver's approval, their values written into the
    documents (form filling, which later signatures allow)."""
    data = recipient_input(recipient_id, values=values)
    return _signed(
        _native.workflow_approve_recipient(
            envelope,
            documents,
            data,
            {},
            now=now,
            actor=_actor(actor, Actor.recipient(recipient_id)),
            ip=ip,
            user_agent=user_agent,
        )
    )


def begin_recipient_signing(
    envelope: Envelope,
    documents: Documents,
    recipient_id: str,
    certificate_chain: Certificates,
    *,
    now: Time,
    values: Optional[Mapping[str, Union[str, bool]]] = None,
    signature: Optional[Mark] = None,
    initials: Optional[str] = None,
    reason: Optional[str] = None,
    actor: Optional[ActorLike] = None,
    ip: Optional[str] = None,
    user_agent: Optional[str] = None,
) -> RecipientSigning:
    """Begins a recipient's signing in two phases with the chain of the key
    that will sign (an HSM's, a KMS's): ``signing.to_sign()`` lists the
    values to make; :func:`provide_signatures` takes them."""
    data = recipient_input(recipient_id, values=values, signature=signature, initials=initials)
    return RecipientSigning.begin(
        envelope,
        documents,
        data,
        certificate_chain,
        _sign_options(reason),
        now=now,
        actor=_actor(actor, Actor.recipient(recipient_id)),
        ip=ip,
        user_agent=user_agent,
    )


def provide_signatures(
    signing: RecipientSigning,
    envelope: Envelope,
    documents: Documents,
    values: Mapping[str, Bytes],
    *,
    now: Time,
    actor: Optional[ActorLike] = None,
    ip: Optional[str] = None,
    user_agent: Optional[str] = None,
) -> Union[RecipientSigning, SignedRecipient]:
    """Gives the values (document id to signature value) for
    ``signing.to_sign()``: the next :class:`RecipientSigning` when a
    document has another signature field, else the :class:`SignedRecipient`.
    ``envelope`` and ``documents`` are those the signing began with."""
    result = signing.provide(
        envelope,
        documents,
        values,
        now=now,
        actor=_actor(actor, Actor.recipient(signing.recipient_id)),
        ip=ip,
        user_agent=user_agent,
    )
    if isinstance(result, RecipientSigning):
        return result
    return _signed(result)


def finalize(
    envelope: Envelope,
    history: Iterable[Union[Event, Mapping[str, Any]]],
    documents: Documents,
    platform: Signer,
    *,
    now: Time,
    seal: Sequence[str] = (),
    actor: Optional[ActorLike] = None,
    ip: Optional[str] = None,
    user_agent: Optional[str] = None,
) -> Finalized:
    """Finalizes an envelope whose every signer and approver has acted:
    ``platform`` seals the documents listed in ``seal`` and the audit
    trail; the completion is recorded with the final digests. ``history``
    is the envelope's whole event log (before this call)."""
    options: Dict[str, Any] = {"seal": list(seal)} if seal else {}
    docs, command, env, events, evidence, trail = _native.workflow_finalize(
        envelope,
        list(history),
        documents,
        platform,
        options,
        now=now,
        actor=_actor(actor, Actor.system()),
        ip=ip,
        user_agent=user_agent,
    )
    return Finalized(
        documents=docs, command=command, envelope=env, events=events, evidence=evidence, audit_trail=trail
    )
