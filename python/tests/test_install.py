"""The README's Python section, followed as a new user would: a virtual environment that sees
Debian's packages, pip install --no-build-isolation (offline), then the README's example."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import support


def readme_example():
    text = (support.SOURCE_DIR / "README.md").read_text()
    section = text[text.index("## From Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


class InstallTest(unittest.TestCase):
    def test_readme_python_section_works_in_a_fresh_virtual_environment(self):
        build = os.environ.get("RLX_BUILD_DIR")
        self.assertTrue(build, "RLX_BUILD_DIR is set by ctest")
        with tempfile.TemporaryDirectory() as tmp:
            venv = Path(tmp) / "venv"
            subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                           check=True)
            env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
            env["RLX_BUILD_DIR"] = build
            # pip builds in the source tree; its egg-info is removed after (it is gitignored).
            done = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-index",
                                   "--no-build-isolation", str(support.SOURCE_DIR)],
                                  capture_output=True, text=True, env=env)
            shutil.rmtree(support.SOURCE_DIR / "python" / "rlx.egg-info", ignore_errors=True)
            self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
            support.run_rlx("demo", "--out", Path(tmp) / "rlx-demo", "--progress", "never")
            (Path(tmp) / "example.py").write_text(readme_example())
            done = subprocess.run([str(venv / "bin" / "python"), "example.py"], cwd=tmp,
                                  capture_output=True, text=True, env=env)
            self.assertEqual(done.returncode, 0, done.stderr)
            self.assertIn("TWAP:", done.stdout)
            # The installed package, not the build tree's.
            where = subprocess.run([str(venv / "bin" / "python"), "-c",
                                    "import rlx; print(rlx.__file__)"], cwd=tmp,
                                   capture_output=True, text=True, env=env, check=True)
            self.assertTrue(where.stdout.startswith(str(venv)), where.stdout)


if __name__ == "__main__":
    unittest.main()
