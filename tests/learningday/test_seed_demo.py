import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from learningday.models import Membership, Team, User
from logs.models import Entry
from reading.models import Item, Progress

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "users": sorted(User.objects.values_list("email", "password", "display_name", "timezone")),
        "teams": sorted(Team.objects.values_list("slug", "name")),
        "memberships": sorted(Membership.objects.values_list("user__email", "team__slug", "role")),
        "emails": sorted(EmailAddress.objects.values_list("email", "verified", "primary")),
        "finance": sorted(Group.objects.get(name="finance").user_set.values_list("email", flat=True)),
        "entries": sorted(Entry.objects.values_list("author__email", "day", "body", "crowded_out", "visibility")),
        "items": sorted(Item.objects.values_list("title", "status", "position")),
        "progress": sorted(Progress.objects.values_list("user__email", "item__title", "state")),
    }


def test_seed_demo_builds_the_demo_organisation(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(Team.objects.values_list("name", flat=True)) == {"Robotics", "Research", "Applied"}
    assert Membership.objects.get(user__email="member@example.com").team.name == "Robotics"
    assert Membership.objects.get(user__email="manager@example.com").role == "manager"
    assert Membership.objects.get(user__email="other@example.com").team.name == "Research"
    research_manager = Membership.objects.get(user__email="research-manager@example.com")
    assert (research_manager.team.name, research_manager.role) == ("Research", "manager")
    assert User.objects.get(email="finance@example.com").is_finance
    leadership = User.objects.get(email="leadership@example.com")
    assert leadership.is_leadership and not leadership.is_finance
    assert not leadership.memberships.exists()
    assert User.objects.get(email="admin@example.com").is_superuser
    assert 10 <= Membership.objects.filter(role="member").count() <= 14
    for team in Team.objects.all():
        assert team.memberships.filter(role="manager").count() == 1
    member = User.objects.get(email="member@example.com")
    assert member.check_password(settings.DEMO_PASSWORD)


def test_seed_demo_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == first


def test_seed_demo_fills_the_log_and_the_reading_lists(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    member = User.objects.get(email="member@example.com")
    # Twelve weeks of Learning Days, the demo member with one gap.
    assert Entry.objects.filter(author=member).count() >= 11
    assert Entry.objects.filter(crowded_out=True).exists()
    assert any(not e.on_learning_day for e in Entry.objects.all())
    assert Item.objects.filter(
        title="Weight Agnostic Neural Networks", team__slug="robotics", status="curated"
    ).exists()
    assert Item.objects.filter(status="suggested").count() >= 2
    assert Item.objects.filter(kind="book", team__isnull=True).count() >= 10
    assert Progress.objects.filter(user=member).exists()


def test_seed_demo_refuses_to_run_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo")
    assert not User.objects.exists()
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert User.objects.filter(email="member@example.com").exists()


def test_demo_member_signs_in_with_the_demo_password(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    response = client.post("/accounts/login/", {"login": "member@example.com", "password": "learn-every-thursday"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
