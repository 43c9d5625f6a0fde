from django.contrib import admin

from reading.models import Endorsement, Item, Progress, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "team", "topic", "status", "position", "suggested_by", "created_at"]
    list_filter = ["status", "kind", "team", "topic"]
    search_fields = ["title", "authors", "arxiv_id", "doi", "isbn", "url"]
    list_select_related = ["team", "topic", "suggested_by"]
    raw_id_fields = ["suggested_by", "curated_by"]
    readonly_fields = ["created_at", "updated_at", "curated_at"]


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "state", "finished_on", "updated_at"]
    list_filter = ["state"]
    search_fields = ["user__email", "item__title"]
    list_select_related = ["user", "item"]
    raw_id_fields = ["user", "item"]


@admin.register(Endorsement)
class EndorsementAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "created_at"]
    search_fields = ["user__email", "item__title"]
    list_select_related = ["user", "item"]
    raw_id_fields = ["user", "item"]
