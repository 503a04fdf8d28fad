"""Emails come as three templates: emails/<name>-subject.txt, -body.txt and -body.html."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation

from core.i18n import recipient_language


def render_text(template_name, context):
    """Render a plain-text template without HTML escaping, so "O'Brien & Sons" stays as typed
    (escaping is for HTML; in text it only garbles names)."""
    return get_template(template_name).template.render(Context(context, autoescape=False))


def send(name, to, context, *, fallback_language=None):
    """Written in the recipient's language (core.i18n.recipient_language): their words, dates
    and numbers, whoever's action sent it."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    with translation.override(recipient_language(to, fallback_language)):
        # One line: a newline in a name it quotes (a rule's, typed with one) would make Django
        # refuse the header, and the email would never go.
        subject = " ".join(render_text(f"emails/{name}-subject.txt", context).split())
        text = render_text(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    message = EmailMultiAlternatives(subject, text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
