#!/usr/bin/env python3
"""Makes the benchmark and large-file test inputs with reportlab (+ Pillow):

  one-page.pdf           a one-page letter
  fifty-pages.pdf        50 pages of text
  three-hundred-pages.pdf  300 pages of text
  twenty-mb.pdf          10 pages each with a 880x620 image of noise (~20 MB)

Each file gets an empty, visible signature field "Signature1" on page 1
(made with pyHanko's addfields, an incremental update), so that every
signer under comparison fills the same kind of field.

usage: make_large_pdfs.py OUTDIR   (files already there are kept)"""
import io
import os
import random
import subprocess
import sys
from pathlib import Path

from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
pyhanko = Path(sys.executable).with_name("pyhanko")
LOREM = ("The employee shall perform the duties described in Annex A with diligence "
         "and in good faith, in accordance with the instructions of the employer. ")


def text_pages(path, pages):
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        c.setFont("Helvetica-Bold", 14)
        c.drawString(72, 780, f"Employment agreement, page {n} of {pages}")
        c.setFont("Helvetica", 10)
        y = 750
        for line in range(40):
            c.drawString(72, y, (LOREM * 2)[line % 20: line % 20 + 95])
            y -= 15
        c.showPage()
    c.save()


def image_pages(path, pages, width=880, height=620):
    rng = random.Random(20261123)
    c = canvas.Canvas(str(path), pagesize=A4)
    for n in range(1, pages + 1):
        noise = rng.randbytes(width * height * 3)
        image = Image.frombytes("RGB", (width, height), noise)
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", compress_level=1)
        buffer.seek(0)
        c.drawImage(ImageReader(buffer), 36, 200, width=523, height=373)
        c.setFont("Helvetica", 12)
        c.drawString(72, 780, f"Scanned annex, page {n} of {pages}")
        c.showPage()
    c.save()


def with_field(make, name, *args):
    final = out / name
    if final.exists():
        return
    raw = out / ("raw-" + name)
    make(raw, *args)
    subprocess.run([str(pyhanko), "sign", "addfields", "--field", "1/300,60,540,130/Signature1",
                    str(raw), str(final)], check=True)
    raw.unlink()


with_field(text_pages, "one-page.pdf", 1)
with_field(text_pages, "fifty-pages.pdf", 50)
with_field(text_pages, "three-hundred-pages.pdf", 300)
with_field(image_pages, "twenty-mb.pdf", 10)
for f in sorted(out.glob("*.pdf")):
    print(f"{f.name}: {os.path.getsize(f)} bytes")
