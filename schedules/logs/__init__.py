"""Learning-rate series read back from real training logs, with NumPy and the standard library only.

Formats, recognised by name and content:

- TensorBoard event files from any writer (Keras's ``TensorBoard`` callback, ``tf.summary``,
  PyTorch's ``SummaryWriter``, the Hugging Face and Lightning loggers);
- Hugging Face ``trainer_state.json`` (``log_history`` entries with ``step`` and ``learning_rate``);
- CSV: Lightning's ``metrics.csv`` (``lr-AdamW``, ``lr-SGD/pg1``… beside ``step``, rows with empty
  cells), a W&B export (``Step``, ``<run> - train/learning_rate`` and its ``__MIN``/``__MAX``
  companions, which are ignored), or a plain table of step and lr.

Sources: a file, a folder (several files and runs in subfolders), a ``.zip`` of a folder, or
uploaded ``(name, bytes)`` pairs. Every series whose name reads as a learning rate is returned
(param groups, several runs): choosing one is the caller's decision, see :func:`choose`.

Any file, however damaged or hostile, gives series or one :class:`LogError` sentence, within the
limits of :mod:`schedules.logs.limits`. The parts: ``sources`` (finding files, bounded reading,
.zip archives), ``records`` (TFRecord framing and checksums), ``protobuf`` (the wire format),
``events`` (event files → scalars), ``tables`` (CSV and trainer_state.json), ``series``.
"""

from schedules.logs.events import event_scalars
from schedules.logs.limits import LimitExceeded, LogError, NotALog
from schedules.logs.series import Series, choose, is_lr_name, last_per_step, listing, ranked
from schedules.logs.sources import is_log_name, read_files, read_path

__all__ = [
    "LimitExceeded",
    "LogError",
    "NotALog",
    "Series",
    "choose",
    "event_scalars",
    "is_log_name",
    "is_lr_name",
    "last_per_step",
    "listing",
    "ranked",
    "read_files",
    "read_path",
]
