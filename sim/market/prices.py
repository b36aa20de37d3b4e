"""Prices along the chain, formed by supply, demand and risk.

- Export demand: buyers at the exits serve the same overseas markets, so exits are close
  substitutes. The overall price level falls when more is on its way than buyers take at the
  reference price (demand elasticity); an exit's price relative to the others falls when it gets
  more than its reference share (elasticity of substitution between exits). Buyers price the
  loads committed to their exit (dispatched toward it, times the share that has recently got
  through), as orders are placed before a load arrives. A demand shock scales what the buyers at
  an exit take at the reference price.
- In the VRAEM, the HCl price moves toward what traffickers bid (their expected net value at the
  exits after transport, bribes, fees and expected seizures, less their markup for risk), pushed
  down by unsold stock and up by scarcity.
- Paste and leaf prices are the net-back of the HCl price through refiners and paste makers
  (Reuter & Kleiman: each stage's price covers its input, its costs and its margin).
"""

from __future__ import annotations

import numpy as np

from sim.config.models import MarketConfig


class ExitMarkets:
    """Buyers at the exits: price per exit from expected deliveries and demand."""

    def __init__(self, cfg: MarketConfig, exits: list[str]) -> None:
        self.cfg = cfg
        self.exits = exits
        self.ref_price = np.array([cfg.exit_price_usd_per_kg[e] for e in exits], dtype=float)
        self.absorption = np.array([cfg.exit_absorption_kg_per_week[e] for e in exits], dtype=float)
        self.demand_factor = np.ones(len(exits))  # 1 = normal demand
        self.supply = self.absorption.copy()  # smoothed expected deliveries (kg/week)
        self.pass_rate = np.ones(len(exits))  # smoothed share of loads that got through
        self.price = self.ref_price.copy()

    def update(
        self, dispatched_kg: np.ndarray, exported_kg: np.ndarray, seized_kg: np.ndarray
    ) -> None:
        """Update expected deliveries and prices from this week's dispatches and outcomes."""
        w = 1.0 / self.cfg.exit_arrivals_memory_weeks
        ended = exported_kg + seized_kg
        seen = ended > 0
        self.pass_rate[seen] += w * (exported_kg[seen] / ended[seen] - self.pass_rate[seen])
        self.supply += w * (dispatched_kg * self.pass_rate - self.supply)
        cfg = self.cfg
        demand = self.absorption * self.demand_factor
        bounds = (cfg.exit_ratio_min, cfg.exit_ratio_max)
        total_ratio = min(
            max(float(demand.sum() / max(self.supply.sum(), 1e-9)), bounds[0]), bounds[1]
        )
        share_ratio = (demand / demand.sum()) / np.maximum(self.supply / self.supply.sum(), 1e-9)
        share_ratio = share_ratio.clip(*bounds)
        self.price = (
            self.ref_price
            * total_ratio ** (1.0 / cfg.exit_demand_elasticity)
            * share_ratio ** (1.0 / cfg.exit_substitution_elasticity)
        )


class VraemMarket:
    """HCl, paste and leaf prices in the VRAEM."""

    def __init__(self, cfg: MarketConfig, price_hcl: float) -> None:
        self.cfg = cfg
        self.price_hcl = float(price_hcl)
        self.price_paste = self.paste_netback(self.price_hcl)
        self.price_leaf = self.leaf_netback(self.price_paste)
        self.stock_avg: float | None = None  # smoothed producers' stock (kg)

    def paste_netback(self, price_hcl: float) -> float:
        """What refiners pay per kg of paste for a given HCl price (USD/kg)."""
        cfg = self.cfg
        value = (price_hcl - cfg.conversion_cost_usd_per_kg_hcl) * (1.0 - cfg.lab_margin)
        return max(0.0, value / cfg.paste_per_kg_hcl)

    def leaf_netback(self, price_paste: float) -> float:
        """What paste makers pay per kg of dry leaf for a given paste price (USD/kg)."""
        cfg = self.cfg
        leaf_per_kg_paste = cfg.leaf_per_kg_hcl / cfg.paste_per_kg_hcl
        value = (price_paste - cfg.paste_cost_usd_per_kg) * (1.0 - cfg.paste_maker_margin)
        return max(0.0, value / leaf_per_kg_paste)

    def update(self, bid: float, stock_kg: float, production_kg_week: float) -> None:
        """Move prices one week toward the traffickers' bid, corrected for stock pressure."""
        cfg = self.cfg
        reference_stock = cfg.stock_cover_weeks * max(production_kg_week, 1.0)
        if self.stock_avg is None:
            self.stock_avg = reference_stock
        self.stock_avg += (stock_kg - self.stock_avg) / cfg.price_adjustment_weeks
        pressure = min(
            max(reference_stock / max(self.stock_avg, 1.0), cfg.stock_pressure_min),
            cfg.stock_pressure_max,
        )
        target = bid * pressure**cfg.stock_price_elasticity
        self.price_hcl += (target - self.price_hcl) / cfg.price_adjustment_weeks
        self.price_paste = self.paste_netback(self.price_hcl)
        self.price_leaf = self.leaf_netback(self.price_paste)
