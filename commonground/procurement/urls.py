from django.urls import path

from commonground.procurement import views

app_name = "procurement"
urlpatterns = [
    path("", views.tender_list, name="list"),
    path("missions/", views.missions, name="missions"),
    path("new/", views.create, name="create"),
    path("<str:reference>/", views.tender, name="tender"),
    path("<str:reference>/weights/", views.weights, name="weights"),
    path("<str:reference>/criteria/new/", views.add_criterion, name="add-criterion"),
    path("<str:reference>/criteria/<int:pk>/remove/", views.remove_criterion, name="remove-criterion"),
    path("<str:reference>/bids/new/", views.add_bid, name="add-bid"),
    path("<str:reference>/evaluators/new/", views.add_evaluator, name="add-evaluator"),
    path("<str:reference>/start/", views.start, name="start"),
    path("<str:reference>/score/", views.score, name="score"),
    path("<str:reference>/moderate/", views.moderate, name="moderate"),
    path("<str:reference>/award/", views.award, name="award"),
    path("<str:reference>/commitments/new/", views.add_commitment, name="add-commitment"),
    path("<str:reference>/commitments/<int:pk>/delivery/", views.add_delivery, name="add-delivery"),
]
