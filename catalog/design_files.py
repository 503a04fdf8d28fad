"""Design file checks, run in the worker: fetch the file (through core.http, the SSRF guard) or
open the upload, find out what it is, and judge it against the print specifications.

What is wrong is said in words a client can act on: "The file is 1200 x 1800 px: at the
210 x 297 mm print area that is 145 DPI; production needs at least 300 DPI (2480 x 3508 px)."
"""

import logging
import re
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from core import http as outbound

from .mapping import effective_specs
from .mapping_forms import format_name, formats_in_words
from .models import FileCheck, ProductMapping

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 3
# The whole download may take this long (each read has core.http's own timeout as well).
FETCH_SECONDS = 300
CHUNK = 64 * 1024
MM_PER_INCH = Decimal("25.4")
POINTS_PER_INCH = 72
# How far a PDF page may fall short of the size asked for and still pass (rounding in tools).
PAGE_TOLERANCE_MM = Decimal("0.5")
# Raster formats Printfront checks, as Pillow names them -> the catalog's format names.
RASTER = {"PNG": "png", "JPEG": "jpg", "MPO": "jpg", "TIFF": "tif"}
SVG_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*|<!DOCTYPE[^>]*>\s*)*<svg[\s>]", re.S | re.I)


class FileTrouble(Exception):
    """The file could not be fetched or read; the message says so in words."""


@dataclass
class Facts:
    """What a design file is, as far as printing goes."""

    kind: str  # a catalog format name: png, jpg, tif, pdf, svg; or what else it is ("gif")
    label: str  # "PNG", "PDF", "GIF image"
    size: int
    width_px: int = 0
    height_px: int = 0
    dpi: tuple = ()  # as written in the file, for information only
    pages: int = 0
    page_mm: tuple = ()
    info: dict = field(default_factory=dict)


# --- Getting the bytes --------------------------------------------------------------------------


def _spool():
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)


def fetch(url, max_bytes=None):
    """Download `url` into a temporary file, following a few redirects (each checked by the
    guard again) and stopping at `max_bytes`. Raises FileTrouble saying what went wrong."""
    max_bytes = max_bytes or settings.DESIGN_FILE_MAX_BYTES
    host = urlsplit(url).hostname or url
    deadline = time.monotonic() + FETCH_SECONDS
    for _hop in range(MAX_REDIRECTS + 1):
        try:
            response = outbound.get(url, stream=True, attempts=2)
        except (outbound.BlockedAddress, outbound.UnsupportedURL) as error:
            raise FileTrouble(
                _("Printfront refused the design file URL: %(reason)s") % {"reason": error}
            ) from None
        except outbound.OutboundError as error:
            raise FileTrouble(
                _("Printfront could not download the design file from %(host)s: %(reason)s")
                % {"host": host, "reason": error}
            ) from None
        if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            response.close()
            url = urljoin(url, response.headers["Location"])
            host = urlsplit(url).hostname or url
            continue
        break
    else:
        raise FileTrouble(_("The design file URL redirects too many times; give the file's own address."))
    with response:
        if response.status_code != 200:
            raise FileTrouble(
                _("The design file could not be downloaded: %(host)s answered %(status)s %(reason)s.")
                % {"host": host, "status": response.status_code, "reason": response.reason or ""}
            )
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise _too_big(int(declared), max_bytes)
        spool = _spool()
        total = 0
        try:
            for chunk in response.iter_content(CHUNK):
                total += len(chunk)
                if total > max_bytes:
                    raise _too_big(total, max_bytes, at_least=True)
                if time.monotonic() > deadline:
                    raise FileTrouble(
                        _("The design file took too long to download from %(host)s.") % {"host": host}
                    )
                spool.write(chunk)
        except requests.RequestException:
            spool.close()
            raise FileTrouble(
                _("The download of the design file from %(host)s broke off; try again.") % {"host": host}
            ) from None
        except FileTrouble:
            spool.close()
            raise
    spool.seek(0)
    return spool


def _too_big(size, limit, at_least=False):
    words = _("more than %(size)s") if at_least else "%(size)s"
    return FileTrouble(
        _("The design file is %(size)s; files can be at most %(limit)s.")
        % {"size": words % {"size": filesizeformat(size)}, "limit": filesizeformat(limit)}
    )


def open_upload(name):
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError:
        raise FileTrouble(_("The uploaded design file is missing; upload it again.")) from None


# --- What the file is ---------------------------------------------------------------------------


def _size_of(handle):
    handle.seek(0, 2)
    size = handle.tell()
    handle.seek(0)
    return size


def inspect(handle):
    """Facts about the design file in `handle` (a binary file object). Raises FileTrouble for
    what is not a file Printfront can read."""
    size = _size_of(handle)
    if size == 0:
        raise FileTrouble(_("The design file is empty."))
    head = handle.read(2048)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return _inspect_pdf(handle, size)
    if SVG_START.match(head):
        return Facts(kind="svg", label="SVG", size=size)
    return _inspect_image(handle, size)


