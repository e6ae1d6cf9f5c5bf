from django.urls import path

from commonground.contributions import views

app_name = "contributions"
urlpatterns = [
    path("", views.council_list, name="list"),
    path("zones/<int:pk>/", views.zone_detail, name="zone"),
    path("zones/<int:pk>/pot/", views.zone_pot, name="zone-pot"),
    path("<str:code>/", views.council_detail, name="council"),
    path("<str:code>/import/", views.import_files, name="import"),
    path("<str:code>/deadlines/", views.deadlines, name="deadlines"),
    path("<str:code>/deadlines/sent/", views.reminders_sent, name="reminders-sent"),
    path("<str:code>/zones/new/", views.zone_create, name="zone-create"),
    path("<str:code>/agreements/<str:reference>/", views.agreement_detail, name="agreement"),
    path("<str:code>/contributions/<str:reference>/pot/", views.contribution_pot, name="contribution-pot"),
]
