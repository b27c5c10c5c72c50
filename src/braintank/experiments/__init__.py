"""braintank.experiments: the course's experiments, each reproduced by one command.

Each experiment is one module returning an ExperimentResult (numbers, the seed's numbers
beside them, figures); `result.write_result` puts it on disk, `report` joins many into one
HTML page. Only the CLI imports this package.
"""

from braintank.experiments.registry import available, run_and_write, run_experiment

__all__ = ["available", "run_and_write", "run_experiment"]
