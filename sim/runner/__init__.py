"""Running scenarios: seeds, replicates, local executors, result folders."""

from sim.runner.batch import RunResult, run_scenario
from sim.runner.results import write_result_folder
from sim.runner.seeds import replicate_seeds

__all__ = ["RunResult", "replicate_seeds", "run_scenario", "write_result_folder"]
