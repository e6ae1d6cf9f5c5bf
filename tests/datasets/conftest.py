"""A fake of the data publishers on 127.0.0.1, serving small files the tests generate in the publishers' formats.

`Publisher` answers like GOV.UK and ons.gov.uk (plain files, with ETag and Range support that a test can
switch off, and a connection cut half way once on demand) and like ONS's ArcGIS FeatureServer
(`.../FeatureServer/0/query` with returnCountOnly, resultOffset/resultRecordCount, outFields and f=geojson,
at most `max_records` features per answer, errors as {"error": {...}} in a 200 answer). `publications()`
builds the fixture files: a File 7 CSV with MHCLG's headers, ONS lookup tables and boundary layers with
ONS's field names, and a SAPE workbook laid out as ONS's (title rows, then the header row).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import Workbook

from commonground.datasets.derive import IMD2025_COLUMNS
from commonground.datasets.sources import CATALOGUE, Source

ARCGIS = "https://services1.arcgis.com/ESMARspQHYMw9BZ9"
HOSTS = (ARCGIS, "https://assets.publishing.service.gov.uk", "https://www.ons.gov.uk")


class Publisher:
    """What the fake server serves, and the requests it received (path with query, headers)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}  # request path (with query) -> body
        self.layers: dict[str, list[dict]] = {}  # service name -> features
        self.max_records = 2
        self.ranges = True  # honour Range (with If-Range against the ETag)
        self.cut_once: set[str] = set()  # paths whose next full answer stops half way
        self.fail_once: set[str] = set()  # "service@offset" pages answering HTTP 500 once
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.base = ""

    def serve(self, files: dict[str, bytes], layers: dict[str, list[dict]] | None = None) -> None:
        self.files.update(files)
        self.layers.update(layers or {})


class Handler(BaseHTTPRequestHandler):
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (signature of the base class)
        pass

    def do_GET(self) -> None:  # noqa: N802 (name fixed by BaseHTTPRequestHandler)
        publisher: Publisher = self.server.publisher  # type: ignore[attr-defined]
        publisher.requests.append((self.path, dict(self.headers)))
        split = urlsplit(self.path)
        layer = re.fullmatch(r"/arcgis/rest/services/([^/]+)/FeatureServer/0/query", split.path)
        if layer:
            self.layer(publisher, layer[1], {k: v[0] for k, v in parse_qs(split.query).items()})
        elif self.path in publisher.files:
            self.file(publisher, self.path, publisher.files[self.path])
        else:
            self.answer(404, b"not found")

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def file(self, publisher: Publisher, path: str, body: bytes) -> None:
        etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
        wanted = self.headers.get("Range", "")
        if publisher.ranges and wanted.startswith("bytes=") and self.headers.get("If-Range", etag) == etag:
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            if start >= len(body):
                self.answer(416, b"", {"Content-Range": f"bytes */{len(body)}"})
                return
            content_range = f"bytes {start}-{len(body) - 1}/{len(body)}"
            self.answer(206, body[start:], {"ETag": etag, "Content-Range": content_range})
            return
        if path in publisher.cut_once:
            publisher.cut_once.discard(path)
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.answer(200, body, {"ETag": etag})

    def layer(self, publisher: Publisher, service: str, query: dict[str, str]) -> None:
        def json_answer(data: dict) -> None:
            self.answer(200, json.dumps(data).encode(), {"Content-Type": "application/json"})

        if service not in publisher.layers:
            json_answer({"error": {"code": 400, "message": "Invalid URL", "details": ["Invalid URL"]}})
            return
        features = publisher.layers[service]
        if query.get("returnCountOnly") == "true":
            json_answer({"count": len(features)})
            return
        offset = int(query.get("resultOffset", 0))
        if f"{service}@{offset}" in publisher.fail_once:
            publisher.fail_once.discard(f"{service}@{offset}")
            self.answer(500, b"busy")
            return
        fields = query.get("outFields", "*")
        known = set(features[0]["properties"]) if features else set()
        if fields != "*" and not set(fields.split(",")) <= known:
            json_answer({"error": {"code": 400, "message": "Invalid field in outFields", "details": []}})
            return
        count = min(int(query.get("resultRecordCount", publisher.max_records)), publisher.max_records)
        page = [
            {**f, "properties": {k: v for k, v in f["properties"].items() if fields == "*" or k in fields.split(",")}}
            for f in features[offset : offset + count]
        ]
        more = offset + count < len(features)
        json_answer({"type": "FeatureCollection", "features": page, "properties": {"exceededTransferLimit": more}})


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    """A fake publisher on a free port of 127.0.0.1; `publisher.base` is its URL."""
    fake = Publisher()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.publisher = fake  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    host, port = server.server_address[:2]
    fake.base = f"http://{host}:{port}"
    yield fake
    server.shutdown()
    server.server_close()


def local(source: Source, base: str) -> Source:
    """The source with its publisher's scheme and host replaced by the fake's."""
    url = source.url
    for host in HOSTS:
        url = url.replace(host, base)
    return dataclasses.replace(source, url=url)


