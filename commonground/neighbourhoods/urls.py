from django.urls import path

from commonground.neighbourhoods import board_views, plan_views, verification_views, views

app_name = "neighbourhoods"
urlpatterns = [
    path("", views.neighbourhood_list, name="list"),
    path("new/", views.neighbourhood_create, name="create"),
    path("<slug:slug>/", views.neighbourhood_detail, name="detail"),
    # Its body
    path("<slug:slug>/board/", board_views.board_page, name="board"),
    path("<slug:slug>/board/edit/", board_views.board_edit, name="board-edit"),
    path("<slug:slug>/board/approval/", board_views.board_approval, name="board-approval"),
    path("<slug:slug>/board/publish/", board_views.board_publish, name="board-publish"),
    path("<slug:slug>/board/members/new/", board_views.member_edit, name="member-new"),
    path("<slug:slug>/board/members/<int:pk>/", board_views.member_edit, name="member-edit"),
    path("<slug:slug>/board/members/<int:pk>/interests/new/", board_views.interest_new, name="interest-new"),
    path("<slug:slug>/meetings/new/", board_views.meeting_edit, name="meeting-new"),
    path("<slug:slug>/meetings/<int:pk>/", board_views.meeting_page, name="meeting"),
    path("<slug:slug>/meetings/<int:pk>/edit/", board_views.meeting_edit, name="meeting-edit"),
    path("<slug:slug>/meetings/<int:pk>/publish/", board_views.meeting_publish, name="meeting-publish"),
    path("<slug:slug>/meetings/<int:pk>/papers/new/", board_views.paper_new, name="paper-new"),
    path("<slug:slug>/meetings/<int:pk>/papers/<int:paper_pk>/", board_views.paper, name="paper"),
    path(
        "<slug:slug>/meetings/<int:pk>/papers/<int:paper_pk>/remove/", board_views.paper_remove, name="paper-remove"
    ),  # fmt: skip
    path("<slug:slug>/meetings/<int:pk>/decisions/new/", board_views.decision_edit, name="decision-new"),
    path("<slug:slug>/meetings/<int:pk>/decisions/<int:number>/", board_views.decision_edit, name="decision-edit"),
    path("<slug:slug>/meetings/<int:pk>/decisions/<int:number>/votes/", board_views.votes, name="votes"),
    # Its plan
    path("<slug:slug>/plan/", plan_views.plan_page, name="plan"),
    path("<slug:slug>/plan.pdf", plan_views.plan_pdf, name="plan-pdf-latest"),
    path("<slug:slug>/plan/<int:version>/", plan_views.plan_page, name="plan-version"),
    path("<slug:slug>/plan/<int:version>.pdf", plan_views.plan_pdf, name="plan-pdf"),
    path("<slug:slug>/plan/manage/", plan_views.plan_manage, name="plan-manage"),
    path("<slug:slug>/plan/vision/", plan_views.plan_vision, name="plan-vision"),
    path("<slug:slug>/plan/objectives/new/", plan_views.objective_edit, name="objective-new"),
    path("<slug:slug>/plan/objectives/<int:ref>/", plan_views.objective_edit, name="objective-edit"),
    path("<slug:slug>/plan/objectives/<int:ref>/remove/", plan_views.objective_remove, name="objective-remove"),
    path("<slug:slug>/plan/investment/new/", plan_views.investment_new, name="investment-new"),
    path("<slug:slug>/plan/investment/<int:pk>/remove/", plan_views.investment_remove, name="investment-remove"),
    path("<slug:slug>/plan/approve/", plan_views.plan_approve, name="plan-approve"),
    path("<slug:slug>/plan/publish/", plan_views.plan_publish, name="plan-publish"),
    path("<slug:slug>/engagement/", plan_views.engagement, name="engagement"),
    path("<slug:slug>/engagement/new/", plan_views.event_edit, name="event-new"),
    path("<slug:slug>/engagement/<int:pk>/", plan_views.event_edit, name="event-edit"),
    # Its verified residents
    path("<slug:slug>/verify/", verification_views.verify, name="verify"),
    path("<slug:slug>/verification/", verification_views.verification_queue, name="verification"),
    path("<slug:slug>/verification/<int:pk>/", verification_views.verification_decide, name="verification-decide"),
]
