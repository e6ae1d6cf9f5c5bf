"""Download the official publications behind the national data into a directory (catalogue: sources.py).

Why this shape: national files are large and the connections that fetch them are not always good, so a
download must survive being cut off without ever leaving a half-written or unverified file in place.
Each download is streamed into a hidden `.part` file next to its destination and moved into place
(os.replace) only when it is complete and, where a digest is pinned, verified. An interrupted download
resumes from its `.part` with an HTTP Range request guarded by If-Range (the ETag or Last-Modified the
server gave, so the bytes are never spliced onto a newer file) and starts afresh when the server ignores
the range. A file whose digest matches its pinned sha256, or the sha256 recorded in PROVENANCE.json when
it arrived, is not downloaded again.

ArcGIS FeatureServer layers (ONS's lookups and boundaries) are read with paged GeoJSON queries
(resultOffset/resultRecordCount, outSR=4326): each page is kept as it arrives, so an interrupted layer
continues from the next page, and the pages are joined into one FeatureCollection only when their
features add up to the layer's count. On a mirror (`base_url`), every file, a joined layer included, is
fetched from `base_url/relative_path`.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import ssl
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal
from urllib.error import HTTPError, URLError
from urllib.parse import quote, urlencode, urlsplit
from urllib.request import Request, urlopen

from commonground.datasets.provenance import Ledger, now
from commonground.datasets.sources import CATALOGUE, Source

__all__ = [
    "FetchError",
    "FetchResult",
    "Progress",
    "fetch",
    "file_sha256",
    "layer_query",
    "select",
    "source_url",
]

CHUNK_SIZE = 64 * 1024
# Features asked for per query: the usual maximum of a hosted layer; a server that returns fewer is simply
# paged by what it returns.
PAGE_SIZE = 2000
USER_AGENT = "commonground-data-fetch/0.2 (+urllib)"

Progress = Callable[[str, int, int | None], None]
"""`progress(relative_path, bytes_done, total_bytes_or_None)`, called as chunks arrive."""

_NETWORK_ERRORS = (URLError, TimeoutError, ConnectionError, ssl.SSLError, http.client.HTTPException)


class FetchError(Exception):
    """A source could not be downloaded, verified or derived; the message is one sentence for the CLI."""


@dataclass(frozen=True)
class FetchResult:
    """What happened to one source; `sha256` is the digest of the file now in place."""

    relative_path: str
    status: Literal["downloaded", "unchanged"]
    sha256: str
    bytes: int
    verified: bool = False  # True when the digest matched a pinned sha256


@dataclass(frozen=True)
class _Staging:
    """A download in progress, hidden next to its destination: the bytes so far, the URL and validator they
    came with (so only the same file is resumed) and, for a layer, the pages fetched so far."""

    part: Path
    state: Path
    pages: Path

    @classmethod
    def of(cls, target: Path) -> _Staging:
        hidden = f".{target.name}"
        return cls(
            target.with_name(f"{hidden}.part"),
            target.with_name(f"{hidden}.part.json"),
            target.with_name(f"{hidden}.pages"),
        )

    def discard(self) -> None:
        self.part.unlink(missing_ok=True)
        self.state.unlink(missing_ok=True)
        shutil.rmtree(self.pages, ignore_errors=True)


def source_url(source: Source, base_url: str | None = None) -> str:
    """The URL to fetch: the publisher's (a layer's FeatureServer URL), or `base_url/relative_path` on a mirror."""
    if not base_url:
        return source.url
    return f"{base_url.rstrip('/')}/{quote(source.relative_path)}"


def layer_query(source: Source) -> dict[str, str]:
    """The query parameters every page of a layer is asked with (resultOffset/resultRecordCount added per page).

    geometryPrecision=5 asks for coordinates to 5 decimal places (about 1 m), as the data pack keeps them.
    """
    return {"where": "1=1", "outFields": source.fields, "outSR": "4326", "geometryPrecision": "5", "f": "geojson"}


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
    page_size: int = PAGE_SIZE,
) -> list[FetchResult]:
    """Download each selected source into `dest` under its relative path; stop at the first failure.

    A file already in place with its pinned digest, or with the digest recorded in PROVENANCE.json, is
    not downloaded again ("unchanged"). A fresh download identical to the file in place leaves it as it
    was ("unchanged"). Each completed file is recorded in PROVENANCE.json at once, so files completed
    before a failure stay in place and are not fetched again.
    """
    dest = Path(dest)
    ledger = Ledger(dest)
    results = []
    for source in select(only, sources):
        url = source_url(source, base_url)
        previous = ledger.files.get(source.relative_path)
        result = _fetch_one(source, dest, url, ledger.sha256(source.relative_path), progress, timeout, page_size,
                            paged=source.layer and not base_url)  # fmt: skip
        if result.status == "downloaded" or previous is None or previous.get("sha256") != result.sha256:
            ledger.record(source.relative_path, _entry(source, url, result))
        results.append(result)
    return results


def _entry(source: Source, url: str, result: FetchResult) -> dict:
    """The PROVENANCE.json entry of a download."""
    entry = {
        "kind": "download",
        "publisher": source.publisher,
        "licence": source.licence,
        "description": source.description,
        "url": source.url,
        "fetched_from": url,
        "sha256": result.sha256,
        "bytes": result.bytes,
        "pinned_sha256": source.sha256,
        "verified": result.verified,
        "fetched": now(),
    }
    if source.layer:
        query = urlencode({**layer_query(source), "resultOffset": "N", "resultRecordCount": "M"})
        entry["query"] = f"{source.url}/query?{query}: the pages joined into one FeatureCollection"
    return entry


def _fetch_one(source: Source, dest: Path, url: str, recorded: str | None, progress: Progress | None,
               timeout: float, page_size: int, *, paged: bool) -> FetchResult:  # fmt: skip
    """Fetch one source into a staging `.part`, verify it, then os.replace it into place."""
    name = source.relative_path
    target = dest.joinpath(*PurePosixPath(name).parts)
    expected = source.sha256 or recorded
    if expected is not None and target.is_file():
        digest, size = file_sha256(target)
        if digest == expected:
            if progress is not None:
                progress(name, size, size)
            return FetchResult(name, "unchanged", digest, size, verified=source.sha256 is not None)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise FetchError(f"Could not create the directory {target.parent} for {name}: {exc.strerror or exc}.") from exc
    staging = _Staging.of(target)
    if paged:
        digest, size = _download_layer(source, url, staging, progress, timeout, page_size)
    else:
        digest, size = _download(url, staging, name, progress, timeout)
    if source.sha256 is not None and digest != source.sha256:
        staging.discard()
        raise FetchError(
            f"Checksum mismatch for {name} from {url}: expected sha256 {source.sha256}, got {digest}; "
            "the download was discarded."
        )
    status: Literal["downloaded", "unchanged"] = "downloaded"
    if target.is_file() and file_sha256(target)[0] == digest:
        status = "unchanged"
    else:
        os.replace(staging.part, target)
    staging.discard()
    return FetchResult(name, status, digest, size, verified=source.sha256 is not None)


def _download(url: str, staging: _Staging, name: str, progress: Progress | None, timeout: float) -> tuple[str, int]:
    """Stream `url` into `staging.part`, continuing a previous part when the server confirms the range;
    returns the sha256 and size of the whole file."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"Cannot download {name} from {url}: only http and https URLs are supported.")
    offset = staging.part.stat().st_size if staging.part.is_file() else 0
    validator = _saved_validator(staging, url) if offset else None
    headers = {"User-Agent": USER_AGENT}
    if validator is not None:
        headers.update({"Range": f"bytes={offset}-", "If-Range": validator})
    done, total, resumable = 0, None, validator is not None
    try:
        with urlopen(Request(url, headers=headers), timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            resumed = validator is not None and response.status == 206
            if resumed and _range_start(response) != offset:
                staging.discard()
                raise FetchError(f"Could not resume {name} from {url}: the server sent another range; run again.")
            if resumed:
                with staging.part.open("rb") as handle:
                    digest = hashlib.file_digest(handle, "sha256")
            else:
                digest = hashlib.sha256()
            done = offset if resumed else 0
            length = _content_length(response)
            total = None if length is None else done + length
            new_validator = validator if resumed else _validator(response)
            staging.state.write_text(json.dumps({"url": url, "validator": new_validator}), encoding="utf-8")
            resumable = new_validator is not None
            with staging.part.open("ab" if resumed else "wb") as out:
                if progress is not None:
                    progress(name, done, total)
                while chunk := response.read(CHUNK_SIZE):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress is not None:
                        progress(name, done, total)
                out.flush()
                os.fsync(out.fileno())
    except HTTPError as exc:
        if exc.code == 416 and validator is not None:  # the part already reaches the end: start afresh
            staging.discard()
            return _download(url, staging, name, progress, timeout)
        raise _network_error(exc, name, url) from exc
    except http.client.IncompleteRead as exc:
        _keep_if_resumable(staging, resumable)
        raise _cut_short(name, url, done, total, resumable) from exc
    except _NETWORK_ERRORS as exc:
        _keep_if_resumable(staging, resumable)
        raise _network_error(exc, name, url, _again(resumable) if done else "") from exc
    except OSError as exc:
        raise FetchError(f"Could not save {name} into {staging.part.parent}: {exc.strerror or exc}.") from exc
    if total is not None and done != total:
        _keep_if_resumable(staging, resumable)
        raise _cut_short(name, url, done, total, resumable)
    return digest.hexdigest(), done


def _keep_if_resumable(staging: _Staging, resumable: bool) -> None:
    """After a failure, keep a part only when the next run can resume it (the server gave a validator)."""
    if not resumable:
        staging.discard()


def _download_layer(source: Source, url: str, staging: _Staging, progress: Progress | None, timeout: float,
                    page_size: int) -> tuple[str, int]:  # fmt: skip
    """Page through a FeatureServer layer, keeping each page, then join the pages into `staging.part`."""
    name = source.relative_path
    count_url = f"{url}/query?" + urlencode({"where": "1=1", "returnCountOnly": "true", "f": "json"})
    count = _arcgis_json(_get(count_url, name, timeout), name, count_url).get("count")
    if not isinstance(count, int) or count < 0:
        raise FetchError(f"Could not download {name} from {count_url}: the server did not give a feature count.")
    try:
        marker = staging.pages / "count"
        if marker.is_file() and marker.read_text() != str(count):  # the layer changed since those pages
            shutil.rmtree(staging.pages)
        staging.pages.mkdir(exist_ok=True)
        marker.write_text(str(count))
    except OSError as exc:
        raise FetchError(f"Could not save {name} into {staging.pages.parent}: {exc.strerror or exc}.") from exc
    pages, offset, received = [], 0, 0
    while offset < count:
        page = staging.pages / f"{offset:09d}.geojson"
        page_url = f"{url}/query?" + urlencode({**layer_query(source), "resultOffset": offset,
                                                "resultRecordCount": page_size})  # fmt: skip
        if page.is_file():
            features = json.loads(page.read_bytes())["features"]
        else:
            body = _get(page_url, name, timeout)
            features = _arcgis_json(body, name, page_url).get("features")
            if not isinstance(features, list):
                raise FetchError(f"Could not download {name} from {page_url}: the answer is not GeoJSON.")
            if not features:
                break
            _write_atomically(page, body, name)
            received += len(body)
            if progress is not None:
                progress(name, received, None)
        pages.append(page)
        offset += len(features)
    if offset != count:
        raise FetchError(f"Could not download {name} from {url}: the pages hold {offset:,} features but the "
                         f"layer counts {count:,}; run again.")  # fmt: skip
    return _join(pages, staging.part, name)


def _join(pages: list[Path], part: Path, name: str) -> tuple[str, int]:
    """Write the pages' features into one FeatureCollection, one feature per line; its sha256 and size."""
    digest, size = hashlib.sha256(), 0
    try:
        with part.open("wb") as out:
            for n, chunk in enumerate(_feature_lines(pages)):
                data = (b",\n" if n else b'{"type":"FeatureCollection","features":[\n') + chunk
                out.write(data)
                digest.update(data)
                size += len(data)
            tail = b"\n]}\n" if size else b'{"type":"FeatureCollection","features":[]}\n'
            out.write(tail)
            digest.update(tail)
            size += len(tail)
            out.flush()
            os.fsync(out.fileno())
    except OSError as exc:
        raise FetchError(f"Could not save {name} into {part.parent}: {exc.strerror or exc}.") from exc
    return digest.hexdigest(), size


def _feature_lines(pages: list[Path]) -> Iterable[bytes]:
    for page in pages:
        for feature in json.loads(page.read_bytes())["features"]:
            yield json.dumps(feature, ensure_ascii=False, separators=(",", ":")).encode()


def _get(url: str, name: str, timeout: float) -> bytes:
    """The whole body of a small answer (a count or one page of a layer)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"Cannot download {name} from {url}: only http and https URLs are supported.")
    try:
        with urlopen(Request(url, headers={"User-Agent": USER_AGENT}), timeout=timeout) as response:  # noqa: S310
            return response.read()
    except _NETWORK_ERRORS as exc:
        raise _network_error(exc, name, url) from exc


def _arcgis_json(body: bytes, name: str, url: str) -> dict:
    """The JSON of an ArcGIS answer; ArcGIS reports errors inside a 200 answer as {"error": {...}}."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise FetchError(f"Could not download {name} from {url}: the answer is not JSON.") from exc
    if not isinstance(data, dict):
        raise FetchError(f"Could not download {name} from {url}: the answer is not a JSON object.")
    if isinstance(data.get("error"), dict):
        error = data["error"]
        raise FetchError(
            f"Could not download {name} from {url}: the server answered error {error.get('code')}: "
            f"{error.get('message') or 'no message'}."
        )
    return data


def _write_atomically(path: Path, body: bytes, name: str) -> None:
    temporary = path.with_name(f"{path.name}.tmp")
    try:
        temporary.write_bytes(body)
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise FetchError(f"Could not save {name} into {path.parent}: {exc.strerror or exc}.") from exc


def _network_error(exc: Exception, name: str, url: str, hint: str = "") -> FetchError:
    if isinstance(exc, HTTPError):
        why = f"the server answered HTTP {exc.code} {exc.reason}"
    elif isinstance(exc, URLError):
        why = str(exc.reason)
    else:
        why = str(exc) or type(exc).__name__
    return FetchError(f"Could not download {name} from {url}: {why}{hint}.")


def _cut_short(name: str, url: str, done: int, total: int | None, resumable: bool) -> FetchError:
    of = f" of {total:,}" if total is not None else ""
    return FetchError(
        f"Could not download {name} from {url}: the connection closed after {done:,}{of} bytes{_again(resumable)}."
    )


def _again(resumable: bool) -> str:
    return "; run the command again to resume" if resumable else "; run the command again"


def _saved_validator(staging: _Staging, url: str) -> str | None:
    """The validator a part was downloaded with, if it came from this URL (else the part is not resumed)."""
    try:
        state = json.loads(staging.state.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or state.get("url") != url or not isinstance(state.get("validator"), str):
        return None
    return state["validator"]


def _validator(response: http.client.HTTPResponse) -> str | None:
    """A strong ETag, else Last-Modified: what If-Range accepts to confirm the file has not changed."""
    etag = response.headers.get("ETag")
    if etag and not etag.startswith("W/"):
        return etag
    return response.headers.get("Last-Modified")


def _range_start(response: http.client.HTTPResponse) -> int | None:
    """The first byte of a 206 answer, from `Content-Range: bytes START-END/TOTAL`."""
    value = response.headers.get("Content-Range", "")
    unit, _, spec = value.partition(" ")
    start = spec.split("-", 1)[0]
    return int(start) if unit == "bytes" and start.isdigit() else None


def _content_length(response: http.client.HTTPResponse) -> int | None:
    """The announced size, or None when the server does not say (chunked transfer)."""
    value = response.headers.get("Content-Length", "").strip()
    return int(value) if value.isdigit() else None
