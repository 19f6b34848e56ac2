"""`make bench` (`python -m preflight.bench`): preflight's cost as ratios measured in one run; the
states it measures on (`shapes`) also serve the scaling tests."""
