# Type stubs of the compiled module paraph._native (src/*.rs). CI checks
# them against the built module with `python -m mypy.stubtest paraph._native`.
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Optional, Union, final

__all__ = [
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
