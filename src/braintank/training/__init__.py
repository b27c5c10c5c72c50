"""Training: configs, optimizers and schedules, the epoch loop, checkpoints, run logs."""
