"""Defaults the CLI shows in its help, kept free of torch so that every command (and
`braintank --help`) starts without loading it."""

REVIEW_TARGET_ACCURACY = 0.998  # on clean validation digits not sent to review
SHIFT_TARGET_ACCURACY = 0.995  # the client's goal for accepted scores, on shifted digits
FINETUNE_EPOCHS = 5  # passes of `braintank finetune` over the corrections
