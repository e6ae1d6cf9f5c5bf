from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from commonground.accounts import views
from commonground.accounts.permissions import public, requires
from commonground.accounts.roles import Capability

app_name = "accounts"
urlpatterns = [
    path("sign-up/", views.sign_up, name="sign-up"),
    path("sign-up/sent/", views.sign_up_sent, name="sign-up-sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("sign-in/", public(views.SignInView.as_view()), name="sign-in"),
    path("sign-out/", public(auth_views.LogoutView.as_view()), name="sign-out"),
    path("", views.account, name="account"),
    path("todo/", views.todo, name="todo"),
    path(
        "password/",
        requires(Capability.USE_ACCOUNT)(
            views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:account"))
        ),
        name="password-change",
    ),
    path(
        "password-reset/",
        public(
            auth_views.PasswordResetView.as_view(
                template_name="accounts/password_reset.html",
                success_url=reverse_lazy("accounts:password-reset-done"),
                email_template_name="accounts/password_reset_email.txt",
                subject_template_name="accounts/password_reset_subject.txt",
            )
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        public(auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html")),
        name="password-reset-done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        public(views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password-reset-complete"))),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/",
        public(auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html")),
        name="password-reset-complete",
    ),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/roles/", views.person_roles, name="person-roles"),
]
