# One image for every process: web (gunicorn, the default command), the Celery worker and the one
# beat process (docker-compose.yml runs them with other commands). Settings: config.settings.production,
# configured from the environment (docs/operations.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. The lock file pins every package
# with its hashes; --no-deps makes sure nothing outside it is installed.
COPY requirements/production.txt requirements/production.txt
RUN pip install --require-hashes --no-deps -r requirements/production.txt

COPY . .

# The translation catalogues are compiled into the image (locale/*/django.mo); gettext is needed for
# this step only.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && SECRET_KEY=compilemessages-build-step-only-not-a-secret-0123456789abcdef \
       DJANGO_SETTINGS_MODULE=config.settings.production \
       python manage.py compilemessages --locale de --locale es \
    && apt-get purge -y --auto-remove gettext \
    && rm -rf /var/lib/apt/lists/*

# Static files (admin, Swagger UI) are collected into the image and served by WhiteNoise. Production
# settings refuse to load without a 50+ character SECRET_KEY, so this step alone gets a throwaway one;
# it is not kept in the image's environment and signs nothing.
RUN SECRET_KEY=collectstatic-build-step-only-not-a-secret-0123456789abcdef \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/var/beat /tmp/prometheus-metrics \
    && chown -R app:app /app/var /tmp/prometheus-metrics

USER app

# VAR_DIR is writable by the app user; beat keeps its schedule state in var/beat (a volume in compose).
ENV DJANGO_SETTINGS_MODULE=config.settings.production \
    VAR_DIR=/app/var \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-metrics \
    WEB_CONCURRENCY=3

EXPOSE 8000

# No HEALTHCHECK here: worker and beat run from this image too and serve no HTTP. docker-compose.yml
# (or the orchestrator) probes web's GET /healthz.
# config/gunicorn.py prepares the Prometheus multiprocess directory; the app logs one JSON access line
# per request itself, so gunicorn's own access log is off.
# gunicorn reads WEB_CONCURRENCY for its number of workers; its control socket is unused here.
CMD ["gunicorn", "config.wsgi", "--config", "python:config.gunicorn", "--bind", "0.0.0.0:8000", "--timeout", "30", "--graceful-timeout", "30", "--max-requests", "2000", "--max-requests-jitter", "200", "--worker-tmp-dir", "/dev/shm", "--no-control-socket"]
