"""Driving a page by keyboard alone, as the browser tests of issue 10 do: Tab (or Shift+Tab) until
a named control has the focus, checking at each stop that the focus can be seen, then Enter,
Space, arrows or typing. No clicks, no fills."""

# Where the focus is, and whether it shows: an outline of at least 2 px or a ring on the focused
# control, or on its next sibling for a control drawn by it (the toggle's transparent checkbox
# over its track).
FOCUS = """target => {
  const shown = e => {
    const style = getComputedStyle(e);
    return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== "none";
  };
  const active = document.activeElement;
  const drawn = getComputedStyle(active).opacity === "0" && active.nextElementSibling;
  return {
    reached: active === target,
    shown: active === document.body || shown(active) || Boolean(drawn && shown(drawn)),
    what: active.outerHTML.slice(0, 160),
  };
}"""


def tab_to(page, target, *, back=False, limit=40):
    """Press Tab (Shift+Tab if `back`) until `target`, a locator, has the focus, checking at each
    stop on the way that the focus shows; return `target`."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        focus = target.evaluate(FOCUS)
        assert focus["shown"], f"the focus cannot be seen on {focus['what']}"
        if focus["reached"]:
            return target
    raise AssertionError(f"{limit} presses of {key} never reached {target}")


def press_and_wait(page, key="Enter"):
    """Press `key` on what has the focus (a link, a submit button) and wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)


def follow(page, link):
    """Tab to a link and open it."""
    tab_to(page, link)
    press_and_wait(page)


def skip_to_content(page):
    """The skip link comes first; through it, the next Tab goes into the page's content."""
    tab_to(page, page.locator(".skip-link"), limit=1)
    page.keyboard.press("Enter")


def type_into(page, target, text, **tab):
    tab_to(page, target, **tab)
    page.keyboard.type(text)


def choose(page, select, label):
    """Move a focused <select> to the option `label` with the arrow keys."""
    where = select.evaluate(
        "(s, label) => [s.selectedIndex, [...s.options].findIndex(o => o.text === label)]", label
    )
    assert where[1] >= 0, f"no option {label!r} in {select}"
    key = "ArrowDown" if where[1] > where[0] else "ArrowUp"
    for _ in range(abs(where[1] - where[0])):
        page.keyboard.press(key)
    assert select.evaluate("s => s.options[s.selectedIndex].text") == label
