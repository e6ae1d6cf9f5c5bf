from django.urls import path
from django.views.generic import RedirectView

from commonground.accounts.permissions import public
from commonground.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.nation, name="nation"),
    path("dashboard.csv", views.nation_csv, name="nation-csv"),
    path("framework/", views.framework, name="framework"),
    path("measures/new/", views.measure_add, name="measure-add"),
    path("measures/<slug:slug>/", views.measure_detail, name="measure"),
    path("measures/<slug:slug>/change/", views.measure_change, name="measure-change"),
    path("signals/new/", views.signal_add, name="signal-add"),
    path(
        "priorities/<int:pk>/",
        public(
            RedirectView.as_view(pattern_name="fund:priority-status", permanent=True)
        ),  # the page it moved to decides
        name="priority",
    ),
    path("areas/<str:code>/", views.area_dashboard, name="area"),
    path("areas/<str:code>/dashboard.csv", views.area_csv, name="area-csv"),
    path("areas/<str:code>/report.pdf", views.area_report, name="area-report"),
]
