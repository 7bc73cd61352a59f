"""Settings come from the environment, with development defaults that need nothing.

`DJANGO_ENV=production` switches on the production profile, which refuses to
start without what production needs and passes `manage.py check --deploy`.
Every variable is listed in README.md and `.env.example`.
"""

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


_TRUE_WORDS = {"1", "true", "yes", "on"}
_FALSE_WORDS = {"0", "false", "no", "off"}


def env_bool(name: str, default: bool) -> bool:
    """A true/false word (1/0, yes/no, on/off, true/false, any case); anything else
    refuses to start rather than quietly reading a typo as False."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    word = value.lower()
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be true or false (1/0, yes/no, on/off, true/false), not {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    """A whole number, at least `minimum` when given; anything else refuses to start."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_decimal(name: str, default: str, *, minimum: Decimal, maximum: Decimal) -> Decimal:
    """A finite decimal number from `minimum` to `maximum`; anything else refuses to start."""
    value = os.environ.get(name, "").strip() or default
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or not minimum <= number <= maximum:
        raise ImproperlyConfigured(
            f"{name} must be a number from {minimum} to {maximum}, not {value!r}."
        )
    return number


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be 'development' or 'production'.")
PRODUCTION = DJANGO_ENV == "production"

DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-this-key-in-production"
SECRET_KEY = env("SECRET_KEY", "" if PRODUCTION else DEVELOPMENT_SECRET_KEY)
if PRODUCTION and (
    len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "Production needs SECRET_KEY: at least 50 random characters, not the development key."
    )

DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1]")
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Production needs ALLOWED_HOSTS (comma-separated host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# The public address of the site, used in links sent by email, webhooks and Stripe.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks_db",
    "backend",
    "producers",
    "catalog",
    "fablab",
    "orders",
    "community",
    "frontend",
    # Only `manage.py seed_demo`, which refuses to run in production.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so the refusal still passes through every header-setting middleware above.
    "backend.middleware.RejectNulMiddleware",
]

ROOT_URLCONF = "backend.urls"
WSGI_APPLICATION = "backend.wsgi.application"
ASGI_APPLICATION = "backend.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # backend/templates holds the API documentation page.
        "DIRS": [BASE_DIR / "frontend" / "templates", BASE_DIR / "backend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.shop",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------

DATABASE_URL = env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock when their transaction starts, so they queue
        # behind each other instead of failing half-way with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# --- Cache ---------------------------------------------------------------------

REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "cp",
            "OPTIONS": {"serializer": "backend.cache.Serializer"},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Public catalog lists and pages cached until the catalog changes (catalog.caching).
# Only with a cache every process shares: a process-local cache would never hear
# of changes made by the others (the task worker releasing stock, another server).
CATALOG_CACHE = env_bool("CATALOG_CACHE", bool(REDIS_URL))

# --- Webhooks to the co-ops ------------------------------------------------------

# Off in production: webhook URLs must resolve to public addresses only, never to
# loopback, private networks, link-local (cloud metadata) and the like.
WEBHOOKS_ALLOW_PRIVATE = env_bool("WEBHOOKS_ALLOW_PRIVATE", not PRODUCTION)

# --- Background work -----------------------------------------------------------

TASK_BACKEND = env("TASK_BACKEND", "django_tasks_db.DatabaseBackend")
TASKS = {
    "default": {
        "BACKEND": TASK_BACKEND,
        "QUEUES": ["default", "webhooks", "email"],
    }
}

# --- Auth ----------------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign in with a user name or an email address, at every door.
AUTHENTICATION_BACKENDS = ["backend.sign_in.UsernameOrEmailBackend"]
LOGIN_URL = "/accounts/sign-in/"
LOGIN_REDIRECT_URL = "/"
# A password reset link works once (it covers the password hash) and for this long.
PASSWORD_RESET_TIMEOUT = 3 * 60 * 60

# --- Internationalisation ----------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = env("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    # MEDIA_STORAGE names any Django storage class, e.g. an S3 backend from django-storages.
    "default": {"BACKEND": env("MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# --- Email ---------------------------------------------------------------------

EMAIL_BACKEND_CLASS = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_CLASS}}
if EMAIL_BACKEND_CLASS.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": env_int("EMAIL_PORT", 25, minimum=1),
        "username": env("EMAIL_HOST_USER"),
        "password": env("EMAIL_HOST_PASSWORD"),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 10,
    }
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Community Production <orders@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Stripe ------------------------------------------------------------------------

