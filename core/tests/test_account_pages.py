"""allauth's pages in Printfront's voice: sentence case, and one "Forgot your password?" link."""

import re

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.urls import reverse

from core.testing import make_user

# Words that keep their capital wherever they stand: names.
NAMES = {"Printfront", "Storefronts", "Connect"}
SHOWN = re.compile(r"<(title|h1|h2|h3|button|label|a)\b[^>]*>(.*?)</\1>", re.S)


def title_case(html):
    """Headings, buttons, labels and links with a capital after their first word."""
    found = []
    for _tag, inner in SHOWN.findall(html):
        words = re.findall(r"[^\W\d_][\w'-]*", re.sub(r"<[^>]+>", " ", inner))
        if any(word[0].isupper() and word not in NAMES for word in words[1:]):
            found.append(" ".join(words))
    return found


def reset_key_url(user):
    key = default_token_generator.make_token(user)
    return reverse("account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key})


ANONYMOUS_PAGES = [
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_inactive",
    "account_email_verification_sent",
]
SIGNED_IN_PAGES = ["account_change_password", "account_logout", "account_email", "account_reauthenticate"]


@pytest.mark.parametrize("name", ANONYMOUS_PAGES)
def test_pages_before_sign_in_are_in_sentence_case(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert title_case(response.text) == []


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_pages_after_sign_in_are_in_sentence_case(client, staff, name):
    client.force_login(staff)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert title_case(response.text) == []


def test_setting_a_first_password_is_in_sentence_case(client, db):
    user = make_user("new@printer.example", is_staff=True)
    user.set_unusable_password()
    user.save()
    client.force_login(user)
    response = client.get(reverse("account_set_password"))
    assert response.status_code == 200
    assert "Password again" in response.text
    assert title_case(response.text) == []


def test_the_reset_link_pages_are_in_sentence_case(client, staff):
    response = client.get(reset_key_url(staff), follow=True)
    assert "Choose a new password" in response.text and "New password again" in response.text
    assert title_case(response.text) == []
    used = client.get(reverse("account_reset_password_from_key", kwargs={"uidb36": "1", "key": "bad"}))
    assert "This link no longer works" in used.text
    assert title_case(used.text) == []


def test_sign_in_offers_forgot_your_password_once(client, db):
    page = client.get(reverse("account_login")).text
    assert page.count("Forgot your password?") == 1
    assert reverse("account_reset_password") in page
