# Public names and submodules of mvemo.features, loaded on first use (lazy_loader.attach_stub):
# importing the package loads neither torch nor librosa.
