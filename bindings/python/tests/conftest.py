"""Shared fixtures: the repository's golden vectors and a fixed clock."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[3]
VECTORS = REPO / "fixtures" / "vectors"
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def vectors(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


@pytest.fixture
def now() -> datetime:
    return NOW
