"""A design file host: files people link to from their mappings, made on request so tests and
demos can ask for any size. The name says what to make:

- `poster-2480x3508-300dpi.png` (also .jpg, .tif, .gif): an image of that many pixels, with that
  DPI written in it (optional);
- `flyer-216x303mm.pdf`: a one-page PDF of that page size;
- `logo.svg`: a small vector file; `notes.txt`: a text file, which is no design file;
- `redirect/<name>`: a redirect to the file of that name.

Anything else is 404, as on any host.
"""

import io
import re
from functools import lru_cache

from django.http import Http404, HttpResponse, HttpResponseRedirect
from PIL import Image
from pypdf import PdfWriter

IMAGE = re.compile(
    r"^[-\w]+?-(?P<w>\d{1,5})x(?P<h>\d{1,5})(?:-(?P<dpi>\d{1,4})dpi)?\.(?P<ext>png|jpe?g|tiff?|gif)$"
)
PDF = re.compile(r"^[-\w]+?-(?P<w>\d{1,4}(?:\.\d)?)x(?P<h>\d{1,4}(?:\.\d)?)mm\.pdf$")
# Large enough for an A3 poster at 300 DPI; anything more is refused rather than made.
MAX_PIXELS = 25_000_000
PILLOW = {"png": ("PNG", "image/png"), "jpg": ("JPEG", "image/jpeg"), "jpeg": ("JPEG", "image/jpeg")}
PILLOW |= {"tif": ("TIFF", "image/tiff"), "tiff": ("TIFF", "image/tiff"), "gif": ("GIF", "image/gif")}
SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297">'
    b'<rect width="210" height="297" fill="#f4f1ea"/><circle cx="105" cy="148" r="60" fill="#2f6f8f"/></svg>\n'
)


@lru_cache(maxsize=16)
def _image(width, height, dpi, kind):
    # One grey channel compresses to almost nothing: a big file is cheap to make and to send.
    image = Image.new("L", (width, height), 200)
    out = io.BytesIO()
    options = {"dpi": (dpi, dpi)} if dpi else {}
    image.save(out, format=PILLOW[kind][0], **options)
    return out.getvalue()


@lru_cache(maxsize=16)
def _pdf(width_mm, height_mm):
    writer = PdfWriter()
    writer.add_blank_page(width=width_mm / 25.4 * 72, height=height_mm / 25.4 * 72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def design_file(request, name):
    if match := IMAGE.match(name):
        width, height = int(match["w"]), int(match["h"])
        if not width or not height or width * height > MAX_PIXELS:
            raise Http404
        kind = match["ext"]
        body = _image(width, height, int(match["dpi"] or 0), kind)
        return HttpResponse(body, content_type=PILLOW[kind][1])
    if match := PDF.match(name):
        return HttpResponse(_pdf(float(match["w"]), float(match["h"])), content_type="application/pdf")
    if name.endswith(".svg"):
        return HttpResponse(SVG, content_type="image/svg+xml")
    if name.endswith(".txt"):
        return HttpResponse(b"These are notes, not a design.\n", content_type="text/plain")
    raise Http404


def redirect(request, name):
    return HttpResponseRedirect(f"/files/{name}")
