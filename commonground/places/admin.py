from django.contrib import admin

from commonground.places.models import Area, AreaType, DataSet, Measure


@admin.register(AreaType)
class AreaTypeAdmin(admin.ModelAdmin):
    list_display = ("code", "level", "name")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "area_type", "population", "is_demo")
    list_filter = ("area_type", "is_demo")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)


@admin.register(DataSet)
class DataSetAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "licence", "release_date", "is_demo")


@admin.register(Measure)
class MeasureAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "dataset", "unit", "direction")
    list_filter = ("dataset",)
