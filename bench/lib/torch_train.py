"""PyTorch peer for the training suite: the same networks, data, losses and
SGD updates as fastnn's drivers, timed the way fastnn's fits are (whole
training loops, first epoch included). Run with Debian's python3
(python3-torch); bench/lib/torch.mjs starts one process per task and thread
setting, with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set to the OpenBLAS
thread count and OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE unset.

argv[1]: JSON {task, intraOp, runs, epochs, lr, x?, y?, xTest?, yTest?, samples?}
  task: 'mlp'          784-256-128-10 ReLU, softmax cross-entropy, batch 64
        'autoencoder'  784-256-64-256-784 sigmoid hidden, sigmoid output, MSELoss, batch 64
        'persample'    the mlp classifier with batch 1 on the first `samples` rows
        'xor'          2-4-1 sigmoid hidden, sigmoid output, MSELoss, batch 1, in order
  lr: PyTorch's rate (torch.mjs converts fastnn's: MSELoss is a mean over
      outputs, doubled, where fastnn's squared error is half a sum).
  x, y, xTest, yTest: raw little-endian float32 / int32 files written by the bench.
Before timing, 50 batches train a throwaway model of the same shape (lazy
allocations, OpenBLAS buffers, the allocator's caches); then `runs` fresh
models each train for `epochs` epochs, timed whole.
prints one JSON line: {seconds: [per run], accuracy? | mse?, threads, blas}
"""
import itertools
import json
import sys
import time

import numpy as np
import torch
from torch import nn

cfg = json.loads(sys.argv[1])
# Both before any parallel work: ATen's OpenMP pool (OpenBLAS has its own,
# sized by OPENBLAS_NUM_THREADS) and no inter-op pool competing with it.
torch.set_num_threads(cfg["intraOp"])
torch.set_num_interop_threads(1)
torch.manual_seed(1)

WARM_UP_BATCHES = 50


def load(path, dtype, width=None):
    a = np.fromfile(path, dtype=dtype)
    return torch.from_numpy(a.reshape(-1, width) if width else a)


class Task:
    """What one task trains: a model factory, its loss, the data and the minibatching."""

    def __init__(self, model, loss, x, target, batch, shuffle):
        self.model, self.loss, self.x, self.target = model, loss, x, target
        self.batch, self.shuffle = batch, shuffle

    def batches(self, epochs):
        """Each minibatch of `epochs` epochs: reshuffled every epoch as fastnn does, or in order (XOR, as brain.js)."""
        n = self.x.shape[0]
        for _ in range(epochs):
            if self.shuffle:
                order = torch.randperm(n)
                for i in range(0, n, self.batch):
                    idx = order[i:i + self.batch]
                    yield self.x[idx], self.target[idx]
            else:
                for i in range(0, n, self.batch):
                    yield self.x[i:i + self.batch], self.target[i:i + self.batch]


def classifier():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def autoencoder():
    return nn.Sequential(nn.Linear(784, 256), nn.Sigmoid(), nn.Linear(256, 64), nn.Sigmoid(),
                         nn.Linear(64, 256), nn.Sigmoid(), nn.Linear(256, 784), nn.Sigmoid())


def xor_net():
    return nn.Sequential(nn.Linear(2, 4), nn.Sigmoid(), nn.Linear(4, 1), nn.Sigmoid())


def make_task(name):
    if name == "xor":
        x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
        return Task(xor_net, nn.MSELoss(), x, torch.tensor([[0], [1], [1], [0]], dtype=torch.float32), 1, False)
    x = load(cfg["x"], np.float32, 784)
    if name == "autoencoder":
        return Task(autoencoder, nn.MSELoss(), x, x, 64, True)
    y = load(cfg["y"], np.int32).long()
    if name == "mlp":
        return Task(classifier, nn.CrossEntropyLoss(), x, y, 64, True)
    if name == "persample":
        samples = cfg["samples"]
        return Task(classifier, nn.CrossEntropyLoss(), x[:samples], y[:samples], 1, True)
    raise SystemExit(f"unknown task {name}")


def train(model, task, batches):
    opt = torch.optim.SGD(model.parameters(), lr=cfg["lr"])
    for x, target in batches:
        opt.zero_grad(set_to_none=True)
        task.loss(model(x), target).backward()
        opt.step()


def quality(model):
    """Test accuracy (mlp) or reconstruction MSE per pixel (autoencoder) after the last fit."""
    with torch.no_grad():
        if cfg["task"] == "mlp":
            xt, yt = load(cfg["xTest"], np.float32, 784), load(cfg["yTest"], np.int32).long()
            return {"accuracy": float((model(xt).argmax(1) == yt).float().mean())}
        if cfg["task"] == "autoencoder":
            xt = load(cfg["xTest"], np.float32, 784)
            return {"mse": float(((model(xt) - xt) ** 2).mean())}
    return {}


def blas_info():
    """The OpenBLAS kernel and thread count PyTorch runs with, when threadpoolctl is installed."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return None
    blas = [p for p in threadpool_info() if p["user_api"] == "blas"]
    return [{k: p.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for p in blas]


task = make_task(cfg["task"])
# Enough epochs for 50 batches whatever the epoch's length (XOR's is 4).
train(task.model(), task, itertools.islice(task.batches(WARM_UP_BATCHES), WARM_UP_BATCHES))
seconds = []
for _ in range(cfg["runs"]):
    model = task.model()
    start = time.perf_counter()
    train(model, task, task.batches(cfg["epochs"]))
    seconds.append(time.perf_counter() - start)
print(json.dumps({
    "seconds": seconds, **quality(model),
    "threads": {"intraOp": torch.get_num_threads(), "interOp": torch.get_num_interop_threads()},
    "blas": blas_info(),
}))
