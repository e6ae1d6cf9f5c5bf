from django.urls import path

from commonground.fund import views

app_name = "fund"
urlpatterns = [
    path("", views.fund_list, name="list"),
    path("new/", views.fund_create, name="create"),
    path("<slug:slug>/", views.fund_detail, name="detail"),
    path("<slug:slug>/preview/", views.fund_preview, name="preview"),
    path("<slug:slug>/preview.geojson", views.fund_preview_geojson, name="preview-geojson"),
    path("<slug:slug>/commit/", views.fund_commit, name="commit"),
    path("<slug:slug>/360giving.json", views.fund_360giving, name="360giving"),
    path("<slug:slug>/awards.csv", views.fund_csv, name="csv"),
    path("<slug:slug>/eligible.csv", views.fund_eligible_csv, name="eligible-csv"),
    path("<slug:slug>/awards.geojson", views.fund_geojson, name="geojson"),
    path("<slug:slug>/awards/<str:code>/", views.award_detail, name="award"),
    path("<slug:slug>/awards/<str:code>/record/", views.record_disbursement, name="record"),
    path("<slug:slug>/awards/<str:code>/plan/", views.plan_edit, name="plan"),
    path("priorities/<int:pk>/", views.priority_status, name="priority-status"),
]
