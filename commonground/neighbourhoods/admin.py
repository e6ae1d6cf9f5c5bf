"""Site admins keep the published lists a plan chooses from (changes through the admin are audit-logged)."""

from django.contrib import admin

from commonground.neighbourhoods.models import InterventionTheme, StrategicObjective


@admin.register(StrategicObjective)
class StrategicObjectiveAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "order")


@admin.register(InterventionTheme)
class InterventionThemeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_active", "order")
    list_filter = ("is_active",)
