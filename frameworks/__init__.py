"""Framework adapters: the engine's schedules inside Keras, PyTorch and optax, and code export.

Each adapter imports the engine and its framework; the engine never imports an adapter (it names
them in ``schedules.schedule.ADAPTERS`` and loads one when ``Schedule.to_keras()`` and its siblings
are called). Import a module here only where its framework is installed.
"""
