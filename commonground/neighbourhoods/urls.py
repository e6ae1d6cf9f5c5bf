from django.urls import path

from commonground.neighbourhoods import views

app_name = "neighbourhoods"
urlpatterns = [
    path("", views.neighbourhood_list, name="list"),
    path("new/", views.neighbourhood_create, name="create"),
    path("<slug:slug>/", views.neighbourhood_detail, name="detail"),
]
