"""People who use Common Ground, signed in by email address, and the roles they hold."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

from commonground.accounts.roles import Role
from commonground.accounts.scopes import SITE, Grant


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        RoleGrant.objects.get_or_create(user=user, role=Role.RESIDENT)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        user = self.create_user(email, password, **extra)
        RoleGrant.objects.get_or_create(user=user, role=Role.SITE_ADMIN)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("Email address", unique=True)
    full_name = models.CharField("Full name", max_length=200)
    is_staff = models.BooleanField(default=False, help_text="Can sign in to the Django admin.")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email

    def audit_label(self) -> str:
        """How the audit log names this person: by account number, never by name or email."""
        return f"account {self.pk}"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def grants(self) -> tuple[Grant, ...]:
        """Roles held with where each is held, cached on the instance for the length of a request."""
        if not hasattr(self, "_grants_cache"):
            rows = self.role_grants.values_list("role", "scope", "councils")
            self._grants_cache = tuple(
                Grant(role, scope, frozenset(c for c in councils.split(",") if c)) for role, scope, councils in rows
            )
        return self._grants_cache

    @property
    def roles(self) -> frozenset[Role]:
        """Roles held anywhere (the site, a council or a neighbourhood)."""
        return frozenset(Role(g.role) for g in self.grants)

    def forget_grants(self) -> None:
        self.__dict__.pop("_grants_cache", None)

    def has_role(self, role: Role) -> bool:
        return role in self.roles


class RoleGrant(models.Model):
    """One role held by one person in one scope; granting and revoking are audit-logged."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=[(r.value, r.label) for r in Role])
    scope = models.CharField(max_length=80, default=SITE, help_text='"site", "council:GSS" or "neighbourhood:SLUG".')
    councils = models.CharField(max_length=200, blank=True, help_text="A neighbourhood's councils (GSS codes).")
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role", "scope"], name="one_grant_per_role_and_scope")]
        ordering = ["user", "role", "scope"]

    def __str__(self) -> str:
        return f"{self.user} is {Role(self.role).label} ({self.scope})"
