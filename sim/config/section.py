"""Base of every config section, and the constrained number types the sections use."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[float, Field(gt=0.0)]
NonNegative = Annotated[float, Field(ge=0.0)]


class Section(BaseModel):
    """Base for all config sections: unknown keys are errors, values are validated on assignment.

    A mapping parameter given in a scenario (e.g. `market.exit_price_usd_per_kg: {callao: 4000}`)
    changes only the entries it names; the others keep their defaults.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

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
