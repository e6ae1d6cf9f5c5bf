from django.urls import path

from commonground.panels import views

app_name = "panels"
urlpatterns = [
    path("", views.panel_list, name="list"),
    path("new/", views.panel_create, name="create"),
    path("<slug:slug>/", views.panel_detail, name="detail"),
    path("<slug:slug>/distribution.json", views.panel_distribution, name="distribution"),
    path("<slug:slug>/select/", views.panel_select, name="select"),
    path("<slug:slug>/draw/", views.panel_draw, name="draw"),
]
