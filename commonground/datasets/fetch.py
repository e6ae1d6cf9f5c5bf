"""Download the official publications behind the national data into a directory.

Why: the product never ships third-party data files, so each installation fetches them from their
publisher (or from a mirror laid out the same way). Every download is streamed to a temporary file
next to its destination and moved into place only when it is complete and, where a digest is pinned,
verified. So an interrupted or corrupted download never leaves a half-written file behind and never
replaces a good file that was already there.

About formats: MHCLG publish the IoD 2019 Files 1-6 as XLSX workbooks; only File 7 ("all ranks,
scores, deciles and population denominators") is a CSV. The `File_*.csv` files in the reference
data pack are third-party Excel-to-CSV conversions (UTF-8 BOM, thousands separators), not the
publication byte for byte, so this catalogue pins none of their digests and names every file as its
publisher does. File 7 carries the column headers of Files 2, 5 and 6 together, so the engine's
readers can read it directly.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import re
import secrets
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlsplit
from urllib.request import Request, urlopen

__all__ = [
    "CATALOGUE",
    "FetchError",
    "FetchResult",
    "Progress",
    "Source",
    "fetch",
    "file_sha256",
    "select",
    "source_url",
]

OGL3 = "Open Government Licence v3.0"
MHCLG = "Ministry of Housing, Communities and Local Government (MHCLG)"
CHUNK_SIZE = 64 * 1024
USER_AGENT = "commonground-data-fetch/0.1 (+urllib)"

Progress = Callable[[str, int, int | None], None]
"""`progress(relative_path, bytes_done, total_bytes_or_None)`, called as chunks arrive."""

_SHA256 = re.compile(r"[0-9a-f]{64}")


class FetchError(Exception):
    """A source could not be downloaded or failed verification; the message is one sentence for the CLI."""


@dataclass(frozen=True)
class Source:
    """One published file: where it is published and where it lands under the destination directory.

    `sha256` is pinned only when we hold the publication byte for byte; otherwise it is None and the
    downloader records the digest it received without being able to verify it.
    """

    relative_path: str
    url: str
    sha256: str | None
    licence: str
    publisher: str
    description: str

    def __post_init__(self) -> None:
        """Reject paths that could escape the destination and malformed digests when the catalogue is built."""
        path = PurePosixPath(self.relative_path)
        if not self.relative_path or path.is_absolute() or ".." in path.parts or "\\" in self.relative_path:
            raise ValueError(
                f"relative_path must be a relative POSIX path inside the destination: {self.relative_path!r}"
            )
        if self.sha256 is not None and not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"sha256 must be 64 lowercase hex digits or None: {self.sha256!r}")


@dataclass(frozen=True)
class FetchResult:
    """What happened to one source; `sha256` is the digest of the file now in place."""

    relative_path: str
    status: Literal["downloaded", "unchanged"]
    sha256: str
    bytes: int
    verified: bool = False  # True when the digest matched a pinned sha256


# How each URL was confirmed (stored copies of public repositories; no live page was read):
# - IoD 2019 XLSX under attachment_data/file/NNNNNN/: the legacy GOV.UK asset paths, which now redirect
#   to /media/<id>/ (urllib follows redirects). 833970 (File 1), 833973 (File 2) and 833978 (File 5) are
#   used verbatim by many public scripts; 833980 (File 6) by one: the README of anetobradley/energy_flex
#   data/imd, the repository the data pack's File_*.csv conversions came from.
# - IoD 2019 File 7: /media/5dc407b440f0b6379a7acc8d/ in two repositories; the same file is also cited as
#   attachment_data/file/845345/... (humaniverse/IMD data-raw query_urls and others).
# - IoD 2025 (published 30 October 2025, corrected files re-issued in November 2025): File 7 CSV and File 1
#   at the /media/ paths below appear in many repositories; File 2 in two; File 5 in two.
#
# Left out of the default set (not confirmed):
# - IoD 2025 File 6 (population denominators): the only URL seen, /media/68ff5c8c394b8c2a6ddf5d90/
#   File_6_IoD2025_Population_Denominators.xlsx, dates from before the November re-issue and may be
#   superseded. File 7 2025 carries the same denominators.
# - lookups/lookup_lsoa11_ward17.csv: ONS's LSOA (2011) to Ward (2017) lookup was served from
#   opendata.arcgis.com download URLs that have been retired; no current official URL was confirmed, and
#   the data pack's file is a two-column extract made by the geographr R package, not ONS's file.
# - imd2019/imd2019_england_lsoa11.csv and the other imd20xx_* tables: derived by the humaniverse/IMD R
#   package (from File 7); they have no official publication of their own.
_GOVUK_2019 = "https://assets.publishing.service.gov.uk/government/uploads/system/uploads/attachment_data/file"
_GOVUK_MEDIA = "https://assets.publishing.service.gov.uk/media"

CATALOGUE: tuple[Source, ...] = (
    Source(
        relative_path="imd2019/File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
        url=f"{_GOVUK_MEDIA}/5dc407b440f0b6379a7acc8d/"
        "File_7_-_All_IoD2019_Scores__Ranks__Deciles_and_Population_Denominators_3.csv",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 7 (CSV): every score, rank and decile of the IMD and its seven domains, and the "
        "mid-2015 population denominators, for the 32,844 LSOAs (2011) in England.",
    ),
    Source(
        relative_path="imd2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
        url=f"{_GOVUK_2019}/833970/File_1_-_IMD2019_Index_of_Multiple_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 1 (XLSX): IMD rank and decile per LSOA (2011).",
    ),
    Source(
        relative_path="imd2019/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
        url=f"{_GOVUK_2019}/833973/File_2_-_IoD2019_Domains_of_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 2 (XLSX): IMD and the seven domain ranks and deciles per LSOA (2011).",
    ),
    Source(
        relative_path="imd2019/File_5_-_IoD2019_Scores.xlsx",
        url=f"{_GOVUK_2019}/833978/File_5_-_IoD2019_Scores.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 5 (XLSX): IMD and the seven domain scores per LSOA (2011).",
    ),
    Source(
        relative_path="imd2019/File_6_-_IoD2019_Population_Denominators.xlsx",
        url=f"{_GOVUK_2019}/833980/File_6_-_IoD2019_Population_Denominators.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2019 File 6 (XLSX): mid-2015 population denominators (excluding prisoners) per LSOA (2011).",
    ),
    Source(
        relative_path="imd2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
        url=f"{_GOVUK_MEDIA}/691ded56d140bbbaa59a2a7d/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2025 File 7 (CSV): every score, rank and decile and the population denominators for the "
        "33,755 LSOAs (2021) in England.",
    ),
    Source(
        relative_path="imd2025/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
        url=f"{_GOVUK_MEDIA}/691dece32c6b98ecdbc500d5/File_1_IoD2025_Index_of_Multiple_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2025 File 1 (XLSX): IMD rank and decile per LSOA (2021).",
    ),
    Source(
        relative_path="imd2025/File_2_IoD2025_Domains_of_Deprivation.xlsx",
        url=f"{_GOVUK_MEDIA}/691decfae39a085bda43efcd/File_2_IoD2025_Domains_of_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2025 File 2 (XLSX): IMD and the seven domain ranks and deciles per LSOA (2021).",
    ),
    Source(
        relative_path="imd2025/File_5_IoD2025_Scores_for_the_Indices_of_Deprivation.xlsx",
        url=f"{_GOVUK_MEDIA}/691ded34513046b952c500bd/File_5_IoD2025_Scores_for_the_Indices_of_Deprivation.xlsx",
        sha256=None,
        licence=OGL3,
        publisher=MHCLG,
        description="IoD 2025 File 5 (XLSX): IMD and the seven domain scores per LSOA (2021).",
    ),
)


def source_url(source: Source, base_url: str | None = None) -> str:
    """The URL to fetch: the publisher's, or `base_url/relative_path` on a mirror laid out like the destination."""
    if not base_url:
        return source.url
    return f"{base_url.rstrip('/')}/{quote(source.relative_path)}"


