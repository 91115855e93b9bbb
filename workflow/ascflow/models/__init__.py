"""Models: architecture specs, Keras builders, forest and network training."""
