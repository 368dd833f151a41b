"""The module keeps to its own DuckDB when the process has loaded another one first."""

import os
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

import rlx
import support

IMPOSTOR = os.environ.get("RLX_IMPOSTOR_DUCKDB", "")


def run_python(code):
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, env=os.environ.copy())


class IsolationTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = Path(cls.tmp.name) / "events"
        support.run_rlx("demo", "--out", cls.tmp.name, "--minutes", "0.5", "--progress", "never")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.assertTrue(Path(IMPOSTOR).exists(), f"impostor library missing: {IMPOSTOR!r}")

    def test_read_works_after_another_duckdb_is_loaded_globally(self):
        done = run_python(f"""
            import ctypes, os
            ctypes.CDLL({IMPOSTOR!r}, mode=os.RTLD_NOW | os.RTLD_GLOBAL)
            import rlx
            print(rlx.read({str(self.out)!r}, columns=["event_seq"]).rows)
        """)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(int(done.stdout), rlx.read(self.out, columns=["event_seq"]).rows)
        self.assertGreater(int(done.stdout), 1000)

    def test_the_impostor_is_reached_without_the_packages_loading(self):
        # The control: the extension loaded the default way (no RTLD_DEEPBIND) calls the
        # impostor, so the test above would catch a package that lost its protection.
        module = next(Path(rlx.__file__).parent.glob("_rlx*.so"))
        done = run_python(f"""
            import ctypes, os, importlib.util
            ctypes.CDLL({IMPOSTOR!r}, mode=os.RTLD_NOW | os.RTLD_GLOBAL)
            spec = importlib.util.spec_from_file_location("_rlx", {str(module)!r})
            m = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(m)
            m.Reader({str(self.out)!r}, [], None, None, [], 1000, 1)
        """)
        self.assertEqual(done.returncode, 42, done.stderr)
        self.assertIn("impostor DuckDB called", done.stderr)


if __name__ == "__main__":
    unittest.main()