def select(only: Iterable[str] | None = None, sources: Sequence[Source] = CATALOGUE) -> tuple[Source, ...]:
    """The sources whose relative path starts with one of the `only` prefixes (all of them when `only` is None)."""
    if only is None:
        return tuple(sources)
    prefixes = (only,) if isinstance(only, str) else tuple(only)
    chosen = tuple(s for s in sources if any(s.relative_path.startswith(p) for p in prefixes))
    if not chosen:
        known = ", ".join(sorted({s.relative_path.split("/", 1)[0] + "/" for s in sources}))
        raise FetchError(f"No source matches {', '.join(prefixes) or '(nothing)'}; paths start with {known}.")
    return chosen


def file_sha256(path: Path) -> tuple[str, int]:
    """Hex sha256 and size of a file, read in chunks so large files do not fill memory."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_SIZE):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def fetch(
    dest: Path,
    *,
    base_url: str | None = None,
    only: Iterable[str] | None = None,
    progress: Progress | None = None,
    timeout: float = 60,
    sources: Sequence[Source] = CATALOGUE,
) -> list[FetchResult]:
    """Download each selected source into `dest` under its relative path; stop at the first failure.

    A file whose digest already matches its pinned sha256 is not downloaded again ("unchanged"). A file
    without a pinned digest is downloaded, and left as it was ("unchanged") when the new bytes are identical.
    Files completed before a failure stay in place: each one is whole.
    """
    dest = Path(dest)
    return [
        _fetch_one(source, dest, source_url(source, base_url), progress, timeout) for source in select(only, sources)
    ]


def _fetch_one(source: Source, dest: Path, url: str, progress: Progress | None, timeout: float) -> FetchResult:
    """Fetch one source atomically: temp file in the target directory, verify, then os.replace."""
    name = source.relative_path
    target = dest.joinpath(*PurePosixPath(name).parts)
    if source.sha256 is not None and target.is_file():
        digest, size = file_sha256(target)
        if digest == source.sha256:
            if progress is not None:
                progress(name, size, size)
            return FetchResult(name, "unchanged", digest, size, verified=True)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"Could not create the directory {target.parent} for {name}: {exc.strerror or exc}.") from exc
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        digest, size = _download(url, temporary, name, progress, timeout)
        if source.sha256 is not None and digest != source.sha256:
            raise FetchError(
                f"Checksum mismatch for {name} from {url}: expected sha256 {source.sha256}, got {digest}; "
                "the download was discarded."
            )
        if source.sha256 is None and target.is_file() and file_sha256(target)[0] == digest:
            return FetchResult(name, "unchanged", digest, size, verified=False)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)  # already gone after os.replace
    return FetchResult(name, "downloaded", digest, size, verified=source.sha256 is not None)


def _download(url: str, temporary: Path, name: str, progress: Progress | None, timeout: float) -> tuple[str, int]:
    """Stream `url` into `temporary` (created exclusively), returning its sha256 and size."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"Cannot download {url}: only http and https URLs are supported.")
    request = Request(url, headers={"User-Agent": USER_AGENT})  # noqa: S310 (scheme checked above)
    digest = hashlib.sha256()
    done = 0
    try:
        with urlopen(request, timeout=timeout) as response, temporary.open("xb") as out:  # noqa: S310 (scheme checked)
            total = _content_length(response)
            while chunk := response.read(CHUNK_SIZE):
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if progress is not None:
                    progress(name, done, total)
            if total is not None and done != total:
                raise FetchError(f"Could not download {url}: the connection closed after {done} of {total} bytes.")
            if done == 0 and progress is not None:
                progress(name, 0, total)
            out.flush()
            os.fsync(out.fileno())
    except HTTPError as exc:
        raise FetchError(f"Could not download {url}: the server answered HTTP {exc.code} {exc.reason}.") from exc
    except URLError as exc:
        raise FetchError(f"Could not download {url}: {exc.reason}.") from exc
    except (TimeoutError, ConnectionError, ssl.SSLError, http.client.HTTPException) as exc:
        raise FetchError(f"Could not download {url}: {exc or type(exc).__name__}.") from exc
    except OSError as exc:
        raise FetchError(f"Could not save {name} into {temporary.parent}: {exc.strerror or exc}.") from exc
    return digest.hexdigest(), done


def _content_length(response: http.client.HTTPResponse) -> int | None:
    """The announced size, or None when the server does not say (chunked transfer)."""
    value = response.headers.get("Content-Length", "").strip()
    return int(value) if value.isdigit() else None
