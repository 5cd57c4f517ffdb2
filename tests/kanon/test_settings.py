import pytest

from records.errors import SettingsError
from flows.settings import load_settings


def test_defaults(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    s = load_settings()
    assert s.database_url.startswith("sqlite:///")
    assert s.device == "auto" and s.reasoner == "statistical"


def test_env_prefix_and_toml(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kanon.toml").write_text('device = "cpu"\nllm_samples = 3\ndatabase_url = "sqlite:///x.db"\n')
    s = load_settings()
    assert (s.device, s.llm_samples, s.database_url) == ("cpu", 3, "sqlite:///x.db")
    # The environment wins over the file, and explicit arguments over both.
    monkeypatch.setenv("KANON_DEVICE", "cuda:1")
    monkeypatch.setenv("KANON_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1/test")
    s = load_settings()
    assert s.device == "cuda:1" and s.database_url.startswith("postgresql")
    assert load_settings(device="cpu").device == "cpu"


@pytest.mark.parametrize("var,value", [("KANON_DEVICE", "gpu"), ("KANON_LLM_SAMPLES", "0"), ("KANON_API_PORT", "70000"), ("KANON_MAX_TEXT_CHARS", "abc")])
def test_invalid_settings_are_one_typed_error(monkeypatch, tmp_path, var, value):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(var, value)
    with pytest.raises(SettingsError) as e:
        load_settings()
    assert var.removeprefix("KANON_").lower() in e.value.message


def test_unknown_toml_key_refused(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kanon.toml").write_text('detecter = "rules.v1"\n')
    with pytest.raises(SettingsError):
        load_settings()
