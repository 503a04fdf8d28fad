"""What a screen reader or a keyboard needs beyond the visible page: a form's errors tied to their
fields, the status that htmx brings read out once, when it changes, and a focus that always shows.
(The keyboard walks themselves are browser tests: tests/keyboard.py.)"""

import re
from pathlib import Path

from django.conf import settings
from django.test.html import Element, parse_html
from django.urls import reverse


def elements(node):
    for child in node.children:
        if isinstance(child, Element):
            yield child
            yield from elements(child)


def attrs(element):
    return dict(element.attributes)


def has_class(element, name):
    return name in (attrs(element).get("class") or "").split()


def assert_errors_tied(html):
    """Every field error is named by the aria-describedby of a control (or of its group of
    choices) marked aria-invalid; every form-wide error is announced; every aria-describedby
    names something on the page. Returns the invalid controls' names."""
    page = list(elements(parse_html(html)))
    ids = {attrs(e).get("id") for e in page}
    described = {}
    for element in page:
        for target in (attrs(element).get("aria-describedby") or "").split():
            assert target in ids, f"aria-describedby names a missing #{target}"
            described.setdefault(target, []).append(element)
    invalid = [e for e in page if attrs(e).get("aria-invalid") == "true"]
    for errors in (e for e in page if has_class(e, "errorlist")):
        if has_class(errors, "nonfield"):
            assert attrs(errors).get("role") == "alert", "a form-wide error is not announced"
            continue
        error_id = attrs(errors).get("id")
        assert error_id in described, f"the error list #{error_id} is tied to no control"
        holders = described[error_id]
        if all(h.name == "fieldset" for h in holders):  # a group: its choices are marked
            assert invalid, "no choice of the group is marked invalid"
        else:
            assert any(attrs(h).get("aria-invalid") == "true" for h in holders)
    return {attrs(e).get("name") for e in invalid}


def test_sign_in_errors(client, staff):
    response = client.post(reverse("account_login"), {"login": "", "password": ""})
    assert assert_errors_tied(response.content.decode()) == {"login", "password"}
    response = client.post(reverse("account_login"), {"login": staff.email, "password": "wrong"})
    assert 'class="errorlist nonfield" role="alert"' in response.content.decode()
    assert_errors_tied(response.content.decode())


def test_staff_forms_errors(client, staff):
    client.force_login(staff)
    response = client.post(reverse("connect:client_create"), {"name": ""})
    assert "name" in assert_errors_tied(response.content.decode())
    # A rule without its action: the action is a group of choices (a fieldset).
    response = client.post(reverse("workflows:rule_add"), {"name": "x"})
    html = response.content.decode()
    assert 'aria-describedby="id_action_error"' in html
    assert "action" in assert_errors_tied(html)


TEMPLATES = Path(settings.BASE_DIR) / "templates"
POLLED = re.compile(r'hx-trigger="[^"]*every ')
SWAPPED_LIVE = re.compile(
    r"<[^>]*\bhx-(?:get|post|swap)[^>]*\baria-live|<[^>]*\baria-live[^>]*\bhx-(?:get|post|swap)"
)


def test_polled_parts_mark_their_status_for_the_announcer():
    polled = [path for path in TEMPLATES.rglob("*.html") if POLLED.search(path.read_text())]
    assert len(polled) >= 9
    for path in polled:
        assert "data-status" in path.read_text(), f"{path.name} polls but marks no status text"
    for path in TEMPLATES.rglob("*.html"):
        # A part that htmx replaces is no live region: the announcer reads its status instead.
        assert not SWAPPED_LIVE.search(path.read_text()), f"{path.name}: a swapped part is a live region"
    assert (
        '<div id="announcer" class="visually-hidden" role="status">' in (TEMPLATES / "base.html").read_text()
    )


def test_the_focus_always_shows():
    css = (Path(settings.BASE_DIR) / "static/css/printfront.css").read_text()
    assert re.search(r"(?m)^:focus-visible \{ outline: 3px solid var\(--c-focus\)", css)
    hidden = re.findall(r"(?m)^([^{}\n]+)\{[^}]*\boutline:\s*(?:none|0)\b", css)
    # Only the main column, focused by the skip link, goes without: it is no control.
    assert [selector.strip() for selector in hidden] == ['main[tabindex="-1"]:focus']
