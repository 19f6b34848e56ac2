"""What users hand preflight, read within fixed bounds: YAML and JSON files, stack names, and the
one error (`InputError`) that preflight and verify report as a single line with exit code 2."""
