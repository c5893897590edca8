#!/usr/bin/env python3
"""Writes the hostile inputs of issue 11 into a folder, so that
`run.sh` can measure what each costs the release CLI now (time and peak
memory). These are measurements, not tests: the tests that must fail
before the fixes and pass after them live beside the code they test.

Usage: make_inputs.py OUT_DIR
"""
import os
import sys
import zlib


def assemble(objects, root=1):
    """A PDF from {number: body bytes} with a classic xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    size = max(objects) + 1
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % size
    for n in range(size):
        out += (b"%010d 00000 n \n" % offsets[n]) if n in offsets else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (size, root, xref)
    return bytes(out)


def flate(data, extra=b""):
    z = zlib.compress(data, 9)
    return b"<< %s /Filter /FlateDecode /Length %d >>\nstream\n" % (extra, len(z)) + z + b"\nendstream"


def page(contents=b"4 0 R", more=b""):
    return b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %s %s >>" % (contents, more)


def one_page(extra_objects=None, page_more=b""):
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: page(more=page_more),
        4: flate(b"BT /F1 12 Tf 72 700 Td (Signature) Tj ET"),
    }
    objects.update(extra_objects or {})
    return assemble(objects)


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)

    def write(name, data):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        print(f"{name}: {len(data)} bytes")

    # One array of 25 million integers (about 50 MB).
    write("array-25M.pdf", one_page({5: b"[" + b"1 " * 25_000_000 + b"]"}))
    # A million direct annotations on one page (about 58 MB).
    annot = b"<< /Type /Annot /Subtype /Square /Rect [0 0 1 1] >> "
    write("annots-1M.pdf", one_page(page_more=b"/Annots [" + annot * 1_000_000 + b"]"))
    # Content streams for --anchor: 1.9M and 5M operations; 200 pages sharing one.
    for name, ops in [("ops-1.9M.pdf", 1_900_000), ("ops-5M.pdf", 5_000_000)]:
        write(name, one_page({4: flate(b"q " * ops)}))
    kids = b" ".join(b"%d 0 R" % (10 + i) for i in range(200))
    shared = {1: b"<< /Type /Catalog /Pages 2 0 R >>",
              2: b"<< /Type /Pages /Kids [%s] /Count 200 >>" % kids,
              4: flate(b"q Q " * 950_000)}
    for i in range(200):
        shared[10 + i] = page()
    write("shared-200-pages.pdf", assemble(shared))
    # A 1.5 GB sparse file.
    with open(os.path.join(out, "sparse-1.5G.pdf"), "wb") as f:
        f.truncate(1_500_000_000)
    print("sparse-1.5G.pdf: 1500000000 bytes (sparse)")


if __name__ == "__main__":
    main()
