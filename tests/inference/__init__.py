"""Tests of the inference input path; `inference.render` makes realistic digit image files."""
