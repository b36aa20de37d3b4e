"""Coca-growing households as numpy arrays: harvest, planting decisions, maturity, eradication.

Households are many and simple, so they are vectorised rather than Mesa agents. Each household
has a district, a labour-limited coca area it would like to grow when coca pays (`cap_ha`), a
hurdle (the premium over the alternative crop it needs before it grows coca), mature coca and a
pipeline of young coca that matures after `maturity_weeks`.
"""

from __future__ import annotations

import numpy as np

from sim.config.models import GrowersConfig
from sim.units import WEEKS_PER_YEAR


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
        self.district = rng.choice(len(districts), size=n, p=shares)
        self.hurdle = cfg.hurdle_median_usd_per_ha_year * rng.lognormal(0.0, cfg.hurdle_sigma, n)
        cap = rng.lognormal(0.0, cfg.cap_sigma, n)
        self.alt_subsidy = np.zeros(len(districts))  # USD/ha/yr, set by crop substitution
        self.eradication_risk = np.zeros(len(districts))  # expected share of coca lost a year
        self.grievance = np.zeros(len(districts))  # 0-1, raised by eradication
        self.expected_price = float(leaf_price_ref)  # until the market says otherwise
        growing = self.margin(tax_share) > self.hurdle
        for d in range(len(districts)):
            in_d = self.district == d
            total = cap[in_d & growing].sum()
            if total > 0:
                cap[in_d] *= shares[d] * cfg.initial_coca_ha / total
        self.cap_ha = cap
        self.mature_ha = np.where(growing, cap, 0.0)
        self.pipeline = np.zeros((cfg.maturity_weeks, n))  # ha planted, by week slot
        self.immature_ha = np.zeros(n)  # row sums of the pipeline, kept up to date
        self._slot = 0
        self._week = 0

    # --- state -----------------------------------------------------------------------------
    def coca_ha(self) -> float:
        """All planted coca, mature and young (ha): what the monitoring surveys count."""
        return float(self.mature_ha.sum() + self.immature_ha.sum())

    def coca_ha_by_district(self) -> np.ndarray:
        return np.bincount(
            self.district, weights=self.mature_ha + self.immature_ha, minlength=len(self.districts)
        )

    def weekly_leaf_by_district(self) -> np.ndarray:
        """Leaf the mature coca gives in a week, by district (kg/week)."""
        return np.bincount(
            self.district,
            weights=self.mature_ha * self.cfg.yield_kg_per_ha_year / WEEKS_PER_YEAR,
            minlength=len(self.districts),
        )

    def margin(self, tax_share: np.ndarray) -> np.ndarray:
        """Premium of a coca hectare over the alternative crop, per household (USD/ha/yr)."""
        cfg = self.cfg
        keep = (1.0 - tax_share[self.district]) * (1.0 - self.eradication_risk[self.district])
        revenue = cfg.yield_kg_per_ha_year * self.expected_price * keep
        alt = cfg.alt_net_income_usd_per_ha_year + self.alt_subsidy[self.district]
        return revenue - cfg.cost_usd_per_ha_year - alt

    # --- weekly behaviour ------------------------------------------------------------------
    def step(self, leaf_price: float, tax_share: np.ndarray) -> np.ndarray:
        """One week: update price expectation, mature young coca, decide planting, harvest.

        Returns the leaf harvested per district this week (kg).
        """
        cfg = self.cfg
        w = 1.0 / cfg.price_memory_weeks
        self.expected_price += w * (leaf_price - self.expected_price)

        matured = self.pipeline[self._slot]
        self.mature_ha += matured
        self.immature_ha = np.maximum(self.immature_ha - matured, 0.0)
        self.pipeline[self._slot] = 0.0

        if self._week % cfg.decision_interval_weeks == 0:
            self._decide(tax_share)
        self._slot = (self._slot + 1) % cfg.maturity_weeks
        self._week += 1

        leaf = self.mature_ha * (cfg.yield_kg_per_ha_year / WEEKS_PER_YEAR)
        return np.bincount(self.district, weights=leaf, minlength=len(self.districts))

    def _decide(self, tax_share: np.ndarray) -> None:
        cfg = self.cfg
        years = cfg.decision_interval_weeks / WEEKS_PER_YEAR
        wants = self.margin(tax_share) > self.hurdle
        target = np.where(wants, self.cap_ha, 0.0)
        young = self.immature_ha
        gap = target - (self.mature_ha + young)

        plant = np.where(gap > 0, gap * (1.0 - (1.0 - cfg.expansion_rate_per_year) ** years), 0.0)
        # newly planted coca lands in the current slot and matures after maturity_weeks
        self.pipeline[self._slot] += plant
        self.immature_ha += plant

        drop = np.where(gap < 0, -gap * (1.0 - (1.0 - cfg.abandonment_rate_per_year) ** years), 0.0)
        from_mature = np.minimum(drop, self.mature_ha)
        self.mature_ha -= from_mature
        rest = drop - from_mature
        cut = np.flatnonzero((rest > 0) & (young > 0))
        if cut.size:
            keep = 1.0 - np.minimum(rest[cut] / young[cut], 1.0)
            self.pipeline[:, cut] *= keep
            self.immature_ha[cut] *= keep

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
        in_d = np.flatnonzero(self.district == district)
        area = self.mature_ha[in_d]
        total = area.sum()
        if total <= 0 or hectares <= 0:
            return 0.0
        take = min(hectares, total)
        lost = area * (take / total)
        self.mature_ha[in_d] -= lost
        replant = lost * (rng.random(in_d.size) < self.cfg.replant_fraction)
        self.pipeline[self._slot, in_d] += replant
        self.immature_ha[in_d] += replant
        return float(take)
