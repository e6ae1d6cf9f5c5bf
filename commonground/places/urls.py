from django.urls import path

from commonground.places import views

app_name = "places"
urlpatterns = [
    path("", views.area_list, name="area-list"),
    path("left-behind/", views.left_behind, name="left-behind"),
    path("left-behind.csv", views.left_behind_csv, name="left-behind-csv"),
    path("left-behind.geojson", views.left_behind_geojson, name="left-behind-geojson"),
    path("districts.geojson", views.districts_geojson, name="districts-geojson"),
    path("<str:code>/", views.area_detail, name="area-detail"),
]