STRIPE_SECRET_KEY = env("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env("STRIPE_WEBHOOK_SECRET")
# Only tests point this elsewhere (a local fake of Stripe's API).
STRIPE_API_BASE = env("STRIPE_API_BASE", "https://api.stripe.com")
COMMUNITY_FUND_PERCENT = env_decimal(
    "COMMUNITY_FUND_PERCENT", "5", minimum=Decimal(0), maximum=Decimal(100)
)
# An unpaid card order gives its reserved stock back after this many minutes.
ORDER_PAYMENT_MINUTES = env_int("ORDER_PAYMENT_MINUTES", 30, minimum=1)
# How many of one product one buyer may hold in open orders (by account or contact email),
# so that nobody can take all of the stock.
ORDER_MAX_UNITS_PER_PRODUCT = env_int("ORDER_MAX_UNITS_PER_PRODUCT", 20, minimum=1)
# A pay-at-pickup order holds its goods this many days after its last part is ready (or after
# its latest due date, for parts never made ready); then it is released as a no-show.
PICKUP_HOLD_DAYS = env_int("PICKUP_HOLD_DAYS", 7, minimum=1)
# Reminders to collect, each sent once: this many days after a part is ready, and this many
# days before a pay-at-pickup order's hold ends.
PICKUP_REMIND_AFTER_DAYS = env_int("PICKUP_REMIND_AFTER_DAYS", 2, minimum=1)
PICKUP_REMIND_BEFORE_DAYS = env_int("PICKUP_REMIND_BEFORE_DAYS", 1, minimum=1)
# An open order's page asks for its news this often (seconds).
ORDER_STATUS_POLL_SECONDS = env_int("ORDER_STATUS_POLL_SECONDS", 15, minimum=1)

# --- API ---------------------------------------------------------------------------

# API tokens end this many days after they are issued.
TOKEN_TTL_DAYS = env_int("TOKEN_TTL_DAYS", 30, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an unauthenticated request is told how to
        # authenticate (401 with WWW-Authenticate) rather than refused (403).
        "producers.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # JSON nested too deep or carrying NUL characters is a 400 (backend/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "backend.parsers.GuardedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "backend.pagination.PageNumberPagination",
    "PAGE_SIZE": 24,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "backend.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {
        "auth": env("THROTTLE_AUTH", "10/min"),
        "orders": env("THROTTLE_ORDERS", "20/min"),
    },
    # How many proxies in front of the app may be trusted for the client's address.
    "NUM_PROXIES": env_int("NUM_PROXIES", 0, minimum=0),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Community Production API",
    "DESCRIPTION": (
        "Marketplace and inventory for a network of worker-owned co-ops around a shared "
        "Fab Lab. Money and quantities are decimal strings. Business-rule errors answer "
        "409 with a machine-readable `code`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "backend.schema.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ProducerKindEnum": "producers.models.Producer.Kind",
        "MovementKindEnum": "catalog.models.MovementKind",
        "ProducerStatusEnum": "producers.models.Producer.Status",
        "ProductStatusEnum": "catalog.models.Product.Status",
        "ProductFulfilmentEnum": "catalog.models.Product.Fulfilment",
        "OrderStatusEnum": "orders.models.OrderStatus",
        "OrderFulfilmentEnum": "orders.models.Order.Fulfilment",
        "JobStatusEnum": "orders.models.JobStatus",
        # The API's order status: "confirmed" for a pay-at-pickup order, never "paid".
        "OrderApiStatusEnum": "orders.api.serializers.ORDER_STATUSES",
    },
}

# --- Security ------------------------------------------------------------------------

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# --- Logging ---------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Outside production, serve static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# --- Fab Lab certifications ----------------------------------------------------------------

# A certified person is emailed once, this many days before their certification runs out.
FABLAB_CERTIFICATION_REMIND_DAYS = env_int("FABLAB_CERTIFICATION_REMIND_DAYS", 30, minimum=1)

# --- Design files ----------------------------------------------------------------------

# Cut and print files of the goods (SVG, DXF, STL, 3MF, PDF). They live outside MEDIA_ROOT,
# which the web server publishes: each one is handed out by a view that checks who may have it.
DESIGN_FILES_ROOT = Path(env("DESIGN_FILES_ROOT", str(BASE_DIR / "private" / "designs")))
DESIGN_FILE_MAX_BYTES = env_int("DESIGN_FILE_MAX_BYTES", 20 * 1024 * 1024, minimum=1)
# A co-op's download link on its job card and in its webhook works this long.
DESIGN_LINK_MAX_AGE_HOURS = env_int("DESIGN_LINK_MAX_AGE_HOURS", 72, minimum=1)
