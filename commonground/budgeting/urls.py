from django.urls import path

from commonground.budgeting import application_views, ballot_views, views

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
    path("<slug:slug>/vote/", ballot_views.vote, name="vote"),
    path("<slug:slug>/vote/change/", ballot_views.change_vote, name="change"),
    path("<slug:slug>/kiosk/", ballot_views.kiosk, name="kiosk"),
    path("<slug:slug>/kiosk/start/", ballot_views.kiosk_start, name="kiosk-start"),
    path("<slug:slug>/turnout.json", ballot_views.turnout_json, name="turnout"),
    path("<slug:slug>/codes/", ballot_views.codes, name="codes"),
    path("<slug:slug>/roll/", ballot_views.roll, name="roll"),
    path("<slug:slug>/paper/", ballot_views.paper_entry, name="paper"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results.pb", views.results_pb, name="results-pb"),
    path("<slug:slug>/results.csv", views.results_csv, name="results-csv"),
    path("<slug:slug>/voters-profile.csv", views.results_profile_csv, name="results-profile-csv"),
    path("<slug:slug>/ring-fences.toml", views.results_fences, name="results-fences"),
    path("<slug:slug>/ring-fences/", application_views.ring_fences, name="fences"),
    path("<slug:slug>/criteria/", application_views.criteria, name="criteria"),
    path("<slug:slug>/panel/", application_views.panel, name="panel"),
    path("<slug:slug>/panel/<int:pk>/remove/", application_views.panel_remove, name="panel-remove"),
    path("<slug:slug>/money/", application_views.draw, name="draw"),
    path("<slug:slug>/scoring/", application_views.scoring_home, name="scoring"),
    path("<slug:slug>/scoring/<int:pk>/", application_views.score, name="score"),
    path("<slug:slug>/scoring/<int:pk>/interest/", application_views.declare, name="declare"),
    path("<slug:slug>/moderation/", application_views.moderation, name="moderation"),
    path("<slug:slug>/scores/", application_views.scores, name="scores"),
]
