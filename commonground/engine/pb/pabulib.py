"""Read and write the pabulib `.pb` format (META / PROJECTS / VOTES, semicolon-separated).

Format: pabulib.org, "The .pb file format" (Faliszewski et al., Pabulib: a participatory budgeting
library, 2023). Errors name the line number and the field.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np

from commonground.engine.pb.profile import LIMIT_KEYS, VOTE_TYPES, BallotLimits, Election, Number

SECTIONS = ("META", "PROJECTS", "VOTES")


class PabulibError(ValueError):
    def __init__(self, source: str, line: int | None, message: str):
        where = f"{source}, line {line}" if line is not None else source
        super().__init__(f"{where}: {message}")
        self.line = line


# A plain decimal (a comma may be the decimal mark), optionally with an exponent: no NaN, Infinity,
# underscores or non-ASCII digits, all of which Fraction and Decimal would take.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,9})?")  # Decimal's exponent range
MAX_DIGITS = 15  # digits before the decimal point: far above any budget, and exact in a float
MAX_PLACES = 9  # digits after it


def _number(text: str, source: str, line: int, field: str) -> Number:
    """A number within the bounds every rule counts exactly and fast. The bounds are checked on the
    Decimal, whose exponent is a field: Fraction would expand `1e99999999` digit by digit."""
    cleaned = text.strip().replace(",", ".")
    if len(cleaned) > 100 or not _NUMBER.fullmatch(cleaned):
        raise PabulibError(source, line, f"{field} {_shown(text)} is not a number")
    decimal = Decimal(cleaned)
    if decimal and decimal.adjusted() >= MAX_DIGITS:
        raise PabulibError(source, line, f"{field} {_shown(text)} is too large (at most {MAX_DIGITS} digits)")
    _, digits, exponent = decimal.as_tuple()
    places = -exponent - (len(digits) - len("".join(map(str, digits)).rstrip("0")))  # trailing zeros aside
    if decimal and places > MAX_PLACES:
        raise PabulibError(source, line, f"{field} {_shown(text)} has more than {MAX_PLACES} decimal places")
    value = Fraction(decimal)
    return int(value) if value.denominator == 1 else value


def _shown(text: str) -> str:
    """A value quoted for an error message, cut short if long."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _format(value: Number) -> str:
    return str(value) if isinstance(value, int) else str(float(value))


