"""Each private API of a library the project uses still exists; a failure names what to change."""

import pytest


def test_streamlit_still_has_the_pages_directory_switch():
    from streamlit.runtime.pages_manager import PagesManager

    assert hasattr(PagesManager, "uses_pages_directory"), (
        "Streamlit moved PagesManager.uses_pages_directory: update pages/__init__.py run_through_app(), "
        "which serves deep links through app.py's navigation"
    )


def test_streamlit_app_session_still_has_the_methods_the_load_bench_times():
    from streamlit.runtime.app_session import AppSession

    for name in ("handle_backmsg", "_enqueue_forward_msg"):
        assert callable(getattr(AppSession, name, None)), (
            f"Streamlit renamed AppSession.{name}: update bench/timed_server.py time_reruns()"
        )


@pytest.mark.slow
def test_keras_still_holds_the_optimizer_schedule_where_we_read_it():
    keras = pytest.importorskip("keras")
    from frameworks.private import held_schedule

    schedule = keras.optimizers.schedules.CosineDecay(0.1, 10)
    assert held_schedule(keras.optimizers.SGD(schedule)) is schedule, (
        "Keras no longer keeps the schedule in optimizer._learning_rate: update frameworks/private.py "
        "held_schedule(), which the learning-rate logger uses to compute each epoch's lrs at once"
    )
    assert held_schedule(keras.optimizers.SGD(0.1)) is None


def test_pytorch_still_answers_get_last_lr_from_where_we_record_it():
    torch = pytest.importorskip("torch")
    from frameworks.private import record_last_lr

    optimizer = torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    optimizer.param_groups[0]["lr"] = 0.25  # set outside step(), as ScheduleLR.load_state_dict does
    record_last_lr(scheduler)
    assert scheduler.get_last_lr() == [0.25], (
        "PyTorch no longer answers LRScheduler.get_last_lr() from scheduler._last_lr: update frameworks/private.py "
        "record_last_lr(), which ScheduleLR.load_state_dict uses so that get_last_lr() gives the resumed step's lrs"
    )


def test_tensorboard_still_ships_its_plain_event_writer(tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.summary.writer.event_file_writer import EventFileWriter

    writer = EventFileWriter(str(tmp_path))
    writer.close()
    assert list(tmp_path.glob("events.out.tfevents.*")), (
        "TensorBoard moved EventFileWriter: update frameworks/private.py"
    )
