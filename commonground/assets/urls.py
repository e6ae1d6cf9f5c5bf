from django.urls import path

from commonground.assets import views

app_name = "assets"
urlpatterns = [
    path("", views.register, name="register"),
    path("register.csv", views.register_csv, name="csv"),
    path("register.geojson", views.register_geojson, name="geojson"),
    path("unsuccessful/", views.unsuccessful, name="unsuccessful"),
    path("nominate/", views.nominate, name="nominate"),
    path("outbox/", views.outbox, name="outbox"),
    path("ownership/", views.ownership_search, name="ownership"),
    path("ownership/import/", views.ownership_import, name="ownership-import"),
    path("buyout/", views.buyout_list, name="buyout-list"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
    path("<int:pk>/", views.asset_detail, name="detail"),
    path("<int:pk>/bid/", views.bid, name="bid"),
    path("<int:pk>/bid/record/", views.late_bid, name="record-bid"),
    path("<int:pk>/decide/", views.decide, name="decide"),
    path("<int:pk>/disposal/", views.disposal, name="disposal"),
    path("<int:pk>/step/", views.step, name="step"),
    path("<int:pk>/sale/", views.sale, name="sale"),
    path("<int:pk>/buyout/", views.buyout_apply, name="buyout"),
    path("<int:pk>/ruleset/", views.ruleset, name="ruleset"),
    path("<int:pk>/vacancy/", views.vacancy, name="vacancy"),
]
