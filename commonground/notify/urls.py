from django.urls import path

from commonground.notify import views

app_name = "notify"
urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("letters/", views.letters, name="letters"),
    path("following/", views.following, name="following"),
    path("follow/", views.follow, name="follow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
