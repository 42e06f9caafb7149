"""Settings: defaults, finews.toml, FINEWS_* variables; bad input names the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from finews.config import Settings, apply_env, from_mapping, load
from finews.store.open import sqlite_path
from finews.config_template import TEMPLATE
from finews.errors import ConfigError

SOURCE = {"name": "s1", "kind": "json", "url": "https://example.com/list",
          "preset": "em-fast"}


def test_defaults_without_a_file(tmp_path):
    settings = load(tmp_path / "finews.toml", {})
    assert settings == Settings()
    assert sqlite_path(settings.store) == Path("data/finews.sqlite3")


def test_template_is_valid_and_gives_the_defaults(tmp_path):
    path = tmp_path / "finews.toml"
    path.write_text(TEMPLATE, encoding="utf-8")
    settings = load(path, {})
    assert settings.site == Settings().site
    assert settings.fetch == Settings().fetch
    assert settings.data_dir == tmp_path / "data"
    assert settings.sources == ()


def test_relative_paths_follow_the_config_file(tmp_path):
    settings = from_mapping({"data_dir": "d", "store": {"url": "sqlite:///db/x.sqlite3"}},
                            base=tmp_path)
    assert settings.data_dir == tmp_path / "d"
    assert sqlite_path(settings.store) == tmp_path / "db" / "x.sqlite3"
    assert settings.site_dir == tmp_path / "d" / "site"


@pytest.mark.parametrize("data, key", [
    ({"titel": "x"}, "titel"),
    ({"site": {"titel": "x"}}, "site.titel"),
    ({"fetch": {"retries": "many"}}, "fetch.retries"),
    ({"fetch": {"retries": True}}, "fetch.retries"),
    ({"site": {"page_size": 0}}, "site.page_size"),
    ({"site": {"timezone": "Mars/Olympus"}}, "site.timezone"),
    ({"site": {"base_url": "ftp://x/"}}, "site.base_url"),
    ({"serve": {"port": 70000}}, "serve.port"),
    ({"store": {"url": "mysql://x"}}, "mysql"),
    ({"sources": [{**SOURCE, "colour": "red"}]}, "sources[0].colour"),
    ({"sources": [{**SOURCE, "kind": "xml"}]}, "sources[0].kind"),
    ({"sources": [{**SOURCE, "url": "file:///etc/passwd"}]}, "sources[0].url"),
    ({"sources": [{**SOURCE, "interval": -5}]}, "sources[0].interval"),
    ({"sources": [{**SOURCE, "preset": "nope"}]}, "sources[0].preset"),
    ({"sources": [{**SOURCE, "name": "../x"}]}, "sources[0].name"),
    ({"sources": [{**SOURCE, "headers": {"A": 1}}]}, "sources[0].headers"),
    ({"sources": [SOURCE, SOURCE]}, "used twice"),
    ({"sources": [{"kind": "json"}]}, "sources[0].name"),
    ({"sources": {"name": "x"}}, "sources"),
])
def test_bad_values_name_the_key(data, key):
    with pytest.raises(ConfigError) as err:
        from_mapping(data)
    assert key in str(err.value)


def test_invalid_toml_is_one_clear_error(tmp_path):
    path = tmp_path / "finews.toml"
    path.write_text("[site\ntitle = 1", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(path, {})
    path.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(path, {})


def test_environment_overrides_the_file(tmp_path):
    path = tmp_path / "finews.toml"
    path.write_text('[serve]\nport = 9000\n[site]\ntitle = "文件"\n', encoding="utf-8")
    settings = load(path, {"FINEWS_SERVE_PORT": "9100", "FINEWS_SITE_TITLE": "环境",
                           "FINEWS_FETCH_ALLOW_PRIVATE": "yes", "HOME": "/root"})
    assert settings.serve.port == 9100
    assert settings.site.title == "环境"
    assert settings.fetch.allow_private is True


@pytest.mark.parametrize("env, key", [
    ({"FINEWS_SERVE_PORT": "eighty"}, "FINEWS_SERVE_PORT"),
    ({"FINEWS_SITE_COLOUR": "red"}, "FINEWS_SITE_COLOUR"),
    ({"FINEWS_NOPE": "1"}, "FINEWS_NOPE"),
    ({"FINEWS_SERVE_PORT": "0"}, "serve.port"),
])
def test_bad_environment_names_the_variable(env, key):
    with pytest.raises(ConfigError) as err:
        apply_env(Settings(), env)
    assert key in str(err.value)


def test_template_documents_every_setting():
    """A setting added to the code but not to `finews init`'s file fails here."""
    text = TEMPLATE
    data = tomllib.loads(text)
    for section in ("site", "fetch", "serve"):
        fields = Settings.__dataclass_fields__[section].default_factory().__dataclass_fields__
        for name in fields:
            assert f"{name} =" in text, f"{section}.{name} is not in the template"
    assert "data_dir" in data


def test_readme_documents_every_setting():
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for section in ("site", "fetch", "serve"):
        fields = Settings.__dataclass_fields__[section].default_factory().__dataclass_fields__
        for name in fields:
            assert f"`{section}.{name}`" in readme, f"{section}.{name} is not in the README"
    for name in ("data_dir", "output_dir", "store.url"):
        assert f"`{name}`" in readme


def test_readme_documents_every_preset():
    from finews.sources.presets import PRESETS
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name in PRESETS:
        assert f"| `{name}` |" in readme, f"preset {name} is not in the README"
