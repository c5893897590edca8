#!/usr/bin/env python3
"""pyHanko's verdict on every signature of a PDF, as one JSON object per
line: field, intact, valid, coverage, modification_level, docmdp_ok and
bottom_line. Used to compare paraph's verdicts with pyHanko's difference
analysis (tests/tests/hostile.rs).

usage: pyhanko_verdict.py SIGNED.pdf CA.pem
"""
import json
import sys

from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext


def main():
    pdf_path, ca_path = sys.argv[1], sys.argv[2]
    roots = list(load_certs_from_pemder([ca_path]))
    with open(pdf_path, "rb") as f:
        try:
            reader = PdfFileReader(f, strict=False)
            signatures = sorted(reader.embedded_signatures, key=lambda s: s.signed_revision)
        except Exception as e:  # a file pyHanko cannot read fails every signature
            print(json.dumps({"field": None, "error": repr(e), "bottom_line": False}))
            return
        for sig in signatures:
            try:
                st = validate_pdf_signature(
                    sig,
                    signer_validation_context=ValidationContext(trust_roots=roots, allow_fetching=False),
                )
                row = {
                    "field": sig.field_name,
                    "intact": bool(st.intact),
                    "valid": bool(st.valid),
                    "coverage": st.coverage.name if st.coverage else None,
                    "modification_level": st.modification_level.name if st.modification_level else None,
                    "docmdp_ok": st.docmdp_ok,
                    "bottom_line": bool(st.bottom_line),
                }
            except Exception as e:  # pyHanko refusing the file is a verdict too
                row = {"field": sig.field_name, "error": repr(e), "bottom_line": False}
            print(json.dumps(row))


if __name__ == "__main__":
    main()
