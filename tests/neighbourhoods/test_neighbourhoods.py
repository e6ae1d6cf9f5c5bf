"""Neighbourhoods on the demo borough: made from a ward or LSOAs, versioned, profiled; roles scoped to them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from commonground.accounts import services as accounts
from commonground.accounts.models import User
from commonground.accounts.permissions import user_can
from commonground.accounts.roles import Capability, Role
from commonground.accounts.scopes import Grant, Scope, ScopeError, parse
from commonground.audit.models import AuditRecord
from commonground.neighbourhoods import services
from commonground.neighbourhoods.models import Neighbourhood
from commonground.places.models import Area, AreaValue
from tests.conftest import run_cli
from tests.neighbourhoods.conftest import DEMO_COUNCIL


def test_a_ward_becomes_a_neighbourhood_of_its_lsoas_with_an_iod_style_profile(brookfield):
    lsoas = Area.objects.filter(parent__code="X05000002")
    assert brookfield.boundary.lsoas == sorted(a.code for a in lsoas)
    assert [c.code for c in brookfield.councils.all()] == [DEMO_COUNCIL]
    profile = services.profile(brookfield)
    assert profile["population"] == sum(a.population for a in lsoas)
    scores = dict(
        AreaValue.objects.filter(area__in=lsoas, measure__slug="imd_score").values_list("area__code", "value")
    )
    weighted = sum(scores[a.code] * a.population for a in lsoas) / profile["population"]
    assert profile["imd_score"] == pytest.approx(weighted, abs=1e-3)
    assert "population-weighted average" in profile["explained"]
    assert AuditRecord.objects.filter(action="neighbourhoods.create").exists()


def test_boundaries_are_versioned_never_overwritten(brookfield):
    first = list(brookfield.boundary.lsoas)
    services.redraw("test", brookfield, first[:-1], "the board dropped the retail park")
    assert [(b.version, len(b.lsoas)) for b in brookfield.boundaries.all()] == [(1, len(first)), (2, len(first) - 1)]
    with pytest.raises(services.NeighbourhoodError, match="unchanged"):
        services.redraw("test", brookfield, first[:-1], "again")
    with pytest.raises(services.NeighbourhoodError, match="say why"):
        services.redraw("test", brookfield, first, " ")


def test_unknown_lsoas_and_wards_are_named(demo):
    with pytest.raises(services.NeighbourhoodError, match="no loaded LSOA has the code E01999999"):
        services.create("test", "Nowhere", ["X01000001", "E01999999"])
    with pytest.raises(services.NeighbourhoodError, match="no loaded ward has the code 'E05999999'"):
        services.lsoa_codes_of_ward("E05999999")


def test_api_gives_name_lsoas_population_and_imd_score(client, brookfield):
    body = client.get(f"/api/neighbourhoods/{brookfield.slug}").json()
    profile = services.profile(brookfield)
    assert body["name"] == "Brookfield" and body["lsoas"] == brookfield.boundary.lsoas
    assert body["population"] == profile["population"] and body["imd_score"] == profile["imd_score"]
    assert client.get("/api/neighbourhoods/nowhere").status_code == 404
    shapes = client.get(f"/api/neighbourhoods/{brookfield.slug}/boundary").json()
    assert {f["properties"]["code"] for f in shapes["features"]} <= set(body["lsoas"])


def test_scopes_are_written_one_way():
    assert parse("council:e06000001") == "council:E06000001"
    assert parse("neighbourhood:brookfield") == "neighbourhood:brookfield"
    for bad in ("county:E10000001", "council:E05000001", "neighbourhood:Bad Slug"):
        with pytest.raises(ScopeError, match="is not a scope"):
            parse(bad)


def test_a_grant_reaches_only_objects_in_its_scope():
    knowsley = Scope.of(["E08000011"])
    hartlepool = Scope.of(["E06000001"], ["headland"])
    assert Grant("council_officer", "council:E08000011").covers(knowsley)
    assert not Grant("council_officer", "council:E08000011").covers(hartlepool)
    assert not Grant("council_officer", "council:E08000011").covers(None)  # placeless objects: site roles only
    assert Grant("council_officer", "site").covers(None)
    board = Grant("board_member", "neighbourhood:headland", frozenset({"E06000001"}))
    assert board.covers(hartlepool) and not board.covers(Scope.of(["E06000001"]))
    resident = Grant("verified_resident", "neighbourhood:headland", frozenset({"E06000001"}))
    assert resident.covers(Scope.of(["E06000001"]), residential=True)  # the council's open processes
    assert not resident.covers(Scope.of(["E06000001"], ["other"]), residential=True)


def test_officers_make_neighbourhoods_only_in_their_own_council(client, make_user, demo):
    elsewhere = make_user("knowsley@example.org")
    accounts.set_roles("test", elsewhere, {Role.COUNCIL_OFFICER}, frozenset(Role), "council:E08000011")
    client.force_login(elsewhere)
    form = {"name": "Brookfield", "kind": "pride_in_place", "ward": "X05000002", "lsoas": ""}
    assert client.post(reverse("neighbourhoods:create"), form).status_code == 403
    assert not Neighbourhood.objects.exists()
    officer = make_user("demo@example.org")
    accounts.set_roles("test", officer, {Role.COUNCIL_OFFICER}, frozenset(Role), f"council:{DEMO_COUNCIL}")
    client.force_login(officer)
    bad = client.post(reverse("neighbourhoods:create"), {**form, "ward": "", "lsoas": "E0101"})
    assert "E0101 is not an ONS code" in bad.content.decode()
    made = client.post(reverse("neighbourhoods:create"), form)
    assert made.status_code == 302 and Neighbourhood.objects.get().name == "Brookfield"
    page = client.get(made["Location"]).content.decode()
    assert "Brookfield" in page and "population-weighted average" in page


def test_a_neighbourhood_grant_names_its_councils_and_is_checked_against_objects(make_user, brookfield):
    member = make_user("board@example.org")
    accounts.set_roles("test", member, {Role.BOARD_MEMBER}, frozenset(Role), f"neighbourhood:{brookfield.slug}")
    member = User.objects.get(pk=member.pk)
    [grant] = [g for g in member.grants if g.role == Role.BOARD_MEMBER]
    assert grant.councils == {DEMO_COUNCIL}
    assert user_can(member, Capability.RUN_NEIGHBOURHOOD, services.scope_of(brookfield))
    assert not user_can(member, Capability.RUN_NEIGHBOURHOOD, Scope.of([DEMO_COUNCIL], ["ashby-park"]))
    assert not user_can(member, Capability.RUN_PROCESSES)


@pytest.mark.sqlite
def test_cli_creates_from_a_ward_and_prints_the_slug_last(tmp_path):
    env = {"COMMONGROUND_DATA_DIR": str(tmp_path)}
    assert run_cli("init-demo", env=env).returncode == 0
    made = run_cli("neighbourhoods", "create", "--name", "Brookfield", "--ward", "X05000002", env=env)
    assert made.returncode == 0, made.stderr
    assert made.stdout.strip().splitlines()[-1] == "brookfield"
    both = run_cli("neighbourhoods", "create", "--name", "X", env=env)
    assert both.returncode == 1 and both.stderr.startswith("Error: give exactly one of --ward")
    unknown = run_cli("neighbourhoods", "create", "--name", "X", "--lsoas", "E01999999", env=env)
    assert unknown.returncode == 1 and "no loaded LSOA has the code E01999999" in unknown.stderr
    board = ["--role", "board_member", "--scope", "neighbourhood:brookfield", "--password-stdin"]
    scoped = run_cli("users", "create", "b@example.org", "--name", "B", *board, env=env, input="long enough words\n")
    assert scoped.returncode == 0 and "board_member (neighbourhood brookfield)" in scoped.stdout
    wrong = run_cli("users", "create", "c@example.org", "--name", "C", "--scope", "neighbourhood:nowhere",
                    "--password-stdin", env=env, input="a long enough passphrase\n")  # fmt: skip
    assert wrong.returncode == 1 and "there is no neighbourhood 'nowhere'" in wrong.stderr
    synced = run_cli("neighbourhoods", "sync-roles", env=env)
    assert synced.returncode == 0 and synced.stdout.strip() == "0 accounts changed"


def test_followers_hear_once_when_the_plan_is_published(make_user, brookfield):
    from commonground.neighbourhoods.services import published
    from commonground.notify import services as notify
    from commonground.notify.models import Notice

    follower = make_user("follows@example.org")
    notify.follow(follower, f"neighbourhood:{brookfield.slug}")
    board = type("Stub", (), {})()  # any published object with a neighbourhood; a real plan is tested in test_plan
    board.neighbourhood, board.pk, board._meta = brookfield, 1, brookfield._meta
    for _ in range(2):
        published.send(Neighbourhood, kind="board", obj=board)
    [notice] = Notice.objects.filter(recipient_email="follows@example.org")
    assert (
        notice.subject == "Brookfield has published its board" and f"/neighbourhoods/{brookfield.slug}/" in notice.body
    )
