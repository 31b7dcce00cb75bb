"""Autograde one student and write their feedback, in one process: importing nbgrader takes
seconds, so the grader starts one process per submission instead of two nbgrader commands.

    python -m autograder.worker LESSON STUDENT SOCKETS   # in a course directory

SOCKETS is the path prefix of the kernel's Unix sockets. Prints nbgrader's log; exits 0 when
both steps worked, 3 when autograde failed, 4 when only the feedback failed.
"""

import sys
from pathlib import Path

from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader


def main(lesson: str, student: str, sockets: str) -> int:
    config = PyFileConfigLoader("nbgrader_config.py", path=str(Path.cwd())).load_config()
    config.KernelManager.ip = sockets
    api = NbGraderAPI(coursedir=CourseDirectory(root=str(Path.cwd()), config=config), config=config)
    for step, failed in ((api.autograde, 3), (api.generate_feedback, 4)):
        result = step(lesson, student, force=True)
        print(result.get("log", ""), result.get("error", ""), sep="\n", flush=True)
        if not result["success"]:
            return failed
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
