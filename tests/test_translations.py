"""Spanish beside English: every word a person reads is marked for translation, and the
Spanish catalog translates each one, compiled as shipped (no gettext tools needed here)."""

import ast

from django.template.loader import render_to_string
from django.test import override_settings
from django.utils import translation

from tests.catalog import (
    CATALOG,
    compiled_catalog,
    extracted_messages,
    read_catalog,
    source_files,
    untranslated_template_text,
    words_in,
)

REFRESH = "run `make messages`, translate, and commit locale/ (see docs/glossary-es.md)"


def test_every_template_word_is_marked_for_translation():
    found = {
        str(path.relative_to(CATALOG.parents[3])): words
        for path in source_files({".html", ".txt"}, under="templates")
        if (words := untranslated_template_text(path.read_text()))
    }
    assert not found, f"wrap these in {{% translate %}} / {{% blocktranslate %}}: {found}"


# Calls whose text a person reads: messages shown on the next page, validation errors, and the
# form and model labels (keyword arguments).
MESSAGES = {"success", "error", "warning", "info", "add_message"}
READ_CALLS = {"ValidationError", "MembershipError"}
LABEL_DICTS = {"labels", "help_texts"}
READ_KEYWORDS = {"label", "help_text", "verbose_name", "verbose_name_plural", "empty_label", "message"}


def _is_plain_text(node):
    """A literal string, an f-string or "..." % x: text that never goes through gettext."""
    if isinstance(node, ast.BinOp):
        return _is_plain_text(node.left)
    if isinstance(node, ast.JoinedStr):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(words_in(node.value))


