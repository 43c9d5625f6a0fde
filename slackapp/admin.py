from django.contrib import admin

from slackapp import services
from slackapp.models import SlackAccount, TeamChannel


@admin.register(SlackAccount)
class SlackAccountAdmin(admin.ModelAdmin):
    """Who is connected, to look up or disconnect: people connect themselves (Slack's verified
    email, or their own connect link), never by an admin's hand."""

    list_display = ["user", "slack_user_id", "slack_team_id", "connected_at"]
    search_fields = ["user__email", "slack_user_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    # Through the service: the person's reminders come back to email.
    def delete_model(self, request, obj: SlackAccount) -> None:
        services.account_disconnect(user=obj.user)

    def delete_queryset(self, request, queryset) -> None:
        for account in queryset.select_related("user"):
            services.account_disconnect(user=account.user)


@admin.register(TeamChannel)
class TeamChannelAdmin(admin.ModelAdmin):
    list_display = ["team", "channel_name", "channel_id", "set_by", "updated_at"]
    raw_id_fields = ["set_by"]
    readonly_fields = ["set_by"]

    def save_model(self, request, obj, form, change):
        # Through the service, as the team's page does: it also turns the team's webhook off.
        if change and "team" in form.changed_data:
            TeamChannel.objects.filter(pk=obj.pk).delete()
        saved = services.team_channel_set(
            user=request.user, team=obj.team, channel_id=obj.channel_id, channel_name=obj.channel_name
        )
        obj.pk = saved.pk if saved is not None else obj.pk
