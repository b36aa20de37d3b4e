"""Benchmark B1: the vectorised grower step against a plain per-agent Mesa formulation of it.

`Growers` (sim/agents/growers.py) keeps the coca-growing households as numpy arrays. This module
ships the formulation a Mesa user would write instead, one `mesa.Agent` per household holding its
own scalars and stepped with `shuffle_do`, of exactly the same weekly rule (`Growers.step` and
`Growers._decide`). It is built from a `Growers` instance's initial arrays, so both start from the
same draws; tests/test_grower_reference.py checks that both give the same totals week by week.
`time_grower_step` times a week of each (target: the vectorised step at least 50x faster).

Only the weekly step is reproduced. Eradication (`Growers.eradicate`, `record_eradication`) is not
part of it (the model calls it separately), so it is left out: the eradication risk and the
alternative-crop subsidy the margin reads are copied from the `Growers` instance and stay fixed.
Mesa 3 replaces `Model.step` by a no-argument wrapper that advances the model clock, so the week's
inputs go in through `ReferenceGrowerModel.step_week(leaf_price, tax_share)`, which sets them and
calls `step()`.

Run with `.venv/bin/python benchmarks/grower_reference.py`.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import mesa
import numpy as np

from sim.agents import Growers
from sim.config.models import GrowersConfig
from sim.model import VraemModel
from sim.scenarios import load_scenario
from sim.units import WEEKS_PER_YEAR

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
PRICE_WIGGLE = 0.2  # leaf price swings +-20% around the reference price, so decisions change
PRICE_PERIOD_WEEKS = WEEKS_PER_YEAR  # one price cycle a year
REFERENCE_MAX_WEEKS = 13  # the per-agent step is slow: time at most this many weeks a run


class GrowerHousehold(mesa.Agent):
    """One coca-growing household: the scalars of one column of `Growers`."""

    def __init__(
        self,
        model: ReferenceGrowerModel,
        district: int,
        hurdle: float,
        cap_ha: float,
        mature_ha: float,
        pipeline: list[float],
        immature_ha: float,
    ) -> None:
        super().__init__(model)
        self.district = district
        self.hurdle = hurdle  # USD/ha/yr
        self.cap_ha = cap_ha
        self.mature_ha = mature_ha
        self.pipeline = pipeline  # ha planted, by week slot (maturity_weeks long)
        self.immature_ha = immature_ha

    def step(self) -> None:
        """This household's week: mature the current slot, decide on decision weeks, harvest."""
        m = self.model
        matured = self.pipeline[m.slot]
        self.mature_ha += matured
        self.immature_ha = max(self.immature_ha - matured, 0.0)
        self.pipeline[m.slot] = 0.0
        if m.deciding:
            self.decide()
        m.leaf[self.district] += self.mature_ha * m.leaf_kg_per_ha_week

    def margin(self) -> float:
        """Premium of a coca hectare over the alternative crop (USD/ha/yr)."""
        m, d, cfg = self.model, self.district, self.model.cfg
        keep = (1.0 - m.tax_share[d]) * (1.0 - m.eradication_risk[d])
        revenue = cfg.yield_kg_per_ha_year * m.expected_price * keep
        alt = cfg.alt_net_income_usd_per_ha_year + m.alt_subsidy[d]
        return revenue - cfg.cost_usd_per_ha_year - alt

    def decide(self) -> None:
        """Plant toward the wanted area, or abandon unwanted coca, mature first then young."""
        m = self.model
        target = self.cap_ha if self.margin() > self.hurdle else 0.0
        young = self.immature_ha
        gap = target - (self.mature_ha + young)
        if gap > 0:
            plant = gap * m.plant_share  # lands in the current slot, matures after maturity_weeks
            self.pipeline[m.slot] += plant
            self.immature_ha += plant
        elif gap < 0:
            drop = -gap * m.drop_share
            from_mature = min(drop, self.mature_ha)
            self.mature_ha -= from_mature
            rest = drop - from_mature
            if rest > 0 and young > 0:
                keep = 1.0 - min(rest / young, 1.0)
                self.pipeline = [ha * keep for ha in self.pipeline]
                self.immature_ha *= keep


