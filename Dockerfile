# phasegate's image: the package installed (not editable) with the workflow files and
# email templates beside it, run as an unprivileged user. See docker-compose.yml.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf src build

# Read from the working directory: not part of the installed package.
COPY workflows ./workflows
COPY notifications ./notifications
ENV PHASEGATE_WORKFLOWS_DIR=/app/workflows \
    PHASEGATE_NOTIFICATIONS_DIR=/app/notifications \
    PHASEGATE_ENV=production

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin phasegate
USER phasegate

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["phasegate", "serve", "--host", "0.0.0.0", "--port", "8000"]
