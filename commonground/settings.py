"""Django settings, all read from the environment through commonground.config."""

from __future__ import annotations

import os
from pathlib import Path

from commonground import config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

SECRET_KEY = config.secret_key(DATA_DIR)
DEBUG = config.flag("COMMONGROUND_DEBUG", False)
ALLOWED_HOSTS = config.host_list("COMMONGROUND_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = config.host_list("COMMONGROUND_CSRF_TRUSTED_ORIGINS", "")
SECURE = config.flag("COMMONGROUND_SECURE_COOKIES", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Served over HTTPS: browsers must keep to HTTPS for a year (HSTS), sent only when secure cookies are on.
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "commonground.core",
    "commonground.accounts",
    "commonground.audit",
    "commonground.voting",
    "commonground.notify",
    "commonground.places",
    "commonground.neighbourhoods",
    "commonground.delivery",
    "commonground.pots",
    "commonground.contributions",
    "commonground.fund",
    "commonground.budgeting",
    "commonground.assets",
    "commonground.ballots",
    "commonground.panels",
    "commonground.outcomes",
    "commonground.publicbodies",
    "commonground.impact",
    "commonground.spending",
    "commonground.procurement",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "commonground.core.middleware.RejectNulCharacters",
    "commonground.core.middleware.ContentSecurityPolicy",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "commonground.urls"
WSGI_APPLICATION = "commonground.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commonground.core.context_processors.site",
                "commonground.places.context_processors.demo",
            ],
        },
    },
]
FORM_RENDERER = "commonground.core.forms.GovukFormRenderer"

DATABASES = {"default": config.database(DATA_DIR)}
# Long work (panel selection) runs in `commonground worker`, which `serve` starts beside the web server.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "accounts:account"
LOGOUT_REDIRECT_URL = "home"

# Mail: SMTP, GOV.UK Notify, or (unconfigured) files in a private outbox in the data directory; see docs/notify.md.
_EMAIL = config.email()
EMAIL_BACKEND = _EMAIL["EMAIL_BACKEND"]
EMAIL_HOST = _EMAIL["EMAIL_HOST"]
EMAIL_PORT = _EMAIL["EMAIL_PORT"]
EMAIL_HOST_USER = _EMAIL["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _EMAIL["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _EMAIL["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _EMAIL["EMAIL_USE_SSL"]
EMAIL_TIMEOUT = _EMAIL["EMAIL_TIMEOUT"]
EMAIL_OUTBOX_DIR = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = os.environ.get("COMMONGROUND_FROM_EMAIL", "Common Ground <no-reply@localhost>")
COMMONGROUND_NOTIFY = config.notify()
# Links in notices (unsubscribe) need the site's public address; requests are not there to ask.
COMMONGROUND_SITE_URL = os.environ.get("COMMONGROUND_SITE_URL", "http://localhost:8000").rstrip("/")
COMMONGROUND_NOTIFY_INTERVAL = config.positive_number("COMMONGROUND_NOTIFY_INTERVAL", 10.0)
COMMONGROUND_NOTIFY_KEEP_DAYS = int(config.positive_number("COMMONGROUND_NOTIFY_KEEP_DAYS", 365))
# Days after an officer decides a request to be verified as a resident before its name, address and postcode are
# erased (docs/neighbourhoods.md).
COMMONGROUND_VERIFICATION_KEEP_DAYS = int(config.positive_number("COMMONGROUND_VERIFICATION_KEEP_DAYS", 90))

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files (meeting papers) live in the data directory and are never served from a URL of their own:
# each is sent by a view that checks who may read it.
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_PERMISSIONS = 0o640
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("COMMONGROUND_LOG_LEVEL", "WARNING")},
}

COMMONGROUND_SERVICE_NAME = os.environ.get("COMMONGROUND_SERVICE_NAME", "Common Ground")
# Background map tiles are off by default (no third-party requests); e.g. OpenStreetMap's tile URL.
COMMONGROUND_MAP_TILES_URL = os.environ.get("COMMONGROUND_MAP_TILES_URL", "")
COMMONGROUND_MAP_TILES_ATTRIBUTION = os.environ.get(
    "COMMONGROUND_MAP_TILES_ATTRIBUTION", "&copy; OpenStreetMap contributors"
)
