from django.urls import path

from commonground.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("api-guide/", views.api_docs, name="api-docs"),
    path("health/", views.health, name="health"),
]
