"""Every code of fixtures/vectors/error_codes.json, through the binding."""

from __future__ import annotations

import pickle
from typing import Any, Dict, List, Type

import pytest

import paraph
from paraph import _native

from conftest import vectors

TABLE: Dict[str, Any] = vectors("error_codes.json")
CODES: List[Dict[str, Any]] = TABLE["codes"]

# Written out here, independently of paraph/exceptions.py, so that a wrong
# mapping there fails this test.
FAMILY_CLASS: Dict[str, Type[paraph.ParaphError]] = {
    "general": paraph.RequestError,
    "envelope": paraph.EnvelopeStateError,
    "pdf": paraph.PdfError,
    "signature": paraph.SignatureError,
    "audit": paraph.AuditError,
    "webhook": paraph.WebhookVerificationError,
    "api": paraph.RequestError,
    "internal": paraph.InternalError,
}


def expected_class(entry: Dict[str, Any]) -> Type[paraph.ParaphError]:
    if entry["name"].startswith(("CERT_", "KEY_", "PKCS12_")):
        return paraph.CertificateError
    return FAMILY_CLASS[entry["family"]]


def test_the_table_has_every_code_of_the_vectors_and_no_other() -> None:
    assert list(paraph.errors) == [c["name"] for c in CODES]


@pytest.mark.parametrize("entry", CODES, ids=[c["name"] for c in CODES])
def test_each_code_is_listed_with_its_number_family_status_and_message(entry: Dict[str, Any]) -> None:
    info = paraph.errors[entry["name"]]
    assert info.number == entry["code"]
    assert info.family == entry["family"]
    assert info.http_status == entry["httpStatus"]
    assert info.message == entry["message"]
    assert info.exception is expected_class(entry)


@pytest.mark.parametrize("entry", CODES, ids=[c["name"] for c in CODES])
def test_each_code_raises_its_family_class_with_code_and_number(entry: Dict[str, Any]) -> None:
    with pytest.raises(paraph.ParaphError) as caught:
        _native._raise_for_tests(entry["code"])
    err = caught.value
    assert type(err) is expected_class(entry)
    assert err.code == entry["name"]
    assert err.number == entry["code"]
    assert err.family == entry["family"]
    assert err.http_status == entry["httpStatus"]
    assert err.message == f"test error {entry['name']}"


def test_certificate_errors_are_signature_errors() -> None:
    with pytest.raises(paraph.SignatureError) as caught:
        _native._raise_for_tests(paraph.errors["PKCS12_BAD_PASSWORD"].number)
    assert isinstance(caught.value, paraph.CertificateError)


def test_an_unknown_number_is_an_invalid_argument() -> None:
    with pytest.raises(paraph.RequestError) as caught:
        _native._raise_for_tests(1)
    assert caught.value.code == "INVALID_ARGUMENT"


def test_errors_pickle_with_their_code() -> None:
    with pytest.raises(paraph.ParaphError) as caught:
        _native._raise_for_tests(2009)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert type(copy) is paraph.EnvelopeStateError
    assert (copy.code, copy.number, copy.message) == ("NO_DOCUMENT", 2009, "test error NO_DOCUMENT")


def test_str_shows_code_and_message() -> None:
    with pytest.raises(paraph.ParaphError) as caught:
        _native._raise_for_tests(6005)
    assert str(caught.value) == "[WEBHOOK_SIGNATURE_MISMATCH] test error WEBHOOK_SIGNATURE_MISMATCH"


def test_a_panic_arrives_as_paraph_error_panic_not_panic_exception() -> None:
    # pyo3's PanicException derives from BaseException: `except Exception`
    # would miss it. The boundary turns it into ParaphError(PANIC).
    try:
        _native._panic_for_tests("deliberate test panic")
    except Exception as err:  # noqa: BLE001 - the point of the test
        assert isinstance(err, paraph.InternalError)
        assert err.code == "PANIC"
        assert err.number == 9002
        assert "deliberate test panic" in err.message
    else:
        pytest.fail("the panic was not raised")
