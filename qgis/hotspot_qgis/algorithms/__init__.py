"""One algorithm class per engine command."""

from .geocode import GeocodeAlgorithm
from .gistar import GiStarAlgorithm
from .kde import KdeAlgorithm
from .rates import RatesAlgorithm
from .run import RunAlgorithm

ALGORITHMS = [GeocodeAlgorithm, KdeAlgorithm, GiStarAlgorithm, RatesAlgorithm, RunAlgorithm]
