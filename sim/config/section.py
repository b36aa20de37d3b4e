"""Base of every config section, and the constrained number types the sections use."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]

MAX_NAME_CHARS = 100  # scenario and sweep names become folder names
NAME_FORBIDDEN = set('/\\:*?"<>|')  # not portable in a folder name


def _folder_name(name: str) -> str:
    """A name that can be a folder name on any system, and only that one folder."""
    if not name.strip():
        raise ValueError("expected a non-empty name (it names the output folder)")
    if name in (".", "..") or name.startswith("."):
        raise ValueError("expected a name that does not start with '.' (it names a folder)")
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"expected at most {MAX_NAME_CHARS} characters, got {len(name)}")
    bad = sorted({c for c in name if c in NAME_FORBIDDEN or not c.isprintable()})
    if bad:
        raise ValueError(
            f"expected a name usable as a folder name, without {', '.join(map(repr, bad))}"
        )
    return name


#: A scenario's or sweep's name: it names the default output folder.
FolderName = Annotated[str, AfterValidator(_folder_name)]


class Section(BaseModel):
    """Base for all config sections: unknown keys are errors, values are validated on assignment.

    A mapping parameter given in a scenario (e.g. `market.exit_price_usd_per_kg: {callao: 4000}`)
    changes only the entries it names; the others keep their defaults.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _merge_mappings_with_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for name, field in cls.model_fields.items():
            given = data.get(name)
            if isinstance(given, dict) and field.default_factory is not None:
                default = field.default_factory()
                if isinstance(default, dict):
                    merged[name] = {**default, **given}
        return merged
