from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from learningday.models import Holiday, Membership, OutboxMessage, Team, User


def act_on_each(model_admin, request, objects, *, action, error: type[Exception], done: str, **kwargs) -> None:
    """An admin action that calls a service once per selected object, as the site does: each
    refusal (``error``, the app's domain error) is shown beside its object, then how many went."""
    ok = 0
    for obj in objects:
        try:
            action(user=request.user, **{obj._meta.model_name: obj}, **kwargs)
        except error as refusal:
            model_admin.message_user(
                request, f"{obj._meta.verbose_name.capitalize()} #{obj.pk}: {refusal}", messages.ERROR
            )
        else:
            ok += 1
    if ok:
        noun = obj._meta.verbose_name if ok == 1 else obj._meta.verbose_name_plural
        model_admin.message_user(request, f"{done} {ok} {noun}.", messages.SUCCESS)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user", "team"]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "display_name", "timezone", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser", "groups", "memberships__team", "memberships__role"]
    search_fields = ["email", "display_name"]
    readonly_fields = ["last_login", "date_joined"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["display_name", "timezone"]}),
        (_("Reminders"), {"fields": ["remind_morning", "remind_nudge", "receive_digest"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "member_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    @admin.display(description=_("members"))
    def member_count(self, obj: Team) -> int:
        return obj.member_total

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships"))


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "joined_at"]
    list_filter = ["role", "team"]
    search_fields = ["user__email", "user__display_name", "team__name"]
    autocomplete_fields = ["user", "team"]
    list_select_related = ["user", "team"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name"]
    search_fields = ["name"]
    date_hierarchy = "date"


class OutboxStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return OutboxMessage.State.choices

    def queryset(self, request, queryset):
        if self.value() in OutboxMessage.State.values:
            return queryset.filter(OutboxMessage.in_state(self.value()))
        return queryset


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """What was sent to whom, and what failed: read-only; the outbox alone writes these."""

    list_display = ["created_at", "kind", "key", "recipient", "channel", "state_label", "attempts", "sent_at", "error"]
    list_filter = ["kind", OutboxStateFilter, "channel"]
    search_fields = ["user__email", "user__display_name", "team__name", "team__slug", "key"]
    list_select_related = ["user", "team"]
    show_full_result_count = False  # no second COUNT over a large table

    @admin.display(description=_("recipient"))
    def recipient(self, obj: OutboxMessage) -> str:
        return str(obj.user or obj.team)

    @admin.display(description=_("state"))
    def state_label(self, obj: OutboxMessage) -> str:
        return OutboxMessage.State(obj.state).label

    @admin.display(description=_("last error"))
    def error(self, obj: OutboxMessage) -> str:
        return obj.last_error[:120]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
