from django.urls import path

from commonground.publicbodies import views

app_name = "publicbodies"
urlpatterns = [
    path("", views.body_list, name="list"),
    path("new/", views.body_create, name="create"),
    path("<slug:slug>/", views.body_detail, name="detail"),
    path("<slug:slug>/members/", views.body_members, name="members"),
]
