"""Admin of the rituals app, one module per area."""

from importlib import import_module

for _area in ("content", "rituals", "goals", "checkins", "nudges", "prompts"):
    try:
        import_module(f"rituals.admin.{_area}")
    except ModuleNotFoundError as exc:
        if exc.name != f"rituals.admin.{_area}":
            raise
