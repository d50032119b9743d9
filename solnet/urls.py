"""The URL map. Every route here has a row in the authorization matrix test
(solnet/core/tests/test_authorization_matrix.py)."""

from django.urls import include, path
from django.views.i18n import set_language

from solnet.api import api
from solnet.confederation import views as confederation_views
from solnet.core import views as core_views
from solnet.fights import views as fight_views
from solnet.members import views as member_views
from solnet.network import views as network_views
from solnet.people import views as people_views

urlpatterns = [
    path("", network_views.home, name="home"),
    path("join/<str:token>/", member_views.join, name="join"),
    path("members/", include("solnet.members.urls")),
    path("network/", include("solnet.network.urls")),
    path("people/", include("solnet.people.urls")),
    path("councils/", include("solnet.councils.urls")),
    path("fights/", include("solnet.fights.urls")),
    path("decisions/", include("solnet.democracy.urls")),
    path("actions/", include("solnet.mobilize.urls")),
    path("funds/", include("solnet.funds.urls")),
    path("defense/", include("solnet.defense.urls")),
    path("allies/", include("solnet.confederation.urls")),
    # The confederation protocol's addresses (docs/confederation-protocol.md).
    path(".well-known/solnet/key", confederation_views.key_document, name="solnet_key"),
    path(".well-known/solnet/inbox", confederation_views.inbox_view, name="solnet_inbox"),
    path("fight-back/", fight_views.fight_back, name="fight_back"),
    path("fight-back/thanks/", fight_views.fight_back_thanks, name="fight_back_thanks"),
    path("join-us/", people_views.join_us, name="join_us"),
    path("join-us/thanks/", people_views.join_us_thanks, name="join_us_thanks"),
    path("approvals/", include("solnet.core.urls")),
    path("accounts/", include("solnet.members.account_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("health", core_views.health, name="health"),
    path("api/", api.urls),
]

handler400 = "solnet.core.views.bad_request"
handler403 = "solnet.core.views.permission_denied"
handler404 = "solnet.core.views.page_not_found"
handler500 = "solnet.core.views.server_error"
