-- Prefect's own database, beside kanon's (docker-compose.yml).
CREATE DATABASE prefect OWNER kanon;
