# syntax=docker/dockerfile:1
# stockwise: the REST API + dashboard (`stockwise serve`), also used for the MLflow server
# in docker-compose.yml. Build: docker build -t stockwise .
# Run alone (SQLite in a volume): docker run -p 8000:8000 -v stockwise-data:/data stockwise

# --- build: a virtual environment with the pinned dependencies and stockwise ----------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /build
# Dependencies first, so code changes do not reinstall them. The PyTorch CPU index serves
# torch==2.13.0+cpu (matches the pin); PyPI's Linux wheel would pull gigabytes of CUDA.
COPY requirements.txt ./
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-deps . && stockwise --version

# --- runtime: the environment only, a non-root user, data in /data ------------------------
# (/mlartifacts is the MLflow server's artifact store in docker-compose.yml: created here
# so that a fresh named volume mounted on it belongs to the non-root user.)
FROM python:3.11-slim
# libgomp1: OpenMP runtime of LightGBM / XGBoost; curl-free health check uses Python.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libgomp1 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 stockwise \
    && mkdir -p /data /mlartifacts \
    && chown stockwise:stockwise /data /mlartifacts
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    STOCKWISE_HOST=0.0.0.0 \
    STOCKWISE_PORT=8000 \
    STOCKWISE_DATABASE_URL=sqlite:////data/stockwise.db \
    MPLCONFIGDIR=/tmp/matplotlib
USER stockwise
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
# `stockwise serve` applies the database migrations before it listens.
CMD ["stockwise", "serve"]
