"""Emotion models. Submodules import torch (extra ``torch``) when they are imported."""
