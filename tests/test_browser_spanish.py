"""Spanish in a real browser: the guide's onboarding walk read in Spanish from start to end (with
its invitation emails), by keyboard alone, and the language switch following a person to their
next sign-in."""

import re

import pytest

from core.testing import PASSWORD, invitation_link
from storefronts.models import Membership
from tests.keyboard import choose, follow, press_and_wait, skip_to_content, tab_to, type_into
from tests.test_browser_onboarding import wait_for_email

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def new_page(browser, locale):
    """A fresh browser (no cookies) whose language preference is `locale`."""
    context = browser.new_context(locale=locale)
    context.set_default_timeout(15_000)
    return context.new_page()


def iniciar_sesion(page, base, email, password):
    page.goto(f"{base}/accounts/login/")
    type_into(page, page.get_by_label("Correo electrónico"), email)
    type_into(page, page.get_by_label("Contraseña"), password)
    tab_to(page, page.get_by_role("button", name="Iniciar sesión"))
    press_and_wait(page)


def establecer_contrasena(page, link, password):
    page.goto(link)
    type_into(page, page.get_by_label("Contraseña", exact=True), password)
    type_into(page, page.get_by_label("Repite la contraseña"), password)
    tab_to(page, page.get_by_role("button", name="Establecer contraseña e iniciar sesión"))
    press_and_wait(page)


def test_the_onboarding_walk_in_spanish(live_server, celery_worker, browser, staff, settings):
    settings.SITE_URL = live_server.url
    base = live_server.url
    staff_page = new_page(browser, "es-ES")

    iniciar_sesion(staff_page, base, staff.email, PASSWORD)
    skip_to_content(staff_page)
    follow(staff_page, staff_page.locator("#main").get_by_role("link", name="Crear cliente").first)
    type_into(staff_page, staff_page.get_by_label("Nombre"), "Acme Apparel")
    type_into(staff_page, staff_page.get_by_label("ID de referencia"), "ACME")
    tab_to(staff_page, staff_page.get_by_role("button", name="Crear cliente"))
    press_and_wait(staff_page)
    assert staff_page.get_by_text("Cliente “Acme Apparel” creado.").is_visible()

    skip_to_content(staff_page)
    follow(staff_page, staff_page.get_by_role("link", name="Configuración"))
    # The client's own "Nombre" is in the details card below: the guide's word for both.
    access = staff_page.locator("#access")
    tab_to(staff_page, access.get_by_label("Acceso a Storefronts"))
    staff_page.keyboard.press("Space")
    type_into(staff_page, access.get_by_label("Correo electrónico"), "ada@acme.example")
    type_into(staff_page, access.get_by_label("Nombre"), "Ada")
    type_into(staff_page, access.get_by_label("Apellido"), "Lovelace")
    tab_to(staff_page, access.get_by_role("button", name="Enviar"))
    press_and_wait(staff_page)
    assert staff_page.get_by_text("Se está enviando una invitación a ada@acme.example").is_visible()

    # The invitation goes out in the language the inviter was using.
    email = wait_for_email(1)
    assert email.subject == "Te han invitado a Acme Apparel en Printfront"
    assert "Abre este enlace para establecer tu contraseña e iniciar sesión:" in email.body
    admin_link, _token = invitation_link(email)
    staff_page.reload()
    assert staff_page.locator("#invitation-state").get_by_text("Invitación enviada").is_visible()

    admin_page = new_page(browser, "es-ES")
    establecer_contrasena(admin_page, admin_link, "Ada-pone-una-frase-1")
    assert admin_page.get_by_role("heading", name="Siguiente: conecta una tienda").is_visible()
    staff_page.reload()
    assert staff_page.locator("#invitation-state").get_by_text("Activo").is_visible()

    follow(admin_page, admin_page.get_by_role("link", name="Gestión de usuarios"))
    skip_to_content(admin_page)
    follow(admin_page, admin_page.get_by_role("link", name="Añadir usuario"))
    skip_to_content(admin_page)
    type_into(admin_page, admin_page.get_by_label("Correo electrónico"), "oscar@acme.example")
    type_into(admin_page, admin_page.get_by_label("Nombre"), "Oscar")
    type_into(admin_page, admin_page.get_by_label("Apellido"), "Ortiz")
    choose(admin_page, tab_to(admin_page, admin_page.get_by_label("Rol")), "Gestor de pedidos")
    tab_to(admin_page, admin_page.get_by_role("button", name="Enviar invitación"))
    press_and_wait(admin_page)
    assert admin_page.get_by_text("Invitación enviada a oscar@acme.example").is_visible()

    email = wait_for_email(2)
    assert email.subject == "Te han invitado a Acme Apparel en Printfront"
    manager_link, _token = invitation_link(email)
    manager_page = new_page(browser, "es-ES")
    establecer_contrasena(manager_page, manager_link, "Oscar-pone-una-frase-2")
    tab_to(manager_page, manager_page.get_by_role("button", name="Cerrar sesión"))
    press_and_wait(manager_page)
    iniciar_sesion(manager_page, base, "oscar@acme.example", "Oscar-pone-una-frase-2")
    assert manager_page.get_by_role("heading", name=re.compile("Te damos la bienvenida")).is_visible()
    assert manager_page.get_by_role("link", name="Gestión de usuarios").count() == 0
    response = manager_page.goto(f"{base}/storefronts/settings/users/")
    assert response.status == 403
    assert manager_page.get_by_role("heading", name="No tienes acceso a esta página").is_visible()
    assert Membership.objects.get(user__email="oscar@acme.example").role == "order_manager"


def test_the_language_switch_is_remembered_at_the_next_sign_in(live_server, browser, staff):
    base = live_server.url
    page = new_page(browser, "en-US")
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("link", name="Create client").first.is_visible()

    page.get_by_role("button", name="Español").click()
    assert page.get_by_role("link", name="Crear cliente").first.is_visible()
    assert page.locator("html").get_attribute("lang") == "es"
    page.get_by_role("button", name="Cerrar sesión").click()
    page.context.close()

    # Another device, an English browser: the choice comes back with the account.
    elsewhere = new_page(browser, "en-US")
    elsewhere.goto(f"{base}/accounts/login/")
    elsewhere.get_by_label("Email").fill(staff.email)
    elsewhere.get_by_label("Password").fill(PASSWORD)
    elsewhere.get_by_role("button", name="Sign in").click()
    assert elsewhere.get_by_role("link", name="Crear cliente").first.is_visible()

    elsewhere.get_by_role("button", name="English").click()
    assert elsewhere.get_by_role("link", name="Create client").first.is_visible()
    staff.refresh_from_db()
    assert staff.language == "en"
