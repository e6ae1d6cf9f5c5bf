from django.urls import path

from commonground.impact import views

app_name = "impact"
urlpatterns = [
    path("", views.register, name="register"),
    path("register.geojson", views.register_geojson, name="register-geojson"),
    path("new/", views.create, name="create"),
    path("reviews/", views.reviews, name="reviews"),
    path("<str:reference>/", views.detail, name="detail"),
    path("<str:reference>/v<int:number>/", views.detail, name="version"),
    path("<str:reference>/map.geojson", views.map_geojson, name="map"),
    path("<str:reference>/v<int:number>/map.geojson", views.map_geojson, name="version-map"),
    path("<str:reference>/edit/", views.edit, name="edit"),
    path("<str:reference>/impacts/new/", views.add_impact, name="add-impact"),
    path("<str:reference>/impacts/<int:pk>/remove/", views.remove_impact, name="remove-impact"),
    path("<str:reference>/engagement/new/", views.add_engagement, name="add-engagement"),
    path("<str:reference>/engagement/<int:pk>/remove/", views.remove_engagement, name="remove-engagement"),
    path("<str:reference>/publish/", views.publish, name="publish"),
    path("<str:reference>/new-version/", views.new_version, name="new-version"),
    path("<str:reference>/respond/", views.respond, name="respond"),
    path("<str:reference>/responses/<int:pk>/answer/", views.answer, name="answer"),
    path("<str:reference>/responses/<int:pk>/hide/", views.hide, name="hide"),
    path("<str:reference>/review/", views.review, name="review"),
]
