"""Simulating: filled-in sheets made from a template and MNIST digits, degraded like a scan or
a phone photo (noise, covered markers, cut edges, several sheets on a desk), for the tests,
the benchmarks and `braintank sheet simulate`."""
