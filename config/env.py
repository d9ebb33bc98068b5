"""Typed helpers to read configuration from the environment.

Every setting that differs between machines comes from here, so `docs/operations.md` can list them
all. A `NAME_FILE` variable (a path) is read instead of `NAME` when set, for secrets mounted as files.
"""

import os
from pathlib import Path


def env_str(name: str, default: str = "") -> str:
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = env_str(name, "")
    if raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name, "")
    return int(raw) if raw != "" else default


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = env_str(name, "")
    if raw == "":
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]
