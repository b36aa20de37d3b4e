"""vraem-sim: an agent-based model of the cocaine economy of Peru's VRAEM valley."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("vraem-sim")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
