"""The installed package: version, layout and typing marker."""

from __future__ import annotations

import importlib.metadata
import importlib.resources
import sysconfig
from pathlib import Path

import paraph

from conftest import REPO


def test_version_is_the_distribution_version() -> None:
    assert paraph.__version__ == importlib.metadata.version("paraph")
    assert paraph.__version__ == paraph._native.__version__


def test_the_tests_run_against_the_installed_package_not_the_source_tree() -> None:
    location = Path(paraph.__file__).resolve()
    assert (REPO / "bindings" / "python" / "python") not in location.parents, location
    assert Path(sysconfig.get_paths()["purelib"]).resolve() in location.parents


def test_the_package_is_typed() -> None:
    files = importlib.resources.files("paraph")
    assert files.joinpath("py.typed").is_file()
    assert files.joinpath("_native.pyi").is_file()