def _reads(call):
    """Whether a call shows its arguments to a person: messages.success(...), a validation error."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in MESSAGES:
        return getattr(func.value, "id", "") == "messages"
    return getattr(func, "id", getattr(func, "attr", "")) in READ_CALLS


def _is_form_field_without_label(node):
    """`name = forms.CharField(...)` with no label: Django makes one of the name, in English."""
    call = node.value if isinstance(node, ast.Assign) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return False
    keywords = {k.arg: ast.unparse(k.value) for k in call.keywords}
    return (
        getattr(call.func.value, "id", "") == "forms"
        and call.func.attr.endswith("Field")
        and "label" not in keywords
        and "HiddenInput" not in keywords.get("widget", "")
    )


def _unmarked_python_messages(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in LABEL_DICTS:
            # A form's Meta.labels / help_texts: {"field": "Label"}.
            yield from (v.lineno for v in getattr(node.value, "values", []) if _is_plain_text(v))
        if isinstance(node, ast.Call):
            texts = [a for a in node.args if _reads(node) and _is_plain_text(a)]
            texts += [k.value for k in node.keywords if k.arg in READ_KEYWORDS and _is_plain_text(k.value)]
            yield from (t.lineno for t in texts)
        if isinstance(node, ast.ClassDef):
            yield from (item.lineno for item in node.body if _is_form_field_without_label(item))
        if isinstance(node, ast.ClassDef) and any(
            getattr(b, "attr", getattr(b, "id", "")).endswith("Choices") for b in node.bases
        ):
            # A status name: `PENDING = "pending", "Sending"` would show "Sending" in Spanish too.
            for item in node.body:
                value = getattr(item, "value", None)
                if isinstance(value, ast.Tuple) and _is_plain_text(value.elts[-1]) and len(value.elts) > 1:
                    yield item.lineno


def test_every_python_message_is_marked_for_translation():
    found = [
        f"{path.relative_to(CATALOG.parents[3])}:{line}"
        for path in source_files({".py"})
        for line in _unmarked_python_messages(ast.parse(path.read_text()))
    ]
    assert not found, f"pass these through gettext: {found}"


EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}


def _translated_at_import(tree):
    """Lines calling gettext (not gettext_lazy) outside any function: run once, at import, in
    the language active then, so every reader would get that language."""
    eager = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in EAGER
    }

    def walk(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            if isinstance(child, ast.Call) and getattr(child.func, "id", None) in eager:
                yield child.lineno
            yield from walk(child)

    return walk(tree)


def test_no_message_is_translated_once_at_import():
    found = [
        f"{path.relative_to(CATALOG.parents[3])}:{line}"
        for path in source_files({".py"})
        for line in _translated_at_import(ast.parse(path.read_text()))
    ]
    assert not found, f"use gettext_lazy here: {found}"


def test_the_spanish_catalog_has_every_message_translated():
    catalog = read_catalog()
    wanted = extracted_messages()
    missing = sorted(
        f"{msgid!r} ({path.name})" for (ctx, msgid), path in wanted.items() if (ctx, msgid) not in catalog
    )
    assert not missing, f"not in {CATALOG.name}, {REFRESH}: {missing}"
    fuzzy = sorted(msgid for (ctx, msgid), entry in catalog.items() if entry["fuzzy"])
    assert not fuzzy, f"fuzzy in {CATALOG.name}: check and unmark them: {fuzzy}"
    empty = sorted(msgid for (ctx, msgid), entry in catalog.items() if not all(entry["msgstr"]))
    assert not empty, f"untranslated in {CATALOG.name}: {empty}"
    stale = sorted(msgid for key in catalog if key not in wanted for msgid in [key[1]])
    assert not stale, f"no longer used, {REFRESH}: {stale}"


def test_the_shipped_compiled_catalog_matches_the_po_file():
    compiled = compiled_catalog()
    for (ctx, msgid), entry in read_catalog().items():
        key = msgid if ctx is None else f"{ctx}\x04{msgid}"
        assert compiled._catalog.get(key, compiled._catalog.get((key, 0))) == entry["msgstr"][0], (
            f"{CATALOG.with_suffix('.mo').name} is older than the .po for {msgid!r}: {REFRESH}"
        )


def test_a_page_reads_in_spanish_when_asked():
    with translation.override("es"):
        page = render_to_string("account/login.html", {"form": None})
    assert "Iniciar sesión" in page
    assert "Sign in" not in page


@override_settings(LANGUAGE_CODE="en")
def test_dates_and_numbers_follow_the_language(settings):
    from datetime import date
    from decimal import Decimal

    from django.template import Context, Template

    template = Template("{% load money %}{{ when|date }} · {{ amount|money:'EUR' }} · {{ count }}")
    context = Context({"when": date(2026, 3, 4), "amount": Decimal("1234.5"), "count": 0.5})
    assert template.render(context) == "March 4, 2026 · 1,234.50 EUR · 0.5"
    with translation.override("es"):
        # Spanish groups thousands with a (non-breaking) space, as the RAE writes them.
        assert template.render(context) == "4 de marzo de 2026 · 1\xa0234,50 EUR · 0,5"


def test_the_checks_catch_what_they_guard():
    """The sweeps above pass only because the code is clean, not because they see nothing."""
    template = (
        '{% load i18n %}<h1>{% translate "Orders" %}</h1><p title="Loose title">Loose words</p>'
        '<td data-label="{% translate "Store" %}">{{ store }}</td><code>python -m x</code>'
        "{% blocktranslate %}Kept {{ x }}{% endblocktranslate %}"
    )
    assert untranslated_template_text(template) == ["Loose title", "Loose words"]
    source = (
        "class State(TextChoices):\n    DONE = 'done', 'Done'\n    OK = 'ok', _('Fine')\n"
        "class F(forms.Form):\n    name = forms.CharField()\n"
        "messages.success(request, f'Saved {x}')\nlogger.info('Not for people')\n"
    )
    assert sorted(_unmarked_python_messages(ast.parse(source))) == [2, 5, 6]
    eager = "from django.utils.translation import gettext as _\nLABEL = _('x')\ndef f():\n    return _('y')\n"
    assert list(_translated_at_import(ast.parse(eager))) == [2]
