from django.urls import path

from commonground.pots import views

app_name = "pots"
urlpatterns = [
    path("", views.pot_list, name="list"),
    path("new/", views.pot_create, name="create"),
    path("360giving.json", views.all_360giving, name="360giving-all"),
    path("<slug:slug>/", views.pot_detail, name="detail"),
    path("<slug:slug>/allocate/", views.allocate, name="allocate"),
    path("<slug:slug>/allocations/<int:pk>/money/", views.record_money, name="money"),
    path("<slug:slug>/360giving.json", views.pot_360giving, name="360giving"),
]
