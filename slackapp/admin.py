from django.contrib import admin

from slackapp import services
from slackapp.models import SlackAccount, TeamChannel


@admin.register(SlackAccount)
class SlackAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "slack_user_id", "slack_team_id", "connected_at"]
    search_fields = ["user__email", "slack_user_id"]
    raw_id_fields = ["user"]


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
