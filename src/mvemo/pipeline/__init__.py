"""Pipelines that combine features and models: feature caching, training, batch prediction, plots."""
