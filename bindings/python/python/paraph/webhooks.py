"""Webhook signatures: Standard Webhooks (preferred) and a plain hex HMAC.

Receivers verify a delivery with :class:`Webhook`, shaped like the class of
the official ``standardwebhooks`` package::

    from paraph.webhooks import Webhook

    payload = Webhook("whsec_...").verify(request.body, request.headers)

Senders sign with :func:`sign`, which returns the three headers; while a
secret is rotated, pass the old and the new one and receivers holding either
accept the delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Dict, Mapping, Optional, Sequence, Union

from . import _native
from ._native import Webhook

__all__ = ["Webhook", "sign", "verify", "sign_hex", "verify_hex", "DEFAULT_TOLERANCE"]

DEFAULT_TOLERANCE = 300
"""Seconds a timestamp may be from the verifier's clock, either way."""

Secret = Union[str, bytes]
Payload = Union[bytes, bytearray, memoryview, str]
Timestamp = Union[int, datetime]


def sign(
    secret: Union[Secret, Sequence[Secret]],
    msg_id: str,
    timestamp: Timestamp,
    payload: Payload,
) -> Dict[str, str]:
    """The ``webhook-id``, ``webhook-timestamp`` and ``webhook-signature`` headers.

    Args:
        secret: a ``whsec_...`` secret or its raw bytes, or several (rotation).
        msg_id: the message id, stable across retries (``evt_env_1_7``).
        timestamp: Unix seconds or an aware ``datetime`` of this attempt.
        payload: the exact body that is sent.
    """
    secrets = [secret] if isinstance(secret, (str, bytes)) else list(secret)
    return _native.webhook_sign(secrets, msg_id, timestamp, payload)


def verify(
    secret: Secret,
    payload: Payload,
    headers: Mapping[str, str],
    *,
    now: Optional[Timestamp] = None,
    tolerance: int = DEFAULT_TOLERANCE,
) -> None:
    """Checks a delivery; raises :class:`paraph.WebhookVerificationError`.

    ``now`` defaults to the system clock; header names are compared
    case-insensitively.
    """
    _native.webhook_verify(secret, payload, headers, now=now, tolerance=tolerance)


def sign_hex(secret: Union[str, bytes], payload: Payload) -> str:
    """The lower-case hex HMAC-SHA256 of ``payload`` (the secret's UTF-8 bytes as given)."""
    return _native.webhook_sign_hex(secret, payload)


def verify_hex(secret: Union[str, bytes], payload: Payload, signature: str) -> None:
    """Checks a hex HMAC-SHA256 header (either case, optional ``sha256=``)."""
    _native.webhook_verify_hex(secret, payload, signature)
