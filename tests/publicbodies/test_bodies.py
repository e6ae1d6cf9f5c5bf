"""Public bodies: who acts for them (named accounts, officers of the councils they serve), scoped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.accounts.models import RoleGrant
from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.publicbodies import services
from commonground.publicbodies.models import PublicBody

COUNCIL = "X09000001"


@pytest.fixture
def officer(make_user, demo):
    user = make_user("officer@example.org")
    RoleGrant.objects.create(user=user, role=Role.COUNCIL_OFFICER, scope=f"council:{COUNCIL}")
    return user


def test_officers_record_bodies_in_their_council_and_name_who_acts_for_them(client, officer, make_user):
    client.force_login(officer)
    refused = client.post(reverse("publicbodies:create"), {"name": "Far NHS Trust", "kind": "nhs",
                                                           "councils": "E08000011"})  # fmt: skip
    assert b"only for councils you work for" in refused.content
    made = client.post(reverse("publicbodies:create"), {"name": "Demo Community Health NHS Trust", "kind": "nhs",
                                                        "code": "rxx", "councils": COUNCIL})  # fmt: skip
    trust = PublicBody.objects.get(code="RXX")
    assert made.status_code == 302 and made.url == trust.get_absolute_url()
    nurse = make_user("nurse@example.org")
    assert not services.acts_for(nurse, trust)
    client.post(reverse("publicbodies:members", args=[trust.slug]), {"email": "NURSE@example.org"})
    assert services.acts_for(nurse, trust) and services.bodies_for(nurse) == [trust]
    assert services.acts_for(officer, trust)  # officer of the council it serves
    log = AuditRecord.objects.get(action="publicbodies.add_member")
    assert log.after == {"member": f"account {nurse.pk}"} and "nurse" not in str(log.as_chain_dict())
    client.force_login(make_user("stranger@example.org"))
    assert client.get(reverse("publicbodies:members", args=[trust.slug])).status_code == 403
    assert client.get(reverse("publicbodies:detail", args=[trust.slug])).status_code == 200
    assert client.get(reverse("publicbodies:list")).status_code == 200
    assert client.get("/api/bodies").json()[0]["code"] == "RXX"


def test_a_councils_body_is_recorded_when_first_chosen(officer, make_user):
    choices = services.choices_for(officer)
    assert choices == [(f"council:{COUNCIL}", "Demo Borough Council")]
    body = services.chosen(officer, f"council:{COUNCIL}")
    assert (body.kind, body.code, body.is_demo) == ("council", COUNCIL, True)
    assert services.choices_for(officer) == [(f"body:{body.slug}", "Demo Borough Council")]
    with pytest.raises(services.BodyError, match="choose a council you work for"):
        services.chosen(make_user("resident@example.org"), f"council:{COUNCIL}")
    with pytest.raises(services.BodyError, match="already recorded"):
        services.create("test", "Again", "council", COUNCIL, [COUNCIL])
