from django.urls import path

from commonground.budgeting import views

app_name = "budgeting"
urlpatterns = [
    path("", views.process_list, name="list"),
    path("new/", views.process_create, name="create"),
    path("<slug:slug>/", views.process_detail, name="detail"),
    path("<slug:slug>/advance/", views.advance, name="advance"),
    path("<slug:slug>/propose/", views.propose, name="propose"),
    path("<slug:slug>/proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("<slug:slug>/proposals/<int:pk>/review/", views.review, name="review"),
    path("<slug:slug>/proposals/<int:pk>/delivery/", views.delivery, name="delivery"),
    path("<slug:slug>/vote/", views.vote, name="vote"),
    path("<slug:slug>/vote/change/", views.change_vote, name="change"),
    path("<slug:slug>/kiosk/", views.kiosk, name="kiosk"),
    path("<slug:slug>/kiosk/start/", views.kiosk_start, name="kiosk-start"),
    path("<slug:slug>/turnout.json", views.turnout_json, name="turnout"),
    path("<slug:slug>/codes/", views.codes, name="codes"),
    path("<slug:slug>/roll/", views.roll, name="roll"),
    path("<slug:slug>/paper/", views.paper_entry, name="paper"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results.pb", views.results_pb, name="results-pb"),
    path("<slug:slug>/results.csv", views.results_csv, name="results-csv"),
    path("<slug:slug>/voters-profile.csv", views.results_profile_csv, name="results-profile-csv"),
]
