"""After the draw: members' replies and replacement draws (same method, quotas still met, replayable)."""

from __future__ import annotations

import json
import random
from collections import Counter

import pytest
from django.urls import reverse

from commonground.accounts.roles import Role
from commonground.audit.models import AuditRecord
from commonground.engine.sortition import lottery, model
from commonground.engine.sortition.model import SortitionError
from commonground.panels import services
from commonground.panels.models import Panel, Volunteer
from tests.material import RARE_REGION, practitioner_pool

FIXTURE = practitioner_pool()
SEED = "4 8 15 16 23 42"


@pytest.fixture
def officer_user(make_user):
    return make_user("officer@example.org", roles=(Role.COUNCIL_OFFICER,))


@pytest.fixture
def panel(db, officer_user, monkeypatch) -> Panel:
    # Fixed pseudonyms, so the same members drop out on every run: with random ones, some single
    # drop-outs cannot be replaced at all (the quotas leave nobody in the pool who fits).
    monkeypatch.setattr(services.secrets, "SystemRandom", lambda: random.Random(0))
    panel = services.create_panel(
        officer_user,
        title="Climate panel",
        purpose="Advise the council on its climate plan.",
        size=22,
        payment_per_day_pence=10000,
        quotas_csv=(FIXTURE / "features.csv").read_text(),
        pool_csv=(FIXTURE / "candidates.csv").read_text(),
        household_columns="primary_address1,primary_zip",
    )
    services.run_selection(officer_user, panel)
    return services.hold_draw(officer_user, panel, SEED)


def members(panel: Panel) -> list[Volunteer]:
    return list(panel.volunteers.filter(selected=True).order_by("pseudonym"))


def assert_meets_quotas(panel: Panel) -> None:
    quotas = model.read_quotas("quotas", text=panel.quotas_csv)
    on_panel = members(panel)
    assert len(on_panel) == panel.size
    for feature, values in quotas.bounds.items():
        count = Counter(v.details[feature] for v in on_panel)
        for value, (lo, hi) in values.items():
            assert lo <= count[value] <= hi, (feature, value, count[value])
    households = Counter(
        (v.details["primary_address1"].casefold(), v.details["primary_zip"].casefold()) for v in on_panel
    )
    assert max(households.values()) == 1


def test_drawn_members_start_with_no_reply_and_replies_are_audited(panel, officer_user):
    on_panel = members(panel)
    assert {v.response for v in on_panel} == {Volunteer.Response.NO_REPLY}
    assert not panel.volunteers.filter(selected=False).exclude(response="").exists()
    services.record_response(officer_user, on_panel[0], Volunteer.Response.CONFIRMED)
    entry = AuditRecord.objects.get(action="panels.response")
    assert entry.before == {"response": "no_reply"} and entry.after == {"response": "confirmed"}
    assert entry.object_label == on_panel[0].pseudonym  # the audit names the pseudonym, not the person
    outsider = panel.volunteers.filter(selected=False).first()
    with pytest.raises(SortitionError, match="not on the panel"):
        services.record_response(officer_user, outsider, Volunteer.Response.CONFIRMED)


def test_replacements_keep_the_quotas_and_replay_from_the_published_file(panel, officer_user):
    with pytest.raises(SortitionError, match="no member has declined"):
        services.prepare_replacement(officer_user, panel)
    first, second = members(panel)[:2]
    services.record_response(officer_user, first, Volunteer.Response.DECLINED)
    services.record_response(officer_user, second, Volunteer.Response.DROPPED_OUT)
    replacement = services.prepare_replacement(officer_user, panel)
    published = json.loads(replacement.distribution_json)
    assert replacement.seats == 2 and published["dropped"] == [first.pseudonym, second.pseudonym]
    assert len(published["staying"]) == 20
    on_panel = {v.pseudonym for v in members(panel)}
    assert not on_panel & set(published["probabilities"])  # only volunteers not on the panel can replace
    assert all(len(p["members"]) == 2 for p in published["panels"])
    assert "p0" not in replacement.distribution_json and "first_name" not in replacement.distribution_json

    services.hold_replacement_draw(officer_user, replacement, SEED)
    replacement.refresh_from_db()
    replay = lottery.draw(lottery.parse_distribution(replacement.distribution_json.encode()), SEED)
    assert replay["panel"] == replacement.draw_result["panel"]
    joined = panel.volunteers.filter(pseudonym__in=replay["panel"])
    assert all(v.selected and v.replacement == replacement and v.response == "no_reply" for v in joined)
    first.refresh_from_db()
    assert not first.selected and first.response == Volunteer.Response.DECLINED
    assert_meets_quotas(panel)
    with pytest.raises(SortitionError, match="already been held"):
        services.hold_replacement_draw(officer_user, replacement, SEED)
    actions = list(AuditRecord.objects.filter(action__startswith="panels.replace").values_list("action", flat=True))
    assert actions == ["panels.replacement_select", "panels.replace"]


