"""Builds the extension with the project's CMake: the build folder of scripts/bootstrap (build/,
or $RLX_BUILD_DIR) is reused, so only the module is compiled when rlx is already built."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = Path(os.environ.get("RLX_BUILD_DIR", ROOT / "build"))
        if not (build / "CMakeCache.txt").exists():
            subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build), "-G", "Ninja",
                                   "-DCMAKE_BUILD_TYPE=Release",
                                   f"-DPython_EXECUTABLE={os.path.realpath(sys.executable)}"])
        subprocess.check_call(["cmake", "--build", str(build), "--target", "_rlx"])
        built = build / "python" / "rlx"
        target = Path(self.get_ext_fullpath(ext.name)).parent
        target.mkdir(parents=True, exist_ok=True)
        suffix = Path(self.get_ext_filename("_rlx")).name
        module = built / suffix
        if not module.exists():
            raise RuntimeError(f"{module} was not built: {build} is configured for another "
                               "Python; set RLX_BUILD_DIR to a new folder")
        for f in (module, built / "librlx_duckdb.so"):
            shutil.copy2(f, target / f.name)


setup(ext_modules=[Extension("rlx._rlx", sources=[])], cmdclass={"build_ext": CMakeBuild},
      options={"build": {"build_base": str(Path("build") / "setuptools")}})
