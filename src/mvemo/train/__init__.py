"""Training: one module per shipped model, each writing weights, a report and a model card."""
