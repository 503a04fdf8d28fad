"""The design on the print area, and the pictures made of it: where a publication's design goes
(placement), what resolution it prints at, and the rendering of the preview and the print files
with Pillow. catalog.publishing takes the design and publishes; this module only computes and
draws, and stores nothing.

Placement is kept as fractions of the catalog product's print area: {"x", "y", "width",
"height"}, x/y the design's top-left corner. A variant whose print area has another shape gets
the design in its own proportions (placed_box). The effective resolution of a placed design is
its pixels over the inches it covers (design_files.dpi_at); below the catalog product's minimum
DPI the designer and the publication page warn (dpi_warning).
"""

import io
import math
from decimal import Decimal

from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from . import design_files
from .design_files import dpi_at, pixels_at

# The largest a design may be placed, as a multiple of the print area's sides.
MAX_SCALE = 4
# The print file is made at the catalog product's minimum DPI, but never larger than this many
# pixels. The demo catalog's largest file, the 50 x 70 cm poster at 300 DPI with 3 mm bleed, is
# 50 megapixels; a 70 x 100 cm poster at 300 DPI would be 97 (and is made at 237 DPI, which the
# publication page says).
PRINT_FILE_MAX_PIXELS = 60_000_000
PREVIEW_SIZE = 600


# --- Placement ------------------------------------------------------------------------------------


def design_source(publication):
    """The design's image file: the upload, else the template's image (None without either)."""
    if publication.design_file:
        return publication.design_file
    if publication.template_id and publication.template.image:
        return publication.template.image
    return None


def design_pixels(publication):
    source = design_source(publication)
    if source is None:
        return None
    try:
        with source.open("rb") as file, Image.open(file) as image:
            return image.size
    except (OSError, UnidentifiedImageError, ValueError):
        return None


def print_area(publication):
    """The print area the placement is measured on (mm): the catalog product's."""
    product = publication.catalog_product
    return Decimal(product.print_width_mm), Decimal(product.print_height_mm)


def fitted_placement(pixels, area):
    """The default placement: the whole design as large as fits, centred."""
    (width_px, height_px), (width_mm, height_mm) = pixels, area
    scale = min(float(width_mm) / width_px, float(height_mm) / height_px)  # mm per pixel
    width = width_px * scale / float(width_mm)
    height = height_px * scale / float(height_mm)
    return {"x": (1 - width) / 2, "y": (1 - height) / 2, "width": width, "height": height}


def clean_placement(values, pixels, area):
    """A placement from the designer's fields, or the fitted one when they are missing or make
    no sense. Width and height keep the design's proportions (height follows width)."""
    try:
        x, y, width = (float(values[key]) for key in ("x", "y", "width"))
    except (KeyError, TypeError, ValueError):
        return fitted_placement(pixels, area)
    width_mm, height_mm = (float(side) for side in area)
    height = width * width_mm * pixels[1] / pixels[0] / height_mm
    # At most a few times the print area, and overlapping it: anything else is a forged form,
    # and would make print files too large to render.
    overlaps = x < 1 and y < 1 and x + width > 0 and y + height > 0
    if not (0 < width <= MAX_SCALE and 0 < height <= MAX_SCALE and overlaps):
        return fitted_placement(pixels, area)
    return {"x": round(x, 6), "y": round(y, 6), "width": round(width, 6), "height": round(height, 6)}


def print_areas(publication):
    """The distinct print areas (mm) of the chosen variants; the product's without any."""
    areas = {tuple(Decimal(side) for side in v.print_area_mm) for v in publication.catalog_variants.all()}
    return sorted(areas) or [print_area(publication)]


def placed_box(publication, area):
    """Where the design goes on a print area (mm): (left, top, width, height) in mm.

    The placement is made on the catalog product's print area. On a variant's area of another
    shape (Canvas 30 x 40 cm against the product's 40 x 60) its fractions applied as they are
    would stretch the design. So the design keeps its proportions: it is scaled evenly by
    min(area width / product width, area height / product height), which makes it the largest box
    of its proportions inside the box the fractions mark out on this area, and it keeps its
    relative centre (a centred design stays centred). On an area of the product's shape this is
    the placement itself, scaled."""
    placement = publication.placement
    base_w, base_h = (float(side) for side in print_area(publication))
    width_mm, height_mm = (float(side) for side in area)
    scale = min(width_mm / base_w, height_mm / base_h)
    box_w = placement["width"] * base_w * scale
    box_h = placement["height"] * base_h * scale
    centre_x = (placement["x"] + placement["width"] / 2) * width_mm
    centre_y = (placement["y"] + placement["height"] / 2) * height_mm
    return centre_x - box_w / 2, centre_y - box_h / 2, box_w, box_h


