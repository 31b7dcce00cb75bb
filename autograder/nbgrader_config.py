"""nbgrader configuration for the course (the course root is the directory nbgrader runs in)."""

c = get_config()  # noqa: F821 (provided by nbgrader)

c.CourseDirectory.course_id = "gankit"
# Every lesson folder NN_slug holds one notebook NN_slug.ipynb.
c.CourseDirectory.notebook_id = "*"
# A lesson's ci profile runs in under a minute; one cell may take at most this long.
c.Execute.timeout = 120
# A student who deleted a test cell gets it back, so the test still counts.
c.OverwriteCells.add_missing_cells = True
# Students see a plain stub in place of each solution.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
