#!/usr/bin/env python3
"""Times pyHanko signing in-process: each input is signed RUNS times into
its field Signature1 (its default visible stamp); one JSON line per input.

usage: pyhanko_timer.py P12 PASSWORD RUNS FILE..."""
import io
import json
import statistics
import sys
import time

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter

p12, password, runs, *files = sys.argv[1:]
signer = signers.SimpleSigner.load_pkcs12(p12, passphrase=password.encode())
meta = signers.PdfSignatureMetadata(field_name="Signature1", md_algorithm="sha256",
                                    subfilter=SigSeedSubFilter.PADES)
for path in files:
    data = open(path, "rb").read()
    times = []
    for _ in range(int(runs)):
        start = time.perf_counter()
        writer = IncrementalPdfFileWriter(io.BytesIO(data))
        out = signers.sign_pdf(writer, meta, signer=signer)
        times.append((time.perf_counter() - start) * 1000)
        signed = out.getbuffer().nbytes
    print(json.dumps({"signer": "pyHanko", "file": path, "bytes": len(data), "signed_bytes": signed,
                      "median_ms": round(statistics.median(times), 3), "min_ms": round(min(times), 3)}))
