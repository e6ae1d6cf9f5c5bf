"""Account forms; each error message says what to do, as the GOV.UK error message pattern asks."""

from __future__ import annotations

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from commonground.accounts import services
from commonground.accounts.models import User
from commonground.accounts.roles import ROLE_LABELS, Role
from commonground.accounts.scopes import label
from commonground.core.forms import LineField


class SignUpForm(forms.Form):
    full_name = LineField(
        label="Full name",
        max_length=200,
        error_messages={"required": "Enter your full name"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label="Email address",
        help_text="We will only use this to send you messages about your account.",
        error_messages={
            "required": "Enter your email address",
            "invalid": "Enter an email address in the correct format, like name@example.com",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    password1 = forms.CharField(
        label="Create a password",
        help_text="Use at least 10 characters. Avoid common words and passwords you use elsewhere.",
        strip=False,
        max_length=1000,
        error_messages={"required": "Enter a password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        max_length=1000,
        error_messages={"required": "Enter your password again"},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # Never says whether the address has an account (issue 19): the email to it does.
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict:
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "Passwords do not match")
        elif p1:
            probe = User(email=data.get("email") or "", full_name=data.get("full_name") or "")
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ThrottledSignIn:
    """Checks the password through services.sign_in, so every sign-in form (this site's and the
    Django admin's) counts failures against the same limits."""

    locked: services.SignInLocked | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password"].max_length = 1000  # hashing a megabyte-long "password" is work for nothing
        self.fields["password"].validators.append(MaxLengthValidator(1000))

    def clean(self) -> dict:
        email, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if email is not None and password:
            try:
                self.user_cache = services.sign_in(self.request, email, password)
            except services.SignInLocked as exc:
                self.locked = exc
                raise forms.ValidationError(str(exc), code="locked") from None
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AdminSignInForm(ThrottledSignIn, AdminAuthenticationForm):
    pass


class SignInForm(ThrottledSignIn, AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct email address and password. Both are case-sensitive.",
        "inactive": "This account has been closed.",
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email address"
        self.fields["username"].error_messages["required"] = "Enter your email address"
        self.fields["password"].error_messages["required"] = "Enter your password"


class RolesForm(forms.Form):
    scope = forms.ChoiceField(label="Where the roles are held", widget=forms.RadioSelect)
    roles = forms.MultipleChoiceField(
        label="Roles",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everyone who signs up is a resident; that role cannot be removed.",
    )

    def __init__(self, *args, grantable: dict[str, frozenset[Role]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.grantable = grantable
        self.fields["scope"].choices = [(scope, label(scope).capitalize()) for scope in grantable]
        offered = frozenset().union(*grantable.values()) if grantable else frozenset()
        self.fields["roles"].choices = [
            (r.value, ROLE_LABELS[r]) for r in Role if r in offered and r is not Role.RESIDENT
        ]

    def clean(self):
        data = super().clean()
        scope, roles = data.get("scope"), {Role(r) for r in data.get("roles", [])}
        if scope and roles - self.grantable.get(scope, frozenset()):
            names = ", ".join(sorted(ROLE_LABELS[r] for r in roles - self.grantable[scope]))
            self.add_error("roles", f"You cannot grant {names} for {label(scope)}")
        return data


class PeopleSearchForm(forms.Form):
    q = LineField(label="Search by name or email", required=False, max_length=200)
