"""What the translation tests read: the msgids the code asks for, the Spanish catalog, and
the words of templates and Python left outside translation. Pure Python (Django's own
template lexer and `templatize`, the ast module), so CI needs no gettext tools."""

import ast
import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parent.parent
# Same scope as `make messages` (the Makefile): what users read, not tests or benchmarks.
SKIPPED_DIRS = {".venv", "bench", "tests", "var", "memorydb_default", "node_modules", "locale", "migrations"}
TEMPLATE_SUFFIXES = {".html", ".txt"}
CATALOG = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
GETTEXT_NAMES = {
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "gettext_noop": ("msgid",),
    "_": ("msgid",),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "npgettext": ("context", "msgid", "plural"),
    "npgettext_lazy": ("context", "msgid", "plural"),
}


def source_files(suffixes, under=None):
    """The project's files ending in `suffixes`; with `under`, only those in a folder so named."""
    for path in sorted(ROOT.rglob("*")):
        folders = path.relative_to(ROOT).parts[:-1]
        if (
            path.suffix in suffixes
            and not any(p in SKIPPED_DIRS or p.startswith(".") for p in folders)
            and (under is None or under in folders)
        ):
            yield path


def _call_name(func):
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _messages_of(tree):
    """(context, msgid) of every gettext-family call with literal arguments."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _call_name(node.func) not in GETTEXT_NAMES:
            continue
        roles = GETTEXT_NAMES[_call_name(node.func)]
        args = dict(zip(roles, node.args, strict=False))
        if all(isinstance(args.get(r), ast.Constant) and isinstance(args[r].value, str) for r in roles):
            yield (args["context"].value if "context" in args else None), args["msgid"].value


def _template_calls(text):
    """The gettext calls `templatize` writes among its filler (which is no Python)."""
    for match in re.finditer(r" (_|n?p?gettext)\(", text):
        start = match.start() + 1
        for end in (m.end() for m in re.finditer(r"\)", text[start:])):
            try:
                yield ast.parse(text[start : start + end], mode="eval")
                break
            except SyntaxError:
                continue


def extracted_messages():
    """{(context, msgid): first file using it}, as `makemessages` would find them."""
    found = {}
    for path in source_files({".py"}):
        for key in _messages_of(ast.parse(path.read_text(), str(path))):
            found.setdefault(key, path)
    for path in source_files(TEMPLATE_SUFFIXES):
        for tree in _template_calls(templatize(path.read_text(), str(path))):
            for key in _messages_of(tree):
                found.setdefault(key, path)
    return found


def _po_string(line):
    return ast.literal_eval(line[line.index('"') :])


def read_catalog(path=CATALOG):
    """{(context, msgid): {"msgstr": [...], "fuzzy": bool}} of a .po file; obsolete entries
    (#~) are left out."""
    entries, entry, field = {}, {}, None

    def close():
        if entry.get("msgid"):
            entries[(entry.get("msgctxt"), entry["msgid"])] = {
                "msgstr": [v for k, v in sorted(entry.items()) if k.startswith("msgstr")],
                "fuzzy": entry.get("fuzzy", False),
            }

    for line in [*path.read_text().splitlines(), ""]:
        if not line.strip() or line.startswith("#~"):
            if line.strip() == "" and entry:
                close()
                entry, field = {}, None
        elif line.startswith("#,"):
            entry["fuzzy"] = "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += _po_string(line)
        else:
            field = line.split(" ", 1)[0]
            entry[field] = _po_string(line)
    return entries


def compiled_catalog(path=CATALOG):
    with open(path.with_suffix(".mo"), "rb") as handle:
        return gettext.GNUTranslations(handle)


# Words that read the same in every language: names of platforms and formats.
UNTRANSLATED = {
    "Printfront",
    "Shopify",
    "Etsy",
    "WooCommerce",
    "Pressero",
    "CSV",
    "PDF",
    "SVG",
    "PNG",
    "JSON",
    "URL",
    "SKU",
    "ID",
    "API",
    "HMAC",
    "OK",
    "Connect",
    "Storefronts",
}
# Code, commands and scripts: the same in every language.
UNREAD_ELEMENTS = {"script", "style", "code", "pre", "kbd"}
# Attributes whose value a person reads or hears.
# The data-* ones are what static/js/ and the phone-width tables (data-label) show.
READ_ATTRIBUTES = {
    "title",
    "alt",
    "placeholder",
    "aria-label",
    "aria-description",
    "label",
    "data-label",
    "data-confirm",
    "data-copied",
    "data-select",
    "data-empty",
    "data-dpi-low",
    "data-dpi-ok",
}
_WORDS = re.compile(r"[^\W\d_]{2,}")
# Addresses, paths, CSS classes and code names ("order_paid"): not words a person translates.
_NOT_WORDS = re.compile(r"\S*[-_/=:.@][\w/]\S*")
_VARIABLE = "0"  # where a {{ variable }} was: no word, so never reported by itself


def words_in(text):
    """The words of `text` that a translator would translate."""
    return [w for w in _WORDS.findall(_NOT_WORDS.sub(" ", text)) if w not in UNTRANSLATED]


class _Words(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in UNREAD_ELEMENTS:
            self.hidden += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES or (
                tag == "input" and name == "value" and ("type", "submit") in attrs
            ):
                self._check(value or "")

    def handle_endtag(self, tag):
        if tag in UNREAD_ELEMENTS:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.hidden:
            self._check(data)

    def _check(self, text):
        if words_in(text):
            self.found.append(" ".join(text.split()))


def untranslated_template_text(source):
    """Text a person reads that a template writes outside {% translate %} and
    {% blocktranslate %}: element text and read attributes, not tags, variables or comments."""
    kept, inside = [], None
    for token in Lexer(source).tokenize():
        command = token.contents.split(" ", 1)[0] if token.token_type == TokenType.BLOCK else ""
        if inside:
            if command == inside:
                inside = None
                kept.append(_VARIABLE)  # the translated words stand here
        elif command in ("blocktranslate", "blocktrans", "comment"):
            inside = {"comment": "endcomment"}.get(command, "end" + command)
        elif token.token_type == TokenType.TEXT:
            kept.append(token.contents)
        elif token.token_type == TokenType.VAR or command in ("translate", "trans"):
            kept.append(_VARIABLE)
        elif token.token_type == TokenType.BLOCK:
            kept.append(" ")
    parser = _Words()
    parser.feed("".join(kept))
    parser.close()
    return parser.found
