from django.urls import path

from commonground.ballots import views

app_name = "ballots"
urlpatterns = [
    path("", views.ballot_list, name="list"),
    path("new/", views.ballot_create, name="create"),
    path("<int:pk>/", views.ballot_detail, name="detail"),
    path("<int:pk>/offer/", views.offer_history, name="offers"),
    path("<int:pk>/offer/new/", views.offer_add, name="offer-add"),
    path("<int:pk>/roll/", views.roll, name="roll"),
    path("<int:pk>/roll/add/", views.roll_add, name="roll-add"),
    path("<int:pk>/roll/import/", views.roll_import, name="roll-import"),
    path("<int:pk>/roll/mark/", views.mark, name="mark"),
    path("<int:pk>/roll/<int:number>/", views.elector_detail, name="elector"),
    path("<int:pk>/roll/<int:number>/correct/", views.elector_correct, name="elector-correct"),
    path("<int:pk>/roll/<int:number>/challenge/", views.elector_challenge, name="elector-challenge"),
    path("<int:pk>/roll/<int:number>/challenges/<int:challenge_id>/", views.challenge_decide, name="challenge-decide"),
    path("<int:pk>/roll/<int:number>/replace-code/", views.code_replace, name="code-replace"),
    path("<int:pk>/codes/", views.codes_issue, name="codes-issue"),
    path("<int:pk>/papers/", views.batch_enter, name="batch"),
    path("<int:pk>/count/", views.count, name="count"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/voted/", views.voted, name="voted"),
    path("<int:pk>/campaign/", views.campaign, name="campaign"),
    path("<int:pk>/campaign/declare/", views.declare, name="declare"),
    path("<int:pk>/result/", views.result, name="result"),
    path("<int:pk>/report.pdf", views.report_pdf, name="report"),
    path("<int:pk>/receipts/", views.receipts, name="receipts"),
    path("<int:pk>/papers.json", views.papers_json, name="papers-json"),
    path("<int:pk>/papers.csv", views.papers_csv, name="papers-csv"),
]
