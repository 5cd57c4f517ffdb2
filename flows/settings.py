"""kanon's settings: defaults, then an optional ``kanon.toml``, then ``KANON_*`` variables.

Settings are read at the two entry points of a process: the shell
(``kanon/``, for its commands and the API) and a worker's flow run
(``flows.components.pipeline_from_options``). Both build components from
them and pass those down as arguments; no stage reads settings. Every field reads from the environment
variable ``KANON_<FIELD>`` (``KANON_DATABASE_URL``, ``KANON_DEVICE``, ...).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from records.errors import SettingsError

DEFAULT_HOME = Path(".kanon")
# The batch job's sizes, defined once: the flow, its deployments, the jobs
# and the CLI's options use these.
BATCH_SIZE = 50  # posts claimed per flow run
CHUNK_SIZE = 10  # posts per assessment task


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KANON_",
        toml_file="kanon.toml",
        extra="forbid",
        frozen=True,
    )

    # --- storage -------------------------------------------------------------
    # SQLite under ./.kanon by default; PostgreSQL in production
    # (postgresql+psycopg://user@host/db).
    database_url: str = f"sqlite:///{DEFAULT_HOME}/kanon.db"

    # --- components (registered names) ----------------------------------------
    detector: str = "minilm-bio.v1"  # falls back to rules.v1 when no trained model is found
    reasoner: str = "statistical"  # statistical | branch | cot | independent
    detector_path: Path | None = None  # a trained detector folder; default: the bundled one
    encoder_path: Path | None = None  # a Hugging Face encoder folder; default: the packaged MiniLM
    # The classifier's runtime: auto is ONNX Runtime on a CPU, torch on a GPU (docs/detector.md).
    detector_runtime: Literal["auto", "onnx", "torch"] = "auto"
    detector_precision: Literal["int8", "fp32"] = "int8"  # ONNX weights; int8 measured in docs/detector.md
    cache_dir: Path | None = None  # ONNX exports; default $XDG_CACHE_HOME/kanon (or ~/.cache/kanon)
    microdata_path: Path | None = None  # census microdata (CSV/Parquet) with weights
    facts_dir: Path | None = None  # extra curated fact tables (CSV), added to the shipped ones

    # --- language models -------------------------------------------------------
    llm: str | None = None  # an OpenAI-compatible base URL, a local model folder, or "smollm2"
    llm_model: str | None = None  # model name sent to an OpenAI-compatible server
    llm_api_key: SecretStr | None = None
    llm_concurrency: int = Field(default=8, ge=1, le=1024)  # requests in flight at once
    llm_samples: int = Field(default=5, ge=1, le=50)  # samples per sub-question
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=3, ge=0, le=20)
    llm_statistics: bool = True  # BRANCH asks kanon's statistics before the model (off: the model answers all)

    # --- compute ---------------------------------------------------------------
    device: str = "auto"  # auto | cpu | cuda | cuda:N
    seed: int = 0
    max_text_chars: int = Field(default=100_000, ge=1)  # longer texts are refused, not truncated
    mc_samples: int = Field(default=4000, ge=100, le=1_000_000)  # Monte Carlo draws for k's interval

    # --- orchestration -----------------------------------------------------------
    task_runner: Literal["threads", "dask"] = "threads"
    max_workers: int = Field(default=4, ge=1)
    schedule_cron: str | None = None  # e.g. "0 * * * *"; takes precedence over the interval
    schedule_interval_s: int | None = Field(default=3600, ge=60)

    # --- HTTP API ----------------------------------------------------------------
    api_host: str = "127.0.0.1"
    api_port: int = Field(default=8765, ge=1, le=65535)
    api_key: SecretStr | None = None  # required on every route but the public ones
    # Serving without a key is a decision, never a default: only on a loopback
    # address, and said on every start (``kanon api --no-auth``).
    api_no_auth: bool = False
    api_failed_auth_per_minute: int = Field(default=10, ge=1)  # wrong keys per address, then 429
    api_cors_origins: list[str] = Field(default_factory=list)
    api_rate_limit_per_minute: int = Field(default=120, ge=1)
    api_max_body_bytes: int = Field(default=1_000_000, ge=1024)  # 100,000 characters as JSON escapes, with room
    api_max_in_flight: int = Field(default=8, ge=1)  # work requests admitted at once; then 503

    @field_validator("device")
    @classmethod
    def _device(cls, v: str) -> str:
        v = v.strip().lower()
        if v in ("auto", "cpu", "cuda") or (v.startswith("cuda:") and v[5:].isdigit()):
            return v
        raise ValueError("device must be auto, cpu, cuda or cuda:N")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Precedence, highest first: explicit arguments, KANON_* variables, kanon.toml.
        toml_path = os.environ.get("KANON_CONFIG", "kanon.toml")
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_path),
        )

    @property
    def home(self) -> Path:
        return DEFAULT_HOME


def load_settings(**overrides: object) -> Settings:
    """Build settings, turning validation failures into one readable ``SettingsError``."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(**clean)
    except (ValueError, OSError) as e:  # a kanon.toml that is not TOML, or cannot be read
        if not isinstance(e, ValidationError):
            where = os.environ.get("KANON_CONFIG", "kanon.toml")
            raise SettingsError(f"the settings file {Path(where).name} cannot be read ({type(e).__name__}): "
                                "fix or remove it") from None
        raise _invalid(e) from None


def _invalid(e: ValidationError) -> SettingsError:
    # Field names and pydantic's words only: never the value, which may be a secret.
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in e.errors()
    )
    return SettingsError(f"invalid settings: {problems}")
