"""One of every object, on the demo borough, for tests that walk every app: the scope walk, the to-do page, the
neighbourhood hub and the API contract tests.

`build()` makes them through each app's services (its rules and audit), with a few rows written directly where a
service would need a long journey first (a commitment of an awarded tender, a replacement round of a drawn
panel). Everything lives in Demo Borough (council X09000001) and the Brookfield neighbourhood (ward X05000002);
`control` holds every role site-wide and is named wherever an object names its people (the ballot's independent
body, the PB scoring panel, the tender's evaluators, the public body's members).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commonground.accounts.models import RoleGrant, User
from commonground.accounts.roles import Role

COUNCIL = "X09000001"
WARD = "X05000002"  # Brookfield, left behind in the demo data
POSTCODE = "XX2 1DH"  # in Brookfield
INSIDE = (54.65, 2.41)  # (latitude, longitude) inside Brookfield's LSOA X01000006
CONTRIBUTIONS = Path(__file__).parent / "contributions" / "fixtures"
QUOTAS = "feature,value,min,max\ngender,woman,1,1\ngender,man,1,1\n"
POOL = "id,name,gender\n" + "".join(f"p{i},Person {i},{'woman' if i % 2 else 'man'}\n" for i in range(1, 7))


def holder_of_every_role(email: str, *scopes: str) -> User:
    """An account holding every role in each scope (it keeps the site-wide resident role every account has)."""
    user = User.objects.create_user(email=email, password="x" * 20, full_name=email.split("@")[0].title())
    for scope in scopes:
        for role in Role:
            RoleGrant.objects.get_or_create(user=user, role=role, scope=scope)
    user.is_staff = user.is_superuser = "site" in scopes
    user.save()
    return user


def build() -> dict:  # noqa: PLR0915  (one of everything, in order)
    from commonground.assets import auctions, council_settings
    from commonground.assets import services as assets
    from commonground.assets.models import Evidence, Nomination
    from commonground.ballots import services as ballots
    from commonground.budgeting import services as budgeting
    from commonground.budgeting.models import Process, Proposal, Scorer
    from commonground.contributions import services as contributions
    from commonground.contributions.models import Contribution
    from commonground.delivery import services as delivery
    from commonground.engine.asset_rules import Body, BodyKind
    from commonground.fund.models import CommunityPlan, Fund, Priority
    from commonground.impact import responses
    from commonground.impact import services as impact
    from commonground.neighbourhoods import board as boards
    from commonground.neighbourhoods import plans, verification
    from commonground.neighbourhoods import services as neighbourhoods
    from commonground.neighbourhoods.models import BoardMember, Neighbourhood
    from commonground.notify import services as notify
    from commonground.notify.models import Notice
    from commonground.outcomes.models import WellbeingMeasure
    from commonground.panels import services as panels
    from commonground.panels.models import Replacement
    from commonground.places.models import Area
    from commonground.pots import services as pots
    from commonground.procurement import services as procurement
    from commonground.procurement.models import Commitment
    from commonground.publicbodies import services as bodies
    from commonground.spending import pooled_budgets
    from commonground.spending.models import PreventionItem

    today = timezone.localdate()
    control = holder_of_every_role("control@example.org", "site")
    resident = User.objects.create_user(email="resident@example.org", password="x" * 20, full_name="Rae Resident")
    council = Area.objects.get(code=COUNCIL)
    ward = Area.objects.get(code=WARD)
    found: dict = {"control": control, "resident": resident, "council": council, "ward": ward}

    # A neighbourhood with its board, a meeting with a paper and a decision, a published plan, engagement.
    codes, drawn_from = neighbourhoods.lsoa_codes_of_ward(WARD)
    hood = neighbourhoods.create(control, "Brookfield", codes, Neighbourhood.Kind.PRIDE_IN_PLACE, drawn_from)
    board = boards.set_up(control, hood, "Brookfield Neighbourhood Board")
    chair = boards.save_member(control, board, name="Cleo Chair", seat=BoardMember.Seat.INDEPENDENT_CHAIR,
                               organisation="", email="", term_starts=today - dt.timedelta(days=60),
                               term_ends=None)  # fmt: skip
    boards.publish_board(control, board)
    meeting = boards.save_meeting(control, board, title="Board meeting", held_on=today - dt.timedelta(days=7),
                                  place="Brookfield Hall", agenda="The plan", minutes="Agreed the plan")  # fmt: skip
    paper = boards.add_paper(control, meeting, "Agenda", SimpleUploadedFile("agenda.txt", b"The agenda\n"))
    decision = boards.save_decision(control, meeting, title="Approve the plan", text="", outcome="agreed")
    boards.publish_meeting(control, meeting)
    plan = plans.draft_for(control, hood)
    plans.update_vision(control, plan, title="Brookfield 2036", first_year=2026, local_context="", vision="",
                        vision_statement="A place to be proud of.", case_for_change="")  # fmt: skip
    objective = plans.save_objective(control, plan, title="Places for young people", description="", theme=None,
                                     strategic=[], measures=[])  # fmt: skip
    line = plans.add_investment(control, plan, objective=objective, year="2026-27", source="council",
                                capital_pence=500_000_00, revenue_pence=0)  # fmt: skip
    event = plans.save_event(control, hood, kind="forum", held_on=today - dt.timedelta(days=20), place="Hall",
                             participants=40, ages={}, areas={}, heard="More for young people")  # fmt: skip
    plans.approve(control, plan, decision=decision)
    plans.publish(control, plan)
    draft = plans.draft_for(control, hood)  # the next version, a draft
    asked = verification.ask(resident, hood, full_name="Rae Resident", address="Flat 1, Cotton Court",
                             postcode=POSTCODE)  # fmt: skip
    found.update(hood=hood, board=board, chair=chair, meeting=meeting, paper=paper, decision=decision, plan=plan,
                 objective=objective, line=line, event=event, draft=draft, verification=asked)  # fmt: skip

    # Money: a pot with an allocation, a delivery record with a milestone.
    pot = pots.create_pot(control, name="Brookfield CIL", source="neighbourhood_cil", amount_pence=60_000_00,
                          council=council, neighbourhood=hood)  # fmt: skip
    allocation = pots.allocate(control, pot.pk, title="Skate park", recipient_name="Brookfield Youth",
                               amount_pence=10_000_00, ward_code=WARD, neighbourhood=hood)  # fmt: skip
    record = delivery.ensure(control, "test:community-garden", source="pot", title="Community garden",
                             amount_pence=5_000_00, council=council, neighbourhood=hood, ward_code=WARD,
                             objective_ref=objective.ref)  # fmt: skip
    milestone = delivery.add_milestone(control, record, "Beds dug", today + dt.timedelta(days=30))
    found.update(pot=pot, allocation=allocation, record=record, milestone=milestone)

    # A PB round of the neighbourhood taking applications, with one, a scoring panel and its member.
    process = budgeting.create_process(
        control, ward, title="Brookfield Decides", neighbourhood=hood, budget=30_000, ballot_type="approval",
        rule="equal-shares", electorate=Process.Electorate.CODES, uses_applications=True,
        voting_closes=today + dt.timedelta(days=40),
    )  # fmt: skip
    Process.objects.filter(pk=process.pk).update(phase=Process.Phase.PROPOSALS,
                                                 proposals_close=today + dt.timedelta(days=10))  # fmt: skip
    process.refresh_from_db()
    proposal = Proposal.objects.create(process=process, title="Youth radio", summary="A radio station",
                                       estimated_cost=10_000, submitted_by=resident)  # fmt: skip
    scorer = Scorer.objects.create(process=process, user=control)
    found.update(process=process, proposal=proposal, scorer=scorer)

    # A citizens' panel for the ward with its volunteers, chances published, and a replacement round.
    panel = panels.create_panel(control, title="Brookfield panel", purpose="Advise the board", size=2,
                                payment_per_day_pence=0, quotas_csv=QUOTAS, pool_csv=POOL, household_columns="",
                                area=ward)  # fmt: skip
    panels.run_selection(control, panel)
    panel.refresh_from_db()
    volunteer = panel.volunteers.order_by("pseudonym").first()
    replacement = Replacement.objects.create(panel=panel, number=1, seats=1, min_probability=0.5, created_by=control)
    found.update(panel=panel, volunteer=volunteer, replacement=replacement)

    # A resident ballot on an estate in the ward, run by `control` as its independent body, with an elector.
    opens = timezone.now() + dt.timedelta(days=5)
    officer = User.objects.create_user(email="officer@example.org", password="x" * 20, full_name="Olu Officer")
    RoleGrant.objects.create(user=officer, role=Role.COUNCIL_OFFICER, scope=f"council:{COUNCIL}")
    found["officer"] = officer
    ballot = ballots.create_ballot(
        officer, title="Mill estate ballot", estate="Mill estate", area=ward, question="Do you support the plan?",
        options=["Yes", "No"], opens_at=opens, closes_at=opens + dt.timedelta(days=21), scrutineer=control,
        offer_title="Landlord Offer", offer_body="New homes", offer_published_on=today - dt.timedelta(days=3),
    )  # fmt: skip
    elector = ballots.add_elector(control, ballot, full_name="Eli Elector", address="Flat 2, Cotton Court",
                                  date_of_birth=dt.date(1970, 1, 1), category="social_tenant",
                                  qualifying_date=dt.date(2010, 1, 1), evidence="tenancy")  # fmt: skip
    challenge = ballots.challenge(control, elector, "A neighbour", "Moved away")
    found.update(ballot=ballot, elector=elector, challenge=challenge)

    # An asset of community value in Brookfield, nominated with evidence; a high street and a letting.
    demo_council = council_settings.council_named("Demo Borough Council")
    listing = council_settings.set_council(control, demo_council, code=COUNCIL)
    asset = assets.nominate(
        control, council=listing, name="The Mill Hall", address="3 Mill Street", postcode=POSTCODE,
        community_use="Meeting hall", land_use="community", body_name="Friends of the Mill",
        body=Body(BodyKind.CHARITY, local_connection=True), contact_email="friends@example.org",
        received_on=today, latitude=INSIDE[0], longitude=INSIDE[1],
    )  # fmt: skip
    nomination = Nomination.objects.filter(asset=asset).first()
    evidence = Evidence.objects.create(nomination=nomination, filename="photo.txt", content_type="text/plain",
                                       content=b"evidence")  # fmt: skip
    street = auctions.start_designation(control, council=listing, name="Mill Street", kind="high_street",
                                        description="", on=today - dt.timedelta(days=40))  # fmt: skip
    letting = auctions.open_letting(control, high_street=street, address="4 Mill Street", postcode=POSTCODE)
    found.update(listing=listing, asset=asset, evidence=evidence, street=street, letting=letting)

    # A Community Wealth Fund committed to the left-behind wards, with a community plan and a priority.
    admin = Client()
    admin.force_login(control)
    admin.post("/funds/new/", {"name": "Demo Wealth Fund", "total": "1,000,000", "start_date": "2027-04-01",
                               "years": "10", "eligibility": "left-behind", "policy": "per-capita",
                               "profile": "even", "floor": "", "cap": ""})  # fmt: skip
    admin.post("/funds/demo-wealth-fund/commit/")
    fund = Fund.objects.get(slug="demo-wealth-fund")
    award = fund.awards.get(ward_code=WARD)
    community_plan = CommunityPlan.objects.create(award=award, partnership_name="Brookfield Together")
    priority = Priority.objects.create(plan=community_plan, title="A place for young people")
    found.update(fund=fund, award=award, community_plan=community_plan, priority=priority)

    # Developer contributions of the council, a neighbourhood CIL zone.
    files = {key: (f"{name}.csv", (CONTRIBUTIONS / f"{name}.csv").read_bytes()) for key, name in
             (("agreements", "developer-agreement"), ("contributions", "developer-agreement-contribution"),
              ("transactions", "developer-agreement-transaction"))}  # fmt: skip
    contributions.import_files(control, council, **files)
    contribution = Contribution.objects.filter(council=council).order_by("reference").first()
    zone = contributions.create_zone(control, council, name="Brookfield", wards=[WARD], neighbourhood=hood)
    found.update(contribution=contribution, agreement=contribution.agreement, zone=zone)

    # The council as a public body (control acts for it): an impact assessment, a tender, a pooled budget.
    body = bodies.council_body(control, council)
    bodies.add_member(control, body, control)
    assessment = impact.create(control, body, title="Close the library on Tuesdays", proposal="Save money",
                               ward_codes=[WARD], review_date=today + dt.timedelta(days=30))  # fmt: skip
    version = assessment.draft
    effect = impact.add_impact(control, version, "", "age", "negative", "Older people lose a warm space.", "A van")
    engagement = impact.add_engagement(control, version, "consultation", "A survey of library users")
    impact.publish(control, version)
    assessment.refresh_from_db()
    response = responses.respond(resident, assessment, "Please keep it open")
    draft_assessment = impact.create(control, body, title="Move the bus stop", proposal="Safer crossing",
                                     ward_codes=[WARD], review_date=today + dt.timedelta(days=365))  # fmt: skip
    tender = procurement.create(control, body, "Caretaking", neighbourhoods=[hood.slug])
    criterion = procurement.add_criterion(control, tender, "quality", "Service design", Decimal(30))
    procurement.add_bid(control, tender, "Alpha Services Ltd", 100_000_00)
    procurement.add_evaluator(control, tender, control)
    commitment = Commitment.objects.create(tender=tender, kind=Commitment.Kind.choices[0][0], description="Jobs",
                                           unit="jobs", target=Decimal(2), neighbourhood=hood.slug)  # fmt: skip
    pool = pooled_budgets.create_pool(control, "Brookfield health and care", body, [], today.year, today.year + 2,
                                neighbourhood_slugs=[hood.slug])  # fmt: skip
    prevention = PreventionItem.objects.create(
        pool=pool, title="Falls prevention", service="Emergency care", neighbourhood=hood.slug,
        financial_year=today.year, invested_pence=10_000_00, demand_measure="admissions a year", baseline=Decimal(100),
        expected_change=Decimal(-10), expected_saving_pence=20_000_00,
    )  # fmt: skip
    found.update(body=body, assessment=assessment, impact=effect, engagement=engagement, response=response,
                 draft_assessment=draft_assessment, tender=tender, criterion=criterion, commitment=commitment,
                 pool=pool, prevention=prevention)  # fmt: skip

    # A notice about the asset, scoped to the council, that failed; a wellbeing measure.
    notice = notify.send(subject="Listing decision", body="Decided", template="test.notice",
                         email="friends@example.org", about=asset,
                         scope=neighbourhoods.scope_of(hood))  # fmt: skip
    Notice.objects.filter(pk=notice.pk).update(status=Notice.Status.FAILED, last_error="550 no such user")
    found.update(notice=notice, measure=WellbeingMeasure.objects.order_by("slug").first())
    return found
