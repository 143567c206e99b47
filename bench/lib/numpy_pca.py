# numpy's PCA, the peer of bench/pca.mjs: np.cov of the same float32 data
# (which converts it to float64), then np.linalg.eigh, whose full spectrum
# serves every k. argv: JSON {"data": path of the raw float32 rows, "n", "d",
# "k": the largest k wanted, "components": where to write the top-k
# eigenvectors as float32 rows}. Prints one JSON line: the seconds of the
# fit, the top-k eigenvalues, numpy's version and its BLAS (threadpoolctl,
# when installed).
import json
import sys
import time

import numpy as np

cfg = json.loads(sys.argv[1])
x = np.fromfile(cfg["data"], dtype=np.float32).reshape(cfg["n"], cfg["d"])
k = cfg["k"]
t0 = time.perf_counter()
c = np.cov(x, rowvar=False)
w, v = np.linalg.eigh(c)
top = v[:, ::-1][:, :k]
seconds = time.perf_counter() - t0
np.ascontiguousarray(top.T, dtype=np.float32).tofile(cfg["components"])
try:
    from threadpoolctl import threadpool_info
    blas = [{key: pool.get(key) for key in ("internal_api", "num_threads", "architecture", "version")} for pool in threadpool_info()]
except ImportError:
    blas = None
print(json.dumps({"seconds": seconds, "values": w[::-1][:k].tolist(), "numpy": np.__version__, "blas": blas}))