def _inspect_image(handle, size):
    try:
        with warnings.catch_warnings():
            # Only the header is read (never the pixels), so big print files are no danger here.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(handle) as image:
                kind = RASTER.get(image.format, (image.format or "").lower())
                label = {"png": "PNG", "jpg": "JPEG", "tif": "TIFF"}.get(kind) or str(image.format)
                dpi = image.info.get("dpi") or ()
                return Facts(
                    kind=kind,
                    label=label,
                    size=size,
                    width_px=image.width,
                    height_px=image.height,
                    dpi=tuple(round(float(value)) for value in dpi[:2]),
                )
    except Image.DecompressionBombError:
        raise FileTrouble(
            _("The image has too many pixels for Printfront to check; send it as a PDF.")
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise FileTrouble(
            _("The file is not a design file Printfront can read: send a PDF, PNG, JPEG, TIFF or SVG file.")
        ) from None


def _inspect_pdf(handle, size):
    try:
        reader = PdfReader(handle)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileTrouble(_("The PDF is protected by a password; send it without one."))
        pages = len(reader.pages)
        if not pages:
            raise FileTrouble(_("The PDF has no pages."))
        page = reader.pages[0]
        box = page.mediabox
        width, height = Decimal(str(float(box.width))), Decimal(str(float(box.height)))
        if (page.get("/Rotate") or 0) % 180:
            width, height = height, width
    except FileTrouble:
        raise
    except (
        PdfReadError,
        PyPdfError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
        RecursionError,
    ):
        # PyPdfError covers pypdf's own limits (a page tree listing millions of pages, ...).
        raise FileTrouble(_("The PDF could not be read: it may be damaged. Export it again.")) from None
    to_mm = MM_PER_INCH / POINTS_PER_INCH
    return Facts(
        kind="pdf",
        label="PDF",
        size=size,
        pages=pages,
        page_mm=((width * to_mm).quantize(Decimal("0.1")), (height * to_mm).quantize(Decimal("0.1"))),
    )


# --- Judging it against the print specifications ------------------------------------------------


def _mm(value):
    """210 -> "210", 210.5 -> "210.5"."""
    value = Decimal(value).quantize(Decimal("0.1"))
    return f"{value.normalize():f}"


def dpi_at(pixels, mm):
    """The resolution of `pixels` printed across `mm` millimetres, in whole DPI. Rounded, not cut:
    2480 px over 210 mm is 299.96 DPI, which is A4 at 300 DPI as every print guide gives it.
    The one DPI sum of Printfront: the file checks and the designer (catalog.print_files) use it."""
    return int((Decimal(pixels) * MM_PER_INCH / Decimal(str(mm))).to_integral_value())


def pixels_at(mm, dpi):
    """How many pixels `mm` millimetres take at `dpi` (rounded)."""
    return int((Decimal(str(mm)) / MM_PER_INCH * Decimal(str(dpi))).to_integral_value())


def _oriented(facts_landscape, width, height):
    """The print area turned the way the file is: production turns a landscape file for a portrait
    area."""
    if width != height and facts_landscape != (width > height):
        return height, width
    return width, height


def judge(facts, specs):
    """(ok, problem in words, info) for a file's facts against a mapping's specs."""
    info = {"format": facts.label, "bytes": facts.size}
    formats = [format_name(name) for name in specs["formats"]]
    if facts.kind not in formats:
        problem = _("The file is a %(label)s file; this product takes %(formats)s files.") % {
            "label": facts.label,
            "formats": formats_in_words(formats),
        }
        return False, problem, info
    width, height = specs["width_mm"], specs["height_mm"]
    area = _("the %(width)s × %(height)s mm print area") % {"width": _mm(width), "height": _mm(height)}
    if facts.kind == "svg":
        info["summary"] = _("SVG: a vector file, sharp at any size.")
        return True, "", info
    if facts.kind == "pdf":
        bleed = specs["bleed_mm"]
        page_w, page_h = facts.page_mm
        need_w, need_h = _oriented(page_w > page_h, width + 2 * bleed, height + 2 * bleed)
        info.update(pages=facts.pages, page_mm=[_mm(page_w), _mm(page_h)])
        page = _("%(width)s × %(height)s mm") % {"width": _mm(page_w), "height": _mm(page_h)}
        if page_w + PAGE_TOLERANCE_MM < need_w or page_h + PAGE_TOLERANCE_MM < need_h:
            if bleed:
                needed = _(
                    "at least %(width)s × %(height)s mm (%(area)s and %(bleed)s mm bleed on each side)"
                ) % {
                    "width": _mm(need_w),
                    "height": _mm(need_h),
                    "area": area,
                    "bleed": _mm(bleed),
                }
            else:
                needed = _("at least %(width)s × %(height)s mm (%(area)s)") % {
                    "width": _mm(need_w),
                    "height": _mm(need_h),
                    "area": area,
                }
            return (
                False,
                _("The PDF page is %(page)s; this product needs %(needed)s.")
                % {"page": page, "needed": needed},
                info,
            )
        info["summary"] = _("PDF, %(pages)s page(s) of %(page)s.") % {"pages": facts.pages, "page": page}
        return True, "", info
    # Raster: pixels against the print area at the minimum resolution.
    min_dpi = specs["min_dpi"]
    area_w, area_h = _oriented(facts.width_px > facts.height_px, width, height)
    effective = min(dpi_at(facts.width_px, area_w), dpi_at(facts.height_px, area_h))
    info.update(width_px=facts.width_px, height_px=facts.height_px, effective_dpi=effective)
    if facts.dpi:
        info["dpi"] = list(facts.dpi)
    pixels = _("%(width)s × %(height)s px") % {"width": facts.width_px, "height": facts.height_px}
    if effective < min_dpi:
        need_w, need_h = pixels_at(area_w, min_dpi), pixels_at(area_h, min_dpi)
        return (
            False,
            _(
                "The file is %(pixels)s: at %(area)s that is %(dpi)s DPI; production needs at least "
                "%(min_dpi)s DPI (%(need_w)s × %(need_h)s px)."
            )
            % {
                "pixels": pixels,
                "area": area,
                "dpi": effective,
                "min_dpi": min_dpi,
                "need_w": need_w,
                "need_h": need_h,
            },
            info,
        )
    info["summary"] = _("%(label)s, %(pixels)s: %(dpi)s DPI at %(area)s.") % {
        "label": facts.label,
        "pixels": pixels,
        "dpi": effective,
        "area": area,
    }
    return True, "", info


# --- One check run ------------------------------------------------------------------------------


def facts_of(url, file_name):
    """Facts of a design file (at `url`, or an upload's storage name), or the FileTrouble
    saying why there are none."""
    try:
        with fetch(url) if url else open_upload(file_name) as handle:
            return inspect(handle)
    except FileTrouble as trouble:
        return trouble
    except Exception:
        # A file that breaks a reader in a way nobody foresaw is still one file: say so on it,
        # and go on with the others rather than leave the whole run pending forever.
        logger.exception("Reading the design file %s failed", url or file_name)
        return FileTrouble(_("The file could not be read. Export it again, or send a PDF."))


# A check still pending this long after its mapping was saved lost its worker message.
CHECK_LOST_AFTER = timedelta(minutes=10)


def lost_checks(now=None, limit=1000):
    """Store products whose design file checks were queued but never done (a broker outage, a
    worker killed), for the sweep to queue again; check_pending does only what still waits."""
    cutoff = (now or timezone.now()) - CHECK_LOST_AFTER
    waiting = ProductMapping.objects.filter(file_check=FileCheck.PENDING, updated_at__lt=cutoff)
    return list(waiting.values_list("variant__product_id", flat=True).distinct()[:limit])


def check_pending(mappings):
    """Check every mapping in `mappings` waiting for its check. Each file (one URL, one upload)
    is fetched and read once, however many variants use it, then judged per variant (their
    print areas differ). A mapping whose file changed meanwhile is left for its own check."""
    mappings = mappings.filter(file_check=FileCheck.PENDING).select_related("catalog_variant__product")
    seen = {}
    checked = 0
    for mapping in mappings:
        source = (
            ("url", mapping.design_file_url)
            if mapping.design_file_url
            else ("file", mapping.design_file.name)
        )
        unchanged = Q(
            pk=mapping.pk, file_check=FileCheck.PENDING, design_file_url=mapping.design_file_url
        ) & Q(design_file=mapping.design_file.name or "")
        if not source[1]:
            ProductMapping.objects.filter(unchanged).update(file_check=FileCheck.NONE)
            continue
        if source not in seen:
            seen[source] = facts_of(mapping.design_file_url, mapping.design_file.name)
        facts = seen[source]
        name = (mapping.file_info or {}).get("name")
        if isinstance(facts, FileTrouble):
            ok, problem, info = False, str(facts), {}
        else:
            ok, problem, info = judge(facts, effective_specs(mapping))
        if name:
            info["name"] = name
        ProductMapping.objects.filter(unchanged).update(
            file_check=FileCheck.OK if ok else FileCheck.PROBLEM,
            file_problem=problem,
            file_info=info,
            file_checked_at=timezone.now(),
        )
        checked += 1
    logger.info("Checked %d design file(s), %d distinct", checked, len(seen))
    return checked