def effective_dpi(publication, area=None):
    """The design's resolution as placed (on `area`, else on each chosen variant's print area,
    taking the lowest), on the lower of its two sides. None without a design."""
    pixels = design_pixels(publication)
    if pixels is None or not publication.placement:
        return None
    lowest = None
    for each in [area] if area else print_areas(publication):
        _left, _top, width_mm, height_mm = placed_box(publication, each)
        dpi = min(dpi_at(pixels[0], width_mm), dpi_at(pixels[1], height_mm))
        lowest = dpi if lowest is None else min(lowest, dpi)
    return lowest


def print_dpi(publication, area, placed=None):
    """The resolution the print file for `area` is made at: the catalog product's minimum DPI,
    or the design's own resolution as placed where that is lower (more pixels would only blow
    it up, and the file check then finds what the designer warned of); lower still for a file
    that would pass PRINT_FILE_MAX_PIXELS (bleed included)."""
    product = publication.catalog_product
    dpi = product.min_dpi
    placed = placed if placed is not None else effective_dpi(publication, area)
    if placed:
        dpi = max(1, min(dpi, placed))
    width_mm, height_mm = (Decimal(side) + 2 * product.bleed_mm for side in area)
    pixels = pixels_at(width_mm, dpi) * pixels_at(height_mm, dpi)
    if pixels > PRINT_FILE_MAX_PIXELS:
        dpi = max(1, math.floor(dpi * math.sqrt(PRINT_FILE_MAX_PIXELS / pixels)))
    return dpi


def dpi_warning(publication, area=None):
    minimum = publication.catalog_product.min_dpi
    dpi = effective_dpi(publication, area)
    if dpi is not None and dpi < minimum:
        return _(
            "At this size the design prints at %(dpi)s DPI; %(product)s needs at least %(min)s DPI. "
            "Make it smaller or upload a larger image."
        ) % {"dpi": dpi, "product": publication.catalog_product.name, "min": minimum}
    if dpi is None:
        return ""
    for width_mm, height_mm in [area] if area else print_areas(publication):
        made_at = print_dpi(publication, (width_mm, height_mm))
        if made_at < minimum:
            return _(
                "The print file for the %(width)s × %(height)s mm size is made at %(dpi)s DPI, the "
                "most Printfront makes for one file; %(product)s needs at least %(min)s DPI."
            ) % {
                "width": f"{Decimal(width_mm).normalize():f}",
                "height": f"{Decimal(height_mm).normalize():f}",
                "dpi": made_at,
                "product": publication.catalog_product.name,
                "min": minimum,
            }
    return ""


# --- Rendering ------------------------------------------------------------------------------------


def render(publication, area, px_per_mm, bleed_mm=0):
    """The print area (mm) with `bleed_mm` around it on each side, at `px_per_mm`, with the
    design placed on the area (placed_box); transparent elsewhere, the bleed too."""
    width_mm, height_mm = (float(side) for side in area)
    bleed = float(bleed_mm)
    size = (
        max(1, round((width_mm + 2 * bleed) * px_per_mm)),
        max(1, round((height_mm + 2 * bleed) * px_per_mm)),
    )
    canvas = Image.new("RGBA", size, (255, 255, 255, 0))
    left, top, box_w, box_h = placed_box(publication, area)
    with design_source(publication).open("rb") as file, Image.open(file) as design:
        design = design.convert("RGBA")
        placed = design.resize(
            (max(1, round(box_w * px_per_mm)), max(1, round(box_h * px_per_mm))), Image.Resampling.LANCZOS
        )
        # paste takes a corner off the canvas (a design moved partly out of the print area)
        corner = (round((left + bleed) * px_per_mm), round((top + bleed) * px_per_mm))
        canvas.paste(placed, corner, placed)
    return canvas


def png_bytes(image, dpi=None):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", dpi=(dpi, dpi) if dpi else None)
    return buffer.getvalue()


def preview_png(publication):
    """A small picture of the print area with the design placed, for the publication page."""
    area = print_area(publication)
    image = render(publication, area, PREVIEW_SIZE / float(max(area)))
    background = Image.new("RGBA", image.size, (255, 255, 255, 255))
    background.alpha_composite(image)
    return png_bytes(background.convert("RGB"))


def print_file(publication, area):
    """The print file for a print area (mm): the area and the catalog product's bleed on each
    side, at print_dpi, with the design placed. Returns (PNG bytes, DPI)."""
    dpi = print_dpi(publication, area)
    image = render(
        publication, area, dpi / float(design_files.MM_PER_INCH), publication.catalog_product.bleed_mm
    )
    return png_bytes(image, dpi=dpi), dpi
