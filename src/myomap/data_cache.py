"""A compiled cache of the packaged knowledge: parsed and validated objects, pickled once.

Parsing the YAML files and validating them costs far more than a command like ``myomap refer``
should take to start, so :func:`load_compiled` keeps the built objects in a file under the user's
cache folder (setting ``cache_dir``) and reads that instead, as long as its key still matches.

The key is a SHA-256 of everything that could change the result: the Myomap, Python and pydantic
versions and the bytes of every file (code and data) of the packages that build the objects. Any
edit, a new release or an upgraded dependency therefore rebuilds the cache; nothing needs clearing.

A cache file is trusted only when it is whole: it starts with the SHA-256 of its payload, checked
before unpickling, and the object must have the expected type. A missing, stale, truncated or
otherwise unreadable file is rebuilt from the YAML and rewritten atomically (temporary file then
rename), so concurrent processes never see half a file. A folder that cannot be written only costs
the speed. The folder is created owner-only: a pickle runs code when loaded, so only the user who
runs Myomap may write there (the same trust as the user's own home folder).
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import platform
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import TypeVar

_T = TypeVar("_T")
_MAGIC = b"myomap-compiled-1\n"
_DIGEST_SIZE = hashlib.sha256().digest_size


def packages_fingerprint(packages: Iterable[str]) -> str:
    """SHA-256 over the versions and every file's path and bytes of ``packages`` (caches excluded)."""
    import pydantic

    from myomap import __version__

    h = hashlib.sha256()
    h.update(f"{__version__}|{platform.python_implementation()} {sys.version}|{pydantic.VERSION}".encode())
    for package in packages:
        root = Path(str(resources.files(package)))
        files = sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in files:
            h.update(f"\0{package}/{path.relative_to(root).as_posix()}\0".encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def load_compiled(
    name: str,
    *,
    kind: type[_T],
    packages: Iterable[str],
    build: Callable[[], _T],
    shared: Mapping[str, object] | None = None,
    cache_dir: Path | None = None,
) -> _T:
    """``build()``'s result, from the cache file ``<cache_dir>/<name>-<key>.pickle`` when valid.

    ``shared`` names objects stored elsewhere (e.g. the region atlas inside the knowledge base):
    the pickle refers to them by name and gets the very same objects back when loaded.
    ``cache_dir`` defaults to the ``cache_dir`` setting; a folder that cannot be used costs only
    the speed (``build()`` runs every time).
    """
    from myomap.config import cache_dir_from_env

    folder = cache_dir if cache_dir is not None else cache_dir_from_env()
    path = folder / f"{name}-{packages_fingerprint(packages)[:32]}.pickle"
    shared = shared or {}
    cached = _read(path, kind, shared)
    if cached is not None:
        return cached
    value = build()
    _write(path, value, shared)
    return value


class _Pickler(pickle.Pickler):
    def __init__(self, buffer: io.BytesIO, shared: Mapping[str, object]) -> None:
        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self._by_id = {id(obj): key for key, obj in shared.items()}

    def persistent_id(self, obj: object) -> str | None:
        return self._by_id.get(id(obj))


class _Unpickler(pickle.Unpickler):
    def __init__(self, data: bytes, shared: Mapping[str, object]) -> None:
        super().__init__(io.BytesIO(data))
        self._shared = shared

    def persistent_load(self, pid: object) -> object:
        if isinstance(pid, str) and pid in self._shared:
            return self._shared[pid]
        raise pickle.UnpicklingError(f"unknown shared object {pid!r}")


def _read(path: Path, kind: type[_T], shared: Mapping[str, object]) -> _T | None:
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST_SIZE
    if not blob.startswith(_MAGIC) or len(blob) < head:
        return None
    payload = blob[head:]
    if hashlib.sha256(payload).digest() != blob[len(_MAGIC):head]:
        return None
    try:
        value = _Unpickler(payload, shared).load()
    except Exception:  # a cache is never trusted over the YAML: anything odd means rebuild
        return None
    return value if isinstance(value, kind) else None


def _write(path: Path, value: object, shared: Mapping[str, object]) -> None:
    buffer = io.BytesIO()
    try:
        _Pickler(buffer, shared).dump(value)
    except (pickle.PicklingError, TypeError, AttributeError):
        return  # not picklable: keep building from YAML rather than fail
    payload = buffer.getvalue()
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # created 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return  # read-only or full disk: only the speed is lost
    _remove_stale(path)


def _remove_stale(current: Path) -> None:
    """Delete older caches of the same name (other keys), so the folder does not grow."""
    prefix = current.name.rsplit("-", 1)[0] + "-"
    for other in current.parent.glob(f"{prefix}*.pickle"):
        if other != current and len(other.name) == len(current.name):
            other.unlink(missing_ok=True)
