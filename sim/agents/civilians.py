"""Civilians who might inform the state, vectorised over the grower households.

Each household weighs, every week, the state's presence in its district (patrols), the armed
groups' control there, its fear of their selective violence, its resentment of them
(massacres, heavy taxes), its grievance against the state (eradication) and how much of its land
is in coca. A household with its own fixed reluctance informs when the log-odds of that weighing
beat it (Kalyvas 2006: civilians collaborate with the side that controls them and punishes
defection). The share of informing households in a district raises the chance that patrols
find fighters and that operations locate cadres there; selective violence lowers it.
"""

from __future__ import annotations

import numpy as np

from sim.agents.growers import Growers
from sim.config.armed_group import InformersConfig


class Civilians:
    """What the households of each district know and would tell."""

    def __init__(self, cfg: InformersConfig, growers: Growers, rng: np.random.Generator) -> None:
        self.cfg = cfg
        self.growers = growers
        n_districts = len(growers.districts)
        self.households = growers.households.astype(float)
        reluctance = rng.random(growers.district.size)  # fixed per household (0-1)
        # a household informs when its log-odds beat the logit of its reluctance
        self.reluctance_logit = np.log(reluctance) - np.log1p(-reluctance)
        self._land = np.where(growers.cap_ha > 0, growers.cap_ha, np.inf)  # ha (none: no coca)
        self._pull_at = -1  # growers.changes when `_pull` was taken
        n = growers.district.size
        self._pull = np.empty(n)  # the weighted dependence on coca of each household
        self._log_odds = np.empty(n)  # work arrays of the weekly weighing (reused)
        self._informs = np.empty(n, dtype=bool)
        self.fear = np.zeros(n_districts)  # 0-1, from civilians killed by armed groups
        self.resentment = np.zeros(n_districts)  # 0-1, from massacres and heavy taxes
        self.informing = np.zeros(n_districts)  # share of households informing (0-1)

    def update(
        self, presence: np.ndarray, control: np.ndarray, tax_share: np.ndarray
    ) -> np.ndarray:
        """This week's share of informing households per district, given the state's presence
        (patrols relative to usual), armed control and the armed groups' tax share."""
        cfg, g = self.cfg, self.growers
        resent = np.minimum(1.0, self.resentment + tax_share)
        by_district = (
            cfg.base
            + cfg.state_presence_weight * presence
            - cfg.armed_control_weight * control
            - cfg.fear_weight * self.fear
            + cfg.resentment_weight * resent
            - cfg.grievance_weight * g.grievance
        )
        if self._pull_at != g.changes:  # how much each household lives on coca (weighted)
            np.divide(g.mature_ha, self._land, out=self._pull)
            self._pull *= cfg.dependence_weight
            self._pull_at = g.changes
        log_odds = g.per_household(by_district, out=self._log_odds)
        log_odds -= self._pull
        informs = np.less(self.reluctance_logit, log_odds, out=self._informs)
        counts = g.sum_by_district(informs)
        self.informing = np.divide(
            counts, self.households, out=np.zeros_like(counts), where=self.households > 0
        )
        decay = 0.5 ** (1.0 / cfg.fear_half_life_weeks)
        self.fear *= decay
        self.resentment *= decay
        return self.informing

    def suffer(self, district: int, killed: int, indiscriminate: bool) -> None:
        """Civilians killed by an armed group in a district: fear rises; an indiscriminate
        killing (a massacre) also breeds resentment."""
        rise = killed / self.cfg.victims_for_full_fear
        self.fear[district] = min(1.0, self.fear[district] + rise)
        if indiscriminate:
            self.resentment[district] = min(1.0, self.resentment[district] + rise)

    def information_factor_by_district(self) -> np.ndarray:
        """Factor on finding fighters or cadres in each district."""
        return 1.0 + self.cfg.information_gain * self.informing

    def information_factor(self, district: int) -> float:
        """Factor on finding fighters or cadres in a district from what its people tell."""
        return 1.0 + self.cfg.information_gain * float(self.informing[district])
