"""Defaults the CLI shows in its help, kept free of torch so that every command (and
`braintank --help`) starts without loading it."""

FINETUNE_EPOCHS = 5  # passes of `braintank finetune` over the corrections
FINETUNE_HOLDOUT = 0.25  # share of the corrected digits kept to recalibrate on and measure
