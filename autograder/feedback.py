"""Feedback a student may see: the graded notebook without the code of its hidden tests.

nbgrader's autograde puts each test cell back whole, hidden tests included, and its
`generate_feedback` renders that as it is. The grader's configuration adds this preprocessor,
which removes the hidden regions and cuts the tracebacks of those cells (which quote the failing
line) down to the test's message.
"""

from nbgrader.preprocessors import ClearHiddenTests


class HideHiddenTests(ClearHiddenTests):
    def preprocess_cell(self, cell, resources, cell_index):
        hidden = cell.cell_type == "code" and self.begin_test_delimeter in cell.source
        cell, resources = super().preprocess_cell(cell, resources, cell_index)
        if hidden:
            for output in cell.get("outputs", []):
                if output.output_type == "error":
                    output.traceback = [f"{output.ename}: {output.evalue}"]
        return cell, resources
