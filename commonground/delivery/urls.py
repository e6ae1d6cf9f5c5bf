from django.urls import path

from commonground.delivery import views

app_name = "delivery"
urlpatterns = [
    path("", views.record_list, name="list"),
    path("<int:pk>/", views.record_detail, name="detail"),
    path("<int:pk>/update/", views.post_update, name="update"),
    path("<int:pk>/milestones/new/", views.add_milestone, name="milestone"),
    path("<int:pk>/milestones/<int:milestone>/done/", views.milestone_done, name="milestone-done"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
