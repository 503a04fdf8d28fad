from email import policy
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import i18n as django_i18n
from django.views.decorators.http import require_POST

from core import health as health_checks
from core.accounts import remember_language
from core.tenancy import staff_required


def health(request):
    """For load balancers and container healthchecks. Only the database makes it fail (503):
    without it nothing works, while Printfront keeps serving with the cache or the broker away
    (sign-in on each process's memory, queued work swept up on the broker's return). Those two
    are reported, so a monitor can alert on "degraded"."""
    checks = {
        "database": health_checks.database_answers(),
        "cache": health_checks.cache_answers(),
        "broker": health_checks.broker_answers(),
    }
    report = {name: "ok" if answers else "unavailable" for name, answers in checks.items()}
    if not checks["database"]:
        return JsonResponse({"status": "unavailable", **report}, status=503)
    return JsonResponse({"status": "ok" if all(checks.values()) else "degraded", **report})


@require_POST
def set_language(request):
    """The language switch: Django's cookie for this browser, and for a signed-in person
    their account too, so the choice comes back at their next sign-in anywhere."""
    if request.user.is_authenticated:
        remember_language(request.user, request.POST.get("language", ""))
    return django_i18n.set_language(request)


def home(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.user.is_staff:
        return redirect("connect:clients")
    return redirect("storefronts:dashboard")


def _mail_dir():
    if not settings.DEBUG or settings.EMAIL_BACKEND != "django.core.mail.backends.filebased.EmailBackend":
        raise Http404
    return Path(settings.EMAIL_FILE_PATH)


def _read_messages(path):
    """A file-backend log file holds one or more messages separated by a line of dashes."""
    separator = b"\n" + b"-" * 79 + b"\n"
    for raw in path.read_bytes().split(separator):
        if raw.strip():
            yield BytesParser(policy=policy.default).parsebytes(raw.lstrip())


@staff_required
def debug_mail(request):
    """Debug only, for staff: the emails written by the file backend, newest first, so
    `make run` needs no SMTP server to follow an invitation link."""
    folder = _mail_dir()
    mails = []
    for path in sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)[:50]:
        for index, message in enumerate(_read_messages(path)):
            body = message.get_body(preferencelist=("plain",))
            mails.append(
                {
                    "subject": message["subject"],
                    "to": message["to"],
                    "date": message["date"],
                    "text": body.get_content() if body else "",
                    "html_url": reverse("debug_mail_html", args=[path.name, index]),
                }
            )
    return render(request, "core/debug_mail.html", {"mails": mails, "folder": folder})


@staff_required
def debug_mail_html(request, name, index):
    path = _mail_dir() / Path(name).name
    if not path.is_file():
        raise Http404
    messages = list(_read_messages(path))
    if index >= len(messages):
        raise Http404
    html = messages[index].get_body(preferencelist=("html",))
    response = HttpResponse(html.get_content() if html else "")
    # The email's own markup, shown as a sandboxed document that can run nothing.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; style-src 'unsafe-inline'"
    return response