def request_path(url: str) -> str:
    split = urlsplit(url)
    return split.path + (f"?{split.query}" if split.query else "")


# ---- the fixture publications -----------------------------------------------------------------------


def table(rows: list[dict]) -> list[dict]:
    """Rows of an ONS lookup table as FeatureServer GeoJSON features (no geometry)."""
    return [
        {"type": "Feature", "id": i + 1, "geometry": None, "properties": {**r, "ObjectId": i + 1}}
        for i, r in enumerate(rows)
    ]


def square(x: float, y: float) -> list[list[float]]:
    """A ring with full-precision coordinates and a point the 5 dp rounding makes a repeat."""
    return [
        [x, y],
        [x + 0.0100000001, y],
        [x + 0.01000000049, y + 0.0000000001],
        [x + 0.01, y + 0.01],
        [x, y + 0.01],
        [x, y],
    ]


def shapes(rows: list[dict], multi: bool = False) -> list[dict]:
    features = []
    for i, r in enumerate(rows):
        ring = square(-1.2 - i / 10, 54.6 + i / 10)
        geometry = (
            {"type": "MultiPolygon", "coordinates": [[ring]]} if multi else {"type": "Polygon", "coordinates": [ring]}
        )
        features.append({"type": "Feature", "id": i + 1, "geometry": geometry, "properties": r})
    return features


LSOA21 = [
    ("E01000001", "City of London 001A", "E02000001", "City of London 001", "E05009288", "Aldersgate"),
    ("E01000002", "City of London 001B", "E02000001", "City of London 001", "E05009288", "Aldersgate"),
    ("E01011949", "Hartlepool 009A", "E02002491", "Hartlepool 009", "E05008942", "Burn Valley"),
    ("W01000001", "Isle of Anglesey 001A", "W02000001", "Isle of Anglesey 001", "W05001495", "Aberffraw"),
]
LAD24 = {
    "E0": ("E09000001", "City of London"),
    "E1": ("E06000001", "Hartlepool"),
    "W0": ("W06000001", "Isle of Anglesey"),
}


def lad_of(code: str) -> tuple[str, str]:
    return LAD24["E1" if code == "E01011949" else code[0] + "0"]