def parse(text: str, source: str = "<string>", *, strict: bool = False) -> Election:
    """Parse the text of a .pb file; every error names the line (1-based) and the field. Votes that
    break the META's ballot constraints are warnings (`Election.warnings`), or errors when `strict`."""
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    section = None
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    header: list[str] | None = None
    project_columns: list[str] = []
    projects: list[dict[str, str]] = []
    vote_columns: list[str] = []
    voters: list[dict[str, str]] = []
    vote_lines: list[int] = []
    project_lines: list[int] = []
    seen: list[str] = []
    for line, row in _rows(rows, source):
        if not row or (not row[0].strip() and not "".join(row).strip()):
            continue
        first = row[0].strip()
        if first.upper() in SECTIONS and len(row) == 1:
            section, header = first.upper(), None
            seen.append(section)
            continue
        if section is None:
            raise PabulibError(source, line, "expected a META, PROJECTS or VOTES section header first")
        if header is None:
            header = [c.strip() for c in row]
            if section == "META" and len(header) < 2:
                raise PabulibError(source, line, "the META header needs key and value columns")
            if section == "PROJECTS":
                if "project_id" not in header or "cost" not in header:
                    raise PabulibError(source, line, "the PROJECTS header needs project_id and cost columns")
                project_columns = header
            elif section == "VOTES":
                if "voter_id" not in header or "vote" not in header:
                    raise PabulibError(source, line, "the VOTES header needs voter_id and vote columns")
                vote_columns = header
            continue
        if len(row) != len(header):
            raise PabulibError(source, line, f"{len(row)} fields where the {section} header has {len(header)}")
        values = dict(zip(header, map(str.strip, row), strict=True))
        if section == "META":
            meta[values[header[0]]] = values[header[1]]
            meta_lines[values[header[0]]] = line
        elif section == "PROJECTS":
            projects.append(values)
            project_lines.append(line)
        else:
            voters.append(values)
            vote_lines.append(line)
    for needed in SECTIONS:
        if needed not in seen:
            raise PabulibError(source, None, f"no {needed} section")
    for key in ("budget", "vote_type"):
        if key not in meta:
            raise PabulibError(source, None, f"META has no {key}")
    vote_type = meta["vote_type"]
    if vote_type not in VOTE_TYPES:
        raise PabulibError(source, None, f"vote_type {vote_type!r} is not one of {', '.join(VOTE_TYPES)}")
    budget = _number(meta["budget"], source, meta_lines["budget"], "budget")
    if meta.get("min_project_score_threshold", "") != "":  # the city's greedy reads it
        key = "min_project_score_threshold"
        _number(meta[key], source, meta_lines[key], key)
    if budget <= 0:
        raise PabulibError(source, meta_lines["budget"], f"budget {meta['budget']!r} must be more than 0")
    for key, found in (("num_projects", len(projects)), ("num_votes", len(voters))):
        if key in meta and _number(meta[key], source, meta_lines[key], key) != found:
            raise PabulibError(source, meta_lines[key], f"{key} is {meta[key]} but the file has {found}")
    project_ids = [p["project_id"] for p in projects]
    index_of = {pid: i for i, pid in enumerate(project_ids)}
    if len(index_of) != len(project_ids):
        again = next(i for i, pid in enumerate(project_ids) if pid in project_ids[:i])
        raise PabulibError(source, project_lines[again], f"project_id {project_ids[again]!r} appears twice in PROJECTS")
    costs = [
        _number(p["cost"], source, line, f"cost of project {p['project_id']}")
        for p, line in zip(projects, project_lines, strict=True)
    ]
    for cost, p, line in zip(costs, projects, project_lines, strict=True):
        if cost <= 0:
            raise PabulibError(source, line, f"cost of project {p['project_id']} must be more than 0")
    _check_voter_ids(voters, vote_lines, source)
    limits = _limits(meta, meta_lines, source)
    ptr = np.zeros(len(voters) + 1, dtype=np.int64)
    entries: list[int] = []
    points: list[int] = []
    scored = vote_type in ("cumulative", "scoring")
    warnings: list[str] = []
    for v, (row, line) in enumerate(zip(voters, vote_lines, strict=True)):
        names = [x for x in map(str.strip, row["vote"].split(",")) if x] if row["vote"] else []
        try:
            ballot = [index_of[name] for name in names]
        except KeyError as missing:
            raise PabulibError(
                source, line, f"vote names project {missing.args[0]!r}, which is not in PROJECTS"
            ) from None
        duplicated = len(set(ballot)) != len(ballot)
        if duplicated and strict:
            raise PabulibError(source, line, "vote names a project twice")
        if duplicated and not scored:
            warnings.append(f"line {line}: a project named twice in one vote counts once")
            ballot = list(dict.fromkeys(ballot))
        if scored:
            if "points" not in row:
                raise PabulibError(source, line, f"{vote_type} ballots need a points column")
            given = [x.strip() for x in row["points"].split(",") if x.strip()] if row["points"] else []
            if len(given) != len(ballot):
                raise PabulibError(source, line, f"{len(given)} points for {len(ballot)} projects in vote")
            scores: dict[int, int] = {}
            for project, g in zip(ballot, given, strict=True):
                value = _number(g, source, line, "points")
                if not isinstance(value, int):
                    raise PabulibError(source, line, f"points {g!r} must be whole numbers")
                scores[project] = value  # a repeated project keeps its last points, as pabutools reads it
            if duplicated:
                warnings.append(f"line {line}: a project named twice in one vote keeps its last points")
            ballot = list(scores)
            points.extend(scores.values())
        entries.extend(ballot)
        ptr[v + 1] = len(entries)
    ballot_projects = np.array(entries, dtype=np.int32)
    ballot_points = np.array(points, dtype=np.int64) if scored else None
    cost_array = np.array([float(c) for c in costs])
    warnings += _check_votes(
        vote_type, limits, ptr, ballot_projects, ballot_points, cost_array, vote_lines, source, strict
    )
    return Election(
        meta=meta,
        project_columns=project_columns,
        projects=projects,
        vote_columns=vote_columns,
        voters=voters,
        project_ids=project_ids,
        costs=costs,
        budget=budget,
        vote_type=vote_type,
        ballot_ptr=ptr,
        ballot_projects=ballot_projects,
        ballot_points=ballot_points,
        index_of=index_of,
        limits=limits,
        warnings=warnings,
    )


def _rows(rows, source: str):
    """(line number, fields) of each row; a line the csv module cannot split (an unclosed quote
    running past the field size limit) is an error naming where it starts."""
    line = 1
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            raise PabulibError(source, line, f"cannot be read as semicolon-separated fields ({exc})") from None
        yield line, row
        line = rows.line_num + 1


