"""The route network from the VRAEM's districts to the exits."""

from sim.network.routes import Route, RouteNetwork, enumerate_routes, load_network

__all__ = ["Route", "RouteNetwork", "enumerate_routes", "load_network"]
