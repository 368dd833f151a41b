"""Python speed: rlx.read / rlx.stream rows per second against DuckDB materialising the same
files (every column), and ExecutionEnv steps per second (docs/PERFORMANCE.md, "Python").

    PYTHONPATH=build/python python3 bench/python.py OUT_DIR build/rlx
"""
import sys, time, subprocess, statistics, rlx
out = sys.argv[1]
cols = None
def t(fn, n=3):
    xs = []
    for _ in range(n):
        s = time.perf_counter(); r = fn(); xs.append(time.perf_counter() - s)
    return statistics.median(xs), r
# Peak memory above the interpreter, each in its own process (as python/tests/test_stream_memory.py):
# VmHWM, since ru_maxrss would carry this process's high-water mark into the child.
PEAK = """
import sys, rlx
def hwm_kb():  # this process's peak resident size; unlike ru_maxrss, not inherited over exec
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
base = hwm_kb()
if sys.argv[2] == "stream":
    rows = sum(b.rows for b in rlx.stream(sys.argv[1]))
else:
    rows = rlx.read(sys.argv[1]).rows
print((hwm_kb() - base) / 1024)
"""
for how in ("stream", "read"):
    mb = float(subprocess.run([sys.executable, "-c", PEAK, out, how], check=True,
                              capture_output=True, text=True).stdout)
    print(f"peak memory, rlx.{how}: +{mb:.0f} MB")

rows = rlx.read(out, columns=["event_seq"]).rows
for mode in ("ticks", "float"):
    sec, _ = t(lambda: rlx.read(out, decimals=mode))
    print(f"rlx.read decimals={mode}: {sec:.3f} s, {rows/sec/1e6:.2f} M rows/s")
sec, _ = t(lambda: sum(b.rows for b in rlx.stream(out)))
print(f"rlx.stream: {sec:.3f} s, {rows/sec/1e6:.2f} M rows/s")
sec, _ = t(lambda: rlx.read(out, decimals="decimal"), 1)
print(f"rlx.read decimals=decimal: {sec:.3f} s, {rows/sec/1e6:.2f} M rows/s")
sql = f"CREATE TABLE x AS SELECT * FROM read_parquet('{out}/**/*.parquet', hive_partitioning=true)"
sec, _ = t(lambda: subprocess.run([sys.argv[2], "sql", sql], check=True, capture_output=True))
sec0, _ = t(lambda: subprocess.run([sys.argv[2], "sql", "SELECT 1"], check=True, capture_output=True))
print(f"duckdb (rlx sql, CREATE TABLE AS, every column): {sec-sec0:.3f} s, {rows/(sec-sec0)/1e6:.2f} M rows/s ({rows} rows)")
sec, env = t(lambda: rlx.ExecutionEnv(out, quantity=0.5, horizon=60, step=1))
print(f"ExecutionEnv: tape loaded in {sec:.3f} s")
n = 0; s = time.perf_counter()
for seed in range(50):
    env.reset(seed=seed)
    while True:
        o, r, te, tr, i = env.step(("market", 0.001)); n += 1
        if te or tr: break
print(f"env: {n/(time.perf_counter()-s):.0f} steps/s (1 s decision interval, market 0.001 each step)")

