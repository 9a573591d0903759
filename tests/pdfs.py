"""Real PDFs made in the test: text pages (pypdf reads them like any report), encrypted and scanned ones."""

from __future__ import annotations

import io
from pathlib import Path


def pdf_file(objects: list[bytes]) -> bytes:
    """Objects 1..n (1 the catalog) written as a PDF file with its cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % off for off in offsets))
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def text_pdf(pages: list[str]) -> bytes:
    """A minimal, valid PDF with one Helvetica text page per string (lines split on newlines)."""
    objects: list[bytes] = []
    n_pages = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for i, text in enumerate(pages):
        lines = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in text.splitlines()]
        body = "BT /F1 10 Tf 14 TL 50 800 Td " + " ".join(f"({ln}) '" for ln in lines) + " ET"
        stream = body.encode("cp1252", errors="replace")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {5 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return pdf_file(objects)


def report_page(n: int) -> str:
    """A page of report-like text with figures, different on every page."""
    return "\n".join([
        f"Section {n % 17 + 1}: Environmental performance of site {n}",
        f"In 2022 site {n} consumed {1000 + n * 7:,} MWh of electricity, of which {n % 60 + 20}% renewable.",
        f"Scope 1 emissions at site {n} were {200 + n * 3:,} tonnes CO2e and water withdrawal was {n * 11 + 5} ML.",
        f"The site employed {50 + n % 300} people; {n % 40 + 10} of them joined during the year.",
        f"Waste at site {n} was sorted into paper, metals and organics; {n % 70 + 25}% was recycled.",
        f"Safety: {n % 5} recordable injuries and zero fatalities were reported at site {n}.",
    ] * 3)


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def encrypted_pdf(pages: list[str], password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf(pages))))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def scanned_pdf(text: str) -> bytes:
    """A page that is only a picture of text, as a scanner makes it: no text layer."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(text.splitlines()):
        draw.text((100, 100 + 30 * i), line, fill="black")
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    return out.getvalue()


# Text placed at positions, as a table sets it. Courier: every glyph is 0.6 em wide, so a test can
# right-align figures and put a footnote mark or a subscript exactly after the glyphs before it.
# Word spacing is narrowed to 0.3 em, a proportional font's space, so words stay one phrase.
Placed = tuple  # (x, baseline from the top, text, size), (..., bold) or (..., bold, turned): turned reads upwards


def courier_width(text: str, size: float) -> float:
    return 0.6 * size * len(text) - 0.3 * size * text.count(" ")


def right(x1: float, baseline: float, text: str, size: float = 8, bold: bool = False) -> Placed:
    """A word whose right edge is at x1 (figures in a column are right-aligned)."""
    return (x1 - courier_width(text, size), baseline, text, size, bold)


def placed_pdf(pages: list[list[Placed]], width: float = 595, height: float = 842) -> bytes:
    """A PDF whose pages hold text items at (x, baseline-from-top) in the given size, in list order."""
    objects: list[bytes] = []
    n_pages = len(pages)
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier-Bold /Encoding /WinAnsiEncoding >>")
    for i, items in enumerate(pages):
        ops = []
        for item in items:
            x, top, text, size = item[:4]
            font = "/F2" if len(item) > 4 and item[4] else "/F1"
            esc = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            if len(item) > 5 and item[5]:  # turned 90 degrees: the baseline runs up the page from (x, top)
                ops.append(f"BT {font} {size} Tf {-0.3 * size:.2f} Tw 0 1 -1 0 {x:.2f} {height - top:.2f} Tm "
                           f"({esc}) Tj ET")
                continue
            ops.append(f"BT {font} {size} Tf {-0.3 * size:.2f} Tw {x:.2f} {height - top:.2f} Td ({esc}) Tj ET")
        stream = "\n".join(ops).encode("cp1252", errors="replace")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
                       f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {6 + 2 * i} 0 R >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return pdf_file(objects)


def image_table_pdf(intro: str, rows: list[list[str]], over: str = "") -> bytes:
    """A report page whose text layer holds `intro` (and `over`, set on top of the picture) while its table
    is only a picture, drawn with Pillow's own font: the way many reports paste a KPI table."""
    import zlib

    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=26)
    image = Image.new("RGB", (1500, 90 + 56 * len(rows)), "white")
    draw = ImageDraw.Draw(image)
    for i, row in enumerate(rows):
        y = 40 + 56 * i
        draw.text((30, y), row[0], fill="black", font=font)
        for j, cell in enumerate(row[1:]):
            right = 1000 + 220 * j  # figures right-aligned in their columns
            draw.text((right - draw.textlength(cell, font=font), y), cell, fill="black", font=font)
    raw = zlib.compress(image.tobytes())
    width, height = 495, 495 * image.height / image.width
    lines = [ln.replace("(", "\\(").replace(")", "\\)") for ln in intro.splitlines()]
    text = "BT /F1 10 Tf 14 TL 50 800 Td " + " ".join(f"({ln}) '" for ln in lines) + " ET"
    if over:
        text += f" BT /F1 9 Tf 60 {700 - height + 8:.1f} Td ({over}) Tj ET"
    content = (f"q {width} 0 0 {height:.2f} 50 {700 - height:.2f} cm /Im1 Do Q " + text).encode("cp1252")
    return pdf_file([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 3 0 R >> /XObject << /Im1 6 0 R >> >> /Contents 5 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceRGB /BitsPerComponent 8 "
        b"/Filter /FlateDecode /Length %d >>\nstream\n" % (image.width, image.height, len(raw)) + raw + b"\nendstream",
    ])
