"""Tender evaluation, worked by hand: a 30% social value weight computed exactly, ties, floors."""

from __future__ import annotations

from fractions import Fraction

import pytest

from commonground.engine import tender
from commonground.engine.tender import Bid, Criterion, Model, TenderError, evaluate

F = Fraction


def model(price=40, quality=30, social=30, floor=30, scale=5, criteria=None) -> Model:
    criteria = criteria or (
        Criterion("q1", "Service design", tender.QUALITY, F(20)),
        Criterion("q2", "Staffing", tender.QUALITY, F(10)),
        Criterion("sv1", "Jobs for local people", tender.SOCIAL_VALUE, F(20)),
        Criterion("sv2", "Net zero", tender.SOCIAL_VALUE, F(10)),
    )
    return Model(F(price), F(quality), F(social), F(floor), scale, tuple(criteria))


BIDS = [
    Bid("a", "Alpha Services Ltd", 100_000_00, 1),
    Bid("b", "Beta Facilities plc", 80_000_00, 2),
    Bid("c", "Canal Side Community Co-op", 120_000_00, 3),
]
SCORES = {
    ("a", "q1"): 4, ("a", "q2"): 3, ("a", "sv1"): 2, ("a", "sv2"): 3,
    ("b", "q1"): 3, ("b", "q2"): 3, ("b", "sv1"): 3, ("b", "sv2"): 2,
    ("c", "q1"): 4, ("c", "q2"): 4, ("c", "sv1"): 5, ("c", "sv2"): 4,
}  # fmt: skip


def test_a_30_percent_social_value_evaluation_computed_exactly_by_hand():
    # Worked by hand. Weights: price 40%, quality 30% (design 20 + staffing 10), social value 30% (local jobs
    # 20 + net zero 10); scores 0-5. Lowest price £80,000 (Beta).
    # Alpha: price 40 × 80,000/100,000 = 32; quality 20×4/5 + 10×3/5 = 16 + 6 = 22;
    #        social value 20×2/5 + 10×3/5 = 8 + 6 = 14; total 68.
    # Beta:  price 40 × 80,000/80,000 = 40; quality 12 + 6 = 18; social value 12 + 4 = 16; total 74.
    # Co-op: price 40 × 80,000/120,000 = 80/3; quality 16 + 8 = 24; social value 20 + 8 = 28;
    #        total 80/3 + 52 = 236/3 (78.6667).
    award = evaluate(model(), BIDS, SCORES)
    by_key = {r.bid.key: r for r in award.results}
    assert by_key["a"].price_points == 32 and by_key["a"].quality_points == 22
    assert by_key["a"].social_value_points == 14 and by_key["a"].total == 68
    assert (by_key["b"].price_points, by_key["b"].quality_points, by_key["b"].social_value_points) == (40, 18, 16)
    assert by_key["b"].total == 74
    assert by_key["c"].price_points == F(80, 3)
    assert (by_key["c"].quality_points, by_key["c"].social_value_points) == (24, 28)
    assert by_key["c"].total == F(236, 3)
    assert [r.bid.key for r in award.results] == ["c", "b", "a"]
    assert [r.rank for r in award.results] == [1, 2, 3]
    assert award.winner.bid.supplier == "Canal Side Community Co-op" and award.tie_broken_by == ""
    assert award.results[0].steps == [
        "Price: 40 × £80,000 ÷ £120,000 = ≈26.6667 (80/3) points",
        "Service design: 20 × 4 ÷ 5 = 16 points",
        "Staffing: 10 × 4 ÷ 5 = 8 points",
        "Jobs for local people: 20 × 5 ÷ 5 = 20 points",
        "Net zero: 10 × 4 ÷ 5 = 8 points",
        "Total: ≈26.6667 (80/3) + 24 + 28 = ≈78.6667 (236/3) points",
    ]


def test_the_same_bids_under_a_10_percent_weight_go_to_the_cheapest():
    # Price 60, quality 30, social value 10 (local jobs 10): Beta 60 + 18 + 6 = 84; Co-op 40 + 24 + 10 = 74.
    criteria = (
        Criterion("q1", "Service design", tender.QUALITY, F(20)),
        Criterion("q2", "Staffing", tender.QUALITY, F(10)),
        Criterion("sv1", "Jobs for local people", tender.SOCIAL_VALUE, F(10)),
    )
    scores = {k: v for k, v in SCORES.items() if k[1] != "sv2"}
    award = evaluate(model(60, 30, 10, floor=10, criteria=criteria), BIDS, scores)
    assert award.winner.bid.key == "b" and award.winner.total == 84
    assert {r.bid.key: r.total for r in award.results}["c"] == 74


def test_ties_are_broken_by_the_published_rule():
    criteria = (
        Criterion("q", "Quality", tender.QUALITY, F(30)),
        Criterion("sv", "Social value", tender.SOCIAL_VALUE, F(30)),
    )
    bids = [Bid("x", "X", 100, 1), Bid("y", "Y", 100, 2)]
    award = evaluate(model(criteria=criteria), bids, {("x", "q"): 5, ("x", "sv"): 0, ("y", "q"): 0, ("y", "sv"): 5})
    assert award.results[0].total == award.results[1].total == 70
    assert award.winner.bid.key == "y" and award.tie_broken_by == "more social value points"
    same = evaluate(model(criteria=criteria), [Bid("late", "Late", 100, 2), Bid("early", "Early", 100, 1)],
                    {(b, c): 3 for b in ("late", "early") for c in ("q", "sv")})  # fmt: skip
    assert same.winner.bid.key == "early" and same.tie_broken_by == "received first"


@pytest.mark.parametrize(
    ("price", "quality", "social", "floor", "message"),
    [
        (60, 30, 20, 30, "social value is weighted 20%, below this model's floor of 30%"),
        (50, 30, 30, 30, "the weights must add up to 100%: price, quality and social value add up to 110%"),
        (80, 10, 10, 10, "the quality criteria add up to 30%, not the 10% quality weight"),
        (40, 30, 30, 25, "the social value floor must be one of 10%, 20%, 30%"),
    ],
)
def test_models_that_break_the_rules_are_refused(price, quality, social, floor, message):
    with pytest.raises(TenderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        evaluate(model(price, quality, social, floor), BIDS, SCORES)


def test_missing_scores_bad_scores_and_floats_are_refused():
    with pytest.raises(TenderError, match="1 moderated score is missing \\(Alpha Services Ltd: Net zero\\)"):
        evaluate(model(), BIDS, {k: v for k, v in SCORES.items() if k != ("a", "sv2")})
    with pytest.raises(TenderError, match="whole number from 0 to 5, not 6"):
        evaluate(model(), BIDS, {**SCORES, ("a", "q1"): 6})
    with pytest.raises(TenderError, match="not floating point"):
        tender.as_fraction(0.1)
    assert tender.as_fraction("12.5") == F(25, 2)


def test_fractions_print_exactly_or_with_the_fraction_beside_them():
    assert tender.fmt(F(28)) == "28"
    assert tender.fmt(F(53, 2)) == "26.5"
    assert tender.fmt(F(236, 3)) == "≈78.6667 (236/3)"
    assert tender.fmt(F(2, 3)) == "≈0.6667 (2/3)"
