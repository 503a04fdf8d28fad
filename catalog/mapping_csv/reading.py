"""Reading an uploaded mapping CSV: its size, encoding, columns and rows."""

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .export import COLUMNS, unescape_cell

# The columns an import reads; the others are there for people and may be left out.
REQUIRED = ["store_product_id", "store_variant_id", "product_uid", "design_file_url"]
MAX_BYTES = 25 * 1024 * 1024
MAX_ROWS = 100_000


class FileRefused(Exception):
    """The file as a whole cannot be read as a mapping CSV; the message says why, in words."""


@dataclass
class Row:
    number: int  # as a spreadsheet numbers it: the header is row 1
    product_id: str = ""
    variant_id: str = ""
    uid: str = ""
    url: str = ""
    width_error: str = ""


def check_size(size):
    if size > MAX_BYTES:
        raise FileRefused(
            _("The file is larger than %(size)s MB. Split it into smaller files.")
            % {"size": MAX_BYTES // 2**20}
        )


def decode(data):
    """The file's text; UTF-8 with or without a byte order mark, nothing else."""
    check_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "The file is not UTF-8 text. Save it as “CSV UTF-8” (in Excel: Save As > CSV UTF-8) "
                "and upload it again."
            )
        ) from None
    if "\x00" in text:
        raise FileRefused(_("The file is not UTF-8 text (it looks like UTF-16). Save it as “CSV UTF-8”."))
    if not text.strip():
        raise FileRefused(_("The file is empty."))
    return text


def check_header(header, required, columns):
    """Refuse (FileRefused) a header row that lacks a required column, names one not in
    `columns`, or names one twice; saying all of what is wrong."""
    missing = [name for name in required if name not in header]
    unknown = [name or _("(blank)") for name in header if name not in columns]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    problems = []
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if repeated:
        problems.append(_("columns named twice: %(names)s") % {"names": ", ".join(repeated)})
    if problems:
        raise FileRefused(
            _("The first row must name the columns %(columns)s; this file has %(problems)s.")
            % {"columns": ", ".join(columns), "problems": "; ".join(problems)}
        )


def read_rows(data):
    """The data rows of a mapping CSV, or FileRefused naming what is wrong with the file.

    Read with Python's csv module rather than tablib (see docs/decisions.md): tablib drops blank
    lines, which shifts the row numbers people are told, and refuses the whole file for one row
    with an extra cell, which should be an error of that row.
    """
    reader = csv.reader(io.StringIO(decode(data), newline=""))
    try:
        header = [name.strip().lower() for name in next(reader)]
        check_header(header, REQUIRED, COLUMNS)
        where = {name: header.index(name) for name in REQUIRED}
        width = len(header)
        rows = []
        for cells in reader:
            number = len(rows) + 2  # blank lines hold their place in `rows`
            if not any(cell.strip() for cell in cells):
                rows.append(None)  # a blank line: nothing to do, but it keeps its row number
                continue
            row = Row(number)
            if len(cells) > width:
                row.width_error = _("This row has %(count)s cells; the header names %(width)s columns.") % {
                    "count": len(cells),
                    "width": width,
                }
            cells = cells + [""] * (width - len(cells))
            row.product_id = unescape_cell(cells[where["store_product_id"]].strip())
            row.variant_id = unescape_cell(cells[where["store_variant_id"]].strip())
            row.uid = cells[where["product_uid"]].strip()
            row.url = cells[where["design_file_url"]].strip()
            rows.append(row)
            if len(rows) > MAX_ROWS:
                raise FileRefused(
                    _("The file has more than %(count)s rows. Split it into smaller files.")
                    % {"count": MAX_ROWS}
                )
    except StopIteration:
        raise FileRefused(_("The file is empty.")) from None
    except csv.Error as error:
        raise FileRefused(
            _("Row %(row)s cannot be read as CSV (%(error)s).") % {"row": reader.line_num, "error": error}
        ) from None
    rows = [row for row in rows if row is not None]
    if not rows:
        raise FileRefused(_("The file has a header but no rows."))
    return rows
