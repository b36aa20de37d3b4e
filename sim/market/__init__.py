"""Markets along the cocaine chain: leaf, paste and HCl in the VRAEM; HCl at the exits."""

from sim.market.prices import ExitMarkets, VraemMarket

__all__ = ["ExitMarkets", "VraemMarket"]