def test_a_second_round_leaves_out_everyone_who_left_before(panel, officer_user):
    first = members(panel)[0]
    services.record_response(officer_user, first, Volunteer.Response.DECLINED)
    services.hold_replacement_draw(officer_user, services.prepare_replacement(officer_user, panel), SEED)
    newcomer = panel.volunteers.get(replacement__number=1)
    services.record_response(officer_user, newcomer, Volunteer.Response.DECLINED)
    second = services.prepare_replacement(officer_user, panel)
    assert second.number == 2
    published = json.loads(second.distribution_json)
    assert published["dropped"] == [newcomer.pseudonym]
    assert first.pseudonym not in published["probabilities"]
    services.hold_replacement_draw(officer_user, second, "1 2 3 4 5 6")
    assert_meets_quotas(panel)


def test_replies_changed_after_publication_need_a_recompute(panel, officer_user):
    a, b = members(panel)[:2]
    services.record_response(officer_user, a, Volunteer.Response.DECLINED)
    replacement = services.prepare_replacement(officer_user, panel)
    services.record_response(officer_user, b, Volunteer.Response.DECLINED)
    with pytest.raises(SortitionError, match="recompute"):
        services.hold_replacement_draw(officer_user, replacement, SEED)
    again = services.prepare_replacement(officer_user, panel)
    assert again.pk == replacement.pk and again.seats == 2  # the open round is recomputed, not duplicated
    assert AuditRecord.objects.filter(action="panels.replacement_select").last().before == {"dropped": [a.pseudonym]}


def test_pages_for_organisers_and_the_public(panel, officer_user, client, make_user, run_worker):
    a = members(panel)[0]
    detail = reverse("panels:detail", args=[panel.slug])
    response_url = reverse("panels:response", args=[panel.slug, a.pseudonym])
    client.force_login(officer_user)
    page = client.get(detail).content.decode()
    assert "Members' replies" in page and a.name in page
    assert client.get(response_url).status_code == 200
    missing = client.post(response_url, {})
    assert missing.status_code == 200 and "Choose the member&#x27;s reply" in missing.content.decode()
    assert client.post(response_url, {"response": "declined"}).status_code == 302
    a.refresh_from_db()
    assert a.response == "declined"
    assert client.post(reverse("panels:replacement-select", args=[panel.slug])).status_code == 302
    run_worker()
    draw_url = reverse("panels:replacement-draw", args=[panel.slug, 1])
    empty = client.post(draw_url, {"seed": " "})
    assert empty.status_code == 200 and "Enter the public seed" in empty.content.decode()
    assert "Replacement draw 1: Climate panel" in empty.content.decode()
    assert client.post(draw_url, {"seed": SEED}).status_code == 302
    joined = panel.volunteers.get(replacement__number=1)

    client.logout()
    page = client.get(detail).content.decode()
    assert "Replacement draw 1" in page and joined.pseudonym in page and f"Public seed <strong>{SEED}" in page
    assert "Members' replies" not in page and joined.name not in page and a.name not in page
    file = client.get(reverse("panels:replacement-distribution", args=[panel.slug, 1]))
    assert file.status_code == 200 and joined.person_id not in file.content.decode()
    assert client.get(response_url).status_code == 302  # sign in first
    assert client.post(reverse("panels:replacement-select", args=[panel.slug])).status_code == 302

    client.force_login(make_user("resident@example.org", roles=(Role.RESIDENT, Role.ORGANISER)))
    assert client.get(response_url).status_code == 403
    assert client.post(response_url, {"response": "confirmed"}).status_code == 403
    assert client.post(reverse("panels:replacement-select", args=[panel.slug])).status_code == 403
    assert client.post(draw_url, {"seed": SEED}).status_code == 403
    assert Panel.objects.get().replacements.count() == 1


def test_seats_nobody_can_fill_are_explained_and_nothing_is_stored(panel, officer_user, client, run_worker):
    # Only two people in the pool live in the North East and the quotas need two: nobody can take their seats.
    [v, _] = [m for m in members(panel) if m.details["geo_bucket"] == RARE_REGION]
    services.record_response(officer_user, v, Volunteer.Response.DECLINED)
    client.force_login(officer_user)
    client.post(reverse("panels:replacement-select", args=[panel.slug]))
    run_worker()
    page = client.get(reverse("panels:detail", args=[panel.slug])).content.decode()
    assert "nobody left in the pool can fill the seats" in page and f"geo_bucket={RARE_REGION}" in page
    assert not panel.replacements.exists()