def file7_2025() -> bytes:
    """IoD 2025 File 7 as MHCLG publish it (headers of File 1/2/5/6 together), with a BOM and one rank
    written with a thousands separator."""
    headers = [
        "LSOA code (2021)",
        "LSOA name (2021)",
        "Local Authority District code (2024)",
        "Local Authority District name (2024)",
        *list(IMD2025_COLUMNS.values())[1:],
        "Total population: mid 2022",
    ]
    lines = [",".join(f'"{h}"' if "," in h else h for h in headers)]
    for n, (code, name, *_) in enumerate(LSOA21[:3]):
        lad = lad_of(code)
        deciles = [str(n + 1)] * 8
        ranks = ['"1,234"' if n == 0 else str(100 + n)] + [str(10 * (n + 1) + d) for d in range(7)]
        scores = [f"{n + 0.125:.3f}"] + [f"{0.01 * (n + d):.3f}" for d in range(7)]
        lines.append(",".join([code, name, *lad, *deciles, *ranks, *scores, str(1500 + n)]))
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def sape() -> bytes:
    """ONS's broad-age workbook: one sheet per year, three title rows, then the header on row 4."""
    book = Workbook()
    book.active.title = "Contents"
    bands = ["0-15", "16-29", "30-44", "45-64", "65+"]
    for year in (2022, 2023, 2024):
        sheet = book.create_sheet(f"Mid-{year} LSOA 2021")
        sheet.append([f"Mid-{year} population estimates for 2021 Lower layer Super Output Areas in England and Wales"])
        sheet.append(["This worksheet contains one table."])
        sheet.append(["Source: Office for National Statistics"])
        sheet.append(
            [
                "LAD 2023 Code",
                "LAD 2023 Name",
                "LSOA 2021 Code",
                "LSOA 2021 Name",
                "Total",
                *[f"F{b}" for b in bands],
                *[f"M{b}" for b in bands],
            ]
        )
        for n, (code, name, *_) in enumerate(LSOA21):
            female = [10 * (n + 1) + i + year - 2024 for i in range(5)]
            male = [20 * (n + 1) + i for i in range(5)]
            sheet.append([lad_of(code)[0], lad_of(code)[1], code, name, sum(female) + sum(male), *female, *male])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def layers() -> dict[str, list[dict]]:
    """ONS's FeatureServer layers, keyed by service name, with ONS's field names."""
    lsoa11 = [
        ("E01000001", "City of London 001A", "U", "E01000001"),
        ("E01000002", "City of London 001B", "U", "E01000002"),
        ("E01011949", "Hartlepool 009A", "S", "E01011949"),
        ("E01011949", "Hartlepool 009A", "S", "E01000002"),
        ("E01011949", "Hartlepool 009A", "S", "E01011949"),
        ("W01000001", "Isle of Anglesey 001A", "U", "W01000001"),
    ]
    names = {code: name for code, name, *_ in LSOA21}
    return {
        "LSOA21_WD24_LAD24_EW_LU": table(
            [
                {
                    "LSOA21CD": c,
                    "LSOA21NM": n,
                    "WD24CD": w,
                    "WD24NM": wn,
                    "LAD24CD": lad_of(c)[0],
                    "LAD24NM": lad_of(c)[1],
                }
                for c, n, _, _, w, wn in LSOA21
            ]
        ),
        "LAD24_RGN24_EN_LU": table(
            [
                {"LAD24CD": "E09000001", "LAD24NM": "City of London", "RGN24CD": "E12000007", "RGN24NM": "London"},
                {"LAD24CD": "E06000001", "LAD24NM": "Hartlepool", "RGN24CD": "E12000001", "RGN24NM": "North East"},
            ]
        ),
        "LSOA11_LSOA21_LAD22_EW_LU": table(
            [
                {
                    "F_LSOA11CD": a,
                    "LSOA11NM": n,
                    "CHGIND": ch,
                    "LSOA21CD": b,
                    "LSOA21NM": names[b],
                    "LAD22CD": lad_of(b)[0],
                    "LAD22NM": lad_of(b)[1],
                }
                for a, n, ch, b in lsoa11
            ]
        ),
        "OA_LSOA_MSOA_EW_DEC_2021_LU_v3": table(
            [
                {
                    "OA21CD": f"{c[0]}0000000{i}",
                    "LSOA21CD": c,
                    "LSOA21NM": n,
                    "MSOA21CD": m,
                    "MSOA21NM": mn,
                    "LAD22CD": lad_of(c)[0],
                }
                for c, n, m, mn, *_ in LSOA21
                for i in range(3)
            ]
        ),
        "LSOA11_WD19_LAD19_EW_LU": table(
            [
                {
                    "LSOA11CD": c,
                    "LSOA11NM": n,
                    "WD19CD": w,
                    "WD19NM": wn,
                    "LAD19CD": lad_of(c)[0],
                    "LAD19NM": lad_of(c)[1],
                }
                for c, n, _, _, w, wn in LSOA21
            ]
        ),
        "LSOA11_WD17_EW_LU_c65dfe9ca2fa4b0fa578b65a4d5c9856": table(
            [
                {"LSOA11CD": c, "LSOA11NM": n, "WD17CD": w.replace("E05009288", "E05000001"), "WD17NM": wn}
                for c, n, _, _, w, wn in LSOA21
            ]
        ),
        "LAD19_RGN19_EN_LU_948748b0eaa54fe888a604b126f5e672": table(
            [
                {"LAD19CD": "E09000001", "LAD19NM": "City of London", "RGN19CD": "E12000007", "RGN19NM": "London"},
                {"LAD19CD": "E06000001", "LAD19NM": "Hartlepool", "RGN19CD": "E12000001", "RGN19NM": "North East"},
            ]
        ),
        "Lower_layer_Super_Output_Areas_December_2021_Boundaries_EW_BGC_V5": shapes(
            [{"LSOA21CD": c, "LSOA21NM": n, "GlobalID": f"g{i}"} for i, (c, n, *_) in enumerate(LSOA21)]
        ),
        "Wards_December_2024_Boundaries_UK_BGC": shapes(
            [{"WD24CD": w, "WD24NM": wn, "LAD24CD": lad_of(c)[0]} for c, _, _, _, w, wn in LSOA21[1:]], multi=True
        ),
        "Local_Authority_Districts_December_2024_Boundaries_UK_BGC": shapes(
            [{"LAD24CD": code, "LAD24NM": name} for code, name in LAD24.values()]
        ),
    }


def plain_files() -> dict[str, bytes]:
    """The catalogue's plain files by relative path (IoD files other than File 7 2025 are opaque bytes here)."""
    files = {s.relative_path: f"{s.relative_path} as published\n".encode() for s in CATALOGUE if not s.layer}
    files["imd2025/File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv"] = file7_2025()
    files["raw/ons/sapelsoabroadage20222024.xlsx"] = sape()
    return files


def service(source: Source) -> str:
    return source.url.rsplit("/FeatureServer/", 1)[0].rsplit("/", 1)[1]


@pytest.fixture
def official(publisher: Publisher) -> tuple[Source, ...]:
    """The whole catalogue served by the fake publisher at the publishers' own paths."""
    sources = tuple(local(s, publisher.base) for s in CATALOGUE)
    files = plain_files()
    publisher.serve({request_path(s.url): files[s.relative_path] for s in sources if not s.layer}, layers())
    return sources


def joined(features: list[dict]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


@pytest.fixture
def mirror(publisher: Publisher) -> str:
    """The fake publisher as a mirror laid out like the destination (layers already joined)."""
    files = {f"/{path}": body for path, body in plain_files().items()}
    by_service = layers()
    files.update({f"/{s.relative_path}": joined(by_service[service(s)]) for s in CATALOGUE if s.layer})
    publisher.serve(files)
    return publisher.base
