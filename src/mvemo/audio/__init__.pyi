# Public names of mvemo.audio, loaded on first use (lazy_loader.attach_stub).
