"""Messages written now and read later, each time in the reader's language.

An order's history is written by the worker, or by whoever acted, in their language, and read by
the client's people and the printer's staff in theirs. So what Printfront itself writes there is
kept as its source text and values, `later(gettext_noop("Received from %(store)s."), store=...)`,
and a ReadLaterTextField stores it so; shown (str()), it is translated into the language active
then. Text someone typed (a reason) is stored and shown as written. Compared or sent elsewhere (a
postback's JSON), a message is its source text: English."""

import json

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext, override

# How a stored message starts; anything else in the column is shown as written. Typed text that
# starts so, or with ESCAPE, is stored behind an ESCAPE: no one can type a stored message.
MARK = '{"read_later": '
ESCAPE = "\u2060"  # the word joiner, invisible: no text written before this starts with it


class ReadLater(str):
    """A message as its source text and values. As a str it is the source text filled in (so it
    compares, slices and serializes as English); str() of it is the reader's translation."""

    def __new__(cls, msgid, values):
        message = super().__new__(cls, _filled(msgid, values, _as_written))
        message.msgid, message.values = msgid, values
        return message

    def __str__(self):
        return _filled(self.msgid, self.values, gettext)

    def __reduce__(self):  # copied and pickled as what it is, not as a plain str
        return ReadLater, (self.msgid, self.values)

    def stored(self):
        return MARK + json.dumps({"msgid": self.msgid, "values": self.values}) + "}"


def later(msgid, **values):
    """`msgid` (marked with gettext_noop, so it is in the catalog) with its values, to translate
    when read. Among the values, a lazy translation (a choice's label) and a ReadLater are
    translated when read too, and so is each of a list's, which reads as "a; b; c"."""
    with override(None):  # a lazy translation's source text
        return ReadLater(msgid, {name: _kept(value) for name, value in values.items()})


def _kept(value):
    if isinstance(value, ReadLater):
        return {"later": {"msgid": value.msgid, "values": value.values}}
    if isinstance(value, Promise):
        return {"translate": str(value)}
    if isinstance(value, list | tuple):
        return {"joined": [_kept(part) for part in value]}
    return str(value)


def _as_written(text):
    return text


def _filled(msgid, values, translate):
    if not values:
        return translate(msgid)
    try:
        return translate(msgid) % {name: _shown(value, translate) for name, value in values.items()}
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder: the source text, rather than no history.
        return msgid % {name: _shown(value, _as_written) for name, value in values.items()}


def _shown(value, translate):
    if not isinstance(value, dict):
        return value
    if "translate" in value:
        return translate(str(value["translate"]))
    if "later" in value:
        return _filled(value["later"]["msgid"], value["later"]["values"], translate)
    return "; ".join(str(_shown(part, translate)) for part in value["joined"])


class KeepsReadLater:
    """A text field that keeps a ReadLater, or a lazy translation (a choice's label), as such,
    and gives it back as a ReadLater."""

    def get_prep_value(self, value):
        if isinstance(value, Promise):
            with override(None):
                value = ReadLater(str(value), {})
        if isinstance(value, ReadLater):
            return value.stored()
        value = super().get_prep_value(value)
        if isinstance(value, str) and value.startswith((MARK, ESCAPE)):
            return ESCAPE + value
        return value

    def from_db_value(self, value, expression, connection):
        return None if value is None else parsed(value)


class ReadLaterTextField(KeepsReadLater, models.TextField):
    pass


class ReadLaterCharField(KeepsReadLater, models.CharField):
    """Mind max_length: a kept message is stored as a short JSON document, longer than its text."""


def parsed(text):
    """The ReadLater a stored text holds, or the text itself."""
    if text.startswith(ESCAPE):
        return text[len(ESCAPE) :]
    if not text.startswith(MARK):
        return text
    try:
        kept = json.loads(text)["read_later"]
        if isinstance(kept["msgid"], str) and isinstance(kept["values"], dict):
            return ReadLater(kept["msgid"], kept["values"])
    except (ValueError, KeyError, TypeError, RecursionError):
        pass
    return text  # shown as it is rather than lost
