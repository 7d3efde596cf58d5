"""One loader module per dataset; use :func:`mvemo.data.load` rather than importing these."""
