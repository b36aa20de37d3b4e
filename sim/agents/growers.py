"""Coca-growing households as numpy arrays: harvest, planting decisions, maturity, eradication.

Households are many and simple, so they are vectorised rather than Mesa agents, held in
district order (district d's households are `slice(first[d], first[d + 1])`). Each household
has a district, a labour-limited coca area it would like to grow when coca pays (`cap_ha`), a
hurdle (the premium over the alternative crop it needs before it grows coca), mature coca and a
pipeline of young coca that matures after `maturity_weeks` (one row of households per week slot
that holds any: planting is decided every few weeks, so most slots hold none and need no
memory).
"""

from __future__ import annotations

import numpy as np

from sim.config.models import GrowersConfig
from sim.units import WEEKS_PER_YEAR


class HouseholdWork:
    """Scratch arrays, one entry per household, for the weekly arithmetic (reused, not state)."""

    def __init__(self, n: int) -> None:
        self.a = np.empty(n)
        self.b = np.empty(n)
        self.yes = np.empty(n, dtype=bool)


class Growers:
    """The farm households of the VRAEM's coca districts."""

    def __init__(
        self,
        cfg: GrowersConfig,
        districts: list[str],
        tax_share: np.ndarray,
        leaf_price_ref: float,
        rng: np.random.Generator,
    ) -> None:
        """Create households in equilibrium at `leaf_price_ref` (USD/kg).

        `tax_share[d]` is the expected share of leaf value paid to armed groups in district d.
        Households for whom coca beats the alternative by more than their hurdle grow their full
        `cap_ha`; caps are scaled per district so the total matches the configured coca area.
        """
        self.cfg = cfg
        self.districts = districts
        n = cfg.households
        shares = np.array([cfg.district_coca_share.get(d, 0.0) for d in districts], dtype=float)
        shares = shares / shares.sum()
        district = rng.choice(len(districts), size=n, p=shares)
        hurdle = cfg.hurdle_median_usd_per_ha_year * rng.lognormal(0.0, cfg.hurdle_sigma, n)
        cap = rng.lognormal(0.0, cfg.cap_sigma, n)
        order = np.argsort(district, kind="stable")  # district order (sums by slice)
        self.district, self.hurdle, cap = district[order], hurdle[order], cap[order]
        self.first = np.searchsorted(self.district, np.arange(len(districts) + 1))
        self.households = np.diff(self.first)  # households by district
        self._has = self.households > 0  # districts with households
        self.alt_subsidy = np.zeros(len(districts))  # USD/ha/yr, set by crop substitution
        self.eradication_risk = np.zeros(len(districts))  # expected share of coca lost a year
        self.grievance = np.zeros(len(districts))  # 0-1, raised by eradication
        self.expected_price = float(leaf_price_ref)  # until the market says otherwise
        growing = self.margin(tax_share) > self.hurdle
        for d in range(len(districts)):
            in_d = self.households_in(d)
            total = cap[in_d][growing[in_d]].sum()
            if total > 0:
                cap[in_d] *= shares[d] * cfg.initial_coca_ha / total
        self.cap_ha = cap
        self.mature_ha = np.where(growing, cap, 0.0)
        self._rows: dict[int, np.ndarray] = {}  # ha planted by household, by week slot
        self._spare: list[np.ndarray] = []  # rows of slots that matured, for reuse
        self.immature_ha = np.zeros(n)  # row sums of the pipeline, kept up to date
        self._slot = 0
        self._week = 0
        self.changes = 0  # times the coca area changed (what depends on it is kept till then)
        self._sums_at = -1  # `changes` when the sums below were taken
        # work arrays of the weekly arithmetic, reused: at 100,000 households a fresh array is
        # 0.8 MB whose first touch costs more than the arithmetic on it
        self.work = HouseholdWork(n)

    # --- state -----------------------------------------------------------------------------
    def households_in(self, district: int) -> slice:
        """District `district`'s households."""
        return slice(int(self.first[district]), int(self.first[district + 1]))

    def _row(self, slot: int) -> np.ndarray:
        """The young coca planted in week slot `slot` (ha by household), zero if none yet."""
        if slot not in self._rows:
            row = self._spare.pop() if self._spare else np.empty(self.district.size)
            row[:] = 0.0
            self._rows[slot] = row
        return self._rows[slot]

    @property
    def pipeline(self) -> np.ndarray:
        """Young coca by week slot and household (maturity_weeks x households, ha)."""
        out = np.zeros((self.cfg.maturity_weeks, self.district.size))
        for slot, row in self._rows.items():
            out[slot] = row
        return out

    def sum_by_district(self, values: np.ndarray) -> np.ndarray:
        """Sum of a per-household quantity in each district (a count for a bool array)."""
        out = np.zeros(self.first.size - 1)
        kind = np.intp if values.dtype == bool else None
        out[self._has] = np.add.reduceat(values, self.first[:-1][self._has], dtype=kind)
        return out

    def _area_sums(self) -> tuple[np.ndarray, np.ndarray, float]:
        """Mature and all planted coca by district, and all planted coca (ha), summed once
        after each change of the area."""
        if self._sums_at != self.changes:
            mature = self.mature_ha
            planted = np.add(mature, self.immature_ha, out=self.work.a)
            self._sums = (
                self.sum_by_district(mature),
                self.sum_by_district(planted),
                float(mature.sum() + self.immature_ha.sum()),
            )
            self._sums_at = self.changes
        return self._sums

    def coca_ha(self) -> float:
        """All planted coca, mature and young (ha): what the monitoring surveys count."""
        return self._area_sums()[2]

    def coca_ha_by_district(self) -> np.ndarray:
        return self._area_sums()[1].copy()

    def weekly_leaf_by_district(self) -> np.ndarray:
        """Leaf the mature coca gives in a week, by district (kg/week)."""
        return self._area_sums()[0] * (self.cfg.yield_kg_per_ha_year / WEEKS_PER_YEAR)

    def per_household(self, by_district: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """A per-district quantity given to each household (into `out` if given)."""
        if out is None:
            return np.repeat(by_district, self.households)
        for d in np.flatnonzero(self._has):
            out[self.first[d] : self.first[d + 1]] = by_district[d]
        return out

    def margin(self, tax_share: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Premium of a coca hectare over the alternative crop, per household (USD/ha/yr)."""
        cfg = self.cfg
        keep = (1.0 - tax_share) * (1.0 - self.eradication_risk)
        revenue = cfg.yield_kg_per_ha_year * self.expected_price * keep
        alt = cfg.alt_net_income_usd_per_ha_year + self.alt_subsidy
        return self.per_household(revenue - cfg.cost_usd_per_ha_year - alt, out)

    # --- weekly behaviour ------------------------------------------------------------------
    def step(self, leaf_price: float, tax_share: np.ndarray) -> np.ndarray:
        """One week: update price expectation, mature young coca, decide planting, harvest.

        Returns the leaf harvested per district this week (kg).
        """
        cfg = self.cfg
        w = 1.0 / cfg.price_memory_weeks
        self.expected_price += w * (leaf_price - self.expected_price)

        matured = self._rows.pop(self._slot, None)  # coca planted maturity_weeks ago
        if matured is not None:
            self.mature_ha += matured
            np.subtract(self.immature_ha, matured, out=self.immature_ha)
            np.maximum(self.immature_ha, 0.0, out=self.immature_ha)
            self._spare.append(matured)
            self.changes += 1

        if self._week % cfg.decision_interval_weeks == 0:
            self._decide(tax_share)
        self._slot = (self._slot + 1) % cfg.maturity_weeks
        self._week += 1

        return self.weekly_leaf_by_district()

    def _decide(self, tax_share: np.ndarray) -> None:
        cfg, work = self.cfg, self.work
        self.changes += 1
        years = cfg.decision_interval_weeks / WEEKS_PER_YEAR
        wants = np.greater(self.margin(tax_share, out=work.a), self.hurdle, out=work.yes)
        young = self.immature_ha
        # target: cap_ha if coca pays; gap = target - (mature + young)
        gap = np.subtract(
            np.multiply(self.cap_ha, wants, out=work.a),
            np.add(self.mature_ha, young, out=work.b),
            out=work.a,
        )
        plant = np.fmax(gap, 0.0, out=work.b)
        plant *= 1.0 - (1.0 - cfg.expansion_rate_per_year) ** years
        # newly planted coca lands in the current slot and matures after maturity_weeks
        if plant.any():
            self._row(self._slot)[:] += plant
        self.immature_ha += plant

        drop = np.fmax(np.negative(gap, out=work.a), 0.0, out=work.a)
        drop *= 1.0 - (1.0 - cfg.abandonment_rate_per_year) ** years
        from_mature = np.minimum(drop, self.mature_ha, out=work.b)
        self.mature_ha -= from_mature
        rest = np.subtract(drop, from_mature, out=work.a)
        cutting = np.greater(rest, 0.0, out=work.yes)
        cutting &= young > 0
        cut = np.flatnonzero(cutting)
        if cut.size:
            keep = np.ones(young.size)  # share of its young coca each household keeps
            keep[cut] = 1.0 - np.minimum(rest[cut] / young[cut], 1.0)
            for row in self._rows.values():
                row *= keep
            self.immature_ha *= keep

    def record_eradication(self, eradicated_ha: np.ndarray) -> None:
        """Update, per district, the expected yearly share of coca eradicated (what growers fear)
        and grievance (what the armed group can recruit from)."""
        cfg = self.cfg
        area = np.maximum(self.coca_ha_by_district(), 1.0)
        share = eradicated_ha / area
        yearly = np.minimum(share * WEEKS_PER_YEAR, 1.0)
        self.eradication_risk += (yearly - self.eradication_risk) / cfg.eradication_memory_weeks
        raised = self.grievance + cfg.grievance_per_share_eradicated * share
        self.grievance = np.minimum(1.0, raised)
        self.grievance *= 1.0 - 1.0 / cfg.grievance_memory_weeks

    def eradicate(self, district: int, hectares: float, rng: np.random.Generator) -> float:
        """Destroy up to `hectares` of mature coca in a district; households replant a share.

        The hectares are taken from households in proportion to their mature coca. Returns the
        hectares destroyed.
        """
        in_d = self.households_in(district)
        area = self.mature_ha[in_d]
        total = area.sum()
        if total <= 0 or hectares <= 0:
            return 0.0
        take = min(hectares, total)
        self.changes += 1
        lost = area * (take / total)
        self.mature_ha[in_d] -= lost
        replant = lost * (rng.random(lost.size) < self.cfg.replant_fraction)
        self._row(self._slot)[in_d] += replant
        self.immature_ha[in_d] += replant
        return float(take)
