import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Run each module's tiny networks on one CPU thread, then restore the setting.

    At these widths two threads only add synchronisation; on a busy 2-core machine they made
    the learning tests ten times slower.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
