"""The compiled knowledge cache: used when whole and current, rebuilt from YAML otherwise."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

import pytest

from myomap.atlas.regions import RegionAtlas, build_atlas, load_atlas
from myomap.config import Settings, cache_dir_from_env
from myomap.data_cache import load_compiled, packages_fingerprint
from myomap.knowledge.library import Knowledge, build_knowledge, load_knowledge


class Builds:
    """A build function that counts its calls and returns a fresh value each time."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, list[int]]:
        self.calls += 1
        return {"values": [1, 2, 3], "call": [self.calls]}


def never() -> NoReturn:
    raise AssertionError("built again although the cache was valid")


def cached_files(folder: Path, name: str = "demo") -> list[Path]:
    return sorted(folder.glob(f"{name}-*.pickle"))


def test_the_second_load_comes_from_the_cache(tmp_path: Path) -> None:
    build = Builds()
    first = load_compiled("demo", kind=dict, packages=["myomap.atlas"], build=build, cache_dir=tmp_path)
    second = load_compiled("demo", kind=dict, packages=["myomap.atlas"], build=never, cache_dir=tmp_path)
    assert build.calls == 1 and second == first == {"values": [1, 2, 3], "call": [1]}
    assert len(cached_files(tmp_path)) == 1


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda b: b[: len(b) // 2], id="truncated"),
        pytest.param(lambda b: b.replace(b"values", b"valuez"), id="a still-loadable byte changed"),
        pytest.param(lambda b: b"", id="empty"),
        pytest.param(lambda b: b"not a cache at all" * 10, id="garbage"),
    ],
)
def test_a_damaged_cache_is_never_trusted_and_is_rewritten(tmp_path: Path, damage: Callable[[bytes], bytes]) -> None:
    load_compiled("demo", kind=dict, packages=["myomap.atlas"], build=Builds(), cache_dir=tmp_path)
    [path] = cached_files(tmp_path)
    path.write_bytes(damage(path.read_bytes()))
    rebuild = Builds()
    value = load_compiled("demo", kind=dict, packages=["myomap.atlas"], build=rebuild, cache_dir=tmp_path)
    assert rebuild.calls == 1 and value["values"] == [1, 2, 3]
    again = load_compiled("demo", kind=dict, packages=["myomap.atlas"], build=never, cache_dir=tmp_path)
    assert again == value  # the rewritten file is whole


def test_a_cache_of_the_wrong_type_is_rebuilt(tmp_path: Path) -> None:
    load_compiled("demo", kind=dict, packages=["myomap.atlas"], build=Builds(), cache_dir=tmp_path)
    rebuild = Builds()
    value = load_compiled("demo", kind=list, packages=["myomap.atlas"], build=lambda: [rebuild()], cache_dir=tmp_path)
    assert rebuild.calls == 1 and isinstance(value, list)


def test_a_changed_data_file_changes_the_key_and_replaces_the_old_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "src" / "fake_knowledge"
    (package / "data").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "data" / "facts.yaml").write_text("answer: 41\n")
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    cache = tmp_path / "cache"
    before = packages_fingerprint(["fake_knowledge"])
    load_compiled("facts", kind=dict, packages=["fake_knowledge"], build=Builds(), cache_dir=cache)

    (package / "data" / "facts.yaml").write_text("answer: 42\n")
    assert packages_fingerprint(["fake_knowledge"]) != before
    rebuild = Builds()
    load_compiled("facts", kind=dict, packages=["fake_knowledge"], build=rebuild, cache_dir=cache)
    assert rebuild.calls == 1
    assert len(cached_files(cache, "facts")) == 1  # the stale one was removed


def test_the_key_covers_code_as_well_as_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "fake_schema"
    package.mkdir()
    (package / "__init__.py").write_text("class Muscle: pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = packages_fingerprint(["fake_schema"])
    (package / "__init__.py").write_text("class Muscle:\n    side = 'left'\n")
    assert packages_fingerprint(["fake_schema"]) != before


def test_an_unusable_cache_folder_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("in the way")
    build = Builds()
    for _ in range(2):
        value = load_compiled("demo", kind=dict, packages=["myomap.atlas"], build=build, cache_dir=blocker / "cache")
        assert value["values"] == [1, 2, 3]
    assert build.calls == 2


def test_the_cache_is_private_to_its_user(tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    load_compiled("demo", kind=dict, packages=["myomap.atlas"], build=Builds(), cache_dir=folder)
    [path] = cached_files(folder)
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_the_cached_knowledge_equals_the_yaml_and_shares_the_atlas(tmp_path: Path) -> None:
    atlas = build_atlas()
    fresh = build_knowledge(atlas)
    packages = ["myomap.atlas", "myomap.knowledge"]
    load_compiled("knowledge", kind=Knowledge, packages=packages, build=lambda: fresh,
                  shared={"atlas": atlas}, cache_dir=tmp_path)
    atlas_again = build_atlas()
    cached = load_compiled("knowledge", kind=Knowledge, packages=packages, build=never,
                           shared={"atlas": atlas_again}, cache_dir=tmp_path)
    assert cached is not fresh
    assert cached.atlas is atlas_again  # stored by name, not copied
    assert cached.muscles == fresh.muscles and cached.conditions == fresh.conditions
    assert cached.sources == fresh.sources and cached.tests == fresh.tests and cached.nerves == fresh.nerves
    assert cached.muscle("SCM").id == fresh.muscle("SCM").id


def test_the_cached_atlas_resolves_words_like_the_yaml(tmp_path: Path) -> None:
    load_compiled("atlas", kind=RegionAtlas, packages=["myomap.atlas"], build=build_atlas, cache_dir=tmp_path)
    cached = load_compiled("atlas", kind=RegionAtlas, packages=["myomap.atlas"], build=never,
                           cache_dir=tmp_path)
    fresh = build_atlas()
    assert cached.regions.keys() == fresh.regions.keys()
    assert cached.resolve("angle of jaw", side="left") == fresh.resolve("angle of jaw", side="left")


def test_the_loaders_share_one_atlas() -> None:
    assert load_knowledge().atlas is load_atlas()


def test_the_cache_folder_is_the_setting(tmp_path: Path) -> None:
    env = {"MYOMAP_CACHE_DIR": str(tmp_path / "c")}
    assert cache_dir_from_env(env) == Settings.from_env(env).cache_dir == tmp_path / "c"
    assert cache_dir_from_env({}) == Settings.from_env({}).cache_dir


def test_the_default_cache_folder_follows_xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache_dir_from_env({}) == tmp_path / "myomap"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    assert cache_dir_from_env({}) == Path.home() / ".cache" / "myomap"


def test_python_and_library_versions_are_in_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    before = packages_fingerprint(["myomap.atlas"])
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert packages_fingerprint(["myomap.atlas"]) != before
