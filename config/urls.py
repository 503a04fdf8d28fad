from django.urls import include, path

from core import views as core_views
from storefronts import views as storefronts_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz/", core_views.health, name="health"),
    path("language/", core_views.set_language, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("invitations/<str:token>/", storefronts_views.accept_invitation, name="accept_invitation"),
    path("connect/stores/", include("integrations.connect_urls")),
    path("connect/", include("connect.urls")),
    path("hooks/", include("integrations.webhook_urls")),
    path("storefronts/stores/", include("integrations.urls")),
    path("storefronts/", include("storefronts.urls")),
    path("", include("catalog.urls")),
    path("", include("postbacks.urls")),
    path("", include("workflows.urls")),
    path("", include("orders.urls")),
    # Answer 404 unless DEBUG is on and emails go to files (see core.views._mail_dir).
    path("_debug/mail/", core_views.debug_mail, name="debug_mail"),
    path("_debug/mail/<str:name>/<int:index>/", core_views.debug_mail_html, name="debug_mail_html"),
]