def _check_voter_ids(voters: list[dict[str, str]], lines: list[int], source: str) -> None:
    seen: set[str] = set()
    for row, line in zip(voters, lines, strict=True):
        if row["voter_id"] in seen:
            raise PabulibError(source, line, f"voter_id {row['voter_id']!r} appears twice in VOTES")
        seen.add(row["voter_id"])


def _limits(meta: dict[str, str], lines: dict[str, int], source: str) -> BallotLimits:
    """The ballot constraints the META section declares (pabulib format: min_length, max_length,
    min_sum_points, max_sum_points, min_points, max_points, min_sum_cost, max_sum_cost)."""
    values = {}
    for key in LIMIT_KEYS:
        if key in meta and meta[key] != "":
            value = _number(meta[key], source, lines[key], key)
            if value < 0:
                raise PabulibError(source, lines[key], f"{key} {meta[key]!r} cannot be negative")
            values[key] = value
    return BallotLimits(**values)


def _check_votes(vote_type: str, limits: BallotLimits, ptr: np.ndarray, entries: np.ndarray,
                 points: np.ndarray | None, costs: np.ndarray, lines: list[int], source: str,
                 strict: bool) -> list[str]:  # fmt: skip
    """Every vote against the file's own constraints, vectorised. Real files break them now and then
    (a Mechanical Turk vote with 98 of its 100 points), so each broken constraint is a warning naming
    the first vote's line and how many break it; `strict` makes it an error."""
    lengths = np.diff(ptr)
    named = lengths > 0  # a blank vote names no project, so only min_length binds it
    voter = np.repeat(np.arange(lengths.size), lengths)
    spent = np.bincount(voter, weights=costs[entries], minlength=lengths.size)
    # (META key, each vote's value, whether the key is a minimum, how a broken vote is described)
    measures = [
        ("min_length", lengths, True, "vote has {:g} projects"),
        ("max_length", lengths, False, "vote has {:g} projects"),
        ("min_sum_cost", spent, True, "vote costs {:g}"),
        ("max_sum_cost", spent, False, "vote costs {:g}"),
    ]
    if vote_type == "choose-1":
        measures.append(("", lengths, False, "a choose-1 vote names {:g} projects"))
    if points is not None:
        if (points < 0).any():
            raise PabulibError(source, lines[int(voter[np.argmax(points < 0)])], "points cannot be negative")
        lowest, highest = np.zeros(lengths.size), np.zeros(lengths.size)
        if named.any():
            lowest[named] = np.minimum.reduceat(points, ptr[:-1][named])
            highest[named] = np.maximum.reduceat(points, ptr[:-1][named])
        given = np.bincount(voter, weights=points, minlength=lengths.size)
        measures += [
            ("min_points", lowest, True, "vote gives a project {:g} points"),
            ("max_points", highest, False, "vote gives a project {:g} points"),
            ("min_sum_points", given, True, "vote gives {:g} points"),
            ("max_sum_points", given, False, "vote gives {:g} points"),
        ]
    found: list[str] = []
    for key, value, minimum, described in measures:
        limit = getattr(limits, key) if key else 1
        if limit is None:
            continue
        broken = (value < float(limit)) & (named | (key == "min_length")) if minimum else value > float(limit)
        hit = np.flatnonzero(broken)
        if not hit.size:
            continue
        v = int(hit[0])
        text = described.format(value[v]) + (f"; META {key} is {limit}" if key else "")
        if strict:
            raise PabulibError(source, lines[v], text)
        found.append(f"line {lines[v]}: {text}" + (f" (and {hit.size - 1} more votes)" if hit.size > 1 else ""))
    return found


def read(path: Path | str, *, strict: bool = False) -> Election:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PabulibError(str(path), None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise PabulibError(str(path), None, f"not UTF-8 text ({exc.reason})") from None
    return parse(text, str(path), strict=strict)


def dumps(election: Election) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in election.meta.items():
        writer.writerow([key, value])
    out.write("PROJECTS\n")
    writer.writerow(election.project_columns)
    for row in election.projects:
        writer.writerow([row[c] for c in election.project_columns])
    out.write("VOTES\n")
    writer.writerow(election.vote_columns)
    for row in election.voters:
        writer.writerow([row[c] for c in election.vote_columns])
    return out.getvalue()


def write(election: Election, path: Path | str) -> None:
    Path(path).write_text(dumps(election), encoding="utf-8")
