from django.contrib import admin

from logs.models import Away, Entry, EntryTopic


class EntryTopicInline(admin.TabularInline):
    model = EntryTopic
    extra = 0
    fields = ["topic", "source"]


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    inlines = [EntryTopicInline]
    list_display = ["day", "author", "category", "hours", "crowded_out", "visibility", "created_at"]
    list_filter = ["category", "visibility", "crowded_out", "day", "topics", "author__memberships__team"]
    search_fields = ["body", "author__email", "author__display_name"]
    date_hierarchy = "day"
    list_select_related = ["author"]
    raw_id_fields = ["author"]
    readonly_fields = ["body_html", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()


@admin.register(Away)
class AwayAdmin(admin.ModelAdmin):
    list_display = ["user", "start", "end", "note"]
    search_fields = ["user__email", "user__display_name", "note"]
    date_hierarchy = "start"
    list_select_related = ["user"]
    raw_id_fields = ["user"]
