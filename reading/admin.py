"""The reading list in the admin: items are edited here, but they are curated, rejected and
placed on the list only through the same service functions as the site."""

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from learningday.admin import act_on_each
from reading import services
from reading.models import Endorsement, Item, Progress, Topic


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "keywords"]
    search_fields = ["name", "keywords"]
    fields = ["name", "slug", "keywords", "home_teams"]
    filter_horizontal = ["home_teams"]
    prepopulated_fields = {"slug": ["name"]}


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why not?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="The person who suggested it sees this.",
    )


class ItemAdminForm(forms.ModelForm):
    """The item's details; one identifier or link per list, as the site holds it (not a 500)."""

    class Meta:
        model = Item
        # The admin leaves out its read-only ones (status, position, who curated).
        fields = ["kind", "title", "authors", "year", "url", "arxiv_id", "doi", "isbn", "topic", "why", "team"]
        fields += ["status", "rejection_reason", "suggested_by", "curated_by", "curated_at", "position"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.status == Item.Status.REJECTED:
            return cleaned  # a rejected item holds no place on its list
        team = cleaned["team"] if "team" in self.fields else self.instance.team
        data = services.ItemData(
            kind=cleaned.get("kind") or self.instance.kind,
            title=cleaned.get("title") or self.instance.title,
            team=team,
            **{name: cleaned.get(name) or "" for name in ("url", "arxiv_id", "doi", "isbn")},
        )
        duplicate = services.find_duplicate(data, exclude=self.instance if self.instance.pk else None)
        if duplicate is not None:
            raise forms.ValidationError(
                f"“{duplicate.title}” (#{duplicate.pk}) is on this list with the same identifier or link."
            )
        return cleaned


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    form = ItemAdminForm
    list_display = ["title", "kind", "team", "topic", "status", "position", "suggested_by", "created_at"]
    list_filter = ["status", "kind", "team", "topic"]
    search_fields = ["title", "authors", "arxiv_id", "doi", "isbn", "url"]
    list_select_related = ["team", "topic", "suggested_by"]
    raw_id_fields = ["suggested_by"]
    actions = ["curate", "reject"]
    # Where an item stands on its list changes only through the services (the actions below).
    readonly_fields = [
        "status",
        "rejection_reason",
        "curated_by",
        "curated_at",
        "position",
        "created_at",
        "updated_at",
    ]

    def get_readonly_fields(self, request, obj=None):
        # An item moves to another list on the site (item_update puts it at the bottom there).
        return [*self.readonly_fields, "team"] if obj is not None else self.readonly_fields

    @admin.action(description="Curate selected suggestions (to the bottom of their list)")
    def curate(self, request, queryset):
        act_on_each(self, request, queryset, action=services.item_curate, error=services.ReadingError, done="Curated")

    @admin.action(description="Reject selected suggestions, with a reason…")
    def reject(self, request, queryset):
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            act_on_each(
                self,
                request,
                queryset,
                action=services.item_reject,
                error=services.ReadingError,
                done="Rejected",
                reason=form.cleaned_data["reason"],
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Why are these suggestions not taken?",
            "opts": self.model._meta,
            "items": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reading/item/reject.html", context)


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
