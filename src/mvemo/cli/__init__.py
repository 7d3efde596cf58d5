"""The ``mvemo`` command line: thin click wrappers over the public functions."""
