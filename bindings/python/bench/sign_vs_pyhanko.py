"""Benchmark (not a test): PAdES signing from Python with paraph against
pyHanko, in the same process, on the same inputs.

Both sign the same PDF with the same key and certificate chain (a PKCS#12
of the test PKI), an invisible PAdES B-B signature (/ETSI.CAdES.detached,
SHA-256), and return the signed file's bytes. The loaded signer is reused
by both; each iteration reads the input from bytes and writes the output
to bytes. The medians are printed with their ratio.

Run (paraph and pyhanko installed; scripts/test-python's venv has both):
    python bindings/python/bench/sign_vs_pyhanko.py [--rounds N] [--key ec|rsa] [--pdf PATH]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, List

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

import paraph

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


def measure(label: str, rounds: int, work: Callable[[], bytes]) -> float:
    work()  # warm up (imports, caches)
    times: List[float] = []
    for _ in range(rounds):
        start = time.perf_counter()
        out = work()
        times.append(time.perf_counter() - start)
        assert out.startswith(b"%PDF")
    median = statistics.median(times)
    print(f"{label:<8} median {median * 1000:8.2f} ms   min {min(times) * 1000:8.2f} ms   ({rounds} rounds)")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--key", choices=["ec", "rsa"], default="ec")
    parser.add_argument("--pdf", type=Path, default=FIXTURES / "pdf/reportlab-contract.pdf")
    args = parser.parse_args()

    pdf = args.pdf.read_bytes()
    p12_path = FIXTURES / f"certs/{args.key}/signer.p12"
    p12 = p12_path.read_bytes()
    now = datetime.now(timezone.utc)

    signer = paraph.Signer.from_pkcs12(p12, "test")

    def with_paraph() -> bytes:
        return paraph.Document.open(pdf).sign(signer, signing_time=now)

    hanko_signer = signers.SimpleSigner.load_pkcs12(str(p12_path), passphrase=b"test")  # type: ignore[no-untyped-call]
    assert hanko_signer is not None
    meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=fields.SigSeedSubFilter.PADES)

    def with_pyhanko() -> bytes:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        out = signers.sign_pdf(writer, meta, signer=hanko_signer)
        signed: bytes = out.getvalue()
        return signed

    # Both outputs verify with paraph's verifier (the same kind of signature).
    for make in (with_paraph, with_pyhanko):
        report = paraph.verify(make())
        assert report.all_intact and "ETSI.CAdES.detached" in report.signatures[0].sub_filter, report

    print(f"input {args.pdf.name} ({len(pdf)} bytes), key {args.key}, paraph {paraph.__version__}")
    ours = measure("paraph", args.rounds, with_paraph)
    theirs = measure("pyHanko", args.rounds, with_pyhanko)
    print(f"ratio: pyHanko / paraph = {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
