"""The language each person reads Printfront in: their own choice, kept on their account,
else their browser's (LocaleMiddleware). Emails follow the recipient, not the sender."""

from django.conf import settings
from django.utils import translation

from core.models import User


def is_supported(code):
    return code in dict(settings.LANGUAGES)


def recipient_language(address, fallback=None):
    """The language to write to `address` in: the stored choice of the person with that
    address, else `fallback` (an invitation's: the inviter's), else the site's default."""
    stored = (
        User.objects.filter(email__iexact=address)
        .exclude(language="")
        .values_list("language", flat=True)
        .first()
    )
    for code in (stored, fallback):
        if code and is_supported(code):
            return code
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Runs after authentication: a signed-in person's stored choice beats the browser's
    Accept-Language and the language cookie, so it follows them to every device they sign in on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and is_supported(user.language):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