class ReferenceGrowerModel(mesa.Model):
    """The households of a `Growers` instance as Mesa agents, with the shared week state."""

    def __init__(self, growers: Growers, seed: int | None = None) -> None:
        super().__init__(rng=seed)
        cfg = self.cfg = growers.cfg
        years = cfg.decision_interval_weeks / WEEKS_PER_YEAR
        self.plant_share = 1.0 - (1.0 - cfg.expansion_rate_per_year) ** years
        self.drop_share = 1.0 - (1.0 - cfg.abandonment_rate_per_year) ** years
        self.leaf_kg_per_ha_week = cfg.yield_kg_per_ha_year / WEEKS_PER_YEAR
        self.expected_price = growers.expected_price
        self.slot, self.week = growers._slot, growers._week
        self.eradication_risk: list[float] = growers.eradication_risk.tolist()
        self.alt_subsidy: list[float] = growers.alt_subsidy.tolist()
        self.tax_share: list[float] = [0.0] * len(growers.districts)
        self.leaf: list[float] = [0.0] * len(growers.districts)  # kg this week, by district
        self.leaf_price = self.expected_price
        self.deciding = False
        households = zip(
            growers.district.tolist(),
            growers.hurdle.tolist(),
            growers.cap_ha.tolist(),
            growers.mature_ha.tolist(),
            growers.pipeline.T.tolist(),
            growers.immature_ha.tolist(),
            strict=True,
        )
        for household in households:
            GrowerHousehold(self, *household)

    def step_week(self, leaf_price: float, tax_share: np.ndarray) -> np.ndarray:
        """One week at this leaf price (USD/kg) and tax share; returns leaf by district (kg)."""
        self.leaf_price = leaf_price
        self.tax_share = tax_share.tolist()
        self.step()
        return np.array(self.leaf)

    def step(self) -> None:
        """Update the expected price, then step every household in random order."""
        cfg = self.cfg
        self.expected_price += (1.0 / cfg.price_memory_weeks) * (
            self.leaf_price - self.expected_price
        )
        self.deciding = self.week % cfg.decision_interval_weeks == 0
        self.leaf = [0.0] * len(self.leaf)
        self.agents.shuffle_do("step")
        self.slot = (self.slot + 1) % cfg.maturity_weeks  # harvest does not read the slot
        self.week += 1

    def coca_ha(self) -> float:
        """All planted coca, mature and young (ha)."""
        return sum(a.mature_ha + a.immature_ha for a in self.agents)


def baseline_setup(households: int) -> tuple[GrowersConfig, list[str], np.ndarray, int]:
    """The baseline's grower config with `households`, districts, tax share and seed, as
    `VraemModel` passes them to `Growers`."""
    sc = load_scenario(BASELINE)
    model = VraemModel(sc, sc.seed)
    cfg = sc.growers.model_copy(update={"households": households})
    return cfg, model.districts, model.armed_tax_share(), sc.seed


def make_growers(
    cfg: GrowersConfig, districts: list[str], tax_share: np.ndarray, seed: int
) -> Growers:
    """Vectorised growers in equilibrium at the reference leaf price, from `seed`."""
    ref = cfg.reference_leaf_price_usd_per_kg
    return Growers(cfg, districts, tax_share, ref, np.random.default_rng(seed))


def price_path(cfg: GrowersConfig, weeks: int) -> list[float]:
    """The reference leaf price with a deterministic yearly wiggle (USD/kg), one a week."""
    ref = cfg.reference_leaf_price_usd_per_kg
    phase = 2.0 * math.pi / PRICE_PERIOD_WEEKS
    return [ref * (1.0 + PRICE_WIGGLE * math.sin(phase * w)) for w in range(weeks)]


def _seconds_per_week(
    step: Callable[[float, np.ndarray], np.ndarray], prices: list[float], tax_share: np.ndarray
) -> float:
    start = time.perf_counter()
    for price in prices:
        step(price, tax_share)
    return (time.perf_counter() - start) / len(prices)


def time_grower_step(households: int = 20000, weeks: int = 52, repeats: int = 5) -> dict:
    """Median wall time of a week of the vectorised and of the per-agent step (seconds), each
    from fresh households of the same draws, construction excluded, and the speedup."""
    cfg, districts, tax_share, seed = baseline_setup(households)
    interval = cfg.decision_interval_weeks
    ref_weeks = min(weeks, REFERENCE_MAX_WEEKS)
    if ref_weeks >= interval:
        ref_weeks -= ref_weeks % interval  # the same share of decision weeks as a long run
    prices = price_path(cfg, weeks)
    vectorised, reference = [], []
    for _ in range(repeats):
        growers = make_growers(cfg, districts, tax_share, seed)
        vectorised.append(_seconds_per_week(growers.step, prices, tax_share))
        model = ReferenceGrowerModel(make_growers(cfg, districts, tax_share, seed), seed)
        reference.append(_seconds_per_week(model.step_week, prices[:ref_weeks], tax_share))
    vec, ref = statistics.median(vectorised), statistics.median(reference)
    return {"vectorised_s_per_week": vec, "reference_s_per_week": ref, "speedup": ref / vec}


if __name__ == "__main__":
    print(time_grower_step())
