"""Shared fixtures: the repository's golden vectors and a fixed clock."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, List, Optional

import pytest

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "fixtures"
VECTORS = FIXTURES / "vectors"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
# The roots of the test PKI (fixtures/certs): P-256 and RSA.
ROOTS = [FIXTURES / "certs/ec/root.pem", FIXTURES / "certs/rsa/root.pem"]


def fixture(path: str) -> bytes:
    return (FIXTURES / path).read_bytes()


def roots() -> List[bytes]:
    return [p.read_bytes() for p in ROOTS]


@dataclass(frozen=True)
class PyHankoStatus:
    """What pyHanko, an independent validator, says of one signature."""

    field_name: str
    signer: str
    intact: bool
    valid: bool
    trusted: bool
    coverage: Optional[str]
    modification_level: Optional[str]
    docmdp_ok: Optional[bool]


def pyhanko_validate(pdf: bytes) -> List[PyHankoStatus]:
    """Validates every signature of ``pdf`` with pyHanko, in this process,
    against the test PKI's roots, in signing order."""
    from pyhanko.keys import load_certs_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    trust = list(load_certs_from_pemder([str(p) for p in ROOTS]))  # type: ignore[no-untyped-call]
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    out = []
    for sig in sorted(reader.embedded_signatures, key=lambda s: s.signed_revision):
        status = validate_pdf_signature(
            sig, signer_validation_context=ValidationContext(trust_roots=trust, allow_fetching=False)
        )
        out.append(
            PyHankoStatus(
                field_name=str(sig.field_name),
                signer=str(status.signing_cert.subject.human_friendly),
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                coverage=status.coverage.name if status.coverage else None,
                modification_level=status.modification_level.name if status.modification_level else None,
                docmdp_ok=status.docmdp_ok,
            )
        )
    return out


def assert_pyhanko_accepts(pdf: bytes, count: int) -> List[PyHankoStatus]:
    """Every signature intact, valid and trusted; the last covers the whole
    file and earlier ones their revision, with no disallowed change after."""
    statuses = pyhanko_validate(pdf)
    assert len(statuses) == count, statuses
    for i, s in enumerate(statuses):
        assert s.intact and s.valid and s.trusted, s
        assert s.coverage == ("ENTIRE_FILE" if i == count - 1 else "ENTIRE_REVISION"), s
        assert s.modification_level != "OTHER" and s.docmdp_ok is not False, s
    return statuses


def vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def now() -> datetime:
    return NOW
