"""Safekeep settings: one file, read from the environment.

SAFEKEEP_ENV chooses the posture: "production" (the default, so a forgotten variable
fails safe), "development" (the demo on http://127.0.0.1:8000) or "test".
SQLite is the default database; DATABASE_URL switches to PostgreSQL.
"""

import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SAFEKEEP_VAR_DIR", BASE_DIR / "var"))

ENV = os.environ.get("SAFEKEEP_ENV", "production")
if ENV not in {"production", "development", "test"}:
    raise ImproperlyConfigured(f"SAFEKEEP_ENV must be production, development or test, not {ENV!r}")
PRODUCTION = ENV == "production"
DEBUG = ENV == "development" and os.environ.get("SAFEKEEP_DEBUG", "1") == "1"


def _local_secret(name: str) -> str:
    """Outside production, keep a random secret in var/ so a demo install is not keyed by a published string."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _secret(env_name: str, local_name: str) -> str:
    value = os.environ.get(env_name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{env_name} must be set in production")
    return _local_secret(local_name)


SECRET_KEY = _secret("SECRET_KEY", "secret_key")
# The audit chain has its own key so that rotating SECRET_KEY never breaks verification.
AUDIT_HMAC_KEY = _secret("SAFEKEEP_AUDIT_KEY", "audit_key")
# Each signed checkpoint of the audit chain's head is also appended here, outside the database, so rows
# removed from the end are named even by someone who can change every table (docs/adr/0009).
SAFEKEEP_AUDIT_CHECKPOINT_FILE = os.environ.get("SAFEKEEP_AUDIT_CHECKPOINT_FILE", "")
# Fernet key material for secrets we store (TOTP seeds, later narratives).
FIELD_ENCRYPTION_KEY = _secret("SAFEKEEP_FIELD_KEY", "field_key")
SALT_KEY = [FIELD_ENCRYPTION_KEY]
# Attachments (AES-GCM): their own key if given, else one derived from the field key with its own label.
ATTACHMENT_ENCRYPTION_KEY = os.environ.get("SAFEKEEP_ATTACHMENT_KEY", "")

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h]
if not PRODUCTION:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.forms",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django.contrib.humanize",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "django_tasks_db",
    "crontask",
    "encrypted_fields",
    "safekeep.core",
    "safekeep.accounts",
    "safekeep.authz",
    "safekeep.audit",
    "safekeep.establishments",
    "safekeep.children",
    "safekeep.imports",
    "safekeep.packs",
    "safekeep.chronology",
    "safekeep.actions",
    "safekeep.concerns",
    "safekeep.referrals",
    "safekeep.cases",
    "safekeep.safetyplans",
    "safekeep.sharing",
    "safekeep.meetings",
    # Training currency: the packs' courses, each person's completions, who is due (CE 2.0, KCSIE).
    "safekeep.training",
    "safekeep.attachments",
    "safekeep.peergroups",
    # Missing episodes and the description kept ready for the police (issue 14 section 4).
    "safekeep.missing",
    # A child's exploitation signs over time, this term against last (issue 14 section 5).
    "safekeep.exploitation",
    # Places as records: their concerns, heat by day and time, the site plan, the team's notes (issue 14 section 1).
    "safekeep.places",
    # Places, online spaces and peer groups assessed as contexts, and their plans (issue 14 section 3).
    "safekeep.contexts",
    # Subject access requests: their one-month clock and the answer's withheld parts (issue 15 section 5).
    "safekeep.subjectaccess",
    # Oversight: trend summaries and pages (top layer: reads every casework app).
    "safekeep.trends",
    "safekeep.oversight",
    "safekeep.transfers",
    "safekeep.api",
    # The demo world and its commands (demo_data, demo_totp): the top layer, above every app it uses.
    "safekeep.demo",
    # Governor and SLT reports and the CE 10.6 exploitation risk review (top layer: reads the others)
    "safekeep.governance",
    # The audit log's page and CSV, with the names of the children and concerns it is about (above those apps).
    "safekeep.auditlog",
    # Retention with review: legal holds, review decisions, two-person destruction and its tombstones (issue 15
    # section 4). High in the layers: destroying a child's file reaches every app that records about them.
    "safekeep.retention",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise (static files keep their caching), before everything else that may answer.
    "safekeep.core.cache_headers.NoStoreMiddleware",
    "safekeep.core.middleware.RequestIdMiddleware",
    # Before anything reads the request: NUL and out-of-range numbers get a clear 400 (issue 10).
    "safekeep.core.middleware.BadInputMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "safekeep.accounts.middleware.SessionTimeoutMiddleware",
    "safekeep.authz.middleware.UrlPolicyMiddleware",
    "safekeep.audit.middleware.AuditDenialMiddleware",
    # Last, so a locked-out login is answered before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "safekeep.core.forms.GovukRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "safekeep" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "safekeep.authz.context_processors.navigation",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------
# On PostgreSQL each process keeps a pool of connections (psycopg_pool, through Django's own pool):
# a request borrows one instead of opening one. Sizes come from the environment; docs/operations.md
# says how to size them against gunicorn's workers and PostgreSQL's max_connections.
# DATABASE_POOL=0 goes back to one persistent connection per thread (DATABASE_CONN_MAX_AGE).
DATABASE_POOL = os.environ.get("DATABASE_POOL", "1") == "1"


def _database(url: str) -> dict:
    database = dj_database_url.parse(url, conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
                                     conn_health_checks=True)
    if database["ENGINE"] == "django.db.backends.postgresql" and DATABASE_POOL:
        database.setdefault("OPTIONS", {})["pool"] = {
            "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")),
            "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4")),
            # A sync worker never waits for one of its own connections, so this is how long a request
            # waits while PostgreSQL cannot be reached before the person is told (the outage page),
            # well under gunicorn's 30 s timeout.
            "timeout": int(os.environ.get("DATABASE_POOL_TIMEOUT", "5")),
        }
        # Django refuses persistent connections with a pool: the pool keeps them.
        database["CONN_MAX_AGE"] = 0
    return database


DATABASES = {"default": _database(os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'safekeep.sqlite3'}"))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock when a transaction starts, so the audit chain's
    # read-last-then-append can never interleave between two requests.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file, as production does: an in-memory database locks whole tables between threads
    # instead of waiting, which is not how Safekeep runs.
    # SAFEKEEP_TEST_SQLITE lets two test runs on one machine keep out of each other's way.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SAFEKEEP_TEST_SQLITE", str(VAR_DIR / "test.sqlite3"))}
    # The trend summaries' covering index carries its count for PostgreSQL's index-only scans; SQLite keeps
    # the index without the extra column, which is all it needs (ADR 0011).
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
# A PostgreSQL streaming replica of the primary: reports, dashboards and exports read from it
# (safekeep/core/db_router.py); everything else, and every write, stays on the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = _database(os.environ["DATABASE_REPLICA_URL"])
    if {DATABASES["default"]["ENGINE"], DATABASES["replica"]["ENGINE"]} != {"django.db.backends.postgresql"}:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL is a PostgreSQL replica of DATABASE_URL's PostgreSQL "
                                   "database: set both to postgres:// addresses, or unset DATABASE_REPLICA_URL")
    # A replica cannot be written, so tests neither create nor empty a database there: it is a copy
    # of the primary's test database (tests/integration/test_replica_routing.py points it at the replica).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["safekeep.core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # allauth's, reading the person with their second factor in one query on each request.
    "safekeep.accounts.backends.SafekeepAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_ADAPTER = "safekeep.accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""  # our subjects already start with "Safekeep:"
# Failed sign-ins are counted by django-axes (in the database, shared by every worker, unlockable by an
# administrator); allauth's own cache-based counter would block silently alongside it.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"

MFA_ADAPTER = "safekeep.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Safekeep"
# Accept the code of the 30 seconds before and after as well (RFC 6238 section 5.2): a phone's clock
# drifts, and someone typing under stress should not be turned away as the code rolls over.
MFA_TOTP_TOLERANCE = 1
# Our code forms: wrong codes are counted, audited and locked (the per-account limit below), and a TOTP code is
# accepted once only, remembered in the database rather than allauth's 30-second cache.
MFA_FORMS = {"authenticate": "safekeep.accounts.forms.AuthenticateCodeForm",
             "reauthenticate": "safekeep.accounts.forms.ReauthenticateCodeForm",
             "activate_totp": "safekeep.accounts.forms.ActivateCodeForm"}
# Wrong second-factor codes: after this many in one sign-in, the password is asked for again; after
# SAFEKEEP_CODE_FAILURES for the account within the lockout time, no code is taken until it ends or an
# administrator unlocks the person.
SAFEKEEP_CODES_PER_SIGN_IN = int(os.environ.get("SAFEKEEP_CODES_PER_SIGN_IN", "3"))
SAFEKEEP_CODE_FAILURES = int(os.environ.get("SAFEKEEP_CODE_FAILURES", "5"))
# Development only: the second sign-in step shows the person's current authenticator code, so trying the
# demo needs no phone and no second terminal. The accounts.E001 check stops Safekeep starting with it on
# in production or without DEBUG.
SAFEKEEP_SHOW_DEMO_CODE = os.environ.get("SAFEKEEP_SHOW_DEMO_CODE", "1" if DEBUG else "0") == "1"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
# No "trust this browser": every login of a role that reads case data asks for the second factor.
MFA_TRUST_ENABLED = False

AXES_FAILURE_LIMIT = int(os.environ.get("SAFEKEEP_LOGIN_FAILURES", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SAFEKEEP_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_USERNAME_CALLABLE = "safekeep.accounts.adapters.axes_username"
# Lockouts are per account and client address, so wrong passwords typed elsewhere never lock a person out
# where they are. Behind a TLS proxy every request comes from the proxy: list its addresses (comma-separated
# addresses or networks) and X-Forwarded-For is believed from those, and only those.
SAFEKEEP_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("SAFEKEEP_TRUSTED_PROXIES", "").split(",")
                            if p.strip()]
for _proxy in SAFEKEEP_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"SAFEKEEP_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network") from None
AXES_CLIENT_IP_CALLABLE = "safekeep.accounts.adapters.client_ip"
# A new person's invitation is a set-your-password link: it works once (the token covers the password and last
# sign-in), for this long. The same holds for "Forgotten your password?".
PASSWORD_RESET_TIMEOUT = int(timedelta(days=int(os.environ.get("SAFEKEEP_INVITATION_DAYS", "3"))).total_seconds())
# After setting a password from the emailed link, the person goes on signed in: into two-factor set-up, or, if
# they have a second factor, to the code page first (a reset never skips it).
ACCOUNT_LOGIN_ON_PASSWORD_RESET = True

# Session: idle and absolute limits (security-tests.md proposal: 15 minutes idle).
SAFEKEEP_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SAFEKEEP_IDLE_MINUTES", "15")))
SAFEKEEP_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SAFEKEEP_ABSOLUTE_HOURS", "10")))
# How finely the last request's time is kept in the session: a page within this of the last writes no session row.
SAFEKEEP_ACTIVITY_RESOLUTION = timedelta(seconds=60)
SESSION_COOKIE_AGE = int(SAFEKEEP_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Sessions live in the database, and so do flashed messages ("... added for <child>"): the default cookie
# storage is signed, not encrypted, and would carry children's names to the browser (issue 10, section 5).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security headers -----------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("SAFEKEEP_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 63072000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if ENV != "test"
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Outside production, serve static files straight from the apps (no collectstatic needed for tests).
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = not PRODUCTION

# --- Background tasks -----------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Email (no case content ever: see docs/domain/notifications.md) ----------------------
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": os.environ.get("SMTP_HOST", "127.0.0.1"),
            "port": int(os.environ.get("SMTP_PORT", "1025")),
            "username": os.environ.get("SMTP_USER", ""),
            "password": os.environ.get("SMTP_PASSWORD", ""),
            "use_tls": os.environ.get("SMTP_STARTTLS", "0") == "1",
            "timeout": 10,
        },
    }
}
# --- Uploads (docs/domain/attachments-and-body-map.md) ------------------------------------
SAFEKEEP_ATTACHMENT_MAX_BYTES = int(os.environ.get("SAFEKEEP_ATTACHMENT_MAX_MB", "10")) * 1024 * 1024
SAFEKEEP_ATTACHMENT_MAX_PIXELS = 25_000_000  # a 24-megapixel camera photo; a "pixel flood" header claims far more
SAFEKEEP_ATTACHMENT_MAX_FILES = 10
# Uploads are held in memory only (no plaintext temporary file), up to this; past it, nothing more is kept.
SAFEKEEP_UPLOAD_MEMORY_CEILING = max(SAFEKEEP_ATTACHMENT_MAX_BYTES, 32 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = ["safekeep.attachments.uploads.BoundedMemoryUploadHandler"]
# Each upload is held in memory while it is checked: a few at a time, never a hundred.
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# Inbox pattern flags: a child with this many concerns in this many days (issue 4, section 5).
SAFEKEEP_PATTERN_CONCERNS = int(os.environ.get("SAFEKEEP_PATTERN_CONCERNS", "3"))
SAFEKEEP_PATTERN_DAYS = int(os.environ.get("SAFEKEEP_PATTERN_DAYS", "30"))
SAFEKEEP_PATTERN_SHARED_SIGN = int(os.environ.get("SAFEKEEP_PATTERN_SHARED_SIGN", "3"))

# Links in emails point here (emails carry a link, never case content).
# Nobody gets more than one email about actions or new concerns in this window; what comes in the meantime
# goes in one digest when it ends. Dozens of emails in half an hour (issue 11) get ignored, and then no
# clock protects anyone; schools' web-filtering alerts are throttled the same way. An immediate risk to a
# child is never held (CE 10.1).
SAFEKEEP_EMAIL_DIGEST_WINDOW = timedelta(minutes=10)
SAFEKEEP_BASE_URL = os.environ.get("SAFEKEEP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
DEFAULT_FROM_EMAIL = os.environ.get("SAFEKEEP_FROM_EMAIL", "Safekeep <no-reply@safekeep.localhost>")
# A chronology PDF of this many entries or more is prepared by the worker and offered for download when ready;
# a shorter one downloads at once, as before. WeasyPrint takes about 9 ms of CPU an entry (docs/performance.md:
# 300 entries 2.7 s of CPU, 4.8 s of wall time on the shared 2-core machine; 2,000 entries 17.7 s of CPU), so past
# this a direct download keeps the person waiting many seconds, and at 2,000 entries past the issue's 10 s
# (issue 15, section 3).
SAFEKEEP_CHRONOLOGY_PDF_ON_WORKER_FROM = 300

# --- API ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "safekeep.api.authentication.PersonalTokenAuthentication",
        "safekeep.api.authentication.MFASessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["safekeep.api.permissions.UrlPolicyPermission"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "safekeep.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "safekeep.api.errors.problem_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safekeep API",
    "DESCRIPTION": "Safeguarding records for schools and children's homes. Every call acts as the token's owner "
    "and sees only what that person's roles allow.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EstablishmentKindEnum": "safekeep.establishments.models.Establishment.Kind",
        "EnrolmentKindEnum": "safekeep.children.models.Enrolment.Kind",
        "LocalContactKindEnum": "safekeep.establishments.models.LocalContact.Kind",
        "SafekeepRoleEnum": "safekeep.authz.roles.Role",
        "ConcernChildRoleEnum": "safekeep.concerns.models.ConcernChild.Role",
        "BodyMarkSideEnum": "safekeep.attachments.models.BodyMark.Side",
        "BodyRegionEnum": "safekeep.attachments.regions.REGION_CHOICES",
        "ShareConsentEnum": "safekeep.sharing.models.Consent",
        "ShareSourceKindEnum": "safekeep.sharing.models.SourceKind",
        "LawfulBasisEnum": "safekeep.sharing.lawful_basis.CHOICES",
        "MeetingKindEnum": "safekeep.meetings.models.Meeting.Kind",
        "SafetyPlanRoleEnum": "safekeep.safetyplans.models.PlanRole",
        "SafetyPlanStatusEnum": "safekeep.safetyplans.models.SafetyPlan.Status",
        "SafetyPlanReviewOutcomeEnum": "safekeep.safetyplans.models.SafetyPlanReview.Outcome",
        "SanctionKindEnum": "safekeep.safetyplans.models.Sanction.Kind",
        "ReferralAgencyEnum": "safekeep.referrals.models.Agency",
        "ReferralConsentEnum": "safekeep.referrals.models.Consent",
        "ConsultationAgencyEnum": "safekeep.referrals.models.Consultation.With",
        "NrmDecisionEnum": "safekeep.referrals.models.NrmTracker.Decision",
    },
}

# --- Logging: no case content, ever; request ids only -----------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "safekeep.core.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("SAFEKEEP_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "mail.log": {"level": "WARNING"},
                "axes": {"level": "WARNING"}, "apscheduler": {"level": "WARNING"},
                # WeasyPrint (the governor report PDFs) tells each step at INFO; its warnings still show.
                "weasyprint": {"level": "WARNING"}},
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

if ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}

# allauth's login rate limits live in the cache: a database cache is shared by every worker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "safekeep_cache"}}
