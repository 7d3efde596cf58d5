"""Prediction: routing files to models, the per-modality predictors, batch runs, records and plots."""
