"""The Django admin for people, teams and memberships: search and filters work."""

import pytest
from django.db import IntegrityError, transaction

from learningday.models import Membership, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, staff_user):
    client.force_login(staff_user)
    return client


def rows(response) -> list[str]:
    return [str(obj) for obj in response.context["cl"].result_list]


def test_user_search_finds_by_email_and_name(admin_client, member, manager, outsider):
    assert rows(admin_client.get("/admin/learningday/user/", {"q": "olivia"})) == ["Olivia Outsider"]
    assert rows(admin_client.get("/admin/learningday/user/", {"q": "manager@"})) == ["Maja Manager"]


def test_user_filters_by_team_role_and_group(admin_client, member, manager, outsider, finance_user, team):
    by_role = admin_client.get("/admin/learningday/user/", {"memberships__role": "manager"})
    assert rows(by_role) == ["Maja Manager"]
    by_team = admin_client.get("/admin/learningday/user/", {"memberships__team__id__exact": team.pk})
    assert sorted(rows(by_team)) == ["Maja Manager", "Tom Member"]
    finance = finance_user.groups.get()
    assert rows(admin_client.get("/admin/learningday/user/", {"groups__id__exact": finance.pk})) == ["Fiona Finance"]


def test_team_list_counts_members_and_searches(admin_client, member, manager, outsider):
    response = admin_client.get("/admin/learningday/team/", {"q": "robot"})
    assert rows(response) == ["Robotics"]
    assert response.context["cl"].result_list[0].member_total == 2


def test_membership_filters_by_role_and_team(admin_client, member, manager, outsider, other_team):
    response = admin_client.get(
        "/admin/learningday/membership/", {"role__exact": "member", "team__id__exact": other_team.pk}
    )
    assert rows(response) == ["Olivia Outsider in Research (member)"]


def test_admin_adds_a_person_by_email_and_puts_them_in_a_team(admin_client, team):
    response = admin_client.post(
        "/admin/learningday/user/add/",
        {
            "email": "New.Person@Example.com",
            "usable_password": "false",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-team": team.pk,
            "memberships-0-role": "member",
            "memberships-0-joined_at_0": "2026-11-24",
            "memberships-0-joined_at_1": "09:00:00",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(email="new.person@example.com")
    assert not person.has_usable_password()  # invite only: they set one through "Forgot your password?"
    assert rows(admin_client.get("/admin/learningday/membership/", {"q": "new.person"})) == [
        f"{person} in Robotics (member)"
    ]


def test_a_person_cannot_be_in_a_team_twice(member, team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=member, team=team, role=Membership.Role.MANAGER)


def test_emails_are_unique_whatever_their_case(member):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_create([User(email="MEMBER@example.com")])


def test_a_slack_webhook_must_be_slacks_https_address(team):
    from django.core.exceptions import ValidationError

    for bad in ("http://hooks.slack.com/services/T/B/X", "https://intranet.internal/services/T/B/X"):
        team.slack_webhook_url = bad
        with pytest.raises(ValidationError):
            team.full_clean()
    team.slack_webhook_url = "https://hooks.slack.com/services/T000/B000/XXXX"
    team.full_clean()
