"""Security headers on every page: a Content-Security-Policy without inline script, HSTS over HTTPS."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.django_db
def test_pages_forbid_inline_script_and_style(client, demo):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    explorer = client.get("/api/docs").headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-inline'" in explorer  # Swagger UI's page only


@pytest.mark.django_db
def test_no_hsts_on_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/about/", secure=True).headers


@pytest.mark.sqlite
def test_hsts_for_a_year_when_secure_cookies_are_on(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'commonground.settings'; django.setup()\n"
        "from django.test import Client; from django.test.utils import setup_test_environment\n"
        "setup_test_environment(); response = Client().get('/health/', secure=True)\n"
        "print(response.headers.get('Strict-Transport-Security'))"
    )
    env = {**os.environ, "COMMONGROUND_DATA_DIR": str(tmp_path), "COMMONGROUND_SECURE_COOKIES": "true"}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)  # noqa: S603
    assert done.stdout.strip().splitlines()[-1] == "max-age=31536000", done.stderr
