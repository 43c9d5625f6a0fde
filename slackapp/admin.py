from django.contrib import admin

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
