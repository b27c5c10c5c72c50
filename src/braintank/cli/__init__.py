"""The `braintank` command: one argparse sub-command per module in this package."""
