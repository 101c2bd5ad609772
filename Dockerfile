# syntax=docker/dockerfile:1
# One image for the whole directory, with a target per process. Each target's command is the
# one the run command (devstack) starts, so what runs in production is what runs locally:
#   docker build --target search -t therapist-directory/search .
# Targets: profiles, approaches, search, inquiries, gateway (the default, last stage).
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

# --- build: a virtual environment with the pinned dependencies and the project ----------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, from the exact pins: this layer is rebuilt only when a pin changes.
COPY deploy/constraints.txt deploy/constraints.txt
RUN pip install --only-binary=:all: -r deploy/constraints.txt
COPY pyproject.toml README.md ./
COPY servicekit servicekit
COPY integration_events integration_events
COPY services services
COPY gateway gateway
COPY devstack devstack
# --no-deps: everything the project needs is already installed at the pinned versions;
# `pip check` fails the build if a pin no longer satisfies the project's requirements.
RUN pip install --no-deps . \
 && pip check \
 && python -m compileall -q /opt/venv/lib

# --- runtime: the virtual environment only, run by an unprivileged user ----------------------
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="therapist-directory" \
      org.opencontainers.image.description="Therapist directory: profiles, approaches, search, inquiries and GraphQL gateway" \
      org.opencontainers.image.licenses="Apache-2.0"
RUN groupadd --system --gid 10001 directory \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
            --shell /usr/sbin/nologin directory \
 && install -d -o 10001 -g 10001 /var/lib/search
COPY --from=build /opt/venv /opt/venv
COPY deploy/healthcheck.py /opt/directory/healthcheck.py
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    BIND_HOST=0.0.0.0
WORKDIR /opt/directory
USER 10001:10001
STOPSIGNAL SIGTERM
# Ready = MongoDB and RabbitMQ reachable and start-up done (the service's GET /readyz).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["python", "/opt/directory/healthcheck.py"]

FROM runtime AS profiles
ENV DIRECTORY_SERVICE=profiles
EXPOSE 8001
CMD ["python", "-m", "services.profiles"]

FROM runtime AS approaches
ENV DIRECTORY_SERVICE=approaches
EXPOSE 8002
CMD ["python", "-m", "services.approaches"]

FROM runtime AS search
ENV DIRECTORY_SERVICE=search
EXPOSE 8003
CMD ["python", "-m", "services.search"]

FROM runtime AS inquiries
ENV DIRECTORY_SERVICE=inquiries
EXPOSE 8004
CMD ["python", "-m", "services.inquiries"]

FROM runtime AS gateway
ENV DIRECTORY_SERVICE=gateway
EXPOSE 8000
CMD ["python", "-m", "gateway"]
