"""PyTorch peer for the training suite: the same networks, data and settings
as fastnn's drivers, timed the same way. Run with Debian's python3 (python3-torch);
bench/lib/torch.mjs starts it with OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE unset.

argv[1]: JSON {task, threads, epochs, runs?, x, y?, xTest?, yTest?, inputs, samples?}
  task: 'mlp' (784-256-128-10 ReLU, softmax CE, SGD 0.1, batch 64)
        'autoencoder' (784-256-64-256-784 sigmoid hidden, linear output as fastnn's
                       Autoencoder with loss 'mse', MSE, SGD, batch 64)
        'persample' (the mlp classifier, batch 1: samples/s)
        'xor' (2-4-1 tanh, sigmoid BCE, batch 1: steps/s)
  x, y, xTest, yTest: raw little-endian float32 / int32 files written by the bench.
prints one JSON line: {secondsPerEpoch: [...], accuracy?, mse?, samplesPerSec?, stepsPerSec?}
"""
import json
import sys
import time

import numpy as np
import torch
from torch import nn

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg["threads"])
torch.manual_seed(1)


def load(path, dtype, width=None):
    a = np.fromfile(path, dtype=dtype)
    return torch.from_numpy(a.reshape(-1, width) if width else a)


def classifier():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def epochs_of(model, loss_fn, x, target, batch, lr, epochs):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    times = []
    n = x.shape[0]
    for _ in range(epochs):
        order = torch.randperm(n)
        start = time.perf_counter()
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), target[idx])
            loss.backward()
            opt.step()
        times.append(time.perf_counter() - start)
    return times


task = cfg["task"]
result = {}
if task == "mlp":
    x, y = load(cfg["x"], np.float32, 784), load(cfg["y"], np.int32).long()
    model = classifier()
    result["secondsPerEpoch"] = epochs_of(model, nn.CrossEntropyLoss(), x, y, 64, 0.1, cfg["epochs"])
    with torch.no_grad():
        xt, yt = load(cfg["xTest"], np.float32, 784), load(cfg["yTest"], np.int32).long()
        result["accuracy"] = float((model(xt).argmax(1) == yt).float().mean())
elif task == "autoencoder":
    x = load(cfg["x"], np.float32, 784)
    model = nn.Sequential(nn.Linear(784, 256), nn.Sigmoid(), nn.Linear(256, 64), nn.Sigmoid(),
                          nn.Linear(64, 256), nn.Sigmoid(), nn.Linear(256, 784))
    result["secondsPerEpoch"] = epochs_of(model, nn.MSELoss(), x, x, 64, cfg.get("lr", 1.0), cfg["epochs"])
    with torch.no_grad():
        xt = load(cfg["xTest"], np.float32, 784)
        result["mse"] = float(((model(xt) - xt) ** 2).mean())
elif task == "persample":
    x, y = load(cfg["x"], np.float32, 784), load(cfg["y"], np.int32).long()
    samples = cfg["samples"]
    model = classifier()
    times = epochs_of(model, nn.CrossEntropyLoss(), x[:samples], y[:samples], 1, 0.01, 1)
    result["samplesPerSec"] = samples / times[0]
elif task == "xor":
    x = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
    y = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)
    model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1))
    epochs = cfg["epochs"]
    times = epochs_of(model, nn.BCEWithLogitsLoss(), x, y, 1, 0.3, epochs)
    result["stepsPerSec"] = 4 * epochs / sum(times)
else:
    raise SystemExit(f"unknown task {task}")
print(json.dumps(result))
