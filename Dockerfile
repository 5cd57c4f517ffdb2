# The kanon image: the worker serving the deployments (docker-compose.yml's
# kanon-worker) and the API with its page (kanon-api). CPU only: torch comes
# from its CPU index, so no GPU wheels are installed.
FROM python:3.11-slim
WORKDIR /app
ENV PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
# .dockerignore keeps .venv, .git, tests and any local store (.kanon, *.db) out.
COPY . /app
RUN TORCH_INDEX_URL="$TORCH_INDEX_URL" sh deploy/install.sh python
CMD ["kanon", "serve"]
