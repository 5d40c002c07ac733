# Job API Emulator: one process answering the job APIs of Streams, Bacalhau, SeaTunnel, Instabase and the
# Task API. Build: docker build -t job-emulator .   Run: docker run --rm -p 8080:8080 job-emulator
# Configuration is by EMULATOR_* variables (see `job-emulator serve --help`), e.g.
#   docker run --rm -p 8080:8080 -p 1234:1234 -e EMULATOR_CLOCK=manual \
#     -e EMULATOR_PROVIDER_PORTS=bacalhau=1234 -e EMULATOR_PRELOAD=/app/fixtures/sandbox job-emulator
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Install the package from the copied source tree, non-editably, exactly as `pip install .` does for a user:
# setup.py maps the top-level schemas/ to the package emulator.schemas, so the schemas ship inside the
# installed package with no copy step. Dependency versions are pinned by constraints/docker.txt.
COPY constraints/docker.txt /tmp/constraints.txt
COPY pyproject.toml setup.py README.md LICENSE /tmp/src/
COPY emulator /tmp/src/emulator
COPY schemas /tmp/src/schemas
RUN pip install --constraint /tmp/constraints.txt /tmp/src && rm -rf /tmp/src /tmp/constraints.txt

# The generated example requests and sandbox job sets: EMULATOR_PRELOAD=/app/fixtures/sandbox starts populated.
WORKDIR /app
COPY fixtures /app/fixtures

RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin emulator
USER 10001

# Inside a container the emulator must accept connections from other hosts (the default is 127.0.0.1).
ENV EMULATOR_HOST=0.0.0.0 \
    EMULATOR_PORT=8080 \
    EMULATOR_LOG_LEVEL=info

# 8080: every provider and the control API (/_emulator/). 1234: Bacalhau's own port, served when
# EMULATOR_PROVIDER_PORTS=bacalhau=1234 is set (SeaTunnel's own port is 8080 too: use the shared one).
EXPOSE 8080 1234

# The health endpoint through the standard library, so the image needs no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; u = 'http://127.0.0.1:%s/_emulator/health' % os.environ.get('EMULATOR_PORT', '8080'); sys.exit(0 if urllib.request.urlopen(u, timeout=2).status == 200 else 1)"]

CMD ["job-emulator", "serve"]
