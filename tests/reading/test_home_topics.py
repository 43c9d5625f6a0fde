"""A team's home topics: its managers tick them; nobody else changes them."""

import re

import pytest

from reading.models import Topic
from reading.services import ReadingError, team_home_topics_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def robotics_topic(db):
    return Topic.objects.create(name="Robotics", slug="robotics", keywords="kinematics")


def test_a_manager_ticks_the_teams_home_topics(client, manager, team, robotics_topic):
    maths = Topic.objects.get(slug="maths-and-statistics")
    client.force_login(manager)
    body = client.get(f"/reading/teams/{team.slug}/topics/").content.decode()
    assert "<h1>Home topics of Robotics</h1>" in body
    assert re.search(r'<input type="checkbox" name="topics" value="\d+"[^>]*>\s*Robotics</label>', body)

    response = client.post(
        f"/reading/teams/{team.slug}/topics/", {"topics": [robotics_topic.pk, maths.pk]}, follow=True
    )
    assert "Home topics of Robotics: Maths and statistics, Robotics." in response.content.decode()
    assert set(team.home_topics.all()) == {robotics_topic, maths}
    body = response.content.decode()
    assert re.search(rf'value="{robotics_topic.pk}"[^>]*checked', body)

    client.post(f"/reading/teams/{team.slug}/topics/", {"topics": [maths.pk]})
    assert list(team.home_topics.all()) == [maths]


def test_the_participation_page_leads_its_manager_there(client, manager, team):
    client.force_login(manager)
    body = client.get("/logs/participation/?team=robotics").content.decode()
    assert f'href="/reading/teams/{team.slug}/topics/">Home topics</a>' in body


def test_a_member_cannot_set_home_topics_by_any_path(client, member, team, robotics_topic):
    client.force_login(member)
    assert client.post(f"/reading/teams/{team.slug}/topics/", {"topics": [robotics_topic.pk]}).status_code == 403
    with pytest.raises(ReadingError, match="Only the team's managers"):
        team_home_topics_set(user=member, team=team, topics=[robotics_topic])
    assert not team.home_topics.exists()


def test_a_manager_of_another_team_does_not_see_the_page(client, team, other_team, outsider):
    from learningday.models import Membership

    Membership.objects.filter(user=outsider).update(role=Membership.Role.MANAGER)
    client.force_login(outsider)
    assert client.get(f"/reading/teams/{team.slug}/topics/").status_code == 404
    assert client.get(f"/reading/teams/{other_team.slug}/topics/").status_code == 200


def test_admins_edit_a_topics_keywords(client, staff_user, robotics_topic):
    client.force_login(staff_user)
    body = client.get(f"/admin/reading/topic/{robotics_topic.pk}/change/").content.decode()
    assert re.search(r'<textarea name="keywords"[^>]*>\s*kinematics</textarea>', body)
    response = client.post(
        f"/admin/reading/topic/{robotics_topic.pk}/change/",
        {"name": "Robotics", "slug": "robotics", "keywords": "kinematics\nrobot arm, SLAM", "home_teams": []},
    )
    assert response.status_code == 302
    robotics_topic.refresh_from_db()
    assert robotics_topic.keyword_list == ["kinematics", "robot arm", "SLAM"]
