"""Test and benchmark support for the services, kept out of their production packages.

The root project depends on it only in its `dev` group: a service installed on its own does
not carry simulated journeys or test wiring.
"""
