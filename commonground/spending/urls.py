from django.urls import path

from commonground.spending import views

app_name = "spending"
urlpatterns = [
    path("", views.home, name="home"),
    path("import/", views.import_file, name="import-file"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("places/<str:code>/", views.place, name="place"),
    path("places/<str:code>/map.geojson", views.place_geojson, name="place-map"),
    path("neighbourhoods/<slug:slug>/", views.neighbourhood, name="neighbourhood"),
    path("neighbourhoods/<slug:slug>/map.geojson", views.neighbourhood_geojson, name="neighbourhood-map"),
    path("pools/new/", views.pool_create, name="pool-create"),
    path("pools/<slug:slug>/", views.pool, name="pool"),
    path("pools/<slug:slug>/contribution/", views.contribution, name="contribution"),
    path("pools/<slug:slug>/outcome/", views.outcome, name="outcome"),
    path("pools/<slug:slug>/decision/", views.decision, name="decision"),
    path("pools/<slug:slug>/prevention/", views.prevention, name="prevention"),
    path("pools/<slug:slug>/prevention/<int:pk>/observe/", views.observe, name="observe"),
]
