"""The demo training: options, bundled data, run folders, the Keras session and its command line.

``training.options``, ``training.data``, ``training.run_folders`` and ``training.events`` load without
TensorFlow; ``training.session`` imports it, and ``training.demo`` only once its checks have passed.
"""
