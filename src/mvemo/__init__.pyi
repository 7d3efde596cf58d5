# The public top level of mvemo. Read by lazy_loader.attach_stub (names load on first use)
# and by type checkers. Keep it to relative imports.
