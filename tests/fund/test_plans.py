"""Community plans on award pages: only named organisers (and fund administrators) edit, rules on money."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.fund.models import CommunityPlan, Spend
from tests.fund.test_fund import FORM

pytestmark = pytest.mark.django_db
PLAN = reverse("fund:plan", args=["demo-wealth-fund", "X05000002"])


@pytest.fixture
def fund_admin(make_user):
    return make_user("fund@example.org", roles=(Role.RESIDENT, Role.FUND_ADMINISTRATOR))


@pytest.fixture
def committed(client, fund_admin, demo):
    client.force_login(fund_admin)
    client.post(reverse("fund:create"), FORM)
    client.post(reverse("fund:commit", args=["demo-wealth-fund"]))
    client.logout()


def post(client, action, **data):
    return client.post(PLAN, {"action": action, **data})


def test_only_named_organisers_and_fund_administrators_edit(client, make_user, fund_admin, committed):
    organiser = make_user("org@example.org", roles=(Role.RESIDENT, Role.ORGANISER))
    other = make_user("other@example.org", roles=(Role.RESIDENT, Role.ORGANISER))
    resident = make_user("res@example.org", roles=(Role.RESIDENT,))
    assert client.get(PLAN).status_code == 302
    client.force_login(resident)
    assert client.get(PLAN).status_code == 403
    client.force_login(organiser)
    assert client.get(PLAN).status_code == 403
    client.force_login(fund_admin)
    assert post(client, "editor", email="res@example.org").status_code == 200  # not an organiser
    assert post(client, "editor", email="org@example.org").status_code == 302
    client.force_login(organiser)
    assert client.get(PLAN).status_code == 200
    assert post(client, "editor", email="other@example.org").status_code == 403  # organisers cannot add editors
    client.force_login(other)
    assert client.get(PLAN).status_code == 403
    other_ward = reverse("fund:plan", args=["demo-wealth-fund", "X05000012"])
    client.force_login(organiser)
    assert client.get(other_ward).status_code == 403  # their own ward's plan only


def test_plan_rules_and_public_page(client, fund_admin, committed):
    client.force_login(fund_admin)
    assert post(client, "summary", partnership_name="Brookfield Together", summary="Our plan").status_code == 302
    assert post(client, "member", name="Asha", role="Chair", is_resident="on").status_code == 302
    for i in range(5):
        assert post(client, "priority", title=f"Priority {i + 1}").status_code == 302
    sixth = post(client, "priority", title="One too many")
    assert "at most 5 priorities" in sixth.content.decode()
    plan = CommunityPlan.objects.get()
    award_pounds = plan.award.amount_pence // 100
    over = post(client, "line", title="Everything", amount=str(award_pounds + 1))
    assert "more than the award" in over.content.decode()
    priority = plan.priorities.first()
    assert post(client, "line", title="Youth club", amount="20000", priority=str(priority.id)).status_code == 302
    line = plan.lines.get()
    too_much = post(client, "spend", line=str(line.id), amount="20000.01", spent_on="2027-06-01")
    assert "more than the £20,000.00 left on “Youth club”" in too_much.content.decode()
    assert (
        post(client, "spend", line=str(line.id), amount="1500", spent_on="2027-06-01", note="hall hire").status_code
        == 302
    )
    assert post(client, "update", text="We opened the youth club.", posted_on="2027-07-01").status_code == 302
    bad_date = post(client, "update", text="x", posted_on="July")
    assert 'id="update-posted_on-error"' in bad_date.content.decode()
    assert Spend.objects.get().amount_pence == 150_000
    client.logout()
    profile = client.get(reverse("places:area-detail", args=["X05000002"])).content.decode()
    assert 'href="/funds/demo-wealth-fund/awards/X05000002/"' in profile
    page = client.get(reverse("fund:award", args=["demo-wealth-fund", "X05000002"])).content.decode()
    for text in ("Brookfield Together", "Asha, Chair", "Priority 5", "Youth club", "£1,500", "£18,500",
                 "We opened the youth club."):  # fmt: skip
        assert text in page
    actions = set(AuditRecord.objects.filter(action__startswith="plan.").values_list("action", flat=True))
    assert actions == {"plan.update", "plan.add_member", "plan.add_priority", "plan.add_budget_line", "plan.spend",
                       "plan.post_update"}  # fmt: skip
