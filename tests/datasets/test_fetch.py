"""`commonground.datasets.fetch` against a local HTTP server on 127.0.0.1: never the internet.

The server serves the reference data pack (or a tampered copy in a temporary directory); sources are
pointed at it through `base_url`, exactly as a mirror laid out like the data pack would be used.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from commonground.datasets.fetch import FetchError, FetchResult, fetch, select, source_url
from commonground.datasets.sources import CATALOGUE, Source

FILE_2 = "imd2019/File_2_-_IoD2019_Domains_of_Deprivation.csv"
FILE_6 = "imd2019/File_6_-_IoD2019_Population_Denominators.csv"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serve files without writing an access log line per request to stderr."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (signature of the base class)
        pass


@pytest.fixture(scope="module")
def manifest(national_data: Path) -> dict[str, dict]:
    return {entry["file"]: entry for entry in json.loads((national_data / "manifest.json").read_text())}


@pytest.fixture
def serve() -> Iterator[Callable[[Path], str]]:
    """Start a server for a directory on a free port of 127.0.0.1; returns its base URL."""
    servers: list[ThreadingHTTPServer] = []

    def start(directory: Path) -> str:
        server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(server)
        host, port = server.server_address[:2]
        return f"http://{host}:{port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture
def pack_url(serve: Callable[[Path], str], national_data: Path) -> str:
    return serve(national_data)


def pack_source(relative_path: str, manifest: dict[str, dict]) -> Source:
    """A source for a data-pack file, pinned to the manifest digest; its publisher URL is never contacted."""
    return Source(
        relative_path=relative_path,
        url=f"https://example.invalid/{relative_path}",
        sha256=manifest[relative_path]["sha256"],
        licence="Open Government Licence v3.0",
        publisher="test",
        description="data-pack file served from 127.0.0.1",
    )


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(directory: Path) -> list[Path]:
    return [p for p in directory.rglob("*") if p.is_file()]


def test_downloads_file_2_and_file_6_byte_identical(tmp_path, pack_url, national_data, manifest):
    sources = [pack_source(FILE_2, manifest), pack_source(FILE_6, manifest)]
    results = fetch(tmp_path, base_url=pack_url, sources=sources)

    assert [r.relative_path for r in results] == [FILE_2, FILE_6]
    for result in results:
        written = tmp_path / result.relative_path
        assert written.read_bytes() == (national_data / result.relative_path).read_bytes()
        assert result == FetchResult(
            result.relative_path,
            "downloaded",
            manifest[result.relative_path]["sha256"],
            manifest[result.relative_path]["bytes"],
            verified=True,
        )
        assert sha256_of(written) == result.sha256
    assert not [p for p in leftovers(tmp_path) if p.name.endswith(".part")]


def test_second_fetch_is_unchanged_and_does_not_rewrite(tmp_path, pack_url, manifest):
    sources = [pack_source(FILE_2, manifest), pack_source(FILE_6, manifest)]
    fetch(tmp_path, base_url=pack_url, sources=sources)
    past = 1_000_000_000  # 2001: any rewrite would move mtime to now
    for name in (FILE_2, FILE_6):
        os.utime(tmp_path / name, (past, past))

    again = fetch(tmp_path, base_url=pack_url, sources=sources)

    assert [r.status for r in again] == ["unchanged", "unchanged"]
    assert [r.sha256 for r in again] == [manifest[FILE_2]["sha256"], manifest[FILE_6]["sha256"]]
    for name in (FILE_2, FILE_6):
        assert (tmp_path / name).stat().st_mtime == past


def test_pinned_file_already_in_place_is_not_downloaded(tmp_path, national_data, manifest):
    """A good file is recognised by its digest alone: the (unreachable) server is never contacted."""
    (tmp_path / "imd2019").mkdir()
    shutil.copyfile(national_data / FILE_6, tmp_path / FILE_6)
    [result] = fetch(tmp_path, base_url="http://127.0.0.1:9", sources=[pack_source(FILE_6, manifest)])
    assert (result.status, result.verified) == ("unchanged", True)


def corrupted_mirror(tmp_path: Path, national_data: Path) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "imd2019").mkdir(parents=True)
    original = bytearray((national_data / FILE_2).read_bytes())
    original[len(original) // 2] ^= 0x01  # one flipped bit in the middle of the file
    (mirror / FILE_2).write_bytes(bytes(original))
    return mirror


def test_corrupted_download_is_rejected_and_leaves_nothing(tmp_path, serve, national_data, manifest):
    mirror = corrupted_mirror(tmp_path, national_data)
    corrupted_digest = sha256_of(mirror / FILE_2)
    dest = tmp_path / "dest"

    with pytest.raises(FetchError) as caught:
        fetch(dest, base_url=serve(mirror), sources=[pack_source(FILE_2, manifest)])

    message = str(caught.value)
    assert FILE_2 in message
    assert manifest[FILE_2]["sha256"] in message
    assert corrupted_digest in message
    assert leftovers(dest) == []  # neither the file nor a temporary file


def test_corrupted_download_does_not_replace_an_existing_file(tmp_path, serve, national_data, manifest):
    """An older (different) copy is in place; the failed update must leave it exactly as it was."""
    mirror = corrupted_mirror(tmp_path, national_data)
    dest = tmp_path / "dest"
    (dest / "imd2019").mkdir(parents=True)
    previous = b"LSOA code (2011),previous release\n"
    (dest / FILE_2).write_bytes(previous)
    past = 1_000_000_000
    os.utime(dest / FILE_2, (past, past))

    with pytest.raises(FetchError, match="Checksum mismatch"):
        fetch(dest, base_url=serve(mirror), sources=[pack_source(FILE_2, manifest)])

    assert (dest / FILE_2).read_bytes() == previous
    assert (dest / FILE_2).stat().st_mtime == past
    assert leftovers(dest) == [dest / FILE_2]


def test_good_file_in_place_is_untouched_even_if_the_server_is_corrupted(tmp_path, serve, national_data, manifest):
    mirror = corrupted_mirror(tmp_path, national_data)
    dest = tmp_path / "dest"
    (dest / "imd2019").mkdir(parents=True)
    shutil.copyfile(national_data / FILE_2, dest / FILE_2)

    [result] = fetch(dest, base_url=serve(mirror), sources=[pack_source(FILE_2, manifest)])

    assert result.status == "unchanged"
    assert sha256_of(dest / FILE_2) == manifest[FILE_2]["sha256"]


def test_404_names_the_url_and_status(tmp_path, pack_url, manifest):
    missing = Source(
        "imd2019/no_such_file.csv", "https://example.invalid/x.csv", None, "OGL", "test", "not on the server"
    )
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path, base_url=pack_url, sources=[missing])
    message = str(caught.value)
    assert f"{pack_url}/imd2019/no_such_file.csv" in message
    assert "404" in message
    assert leftovers(tmp_path) == []


def test_404_leaves_an_existing_file_alone(tmp_path, pack_url):
    (tmp_path / "imd2019").mkdir()
    (tmp_path / "imd2019" / "gone.csv").write_bytes(b"kept\n")
    source = Source("imd2019/gone.csv", "https://example.invalid/gone.csv", None, "OGL", "test", "missing upstream")
    with pytest.raises(FetchError, match="404"):
        fetch(tmp_path, base_url=pack_url, sources=[source])
    assert (tmp_path / "imd2019" / "gone.csv").read_bytes() == b"kept\n"
    assert leftovers(tmp_path) == [tmp_path / "imd2019" / "gone.csv"]


def test_connection_refused_names_the_url(tmp_path, manifest):
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    with pytest.raises(FetchError) as caught:
        fetch(tmp_path, base_url=base, sources=[pack_source(FILE_6, manifest)], timeout=5)
    assert f"{base}/{FILE_6}" in str(caught.value)
    assert "refused" in str(caught.value).lower()


def test_only_filters_by_relative_path_prefix(tmp_path, pack_url, manifest):
    sources = [pack_source(FILE_2, manifest), pack_source(FILE_6, manifest)]

    results = fetch(tmp_path, base_url=pack_url, only=["imd2019/File_6"], sources=sources)

    assert [r.relative_path for r in results] == [FILE_6]
    assert not (tmp_path / FILE_2).exists()
    assert select(["imd2019/"], sources) == tuple(sources)
    assert select("imd2019/File_2", sources) == (sources[0],)  # a lone string is one prefix, not characters
    with pytest.raises(FetchError, match="No source matches lookups/"):
        fetch(tmp_path, base_url=pack_url, only=["lookups/"], sources=sources)


def test_progress_reports_increasing_bytes_ending_at_the_size(tmp_path, pack_url, manifest):
    calls: list[tuple[str, int, int | None]] = []
    fetch(tmp_path, base_url=pack_url, sources=[pack_source(FILE_6, manifest)], progress=lambda *a: calls.append(a))

    size = manifest[FILE_6]["bytes"]
    done = [c[1] for c in calls]
    assert len(calls) > 1  # a few MB arrive in many chunks
    assert {c[0] for c in calls} == {FILE_6}
    assert {c[2] for c in calls} == {size}
    assert all(a < b for a, b in zip(done, done[1:], strict=False))
    assert done[-1] == size


def test_unpinned_source_records_the_digest_and_keeps_identical_files(tmp_path, serve):
    """A real catalogue entry (no pinned digest) fetched from a mirror laid out like the destination."""
    [file7] = select(["imd2019/File_7"])
    mirror = tmp_path / "mirror"
    (mirror / "imd2019").mkdir(parents=True)
    body = b"LSOA code (2011),Index of Multiple Deprivation (IMD) Score\nE01000001,6.208\n"
    (mirror / file7.relative_path).write_bytes(body)
    dest = tmp_path / "dest"
    base = serve(mirror)

    [first] = fetch(dest, base_url=base, only=["imd2019/File_7"])
    past = 1_000_000_000
    os.utime(dest / file7.relative_path, (past, past))
    [second] = fetch(dest, base_url=base, only=["imd2019/File_7"])

    digest = hashlib.sha256(body).hexdigest()
    assert first == FetchResult(file7.relative_path, "downloaded", digest, len(body), verified=False)
    assert second == FetchResult(file7.relative_path, "unchanged", digest, len(body), verified=False)
    assert (dest / file7.relative_path).read_bytes() == body
    assert (dest / file7.relative_path).stat().st_mtime == past


def test_base_url_replaces_scheme_host_and_directory():
    source = CATALOGUE[0]
    assert source_url(source) == source.url
    assert source_url(source, "http://mirror.test/pack/") == f"http://mirror.test/pack/{source.relative_path}"
    assert source_url(source, "http://mirror.test/pack") == f"http://mirror.test/pack/{source.relative_path}"


def test_catalogue_entries_are_official_and_consistent():
    paths = [s.relative_path for s in CATALOGUE]
    assert len(paths) == len(set(paths))
    assert {p.split("/", 1)[0] for p in paths} == {"imd2019", "imd2025", "raw"}
    hosts = {"assets.publishing.service.gov.uk", "services1.arcgis.com", "www.ons.gov.uk"}
    for source in CATALOGUE:
        url = urlsplit(source.url)
        assert url.scheme == "https" and url.netloc in hosts
        name = source.relative_path.rsplit("/", 1)[-1]
        if source.layer:
            # An ONS FeatureServer layer lands under raw/ons/ by its service name (hash suffix dropped).
            assert url.path.startswith("/ESMARspQHYMw9BZ9/arcgis/rest/services/") and url.path.endswith(
                "/FeatureServer/0"
            )
            assert url.path.split("/")[-3].startswith(name.removesuffix(".geojson"))
            assert source.relative_path.startswith("raw/ons/")
        else:
            # A file lands under the publisher's own name and format: an XLSX is never saved as .csv.
            assert (url.query or url.path).rsplit("/", 1)[-1] == name
        assert source.sha256 is None  # no publisher's file has been seen byte for byte (see sources.py)
        assert source.licence == "Open Government Licence v3.0"
        assert source.publisher and source.description


@pytest.mark.parametrize("bad", ["../escape.csv", "/etc/passwd", "", "imd2019/../../x.csv"])
def test_source_rejects_paths_outside_the_destination(bad):
    with pytest.raises(ValueError, match="relative_path"):
        Source(bad, "https://example.invalid/x", None, "OGL", "test", "bad path")


def test_source_rejects_malformed_digest():
    with pytest.raises(ValueError, match="sha256"):
        Source("imd2019/x.csv", "https://example.invalid/x", "ABC", "OGL", "test", "bad digest")


def test_non_http_url_is_refused(tmp_path):
    source = Source("imd2019/x.csv", "file:///etc/passwd", None, "OGL", "test", "local file")
    with pytest.raises(FetchError, match="only http and https"):
        fetch(tmp_path, sources=[source])
    assert leftovers(tmp_path) == []


class TruncatingHandler(QuietHandler):
    """Announces 100,000 bytes, sends 10 and hangs up: a connection lost mid-download."""

    def do_GET(self) -> None:  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"0123456789")
        self.wfile.flush()
        self.close_connection = True


def test_interrupted_download_without_a_validator_leaves_no_partial_file(tmp_path):
    """No ETag or Last-Modified: the bytes could not be resumed safely, so none are kept."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), TruncatingHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    try:
        host, port = server.server_address[:2]
        source = Source("imd2019/x.csv", "https://example.invalid/x.csv", None, "OGL", "test", "cut short")
        with pytest.raises(FetchError, match="Could not download imd2019/x.csv from http://127.0.0.1"):
            fetch(tmp_path, base_url=f"http://{host}:{port}", sources=[source], timeout=5)
    finally:
        server.shutdown()
        server.server_close()
    assert leftovers(tmp_path) == []
