from django.urls import path

from commonground.panels import views

app_name = "panels"
urlpatterns = [
    path("", views.panel_list, name="list"),
    path("new/", views.panel_create, name="create"),
    path("<slug:slug>/", views.panel_detail, name="detail"),
    path("<slug:slug>/distribution.json", views.panel_distribution, name="distribution"),
    path("<slug:slug>/select/", views.panel_select, name="select"),
    path("<slug:slug>/progress.json", views.panel_progress, name="progress"),
    path("<slug:slug>/draw/", views.panel_draw, name="draw"),
    path("<slug:slug>/members/<str:pseudonym>/", views.member_response, name="response"),
    path("<slug:slug>/replacements/", views.replacement_select, name="replacement-select"),
    path("<slug:slug>/replacements/<int:number>/draw/", views.replacement_draw, name="replacement-draw"),
    path(
        "<slug:slug>/replacements/<int:number>/distribution.json",
        views.replacement_distribution,
        name="replacement-distribution",
    ),
]
