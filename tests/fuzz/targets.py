"""The fuzz targets: each runs what a command or an import does with one file's text, and names the
error types it may refuse the file with (anything else is a crash)."""

from __future__ import annotations

import contextlib
import io
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tests.fuzz import seeds

APPROVAL_ONLY = "sequential Phragmén applies to approval ballots only"


def in_file(text: str, suffix: str = ".csv") -> Path:
    """`text` in a temporary file, as the commands read it (a lone surrogate "\\udcff" is the byte 0xff)."""
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
        "w", suffix=suffix, delete=False, encoding="utf-8", errors="surrogateescape", newline=""
    )
    with handle:
        handle.write(text)
    return Path(handle.name)


def read_file(reader: Callable[[Path], object], text: str, suffix: str = ".csv"):
    path = in_file(text, suffix)
    try:
        return reader(path)
    finally:
        path.unlink()


def pb_commands(text: str) -> None:
    """What `pb check`, `pb check --strict`, `pb tally` and `pb explain` do with a file, every rule."""
    from commonground.engine.pb import explain, pabulib, rules

    election = pabulib.parse(text, "fuzz.pb")
    with contextlib.suppress(pabulib.PabulibError):
        pabulib.parse(text, "fuzz.pb", strict=True)
    for rule in rules.RULES:
        try:
            rules.tally(election, rule)
            explain.explain(election, rule)
        except ValueError as exc:
            if rule != "phragmen" or str(exc) != APPROVAL_ONLY:
                raise AssertionError(f"{rule}: {exc!r}") from exc


def quotas_then_pool(quotas_text: str, pool_text: str) -> None:
    """`panel select`'s reading, up to the groups the solver starts from."""
    from commonground.engine.sortition import model

    quotas = model.read_quotas("quotas", text=quotas_text)
    pool = model.read_pool("pool", quotas, household_columns=["address1", "postcode"], text=pool_text)
    model.group_pool(pool, quotas)


def index_build(spec_text: str, indicators_text: str) -> None:
    """`index build --spec --indicators`."""
    from commonground.engine import composite

    spec, indicators = in_file(spec_text, ".toml"), in_file(indicators_text)
    try:
        composite.build_from_files(spec, indicators)
    finally:
        spec.unlink()
        indicators.unlink()


def fund_allocate(text: str) -> None:
    """`fund allocate --eligible FILE` under every policy, with a floor and a cap."""
    from commonground.engine import fund

    places, _ = read_file(fund.places_from_csv, text)
    if places is not None:
        for policy in fund.Policy:
            fund.allocate(places, fund.AllocationPolicy(policy, 1_000_000, 10, floor=1000, cap=900_000))


def postcodes(text: str) -> None:
    """`data load-postcodes`'s reader, in chunks of two rows."""
    from commonground.engine.postcodes import PostcodeReader

    wanted = {"lsoa11": ["E01000001", "E01000002"], "lsoa21": ["E01000003"]}
    read_file(lambda path: list(PostcodeReader(path, wanted, chunk_rows=2).chunks()), text)


def index_imd(text: str) -> None:
    """`index imd --domain-ranks FILE`."""
    from commonground.engine import imd_files, indices

    domains = read_file(imd_files.read_domains, text)
    (indices.imd_from_domain_scores if domains.kind == "scores" else indices.imd_from_domain_ranks)(domains.values)


def cni(text: str) -> None:
    """`places left-behind --cni FILE`'s reader."""
    from commonground.engine import left_behind

    read_file(left_behind.read_cni, text)


def panel_draw(text: str) -> None:
    """`panel draw --distribution FILE`."""
    from commonground.engine.sortition import lottery

    lottery.draw(lottery.parse_distribution(text.encode("utf-8", "surrogateescape"), "distribution.json"), "seed", 10)


def ownership(text: str) -> None:
    """`assets import-ownership`, up to the writes (the database test checks those)."""
    from commonground.assets import ownership

    ownership.parse(io.StringIO(text, newline=""))


@dataclass(frozen=True)
class Target:
    name: str
    seeds: list[str]
    run: Callable[[str], None]
    refusals: Callable[[], tuple[type[BaseException], ...]]  # imported late: the module may need Django


def _pabulib_error():
    from commonground.engine.pb.pabulib import PabulibError

    return (PabulibError,)


def _sortition_error():
    from commonground.engine.sortition.model import SortitionError

    return (SortitionError,)


def _data_error():
    from commonground.engine.tables import DataError

    return (DataError,)


def _index_errors():
    from commonground.engine.composite import SpecError
    from commonground.engine.tables import DataError

    return (SpecError, DataError)


def _ownership_error():
    from commonground.assets.ownership import OwnershipImportError

    return (OwnershipImportError,)


TARGETS = [
    Target("pabulib reader, every rule and explanation", seeds.PB, pb_commands, _pabulib_error),
    Target("sortition quotas", seeds.QUOTAS, lambda t: quotas_then_pool(t, seeds.POOL[0]), _sortition_error),
    Target("sortition pool", seeds.POOL, lambda t: quotas_then_pool(seeds.QUOTAS[0], t), _sortition_error),
    Target("index spec (TOML)", seeds.SPEC, lambda t: index_build(t, seeds.INDICATORS[0]), _index_errors),
    Target("index indicators", seeds.INDICATORS, lambda t: index_build(seeds.SPEC[0], t), _index_errors),
    Target("fund eligible wards", seeds.ELIGIBLE, fund_allocate, lambda: (*_data_error(), ValueError)),
    Target("postcode directory", seeds.POSTCODES, postcodes, _data_error),
    Target("IMD domains", seeds.IMD, index_imd, _data_error),
    Target("Community Needs Index", seeds.CNI, cni, _data_error),
    Target("panel distribution (JSON)", seeds.DISTRIBUTION, panel_draw, _sortition_error),
    Target("ownership CSV", seeds.OWNERSHIP, ownership, _ownership_error),
]
