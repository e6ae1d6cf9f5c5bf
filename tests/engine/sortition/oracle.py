"""sortition-algorithms (GPL) as a test-only oracle: its maximin on the HiGHS backend."""

from __future__ import annotations

from commonground.engine.sortition.model import Pool, Quotas


def oracle_maximin(pool: Pool, quotas: Quotas, k: int, household_columns: list[str] | None = None) -> float:
    """The maximin optimum (least selection probability) of sortition-algorithms on this instance."""
    from sortition_algorithms import Settings, read_in_features, read_in_people
    from sortition_algorithms.committee_generation.maximin import find_distribution_maximin

    body = [{"feature": q.feature, "value": q.value, "min": str(q.min), "max": str(q.max)} for q in quotas.items()]
    features, _, _ = read_in_features(["feature", "value", "min", "max"], body, k)
    address = ["household"] if household_columns else []
    settings = Settings(
        id_column="id", columns_to_keep=address, check_same_address=bool(address), check_same_address_columns=address
    )
    rows = []
    for i, pid in enumerate(pool.ids):
        row = {"id": pid, **{f: pool.values[f][pool.codes[i, j]] for j, f in enumerate(pool.features)}}
        if address:
            row["household"] = pool.households[i] or f"alone-{pid}"
        rows.append(row)
    people, _ = read_in_people(["id", *pool.features, *address], rows, features, settings)
    committees, probabilities, _ = find_distribution_maximin(features, people, k, address, "highspy")
    chance = {pid: 0.0 for pid in pool.ids}
    for committee, p in zip(committees, probabilities, strict=True):
        for pid in committee:
            chance[pid] += p
    return min(chance.values())
