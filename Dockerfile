# The kanon worker image used by docker-compose.yml.
FROM python:3.11-slim
WORKDIR /app
ENV PREFECT_SERVER_ANALYTICS_ENABLED=false DO_NOT_TRACK=1 PYTHONUNBUFFERED=1
COPY . /app
RUN pip install --no-cache-dir -e .
CMD ["kanon", "serve"]
