"""The web app of `braintank serve`: the JSON API and the pages, on top of sheets/inference."""
