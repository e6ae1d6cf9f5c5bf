from django.contrib import admin
from django.urls import include, path

from commonground.api import api, guide
from commonground.core.views import moved
from commonground.places import views as places_views

admin.site.site_header = "Common Ground administration"
admin.site.site_title = "Common Ground admin"

urlpatterns = [
    path("", places_views.home, name="home"),  # the home page is finding places
    path("", include("commonground.core.urls")),
    path("account/", include("commonground.accounts.urls")),
    path("places/", include("commonground.places.urls")),
    path("neighbourhoods/", include("commonground.neighbourhoods.urls")),
    path("audit/", include("commonground.audit.urls")),
    path("notify/", include("commonground.notify.urls")),
    path("funds/", include("commonground.fund.urls")),
    path("budgeting/", include("commonground.budgeting.urls")),
    path("pb/<path:rest>", moved("budgeting/")),  # the old name: links and bookmarks keep working
    path("pb/", moved("budgeting/")),
    path("contributions/", include("commonground.contributions.urls")),
    path("pots/", include("commonground.pots.urls")),
    path("delivery/", include("commonground.delivery.urls")),
    path("assets/", include("commonground.assets.urls")),
    path("ballots/", include("commonground.ballots.urls")),
    path("panels/", include("commonground.panels.urls")),
    path("outcomes/", include("commonground.outcomes.urls")),
    path("bodies/", include("commonground.publicbodies.urls")),
    path("impact/", include("commonground.impact.urls")),
    path("spending/", include("commonground.spending.urls")),
    path("procurement/", include("commonground.procurement.urls")),
    path("api/pb/<path:rest>", moved("api/budgeting/")),
    path("api/", api.urls),
    path("api-guide/", guide, name="api-guide"),
    path("admin/", admin.site.urls),
]
