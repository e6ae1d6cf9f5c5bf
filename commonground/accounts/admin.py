from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from commonground.accounts.forms import AdminSignInForm
from commonground.accounts.models import RoleGrant, User

admin.site.login_form = AdminSignInForm  # the admin's sign-in is throttled like the site's


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "full_name", "is_staff", "is_active", "date_joined")
    search_fields = ("email", "full_name")
    inlines = [RoleGrantInline]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),)
